"""Candidate recall of planted partial copies (issue: candidates that reach partial
copies). Not a test: run by hand; vectors are cached in bench/.cache/candidates.npz.

    bench_candidates.py warm [--seconds S]   # encode what the steps below need (resumable)
    bench_candidates.py threshold            # sentence-link threshold from parallel lines
    bench_candidates.py recall               # planted passages: old signals vs new
    bench_candidates.py index                # the same plants, added to an index
    bench_candidates.py fixture              # writes tests/fixtures/partial_copies.json

`threshold` (fit data, newstest2011 en/de, line-aligned): for every line with >= 5 content
tokens, is its translation among its top-k neighbours in a pool of both languages' lines,
and at what centred cosine? Prints the share kept for thresholds and k.

`recall`: a collection of all 462 ECB+ articles and 400 newstest runs (2012 and 2013,
report years), with planted passages:
- same-language (ECB+): 3 consecutive sentences of one article pasted into the middle of
  another — a host of the same event (60 plants), of another topic (60), and of another
  topic with one word in 8 replaced (60, light edits);
- cross-lingual (newstest): a host of 15 consecutive lines in language X with 3 lines of
  another region (in X) pasted into its middle; the source is that region's 15 lines in
  language Y (200 plants).
Reports, per kind, the share of planted pairs that are candidates under the old signals
(MinHash, document vectors, anchors) and under the new union, the number of candidate
pairs and the time of candidate generation.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newstrace.embedding.encoder import DiskCache, Encoder, center  # noqa: E402
from newstrace.embedding.prepare import analyse, lead, sentence_sets  # noqa: E402
from newstrace.evaluation import corpora  # noqa: E402
from newstrace.matching import candidates  # noqa: E402
from newstrace.pipeline import Pipeline  # noqa: E402
from newstrace.text.article import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "bench" / ".cache"
VECTORS = CACHE / "candidates.npz"
SHARED_CACHE = ROOT / ".cache" / "embeddings.npz"  # read only: another job writes it
NEWSTEST = DATA / "newstest_multiway"
LANGS = ("en", "de", "fr", "es", "cs", "ru")
FIT_YEAR, FIT_LANGS = 2011, ("en", "de")
PLANTS_PER_KIND = 60  # ECB+ plants per kind
BLOCKS = 100  # cross-lingual plants per newstest year
HOST_LINES = 15
PASTED = 3
EDIT_EVERY = 8


def load_store() -> DiskCache:
    """Our own cache, topped up (in memory) with what the shared cache already holds."""
    store = DiskCache(str(VECTORS))
    if SHARED_CACHE.exists():
        shared = DiskCache(str(SHARED_CACHE))  # never saved: only read
        for k, v in shared.items():
            store.setdefault(k, v)
    return store


def _lines(year: int, lang: str) -> list[str]:
    return (NEWSTEST / f"newstest{year}.{lang}").read_text(encoding="utf-8").split("\n")


def _edit(sentence: str, rng: random.Random, vocab: list[str]) -> str:
    toks = sentence.split(" ")
    for i in range(EDIT_EVERY // 2, len(toks), EDIT_EVERY):
        toks[i] = rng.choice(vocab)
    return " ".join(toks)


def collection() -> tuple[list[Article], list[tuple[str, str, str]]]:
    """The articles and the planted pairs (kind, host id, source id)."""
    rng = random.Random(7)
    arts, gold = corpora.ecbplus(DATA)
    for a in arts:
        analyse(a)
    by_id = {a.id: a for a in arts}
    vocab = sorted({w for a in arts for s in a.sentences for w in s.split(" ")
                    if w.isalpha() and len(w) >= 4})
    order = list(arts)
    rng.shuffle(order)
    used: set[str] = set()
    plants: list[tuple[str, str, str]] = []
    kinds = ("ecb same event", "ecb other topic", "ecb other topic, edited")
    for kind in kinds:
        made = 0
        for src in order:
            if made == PLANTS_PER_KIND:
                break
            if src.id in used or len(src.sentences) < PASTED + 2:
                continue
            topic = src.id.split("_")[0]
            hosts = [h for h in order if h.id not in used and h.id != src.id
                     and len(h.sentences) >= 6
                     and ((gold[h.id] == gold[src.id]) if kind == kinds[0]
                          else h.id.split("_")[0] != topic)]
            if not hosts:
                continue
            host = hosts[0]
            used.update((src.id, host.id))
            start = rng.randrange(1, len(src.sentences) - PASTED)
            passage = src.sentences[start : start + PASTED]
            if kind == kinds[2]:
                passage = [_edit(s, rng, vocab) for s in passage]
            mid = len(host.sentences) // 2
            sents = host.sentences[:mid] + passage + host.sentences[mid:]
            by_id[host.id] = Article(id=host.id, text="\n".join(sents), lang="en")
            plants.append((kind, host.id, src.id))
            made += 1
    out = [by_id[a.id] for a in arts]
    for year in (2012, 2013):
        lines = {lang: _lines(year, lang) for lang in LANGS}
        for b in range(BLOCKS):
            x, y = rng.sample(LANGS, 2)
            h0, s0 = 30 * b, 30 * b + HOST_LINES
            off = rng.randrange(3, HOST_LINES - PASTED - 2)
            host_lines = lines[x][h0 : h0 + HOST_LINES]
            pasted = lines[x][s0 + off : s0 + off + PASTED]
            mid = HOST_LINES // 2
            host = host_lines[:mid] + pasted + host_lines[mid:]
            hid, sid = f"nt{year}_{b}_host_{x}", f"nt{year}_{b}_src_{y}"
            out.append(Article(id=hid, text="\n".join(host), lang=x))
            out.append(Article(id=sid, text="\n".join(lines[y][s0 : s0 + HOST_LINES]), lang=y))
            plants.append((f"newstest {x}->{y}", hid, sid))
    return out, plants


def fit_lines() -> dict[str, list[str]]:
    return {lang: _lines(FIT_YEAR, lang)[:3003] for lang in FIT_LANGS}


def warm(seconds: float) -> None:
    """Encode newstest lines first, ECB+ last: the shared cache, which another job fills,
    may hold ECB+ by then (it is re-read, never written)."""
    from newstrace.embedding.encoder import sentence_key

    CACHE.mkdir(parents=True, exist_ok=True)
    store = load_store()
    enc = Encoder(store=store)
    started = time.time()
    arts, _ = collection()
    texts: list[str] = []
    for lines in fit_lines().values():
        texts += [x for x in lines if x.strip()]
    for a in sorted(arts, key=lambda a: not a.id.startswith("nt")):
        analyse(a)
        texts += a.sentences + [lead(a)]
    texts = list(dict.fromkeys(texts))
    mtime = SHARED_CACHE.stat().st_mtime if SHARED_CACHE.exists() else 0.0
    while time.time() - started < seconds:
        if SHARED_CACHE.exists() and SHARED_CACHE.stat().st_mtime != mtime:
            mtime = SHARED_CACHE.stat().st_mtime
            for k, v in DiskCache(str(SHARED_CACHE)).items():
                store.setdefault(k, v)
        todo = [t for t in texts if sentence_key(t) not in store]
        print(f"{len(texts)} texts, {len(todo)} to encode, {time.time() - started:.0f}s",
              flush=True)
        if not todo:
            break
        enc.encode(todo[:256])
        store.save()
    store.save()


def threshold() -> None:
    """Parallel-line cosines on the fit year: the share of lines whose translation is in
    their top-k with centred cosine >= t, for a grid of k and t."""
    import faiss

    enc = Encoder(store=load_store())
    lines = fit_lines()
    a, b = FIT_LANGS
    keep = [i for i in range(len(lines[a]))
            if min(len(sentence_sets(lines[lang][i])[1]) for lang in FIT_LANGS)
            >= candidates.SENTENCE_MIN_WORDS]
    va = center(enc.encode([lines[a][i] for i in keep]), a)
    vb = center(enc.encode([lines[b][i] for i in keep]), b)
    n = len(keep)
    pool = np.concatenate([va, vb])
    index = faiss.IndexFlatIP(pool.shape[1])
    index.add(pool)
    report: dict = {"lines": n, "pair": f"{a}-{b}", "year": FIT_YEAR}
    par = np.concatenate([(va * vb).sum(1), (vb * va).sum(1)])
    report["parallel_cos_percentiles"] = {
        str(q): round(float(np.percentile(par, q)), 3) for q in (0.1, 0.5, 1, 5, 50)}
    sims, ids = index.search(pool, 51)
    partner = np.concatenate([np.arange(n) + n, np.arange(n)])
    # the best non-parallel, non-self line: what a threshold must stay above
    others = []
    ranks = np.full(2 * n, 99)
    for q in range(2 * n):
        r = 0
        best_other = None
        for s, j in zip(sims[q], ids[q]):
            if j == q:
                continue
            if j == partner[q]:
                ranks[q] = r
            elif best_other is None and (j < n) != (q < n):
                best_other = s  # other language, other position
            r += 1
        others.append(best_other if best_other is not None else -1)
    others_arr = np.array(others)
    report["best_unrelated_other_lang_cos_percentiles"] = {
        str(q): round(float(np.percentile(others_arr, q)), 3) for q in (50, 90, 99, 99.9)}
    grid = {}
    for k in (5, 10, 20, 50):
        for t in (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60):
            kept = float(np.mean((ranks < k) & (par >= t)))
            grid[f"k{k} t{t:.2f}"] = round(kept, 4)
    report["kept_share"] = grid
    print(json.dumps(report, indent=1))


def _timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def recall(grid: bool = False) -> None:
    store = load_store()
    pipe = Pipeline(encoder=Encoder(store=store))
    arts, plants = collection()
    prepared = pipe.prepare_all(arts)
    idx = {a.id: i for i, a in enumerate(arts)}
    n_sent = sum(len(p.article.sentences) for p in prepared)
    old, t_old = _timed(candidates.old_pairs, prepared)
    passage, t_passage = _timed(candidates.passage_pairs, prepared)
    sentence, t_sentence = _timed(candidates.sentence_pairs, prepared)
    union, t_union = _timed(candidates.candidate_pairs, prepared)
    union = set(union)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    missed = []
    for kind, h, s in plants:
        pair = (min(idx[h], idx[s]), max(idx[h], idx[s]))
        group = "cross-lingual (newstest)" if kind.startswith("newstest") else kind
        r = rows[group]
        r["planted"] += 1
        r["old"] += pair in old
        r["passage shingles"] += pair in passage
        r["sentence links"] += pair in sentence
        r["union"] += pair in union
        if pair not in union:
            missed.append((kind, h, s))
    n = len(arts)
    out = {
        "articles": n, "sentences": n_sent, "all pairs": n * (n - 1) // 2,
        "recall": {g: {k: (v if k == "planted" else round(v / r["planted"], 3))
                       for k, v in r.items()} for g, r in rows.items()},
        "candidate pairs": {"old": len(old), "passage shingles": len(passage),
                            "sentence links": len(sentence), "union": len(union),
                            "new only": len(union - old)},
        "seconds": {"old": round(t_old, 2), "passage shingles": round(t_passage, 2),
                    "sentence links": round(t_sentence, 2), "union": round(t_union, 2)},
        "missed": missed,
    }
    if grid:
        cross = [(min(idx[h], idx[s]), max(idx[h], idx[s]))
                 for kind, h, s in plants if kind.startswith("newstest")]
        table = {}
        for k, t in ((5, 0.35), (10, 0.30), (10, 0.35), (10, 0.45), (10, 0.50), (20, 0.35)):
            links, sec = _timed(candidates.sentence_pairs, prepared, k, t)
            table[f"k {k}, cos {t:.2f}"] = {
                "cross-lingual recall": round(sum(p in links for p in cross) / len(cross), 3),
                "union recall": round(sum(p in links | old for p in cross) / len(cross), 3),
                "pairs": len(links), "new only": len(links - old - passage),
                "seconds": round(sec, 2)}
        out["sentence links: k and threshold"] = table
    print(json.dumps(out, indent=1))


def index_bench(window: int | None = None) -> None:
    """The plants in the persistent index: every article but the hosts is added first,
    then each host; its candidates are asked for with and without the partial-copy
    signals before it is added. Alignment is stubbed (a fixed unrelated verdict): this
    measures candidate proposal only."""
    import tempfile

    from newstrace import index as index_mod
    from newstrace.index import neighbours
    from newstrace.index.vectors import SentenceWindow
    from newstrace.matching.alignment import Alignment
    from newstrace.matching.relation import PairResult

    def unrelated(a, b, params):  # noqa: ANN001, ANN202
        return PairResult(a.id, b.id, "unrelated", 0.0, 0.0, None, Alignment(), {})

    neighbours.relate = unrelated  # type: ignore[assignment]
    store = load_store()
    pipe = Pipeline(encoder=Encoder(store=store))
    arts, plants = collection()
    prepared = {p.id: p for p in pipe.prepare_all(arts)}
    hosts = {h for _, h, _ in plants}
    with tempfile.TemporaryDirectory() as tmp:
        ix = index_mod.Index(Path(tmp) / "b.db", pipe)
        first = [a for a in arts if a.id not in hosts]
        t = time.perf_counter()
        ix.add(first)
        t_add = time.perf_counter() - t
        ix.close()
        ix = index_mod.Index(Path(tmp) / "b.db", pipe)  # reopened: postings built anew
        if window is not None:
            ix.neighbours.partial_state = (candidates.PassageIndex(), SentenceWindow(window))
        t = time.perf_counter()
        passages, win = ix.neighbours.sync_partial(set())
        t_sync = time.perf_counter() - t
        rowid = {r["ext_id"]: r["id"] for r in ix.store.iter_articles()}
        rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        n_old = n_new = 0
        t_old = t_new = 0.0
        for kind, h, s in plants:
            p = prepared[h]
            t = time.perf_counter()
            old = ix.neighbours.candidates(p, set(), partial=False)
            t_old += time.perf_counter() - t
            t = time.perf_counter()
            new = ix.neighbours.candidates(p, set())
            t_new += time.perf_counter() - t
            n_old, n_new = n_old + len(old), n_new + len(new)
            group = "cross-lingual (newstest)" if kind.startswith("newstest") else kind
            r = rows[group]
            r["planted"] += 1
            r["old"] += rowid[s] in old
            r["new"] += rowid[s] in new
            ix.add([Article(id=h, text=p.article.text, lang=p.article.lang)])
        n = len(plants)
        out = {
            "articles before the hosts": len(first),
            "window (articles)": win.size,
            "recall": {g: {k: (v if k == "planted" else round(v / r["planted"], 3))
                           for k, v in r.items()} for g, r in rows.items()},
            "candidates per host": {"old": round(n_old / n, 1), "new": round(n_new / n, 1)},
            "ms per _candidates": {"old": round(1000 * t_old / n, 2),
                                   "new": round(1000 * t_new / n, 2)},
            "seconds to add the first articles (encoded, alignment stubbed)": round(t_add, 1),
            "seconds to load passages and window from the tables": round(t_sync, 2),
            "passage index": passages.info(), "sentence window": win.info(),
        }
        ix.close()
    print(json.dumps(out, indent=1))


FIXTURE = ROOT / "tests" / "fixtures" / "partial_copies.json"
# (name, corpus, language, first line, lines): real text for tests/test_candidates.py
FIXTURE_REGIONS = (
    ("host_en", "newstest2013", "en", 400, 20),  # Afghanistan: the long host
    ("source_en", "newstest2013", "en", 1600, 15),  # Germany, Israel, the USA
    ("host2_en", "newstest2013", "en", 2700, 15),  # Unasur summit
    ("region_en", "newstest2013", "en", 2200, 15),  # Middle East: pasted in English...
    ("region_de", "newstest2013", "de", 2200, 15),  # ... the source is the German version
    ("zh_host", "flores", "zho_Hans", 0, 15),
    ("zh_source", "flores", "zho_Hans", 500, 10),
)


def fixture() -> None:
    out: dict = {"_source": (
        "Real text for tests/test_candidates.py, written by bench/bench_candidates.py "
        "fixture. newstest2013 lines (0-based, from ../shared/data/newstest_multiway): WMT "
        "newstest2013, line-aligned translations, research use. zho_Hans lines: "
        "FLORES-200 devtest (../shared/data/flores200_devtest), CC BY-SA 4.0. Regions: "
        + "; ".join(f"{n} = {c} {lang} lines {f}-{f + k - 1}"
                    for n, c, lang, f, k in FIXTURE_REGIONS))}
    for name, corpus, lang, first, k in FIXTURE_REGIONS:
        path = (NEWSTEST / f"newstest2013.{lang}" if corpus == "newstest2013"
                else DATA / "flores200_devtest" / f"{lang}.devtest")
        out[name] = path.read_text(encoding="utf-8").split("\n")[first : first + k]
    FIXTURE.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["warm", "threshold", "recall", "index", "fixture"])
    ap.add_argument("--seconds", type=float, default=1e9)
    ap.add_argument("--window", type=int, default=None, help="index: sentence window size")
    ap.add_argument("--grid", action="store_true", help="recall: other k and thresholds")
    args = ap.parse_args()
    if args.step == "warm":
        warm(args.seconds)
    elif args.step == "threshold":
        threshold()
    elif args.step == "fixture":
        fixture()
    elif args.step == "index":
        index_bench(args.window)
    else:
        recall(args.grid)


if __name__ == "__main__":
    main()
