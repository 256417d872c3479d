"""Benchmark: what verified passages cost in a scan (issue 10).

On the bench_scan corpus (already encoded: pass the same --cache), measures in one run:
- candidate generation with the document-level signals only, and with passage shingles
  and sentence links added (candidates.old_pairs vs candidates.candidate_pairs);
- for every candidate pair, the alignment alone (what relate() did before issue 10, less
  its logistic) against the full relate(): alignment + span verification + passages +
  features + label.
Reports seconds and the share each addition takes of the compare stage. Not a test.

    python bench/bench_passages.py --articles 600 --cache /tmp/after.npz
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

from bench_scan import corpus  # noqa: E402

from newstrace.embedding.encoder import DiskCache, Encoder  # noqa: E402
from newstrace.matching.alignment import align_and_reversed  # noqa: E402
from newstrace.matching.candidates import candidate_pairs, old_pairs  # noqa: E402
from newstrace.matching.relation import relate  # noqa: E402
from newstrace.pipeline import Pipeline  # noqa: E402
from newstrace.text.language import same_language  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=600)
    ap.add_argument("--cache", default=None)
    args = ap.parse_args()
    arts, _ = corpus(args.articles)
    store = DiskCache(args.cache) if args.cache else None
    pipe = Pipeline(encoder=Encoder(store=store))
    prepared = pipe.prepare_all(arts)
    t0 = time.perf_counter()
    old = old_pairs(prepared)
    t_old = time.perf_counter() - t0
    t0 = time.perf_counter()
    union = candidate_pairs(prepared)
    t_union = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i, j in union:
        pa, pb = prepared[i], prepared[j]
        align_and_reversed(pa.side, pb.side, same_language(pa.article.lang, pb.article.lang),
                           pipe.params.align)
    t_align = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = [relate(prepared[i], prepared[j], pipe.params) for i, j in union]
    t_relate = time.perf_counter() - t0
    new_only = len(union) - len(old)
    out = {
        "articles": len(arts),
        "candidates_old": len(old), "candidates_union": len(union),
        "candidate_seconds_old": round(t_old, 2), "candidate_seconds_union": round(t_union, 2),
        "align_only_seconds": round(t_align, 2), "relate_seconds": round(t_relate, 2),
        "verify_share_of_relate": round(1 - t_align / t_relate, 3) if t_relate else None,
        "new_candidate_share_of_pairs": round(new_only / max(1, len(union)), 3),
        "reuse_pairs": sum(1 for r in results if r.is_reuse),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
