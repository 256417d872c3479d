"""The persistent index: add / re-add / replace, crash safety, concurrent readers, bad
files, time windows, and agreement with `scan`.

Structural tests use a fake encoder (a vector per sentence text, derived from its hash):
identical sentences get identical vectors and different ones unrelated vectors, which is
all that copies need, and it runs in milliseconds. Tests about translations and about
agreement with `scan` use the real encoder on small inputs, sharing one cache.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import faiss
import pytest
from typer.testing import CliRunner

from newstrace.cli.index import index_app
from newstrace.embedding import encoder as embeddings
from newstrace.index import Index, NotIndexed
from newstrace.index.store import StoreError
from newstrace.matching.relation import REUSE
from newstrace.pipeline import Pipeline
from newstrace.text.article import Article, ReadProblem
from newstrace.text.readers import read_paths

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
MULTIWAY = Path(__file__).resolve().parent / "fixtures" / "index_multiway.json"

FAKE_MODEL = '''
import hashlib, time
import numpy as np
from newstrace.embedding import encoder as embeddings

class FakeModel:
    """Unit vectors around the e5 mean: same text -> same vector, else unrelated."""
    def __init__(self, delay=0.0):
        self.delay = delay
    def encode(self, texts, is_query=False):
        mean = embeddings.mean_vector()
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            noise = np.random.default_rng(seed).standard_normal(mean.shape[0])
            v = mean + noise / np.linalg.norm(noise)
            out.append(v / np.linalg.norm(v))
        time.sleep(self.delay * len(texts))
        return np.array(out, dtype=np.float32)
'''
_ns: dict = {}
exec(FAKE_MODEL, _ns)  # one definition for this process and the subprocess scripts
FakeModel = _ns["FakeModel"]

# Pseudo-words from a large vocabulary: independent articles share almost no words, so
# whatever the calibrated parameters, only the planted copies are reuse.
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
WORDS = sorted({"".join(random.Random(i).sample(_SYLLABLES, 3)) for i in range(2000)})


def article_text(seed: int, sentences: int = 4) -> str:
    rng = random.Random(seed)
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 14))]
        out.append(" ".join(words).capitalize() + f" in {rng.randint(1900, 2099)}.")
    return " ".join(out)


def corpus(n: int) -> list[dict]:
    """n articles; every 4th is a copy of the one before it with one sentence added."""
    rows = []
    for i in range(n):
        text = article_text(i)
        if i % 4 == 3:
            text = rows[-1]["text"] + " " + article_text(10_000 + i, sentences=1)
        rows.append({"id": f"a{i:04d}", "text": text, "lang": "en"})
    return rows


@pytest.fixture
def fake_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    model = FakeModel()
    monkeypatch.setattr(embeddings, "_model", lambda: model)


def arts(rows: list[dict]) -> list[Article]:
    return [Article(id=r["id"], text=r["text"], lang=r.get("lang", "en"),
                    published=r.get("published")) for r in rows]


def family_sets(groups: list[dict]) -> set[frozenset[str]]:
    return {frozenset(g["articles"]) for g in groups}


def assert_complete(db: Path) -> int:
    """Integrity, and every committed article whole: sentences, vectors, lexical data,
    a story; every family with 2+ members. Returns the number of articles."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = con.execute("SELECT id, n_sentences, story FROM articles").fetchall()
        for rowid, n, story in rows:
            got = con.execute("SELECT COUNT(*) FROM sentences WHERE article = ?",
                              (rowid,)).fetchone()[0]
            assert got == n
            assert story is not None
            if n:
                for table in ("doc_vectors", "signatures"):
                    assert con.execute(f"SELECT 1 FROM {table} WHERE article = ?",
                                       (rowid,)).fetchone()
                missing = con.execute(
                    "SELECT COUNT(*) FROM sentences s LEFT JOIN embeddings e ON e.key = s.key "
                    "WHERE s.article = ? AND e.key IS NULL", (rowid,)).fetchone()[0]
                assert missing == 0
        small = con.execute(
            "SELECT COUNT(*) FROM (SELECT family FROM articles WHERE family IS NOT NULL "
            "GROUP BY family HAVING COUNT(*) < 2)").fetchone()[0]
        assert small == 0
        return len(rows)
    finally:
        con.close()


# --- add / re-add / replace ---------------------------------------------------------------


