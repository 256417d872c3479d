"""Benchmark: what the rival margin (verify.pair_margin) costs inside relate().

On the planted passages of `newstrace eval passages` (report half of ../shared/data): every
cross-language pair (source against host, and against the host without the passage) is
related three times; the time spent in verify.rivals is measured inside the same calls and
reported as a share of relate(). Not a test.

    python bench/bench_span_rivals.py [--data ../shared/data] [--cache .cache/embeddings.npz]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from stagetimer import time_inside  # noqa: E402

from newstrace.embedding.encoder import DiskCache, Encoder  # noqa: E402
from newstrace.evaluation import planted  # noqa: E402
from newstrace.matching import verify  # noqa: E402
from newstrace.matching.relation import relate  # noqa: E402
from newstrace.pipeline import Pipeline  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    data = Path(args.data)
    pipe = Pipeline(encoder=Encoder(store=DiskCache(args.cache) if args.cache else None))
    cases = planted.cases(data, "report", 40) + planted.flores_pasted(data, "report", 40)
    pairs = [(c.source, x) for c in cases for x in (c.host, c.control)
             if c.source.lang != x.lang]
    uniq = {id(a): a for pair in pairs for a in pair}
    prepared = dict(zip(uniq, pipe.prepare_all(list(uniq.values()))))
    with time_inside(verify, "rivals") as spent:
        t0 = time.perf_counter()
        for _ in range(args.rounds):
            for a, b in pairs:
                relate(prepared[id(a)], prepared[id(b)], pipe.params)
        total = time.perf_counter() - t0
    print(json.dumps({"pairs": len(pairs), "rounds": args.rounds,
                      "relate_seconds": round(total, 3), "rivals_seconds": round(spent[0], 3),
                      "rivals_share_of_relate": round(spent[0] / total, 4)}, indent=2))


if __name__ == "__main__":
    main()
