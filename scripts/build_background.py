"""Build the background sentences of the span model's margin (src/newstrace/data/background.npy).

2,048 centred sentence vectors (float16, ~1.5 MB) of news sentences in many languages,
sampled from the *fit* half of SemEval-2022 Task 8 (never used by the span model's own
training pairs, so no training sentence finds its own translation among its neighbours).

    python scripts/build_background.py ../shared/data
"""

import random
import sys
from pathlib import Path

import numpy as np

from newstrace.embedding.encoder import DiskCache, Encoder, center
from newstrace.embedding.prepare import analyse
from newstrace.evaluation import corpora

data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
store = DiskCache(".cache/embeddings.npz")
enc = Encoder(store=store)
rng = random.Random(3)
items: list[tuple[str, str]] = []
for p in corpora.semeval(data, "fit"):
    for art in (p.a, p.b):
        analyse(art)
        items += [(s, art.lang or "") for s in art.sentences if len(s.split()) >= 5]
picked = rng.sample(items, 2048)
raw = enc.encode([s for s, _ in picked])
vecs = np.stack([center(raw[i : i + 1], lang)[0] for i, (_, lang) in enumerate(picked)])
store.save()
out = Path(__file__).resolve().parents[1] / "src" / "newstrace" / "data" / "background.npy"
np.save(out, vecs.astype(np.float16))
langs = sorted({lang for _, lang in picked})
print(f"{len(vecs)} background vectors ({', '.join(langs)}) -> {out}")