def test_add_readd_replace(tmp_path: Path, fake_encoder: None) -> None:
    db = tmp_path / "x.db"
    rows = corpus(8)
    with Index(db) as ix:
        rep = ix.add(arts(rows))
        assert len(rep.added) == 8 and not rep.replaced and not rep.unchanged
        fams = family_sets(ix.families())
        assert {"a0002", "a0003"} <= next(f for f in fams if "a0003" in f)
        kin = ix.kin("a0003")
        assert any({k["a"], k["b"]} == {"a0002", "a0003"} for k in kin)
        assert all(k["relation"] != "unrelated" and k["evidence"] is not None for k in kin)

    with Index(db) as ix:  # reopen: the same texts are a no-op
        before = ix.stats()
        rep = ix.add(arts(rows))
        assert len(rep.unchanged) == 8 and not rep.added and rep.encoded == 0
        assert ix.stats()["pairs_scored"] == before["pairs_scored"]

        # Changed text: the article is replaced, its old relations and family go.
        changed = dict(rows[3], text=article_text(999))
        rep = ix.add(arts([changed]))
        assert rep.replaced == ["a0003"]
        assert not any("a0003" in f for f in family_sets(ix.families()))
        assert not any("a0003" in (k["a"], k["b"]) for k in ix.kin("a0002"))
        assert ix.article("a0003")["sentence_list"][0] in article_text(999)

        # And back: it rejoins its family.
        rep = ix.add(arts([rows[3]]))
        assert rep.replaced == ["a0003"]
        assert any({"a0002", "a0003"} <= f for f in family_sets(ix.families()))
    assert assert_complete(db) == 8


def test_remove_regroups(tmp_path: Path, fake_encoder: None) -> None:
    db = tmp_path / "x.db"
    with Index(db) as ix:
        ix.add(arts(corpus(8)))
        assert any("a0003" in f for f in family_sets(ix.families()))
        assert ix.remove(["a0002", "nope"]) == ["a0002"]
        assert not any("a0003" in f for f in family_sets(ix.families()))
        assert not any("a0002" in (k["a"], k["b"]) for k in ix.kin("a0003"))
        assert ix.story("a0003")["articles"] == ["a0003"]
        with pytest.raises(NotIndexed):
            ix.article("a0002")
    assert assert_complete(db) == 7


def test_kin_of_new_article_stores_nothing(tmp_path: Path, fake_encoder: None) -> None:
    with Index(tmp_path / "x.db") as ix:
        ix.add(arts(corpus(6)))
        n = ix.stats()["articles"]
        probe = Article(id="probe", text=article_text(1) + " Reprinted with permission.",
                        lang="en")
        kin = ix.kin(probe)
        assert kin and {kin[0]["a"], kin[0]["b"]} == {"a0001", "probe"}
        assert kin[0]["relation"] in REUSE
        assert kin[0]["evidence"]
        assert ix.stats()["articles"] == n
        with pytest.raises(NotIndexed):
            ix.kin("nope")
        with pytest.raises(NotIndexed):
            ix.story("nope")


def test_export_keeps_origin_or_earliest(tmp_path: Path, fake_encoder: None) -> None:
    text = article_text(7)
    rows = [
        {"id": "late", "text": text + " Later footer.", "published": "2024-03-02"},
        {"id": "early", "text": text + " Early footer.", "published": "2024-03-01T08:00:00Z"},
        {"id": "alone", "text": article_text(8)},
    ]
    with Index(tmp_path / "x.db") as ix:
        ix.add(arts(rows))
        out = {r["id"]: r for r in ix.export_rows()}
    assert out["early"]["keep"] and not out["late"]["keep"] and out["alone"]["keep"]
    assert out["early"]["family"] == out["late"]["family"] is not None
    assert out["alone"]["family"] is None and out["alone"]["story"]


# --- crash safety and concurrency -----------------------------------------------------------


WRITER = FAKE_MODEL + '''
import json, sys
from newstrace.embedding import encoder as embeddings
from newstrace.text.article import Article
from newstrace.index import Index
model = FakeModel(delay=float(sys.argv[3]))
embeddings._model = lambda: model
rows = json.load(open(sys.argv[2]))
with Index(sys.argv[1]) as ix:
    ix.add(Article(id=r["id"], text=r["text"], lang="en") for r in rows)
'''


def _writer(tmp_path: Path, db: Path, rows: list[dict], delay: float) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER))
    data = tmp_path / "rows.json"
    data.write_text(json.dumps(rows))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.Popen([sys.executable, str(script), str(db), str(data), str(delay)],
                            env=env, stderr=subprocess.PIPE)


