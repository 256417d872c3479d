"""Benchmark: what the copy path costs inside relate() (relation._copies).

Every same-language pair gets a second, cheap alignment through near-verbatim sentence
pairs only (alignment.align_copies), verified and grouped like the first when it finds
any. Timed where relate() calls it, on the candidate pairs of a scan of the ECB+ dev
articles (same-language reports of one topic: the pairs it runs on most) and the planted
passages' hosts and controls. Reports its seconds and share of relate(). Not a test.

    python bench/bench_copies.py --cache .cache/embeddings.npz
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
from newstrace.evaluation import corpora, planted  # noqa: E402
from newstrace.matching import relation  # noqa: E402
from newstrace.matching.candidates import candidate_pairs  # noqa: E402
from newstrace.pipeline import Pipeline  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    data = Path(args.data)
    pipe = Pipeline(encoder=Encoder(store=DiskCache(args.cache) if args.cache else None))
    arts = [a for split in ("fit", "report") for a in corpora.ecbplus(data, split)[0]]
    prepared = pipe.prepare_all(arts)
    pairs = [(prepared[i], prepared[j]) for i, j in candidate_pairs(prepared)]
    cases = planted.cases(data, "report", 40)
    extra = pipe.prepare_all([x for c in cases for x in (c.source, c.host, c.control)])
    pairs += [(extra[k], extra[k + d]) for k in range(0, len(extra), 3) for d in (1, 2)]
    with time_inside(relation, "_copies") as spent:
        t0 = time.perf_counter()
        for _ in range(args.rounds):
            for a, b in pairs:
                relation.relate(a, b, pipe.params)
        total = time.perf_counter() - t0
    print(json.dumps({"pairs": len(pairs), "rounds": args.rounds,
                      "relate_seconds": round(total, 3), "copies_seconds": round(spent[0], 3),
                      "copies_share_of_relate": round(spent[0] / total, 4)}, indent=2))


if __name__ == "__main__":
    main()
