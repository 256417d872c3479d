"""Estimate the e5 mean vector used for centering (src/newstrace/data/e5_mean.npy).

Sample: 200 news sentences per language from WMT newstest 2010/2012 (en de fr es cs ru)
and 100 per language from Tatoeba (da sv nb fi). None of these corpora is used to
report quality, so centering does not leak evaluation data.

    python scripts/build_mean_vector.py ../shared/data
"""

import random
import sys
from pathlib import Path

import numpy as np

from newstrace.embeddings import Encoder

data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
rng = random.Random(0)
sents: list[str] = []
for lang in ["en", "de", "fr", "es", "cs"]:
    lines = (data / "newstest_multiway" / f"newstest2010.{lang}").read_text().splitlines()
    sents += rng.sample(lines, 200)
ru = (data / "newstest_multiway" / "newstest2012.ru").read_text().splitlines()
sents += rng.sample(ru, 200)
for pair, ext in [("dan-swe", "dan"), ("dan-swe", "swe"), ("eng-nob", "nob"), ("eng-fin", "fin")]:
    lines = (data / "tatoeba" / pair / f"tatoeba-test-v2021-08-07.{ext}").read_text().splitlines()
    sents += rng.sample([s for s in lines if s.strip()], 100)
vecs = Encoder().encode(sents)
mean = vecs.mean(axis=0).astype(np.float32)
out = Path(__file__).resolve().parents[1] / "src" / "newstrace" / "data" / "e5_mean.npy"
np.save(out, mean)
print(f"{len(sents)} sentences, |mean| = {np.linalg.norm(mean):.3f} -> {out}")