def _count(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _writer_past(tmp_path: Path, db: Path, rows: list[dict], committed: int
                 ) -> tuple[subprocess.Popen, float]:
    """A writer process, returned once it has committed `committed` articles (or ended,
    or two minutes passed), with that deadline."""
    proc = _writer(tmp_path, db, rows, delay=0.002)
    deadline = time.time() + 120
    while _count(db) < committed and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    return proc, deadline


def test_crash_in_the_middle_loses_nothing_committed(tmp_path: Path,
                                                     fake_encoder: None) -> None:
    db = tmp_path / "x.db"
    rows = corpus(96)
    proc, _ = _writer_past(tmp_path, db, rows, committed=24)
    assert proc.poll() is None, "writer finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    committed = assert_complete(db)
    assert 0 < committed < len(rows)
    with Index(db) as ix:  # resume: committed articles are skipped, the rest added
        rep = ix.add(arts(rows))
        assert len(rep.unchanged) == committed
        assert len(rep.added) == len(rows) - committed
        fams = family_sets(ix.families())
    assert assert_complete(db) == len(rows)
    for i in range(3, len(rows), 4):  # every planted copy is in its original's family
        assert any({f"a{i - 1:04d}", f"a{i:04d}"} <= f for f in fams)


def test_concurrent_readers_while_adding(tmp_path: Path, fake_encoder: None) -> None:
    db = tmp_path / "x.db"
    rows = corpus(80)
    proc, deadline = _writer_past(tmp_path, db, rows, committed=1)
    seen, reads = 0, 0
    try:
        while proc.poll() is None and time.time() < deadline:
            with Index(db, create=False) as ix:
                stats = ix.stats()
                assert stats["articles"] >= seen
                seen = stats["articles"]
                listed = sum(len(s["articles"]) for s in ix.stories())
                assert listed >= seen
                for row in ix.export_rows():
                    assert row["story"] is not None
                if seen:
                    ix.kin("a0000")
                reads += 1
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
    assert reads >= 2
    assert assert_complete(db) == len(rows)


# --- bad files ------------------------------------------------------------------------------


def test_corrupt_or_foreign_file_gives_clear_error(tmp_path: Path, fake_encoder: None) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(5000))
    with pytest.raises(StoreError, match="not a newstrace index"):
        Index(junk)

    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a newstrace index"):
        Index(foreign)

    damaged = tmp_path / "damaged.db"
    with Index(damaged) as ix:
        ix.add(arts(corpus(12)))
    data = bytearray(damaged.read_bytes())
    for off in range(4096, len(data), 4096):  # keep page 1 (header), garble the rest
        data[off : off + 64] = os.urandom(64)
    damaged.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=str(damaged)):
        with Index(damaged) as ix:
            ix.stats()
            list(ix.export_rows())
            ix.kin("a0001")

    runner = CliRunner()
    for path in (junk, foreign):
        res = runner.invoke(index_app, ["stats", "--db", str(path)])
        assert res.exit_code == 2
        assert "not a newstrace index" in res.output
    res = runner.invoke(index_app, ["stats", "--db", str(tmp_path / "missing.db")])
    assert res.exit_code == 1


