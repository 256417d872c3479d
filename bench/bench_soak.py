"""Benchmark: do reads wait behind writes? A soak of the HTTP service on loopback (issue 13).

A service (`newstrace serve`'s app under uvicorn, one process) over an index that already
holds `--base` articles. Then, at the same time:

- `--writers` clients add `--add` new articles in batches of `--batch` (POST
  /api/articles?wait=true, each client its own articles);
- `--readers` clients loop over reads of stored data: kin of a stored article, the
  stories list, the families list, stats — until the writers are done.

Reports per endpoint the number of requests, p50 / p95 / max latency, errors, and at the
end whether every added article is in the index (lost = added but not found). Articles
come from ../shared/data (bench_scan's corpus). Not a test; results go to
docs/PERFORMANCE.md (target: kin, stories and families p95 <= 200 ms, 0 errors, 0 lost).

    python bench/bench_soak.py --base 60 --add 140 --batch 5 --writers 2 --readers 4
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

READS = ("kin", "stories", "families", "stats")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_json(a) -> dict:  # noqa: ANN001
    return {"id": a.id, "text": a.text, "title": a.title}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", type=int, default=60, help="articles indexed before the soak")
    ap.add_argument("--add", type=int, default=140, help="articles added during the soak")
    ap.add_argument("--batch", type=int, default=5)
    ap.add_argument("--writers", type=int, default=2)
    ap.add_argument("--readers", type=int, default=4)
    args = ap.parse_args()

    import uvicorn
    from bench_scan import corpus

    from newstrace.service.server import create_app

    arts, _ = corpus(args.base + args.add)
    random.Random(0).shuffle(arts)
    base, new = arts[:args.base], arts[args.base:args.base + args.add]
    work = Path(tempfile.mkdtemp(prefix="nt-soak-"))
    port = _port()
    server = uvicorn.Server(uvicorn.Config(create_app(work / "soak.db"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.1)
    with httpx.Client(base_url=url, timeout=600) as c:
        t = time.perf_counter()
        for k in range(0, len(base), 20):
            r = c.post("/api/articles?wait=true",
                       json={"articles": [_as_json(a) for a in base[k:k + 20]]})
            r.raise_for_status()
        print(f"base: {len(base)} articles in {time.perf_counter() - t:.0f} s", flush=True)

    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()

    def timed(c: httpx.Client, name: str, method: str, path: str, **kw) -> None:  # noqa: ANN003
        t = time.perf_counter()
        try:
            r = c.request(method, path, **kw)
            ok = r.status_code < 400
        except httpx.HTTPError:
            ok = False
        with lock:
            times[name].append(time.perf_counter() - t)
            if not ok:
                errors[name] += 1

    def writer(mine: list) -> None:  # noqa: ANN001
        with httpx.Client(base_url=url, timeout=600) as c:
            for k in range(0, len(mine), args.batch):
                timed(c, "add", "POST", "/api/articles?wait=true",
                      json={"articles": [_as_json(a) for a in mine[k:k + args.batch]]})

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=url, timeout=600) as c:
            while writing.is_set():
                name = rng.choice(READS)
                path = {"kin": f"/api/kin/{rng.choice(base).id}", "stories": "/api/stories",
                        "families": "/api/families", "stats": "/api/stats"}[name]
                timed(c, name, "GET", path)

    shares = [new[w::args.writers] for w in range(args.writers)]
    writers = [threading.Thread(target=writer, args=(s,)) for s in shares]
    readers = [threading.Thread(target=reader, args=(k,)) for k in range(args.readers)]
    started = time.perf_counter()
    for th in writers + readers:
        th.start()
    for th in writers:
        th.join()
    writing.clear()
    for th in readers:
        th.join()
    soak_s = time.perf_counter() - started
    with httpx.Client(base_url=url, timeout=600) as c:
        lost = [a.id for a in new if c.get(f"/api/kin/{a.id}").status_code == 404]
    server.should_exit = True
    rows = []
    for name in ("add",) + READS:
        v = times[name]
        rows.append({"endpoint": name, "requests": len(v),
                     "p50_ms": round(1000 * percentile(v, 0.5), 1),
                     "p95_ms": round(1000 * percentile(v, 0.95), 1),
                     "max_ms": round(1000 * max(v), 1) if v else None,
                     "errors": errors[name]})
    summary = {"base": len(base), "added": len(new), "batch": args.batch,
               "writers": args.writers, "readers": args.readers, "soak_s": round(soak_s, 1),
               "lost": len(lost), "load": [round(x, 1) for x in os.getloadavg()]}
    print(json.dumps(summary))
    print("\n| endpoint | requests | p50 ms | p95 ms | max ms | errors |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['endpoint']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['max_ms']} | {r['errors']} |")


if __name__ == "__main__":
    main()
