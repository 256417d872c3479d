"""Benchmark: the local executor against the Ray executor at equal cores (issue 12).

Corpus from ../shared/data, as bench_scan.py builds it (WMT newstest2012 runs of 20
lines in six languages, FLORES documents in 13 languages, ECB+ articles), taken in the
proportions of the 2,000-article set (30 % / 65 % / 5 %) and in whole translation
families. For each worker count W, two fresh processes pinned to W cores
(sched_setaffinity, inherited by Ray's workers):

- local: Pipeline.scan, the encoder with W threads (OMP_NUM_THREADS=W);
- ray: a Ray cluster started with num_cpus=W, the Ray executor with W workers x 1 thread.

Both encode from scratch (no cache). Reports throughput (articles/s), the Ray overhead at
equal cores (Ray seconds / local seconds - 1, measured in the same run; `ray.init` is
reported apart), scaling efficiency against W=1 when 1 is among the worker counts, the
Ray stage times, whether both results are equal, and the load average (other work on a
shared machine shows there). Not a test; results go to docs/PERFORMANCE.md.

    python bench/bench_ray.py --articles 200 --workers 2
    python bench/bench_ray.py --articles 2000 --workers 1,4,8,16
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from stagetimer import StageTimer  # noqa: E402


def corpus(n: int):
    from bench_scan import corpus as full

    arts, _ = full(2000)
    wmt = [a for a in arts if a.id.startswith("wmt")]  # families of 6
    flores = [a for a in arts if a.id.startswith("flores")]  # families of 13
    other = [a for a in arts if not a.id.startswith(("wmt", "flores"))]
    n_wmt = max(6, round(n * 0.30 / 6) * 6)
    n_flores = max(13, round(n * 0.65 / 13) * 13)
    n_other = max(0, n - n_wmt - n_flores)
    return wmt[:n_wmt] + flores[:n_flores] + other[:n_other]


def child(mode: str, workers: int, n: int, out: str) -> None:
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:workers]))
    arts = corpus(n)
    progress = StageTimer()
    record: dict = {"mode": mode, "workers": workers, "articles": len(arts),
                    "sentences": None, "load_before": os.getloadavg()[0]}
    if mode == "local":
        from newstrace.pipeline import Pipeline

        t0 = time.perf_counter()
        res = Pipeline().scan(arts, progress)
        record["seconds"] = time.perf_counter() - t0
        record["stages"] = progress.done()
    else:
        from newstrace.executors.ray_executor import RayExecutor, start_ray

        t0 = time.perf_counter()
        start_ray(num_cpus=workers)
        record["ray_init_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        run = RayExecutor(workers=workers).run(arts)
        res = run.result()
        record["seconds"] = time.perf_counter() - t0
        record["stages"] = run.seconds
        record["stats"] = run.stats
    record["sentences"] = sum(len(a.sentences) for a in res.articles)
    record["candidates"] = res.candidates
    record["load_after"] = os.getloadavg()[0]
    Path(out).write_text(json.dumps({"record": record, "result": res.to_dict()}),
                         encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--workers", default="2", help="comma-separated worker counts (cores)")
    ap.add_argument("--child", choices=["local", "ray"], help=argparse.SUPPRESS)
    ap.add_argument("--child-workers", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--child-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.child_workers, args.articles, args.child_out)
        return
    cores = len(os.sched_getaffinity(0))
    rows = []
    tmp = Path(os.environ.get("RAY_TMPDIR", "/tmp/ray")).parent / f"bench-ray-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    for w in [int(x) for x in args.workers.split(",")]:
        if w > cores:
            print(f"skip {w} workers: {cores} cores here", file=sys.stderr)
            continue
        got = {}
        for mode in ("local", "ray"):
            out = tmp / f"{mode}-{w}.json"
            env = {**os.environ, "OMP_NUM_THREADS": str(w if mode == "local" else 1)}
            env.setdefault("RAY_TMPDIR", "/tmp/ray")
            subprocess.run([sys.executable, __file__, "--articles", str(args.articles),
                            "--child", mode, "--child-workers", str(w), "--child-out",
                            str(out)], check=True, env=env)
            got[mode] = json.loads(out.read_text(encoding="utf-8"))
        loc, ray = got["local"]["record"], got["ray"]["record"]
        row = {
            "workers": w, "threads_per_worker": 1, "articles": loc["articles"],
            "sentences": loc["sentences"], "candidates": loc["candidates"],
            "local_s": round(loc["seconds"], 1), "ray_s": round(ray["seconds"], 1),
            "ray_init_s": round(ray["ray_init_seconds"], 1),
            "local_articles_per_s": round(loc["articles"] / loc["seconds"], 2),
            "ray_articles_per_s": round(ray["articles"] / ray["seconds"], 2),
            "ray_overhead": round(ray["seconds"] / loc["seconds"] - 1, 3),
            "ray_overhead_with_init": round(
                (ray["seconds"] + ray["ray_init_seconds"]) / loc["seconds"] - 1, 3),
            "same_result": got["local"]["result"] == got["ray"]["result"],
            "local_stages": loc["stages"], "ray_stages": ray["stages"],
            "ray_stats": ray["stats"],
            "load_avg": [loc["load_before"], loc["load_after"], ray["load_before"],
                         ray["load_after"]],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    base = next((r for r in rows if r["workers"] == 1), None)
    print("\n| workers x threads | articles | local s | ray s (+ init) | local art/s "
          "| ray art/s | Ray overhead | scaling eff. (ray) | same result |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        eff = (f"{r['ray_articles_per_s'] / (r['workers'] * base['ray_articles_per_s']):.2f}"
               if base else "—")
        print(f"| {r['workers']} x 1 | {r['articles']} | {r['local_s']} | {r['ray_s']} "
              f"(+ {r['ray_init_s']}) | {r['local_articles_per_s']} | "
              f"{r['ray_articles_per_s']} | {r['ray_overhead']:+.1%} | {eff} | "
              f"{r['same_result']} |")


if __name__ == "__main__":
    main()
