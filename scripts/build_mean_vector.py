"""Estimate the e5 mean vectors used for centering (src/newstrace/data/e5_means.npz).

e5 embeddings carry a strong language component: translations in two languages sit
further apart than paraphrases in one. Subtracting each language's mean vector removes
most of it. Means are estimated on the *fit* half of FLORES-200 (even document indices,
never used for reported figures), plus WMT newstest for Czech; the global mean (for
languages with no estimate) comes from newstest and Tatoeba samples.

    python scripts/build_mean_vector.py ../shared/data
"""

import random
import sys
from pathlib import Path

import numpy as np

from newstrace.embedding.encoder import DiskCache, Encoder
from newstrace.evaluation import corpora

data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
store = DiskCache(".cache/embeddings.npz")
enc = Encoder(store=store)
rng = random.Random(0)
means: dict[str, np.ndarray] = {}
docs = corpora.flores(data, "fit")
for lang in corpora.FLORES_LANGS.values():
    sents = [s for _, d in docs for s in d.lines[lang]]
    means[lang] = enc.encode(sents).mean(axis=0)
    print(lang, len(sents), flush=True)
cs = (data / "newstest_multiway" / "newstest2010.cs").read_text().splitlines()
means["cs"] = enc.encode(rng.sample(cs, 500)).mean(axis=0)
glob: list[str] = []
for lang in ["en", "de", "fr", "es", "cs"]:
    lines = (data / "newstest_multiway" / f"newstest2010.{lang}").read_text().splitlines()
    glob += rng.sample(lines, 200)
ru = (data / "newstest_multiway" / "newstest2012.ru").read_text().splitlines()
glob += rng.sample(ru, 200)
for pair, ext in [("dan-swe", "dan"), ("dan-swe", "swe"), ("eng-nob", "nob"), ("eng-fin", "fin")]:
    lines = (data / "tatoeba" / pair / f"tatoeba-test-v2021-08-07.{ext}").read_text().splitlines()
    glob += rng.sample([s for s in lines if s.strip()], 100)
means["_global"] = enc.encode(glob).mean(axis=0)
store.save()
out = Path(__file__).resolve().parents[1] / "src" / "newstrace" / "data" / "e5_means.npz"
np.savez(out, **{k: v.astype(np.float32) for k, v in means.items()})
print(f"{len(means)} mean vectors -> {out}")