def test_cli_round_trip(tmp_path: Path, fake_encoder: None) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in corpus(6)) + "\n")
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    res = runner.invoke(index_app, ["add", str(src), "--db", db, "--format", "json", "-q"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["added"] == 6
    res = runner.invoke(index_app, ["kin", "a0003", "--db", db, "--format", "json"])
    assert res.exit_code == 0 and {"a", "b", "relation", "evidence"} <= set(
        json.loads(res.stdout)[0])
    probe = tmp_path / "probe.txt"
    probe.write_text(article_text(2) + "\n")
    res = runner.invoke(index_app, ["kin", str(probe), "--db", db, "--format", "json"])
    assert res.exit_code == 0 and any("a0002" in (k["a"], k["b"]) for k in json.loads(res.stdout))
    res = runner.invoke(index_app, ["story", "a0003", "--db", db, "--format", "json"])
    assert res.exit_code == 0 and "a0002" in json.loads(res.stdout)["articles"]
    res = runner.invoke(index_app, ["export", "--db", db])
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert res.exit_code == 0 and len(lines) == 6 and {"id", "family", "story", "keep"} <= set(
        lines[0])
    assert runner.invoke(index_app, ["stats", "--db", db]).exit_code == 0
    assert runner.invoke(index_app, ["kin", "nope", "--db", db]).exit_code == 1
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert runner.invoke(index_app, ["add", str(empty), "--db", db, "-q"]).exit_code == 1


# --- real encoder: translations, bridges, windows, agreement with scan ------------------------


def _seeds() -> list[Article]:
    return [a for a in read_paths([SEEDS]) if isinstance(a, Article)]


def test_scan_and_index_agree(tmp_path: Path, pipeline: Pipeline) -> None:
    scanned = pipeline.scan(_seeds())
    with Index(tmp_path / "seeds.db", pipeline) as ix:
        ix.add(_seeds())
        fams, sts = ix.families(), ix.stories()
        assert family_sets(fams) == {frozenset(f.articles) for f in scanned.families}
        assert family_sets(sts) == {frozenset(s.articles) for s in scanned.stories}
        scan_pairs = {(p.a, p.b): p.relation for p in scanned.pairs if p.relation != "unrelated"}
        index_pairs = {}
        for a in _seeds():
            index_pairs.update({(k["a"], k["b"]): k["relation"] for k in ix.kin(a.id)})
        assert index_pairs == scan_pairs
        # The whole-index read (exports, sources) states every pair once, as kin does.
        kin_dicts = {(k["a"], k["b"]): k for a in _seeds() for k in ix.kin(a.id)}
        assert ix.all_pairs() == [kin_dicts[k] for k in sorted(kin_dicts)]
        reuse = ix.all_pairs(reuse_only=True)
        assert reuse and {(d["a"], d["b"]) for d in reuse} == {
            k for k, r in scan_pairs.items() if r in REUSE}
        # A scan's family is one story in both.
        for f in fams:
            assert any(set(f["articles"]) <= set(s["articles"]) for s in sts)

        # Replacing a pivot drops what was only inferred through it, and regroups.
        pivots = {k["via"] for a in _seeds() for k in ix.kin(a.id) if "via" in k}
        if pivots:
            pivot = sorted(pivots)[0]
            fx = json.loads(MULTIWAY.read_text(encoding="utf-8"))
            ix.add([Article(id=pivot, text=" ".join(fx["football"]["en"]), lang="en")])
            for a in _seeds():
                assert all(k.get("via") != pivot for k in ix.kin(a.id))
            assert not any(pivot in f["articles"] for f in ix.families())
            assert assert_complete(tmp_path / "seeds.db") == 5


def test_translation_joins_family_and_bridge_merges(tmp_path: Path, pipeline: Pipeline) -> None:
    fx = json.loads(MULTIWAY.read_text(encoding="utf-8"))

    def doc(key: str, lang: str, suffix: str = "") -> Article:
        return Article(id=f"{key}_{lang}{suffix}", text=" ".join(fx[key][lang]), lang=lang)

    with Index(tmp_path / "mw.db", pipeline) as ix:
        ix.add([doc("higgs_1", "en"), doc("football", "en"), doc("higgs_2", "en")])
        assert ix.families() == []
        ix.add([doc("higgs_1", "de")])  # a translation arrives later: a new family
        assert family_sets(ix.families()) == {frozenset({"higgs_1_en", "higgs_1_de"})}
        ix.add([doc("higgs_1", "fr"), doc("higgs_2", "de")])  # joins / starts a family
        assert family_sets(ix.families()) == {
            frozenset({"higgs_1_en", "higgs_1_de", "higgs_1_fr"}),
            frozenset({"higgs_2_en", "higgs_2_de"}),
        }
        # An article that reprints both parts bridges the two families into one.
        both = " ".join(fx["higgs_1"]["en"] + fx["higgs_2"]["en"])
        ix.add([Article(id="higgs_full_en", text=both, lang="en")])
        fams = family_sets(ix.families())
        assert len(fams) == 1 and len(next(iter(fams))) == 6
        story = ix.story("higgs_full_en")
        assert set(next(iter(fams))) <= set(story["articles"])
        assert "football_en" not in story["articles"]
        assert ix.story("football_en")["articles"] == ["football_en"]
    assert assert_complete(tmp_path / "mw.db") == 7


def test_window_keeps_distant_same_story_apart(tmp_path: Path, pipeline: Pipeline) -> None:
    scanned = pipeline.scan(_seeds())
    in_family = {a for f in scanned.families for a in f.articles}
    linked = [p for p in scanned.pairs if p.relation == "same_story"]
    outsiders = sorted({x for p in linked for x in (p.a, p.b)} - in_family)
    story = next((s for s in scanned.stories if outsiders and outsiders[0] in s.articles), None)
    if story is None or len(story.articles) < 2:
        pytest.skip("current parameters put no independent seed into a shared story")
    outsider = outsiders[0]

    def dated() -> list[Article]:
        seeds = _seeds()
        for a in seeds:
            a.published = "2023-01-01" if a.id == outsider else "2023-09-12"
        return seeds

    with Index(tmp_path / "w.db", pipeline, window_days=7) as ix:
        ix.add(dated())
        assert ix.story(outsider)["articles"] == [outsider]
        assert ix.stats()["window_days"] == 7
    with Index(tmp_path / "nowin.db", pipeline, window_days=float("inf")) as ix:
        ix.add(dated())
        assert set(ix.story(outsider)["articles"]) == set(story.articles)


def test_problems_are_reported_not_fatal(tmp_path: Path, fake_encoder: None) -> None:
    with Index(tmp_path / "x.db") as ix:
        rep = ix.add([ReadProblem("bad.txt", "empty"), *arts(corpus(2))])
        assert len(rep.problems) == 1 and len(rep.added) == 2


def test_faiss_file_is_rebuilt_when_stale_or_foreign(tmp_path: Path, fake_encoder: None) -> None:
    db = tmp_path / "x.db"
    with Index(db) as ix:
        ix.add(arts(corpus(8)))
    side = db.with_name(db.name + ".faiss")
    assert side.exists()
    other = tmp_path / "other.db"
    with Index(other) as ix:
        ix.add(arts([dict(r, text=article_text(100 + i)) for i, r in enumerate(corpus(8))]))
    side.write_bytes(other.with_name(other.name + ".faiss").read_bytes())  # a foreign file
    with Index(db) as ix:
        kin = ix.kin(Article(id="probe", text=article_text(1)))
        assert any("a0001" in (k["a"], k["b"]) for k in kin)
        assert ix.stats()["vector_index"]["doc"]["file_vectors"] == 0  # not trusted: rebuilt
    side.unlink()
    with Index(db) as ix:
        assert any("a0001" in (k["a"], k["b"])
                   for k in ix.kin(Article(id="probe", text=article_text(1))))
    # The exact flat index of versions before the HNSW graph: rebuilt too.
    with Index(db) as ix:
        ids, vecs = next(ix.store.iter_doc_vectors("doc"))
    flat = faiss.IndexIDMap(faiss.IndexFlatIP(vecs.shape[1]))
    flat.add_with_ids(vecs, ids)
    faiss.write_index(flat, str(side))
    with Index(db) as ix:
        assert ix.stats()["vector_index"]["doc"]["file_vectors"] == 0
        assert any("a0001" in (k["a"], k["b"])
                   for k in ix.kin(Article(id="probe", text=article_text(1))))
        ix.add(arts([dict(r, id=f"n{r['id']}", text=article_text(200 + i))
                     for i, r in enumerate(corpus(2))]))
    with Index(db) as ix:  # the writer saved its graph: read back, trusted
        assert ix.stats()["vector_index"]["doc"]["file_vectors"] == 10


def test_schema_1_index_is_migrated(tmp_path: Path, fake_encoder: None) -> None:
    """Indexes written by earlier versions (schema 1: an `lsh` table, no sentence sets)
    open, lose the table, are read with sets computed on the fly, get their sets stored by
    the next writer, and still find same-language copies."""
    db = tmp_path / "old.db"
    rows = corpus(8)
    with Index(db) as ix:
        ix.add(arts(rows[:6]))
        fresh = ix.neighbours.prepared_for(1)
    assert fresh is not None
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE sentences DROP COLUMN sets")
    con.execute("CREATE TABLE lsh (band INTEGER, bucket INTEGER, article INTEGER)")
    con.execute("UPDATE schema_version SET version = 1")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    with Index(db) as ix:
        assert ix.stats()["schema_version"] == 3
        assert ix.store.get_meta("sets_pending") == "1"
        old = ix.neighbours.prepared_for(1)  # a reader: sets computed from the text
        assert old is not None and old.side.anchors == fresh.side.anchors
        assert old.side.words == fresh.side.words
        ix.add(arts(rows[6:]))
        assert ix.store.get_meta("sets_pending") is None
        kin = {k["b"] if k["a"] == "a0007" else k["a"] for k in ix.kin("a0007")}
        assert "a0006" in kin  # a0007 copies a0006
    con = sqlite3.connect(db)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    unfilled = con.execute("SELECT count(*) FROM sentences WHERE sets IS NULL").fetchone()[0]
    con.close()
    assert "lsh" not in tables
    assert unfilled == 0
    with Index(db) as ix:
        ix.neighbours.prepared.clear()
        stored = ix.neighbours.prepared_for(1)  # now from the stored sets
        assert stored is not None and stored.side.anchors == fresh.side.anchors
        assert stored.side.words == fresh.side.words
    assert_complete(db)


def test_vector_graph_finds_each_vector_and_drops_replaced_ones(
        tmp_path: Path, fake_encoder: None) -> None:
    """The HNSW graph returns every stored article as its own nearest neighbour, and a
    save after many replacements rebuilds it from the live vectors only."""
    db = tmp_path / "x.db"
    rows = corpus(40)
    with Index(db) as ix:
        ix.add(arts(rows))
        graph = ix.vectors["lead"]
        for ids, vecs in ix.store.iter_doc_vectors("lead_c"):
            for rowid, vec in zip(ids, vecs, strict=True):
                assert graph.search(vec, 3)[0][0] == rowid
        changed = [dict(r, text=article_text(500 + i)) for i, r in enumerate(rows[:20])]
        ix.add(arts(changed))  # 20 replaced: their old vectors are stale in the graph
        assert graph.index.ntotal == 60
    with Index(db) as ix:
        info = ix.stats()["vector_index"]["lead"]
        assert info["vectors"] == info["file_vectors"] == 40  # rebuilt before the save
        live = ix.store.existing(range(1, 61))
        assert len(live) == 40
        for _ids, vecs in ix.store.iter_doc_vectors("lead_c"):
            for vec in vecs:  # no replaced article's rowid comes back
                assert {i for i, _ in ix.vectors["lead"].search(vec, 10)} <= live


def test_verdicts_of_another_relation_model_are_flagged_until_rebuilt(
        tmp_path: Path, fake_encoder: None) -> None:
    """An index records the relation model its verdicts come from. Pairs added after an
    upgrade recalibrated the model sit beside older ones: stats and the CLI say so, and
    `index rebuild` re-verifies every pair with the current model."""
    from newstrace.index.common import MODEL_META
    from newstrace.index.rebuild import rebuild
    from newstrace.matching.relation import model_version

    db = tmp_path / "models.db"
    rows = corpus(6)
    with Index(db) as ix:
        ix.add(arts(rows[:4]))
        s = ix.stats()
        assert s["relation_model"] == model_version(ix.params) and s["verdicts_current"]
        with ix.store.transaction():  # what an index of an older release looks like
            ix.store.set_meta(MODEL_META, "0123456789ab")
        assert not ix.stats()["verdicts_current"]
        ix.add(arts(rows[4:]))
        s = ix.stats()
        assert s["relation_model"] == "mixed" and not s["verdicts_current"]
    res = CliRunner().invoke(index_app, ["stats", "--db", str(db)])
    assert res.exit_code == 0 and "index rebuild" in res.output and "mixed" in res.output
    rebuild(db)
    with Index(db) as ix:
        s = ix.stats()
        assert s["articles"] == 6 and s["verdicts_current"]
    res = CliRunner().invoke(index_app, ["stats", "--db", str(db)])
    assert res.exit_code == 0 and "index rebuild" not in res.output


def test_regrouping_reads_what_set_each_direction(tmp_path: Path, pipeline: Pipeline) -> None:
    """The family origin counts containment votes only, in scan and index alike: the
    index's pairs for regrouping carry their direction reason (they used to come back
    without it, so a pair directed by publication time voted as containment)."""
    seeds = [a for a in _seeds() if a.id[:3] in ("000", "001")]
    seeds[0].published, seeds[1].published = "2023-09-12T08:00:00", "2023-09-12T11:30:00"
    with Index(tmp_path / "dated.db", pipeline) as ix:
        ix.add(seeds)
        rows = ix.store.conn.execute("SELECT id, ext_id FROM articles").fetchall()
        ext = {r["id"]: r["ext_id"] for r in rows}
        stubs = ix.regroup._pair_stubs(ix.store.pairs_among(ext, reuse_only=True), ext)
    assert [(p.relation, p.direction, p.direction_reason) for p in stubs] == [
        ("translation", "a>b" if stubs[0].a == seeds[0].id else "b>a", "published earlier")]
