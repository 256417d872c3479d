"""Candidates that reach partial copies: a passage pasted into an otherwise different
article must be proposed (scan and index), in one language or across two, and for
scripts written without spaces.

Real text (tests/fixtures/partial_copies.json: WMT newstest2013 and FLORES-200 zho_Hans;
written by `bench/bench_candidates.py fixture`) and the real encoder (session pipeline).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import faiss
import numpy as np
import pytest

from newstrace.embedding.prepare import LEAD_CHARS, sentence_sets, shingles, words
from newstrace.index import Index
from newstrace.index.vectors import SentenceWindow, split_id
from newstrace.matching import candidates
from newstrace.matching.alignment import Alignment
from newstrace.matching.candidates import (
    PASSAGE_MIN_SHARED,
    PassageIndex,
    old_pairs,
    passage_hashes,
    passage_pairs,
    sentence_pairs,
    shared_key_pairs,
)
from newstrace.matching.relation import PairResult
from newstrace.pipeline import Pipeline
from newstrace.text.article import Article

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "partial_copies.json"


@pytest.fixture(scope="module")
def text() -> dict[str, list[str]]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def paste(host: list[str], passage: list[str], at: int) -> list[str]:
    return host[:at] + passage + host[at:]


def art(ident: str, lines: list[str], lang: str) -> Article:
    return Article(id=ident, text="\n".join(lines), lang=lang)


@pytest.fixture(scope="module")
def planted(text: dict, pipeline: Pipeline) -> dict:
    """One scan's articles: (a) 3 English sentences of one article pasted into the middle
    of a long unrelated English one; (c) 3 English lines pasted into another English run,
    whose source is the German version of their region; an unrelated Chinese host and a
    Chinese source with 2 of its sentences pasted into the host (b)."""
    arts = [
        art("host_en", paste(text["host_en"], text["source_en"][9:12], 10), "en"),
        art("source_en", text["source_en"], "en"),
        art("host2_en", paste(text["host2_en"], text["region_en"][10:13], 7), "en"),
        art("source_de", text["region_de"], "de"),
        art("zh_host", paste(text["zh_host"], text["zh_source"][4:6], 7), "zh"),
        art("zh_source", text["zh_source"], "zh"),
    ]
    prepared = pipeline.prepare_all(arts)
    return {"arts": arts, "prepared": prepared, "at": {a.id: i for i, a in enumerate(arts)}}


def pair(planted: dict, a: str, b: str) -> tuple[int, int]:
    i, j = planted["at"][a], planted["at"][b]
    return min(i, j), max(i, j)


# --- words of scripts written without spaces ------------------------------------------------


def test_words_cut_chinese_into_bigrams() -> None:
    assert words("中国人民") == ["中国", "国人", "人民"]
    assert words("我") == ["我"]
    # Latin words beside Han characters are words, digits too; punctuation separates runs
    assert words("Hello 北京，2023年") == ["hello", "北京", "2023", "年"]
    # Japanese: kanji and kana in one run
    assert words("東京へ行く") == ["東京", "京へ", "へ行", "行く"]
    # Thai: vowel and tone marks stay with their letter (\w alone split at them)
    assert words("เป็น") == ["เป็", "ป็น"]
    # other scripts: lowercased word tokens, as before
    assert words("Die Straße, l'été") == ["die", "straße", "l", "été"]


def test_words_keep_combining_marks_with_their_letters() -> None:
    """Devanagari, Tamil and vowelled Arabic write vowels as combining marks, which \\w
    does not match: a word stays one word, not a run of single letters."""
    assert words("हिन्दी भाषा में समाचार") == ["हिन्दी", "भाषा", "में", "समाचार"]
    assert words("தமிழ் செய்தி") == ["தமிழ்", "செய்தி"]
    assert words("مَرْحَبًا بِالْعَالَم") == ["مَرْحَبًا", "بِالْعَالَم"]
    assert words("e\u0301te\u0301") == ["e\u0301te\u0301"]  # decomposed accents too
    assert words("a_b \u0301x") == ["a", "b", "x"]  # a stray mark starts no word


def test_chinese_sentence_has_content_tokens(text: dict) -> None:
    s = text["zh_source"][0]
    toks = words(s)
    assert len(toks) > 10 and all(len(t) <= 2 for t in toks if not t.isascii())
    # every bigram counts as content (a whole run used to be one "word")
    assert len(sentence_sets(s)[1]) >= candidates.SENTENCE_MIN_WORDS
    assert len(shingles(toks)) >= len(toks) - 3


# --- passage shingles -----------------------------------------------------------------------


def test_shared_key_pairs_counts_and_caps() -> None:
    a = np.arange(10, dtype=np.uint64)
    b = np.arange(2, 12, dtype=np.uint64)  # shares 8 with a
    c = np.arange(0, 3, dtype=np.uint64)  # shares 3 with a, 1 with b
    assert shared_key_pairs([a, b, c], 8, 50) == {(0, 1)}
    assert shared_key_pairs([a, b, c], 3, 50) == {(0, 1), (0, 2)}
    # a key held by more than max_df sets counts for no pair
    assert shared_key_pairs([a, b, c], 8, 1) == set()


def test_lightly_edited_passage_keeps_enough_shingles(text: dict) -> None:
    """One word in 8 replaced in 3 pasted sentences: still >= PASSAGE_MIN_SHARED."""
    passage = text["source_en"][6:9]
    rng = random.Random(1)
    edited = []
    for s in passage:
        toks = s.split(" ")
        for i in range(4, len(toks), 8):
            toks[i] = rng.choice(["banana", "orbit", "velvet", "quarry"])
        edited.append(" ".join(toks))
    host = paste(text["host_en"], edited, 10)
    shared = np.intersect1d(passage_hashes(host), passage_hashes(text["source_en"]))
    assert len(shared) >= PASSAGE_MIN_SHARED
    # and one pasted sentence of ~15 words is enough on its own
    one = [s for s in text["source_en"] if 14 <= len(words(s)) <= 17][0]
    shared = np.intersect1d(passage_hashes(paste(text["host_en"], [one], 5)),
                            passage_hashes(text["source_en"]))
    assert len(shared) >= PASSAGE_MIN_SHARED


def test_passage_index_matches_scan_signal() -> None:
    docs = {1: ["a b c d e f g h i j k l m n o"], 2: ["x y z " * 5], 3: ["p q r s t u"]}
    query = passage_hashes(["zz yy", "a b c d e f g h i j k l", "ww"])  # 8 shared 5-grams
    bulk, one_by_one = PassageIndex(), PassageIndex()
    bulk.add_many(list(docs), [passage_hashes(t) for t in docs.values()])
    for rowid, t in docs.items():
        one_by_one.add(rowid, passage_hashes(t))
    assert bulk.query(query) == one_by_one.query(query) == {1}
    one_by_one._merge()
    assert one_by_one.query(query) == {1}
    assert bulk.query(query, min_shared=9) == set()
    assert bulk.query(query, max_df=1) == set()  # df 1 + the asking article > 1


# --- the scan -------------------------------------------------------------------------------


def test_same_language_paste_is_proposed(planted: dict) -> None:
    """(a) a verbatim 3-sentence excerpt in the middle of a long unrelated article."""
    p = pair(planted, "host_en", "source_en")
    prepared = planted["prepared"]
    assert p in passage_pairs(prepared)
    assert p in candidates.candidate_pairs(prepared)


def versions(lines: list[str], keep: range, n: int) -> list[list[str]]:
    """n versions of a story, each with one or two sentences outside `keep` dropped (a wire
    story republished with small cuts)."""
    cut = [i for i in range(len(lines)) if i not in keep]
    drops = [(i,) for i in cut] + [(i, j) for i, j in zip(cut, cut[1:], strict=False)]
    return [[x for k, x in enumerate(lines) if k not in d] for d in drops[:n]]


def test_same_language_paste_needs_the_new_signal(text: dict, pipeline: Pipeline) -> None:
    """(a), in a scan where the whole-document signals are not trivially satisfied: each
    story has 21 versions, so the k nearest documents (k = 20, lead 10) of the host are
    its own versions, not the source of 3 of its 23 sentences. In a scan smaller than k
    those signals propose every pair; in a collection they rank a host's own story first.
    The old signals miss the pair, the passage shingles find it."""
    host = paste(text["host_en"], text["source_en"][9:12], 10)
    arts = [art("host", host, "en"), art("source", text["source_en"], "en")]
    # the host's versions keep its lead passage (one encoding for all of them)
    in_lead = next(i + 1 for i in range(len(text["host_en"]))
                   if len(" ".join(text["host_en"][: i + 1])) >= LEAD_CHARS)
    arts += [art(f"host_v{i}", v, "en")
             for i, v in enumerate(versions(text["host_en"], range(in_lead), 21))]
    arts += [art(f"source_v{i}", v, "en")
             for i, v in enumerate(versions(text["source_en"], range(9, 12), 21))]
    prepared = pipeline.prepare_all(arts)
    assert (0, 1) not in old_pairs(prepared)
    assert (0, 1) in passage_pairs(prepared)
    assert (0, 1) in candidates.candidate_pairs(prepared)


def test_chinese_excerpt_is_proposed_via_shingles(planted: dict) -> None:
    """(b) two verbatim Chinese sentences pasted into another Chinese text."""
    p = pair(planted, "zh_host", "zh_source")
    prepared = planted["prepared"]
    assert p in passage_pairs(prepared)
    assert p in candidates.candidate_pairs(prepared)
    # with the old tokens (a run of Han characters was one "word") the same passage
    # shares too few 5-grams to be a candidate
    def old_grams(sents: list[str]) -> set[tuple[str, ...]]:
        toks = [w.lower() for s in sents for w in re.findall(r"[^\W_]+", s)]
        return {tuple(toks[i : i + 5]) for i in range(len(toks) - 4)}

    host, source = (prepared[i].article.sentences for i in p)
    assert len(old_grams(host) & old_grams(source)) < PASSAGE_MIN_SHARED


def test_cross_lingual_paste_is_proposed_by_sentence_links(planted: dict) -> None:
    """(c) 3 English lines pasted into a run of 15 others; the source is the German
    version of their region."""
    p = pair(planted, "host2_en", "source_de")
    prepared = planted["prepared"]
    assert p in sentence_pairs(prepared)
    assert p not in passage_pairs(prepared)  # no shared words across languages
    assert p in candidates.candidate_pairs(prepared)
    # unrelated pairs stay out of the sentence links
    assert pair(planted, "host_en", "zh_source") not in sentence_pairs(prepared)


# --- the persistent index -------------------------------------------------------------------


def _unrelated(a, b, params):  # noqa: ANN001, ANN202 (stands in for relation.relate)
    return PairResult(a.id, b.id, "unrelated", 0.0, 0.0, None, Alignment(), {})


def test_index_proposes_partial_copies(tmp_path: Path, pipeline: Pipeline, planted: dict,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The index's passage postings and sentence window propose each source for its
    host (candidate proposal only: the verdict is stubbed)."""
    monkeypatch.setattr("newstrace.index.neighbours.relate", _unrelated)
    arts = {a.id: a for a in planted["arts"]}
    prepared = {p.id: p for p in planted["prepared"]}
    with Index(tmp_path / "p.db", pipeline) as ix:
        ix.add([arts["source_en"], arts["source_de"], arts["zh_source"]])
        rowid = {r["ext_id"]: r["id"] for r in ix.store.iter_articles()}
        passages, window = ix.neighbours.sync_partial(set())
        for host, source in [("host_en", "source_en"), ("zh_host", "zh_source")]:
            found = passages.query(passage_hashes(prepared[host].article.sentences))
            assert found == {rowid[source]}
            assert rowid[source] in ix.neighbours.candidates(prepared[host], set())
        links = ix.neighbours.sentence_links(prepared["host2_en"], window, set())
        assert links == {rowid["source_de"]}
        assert rowid["source_de"] in ix.neighbours.candidates(prepared["host2_en"], set())
        # the article being added (the newest rowid, excluded) is not loaded yet
        ix.add([arts["host_en"]])
        host = ix.store.article_row("host_en")["id"]
        passages, _ = ix.neighbours.sync_partial({host})
        assert passages.seen == host - 1
        assert ix.neighbours.candidates(prepared["host_en"], {host}) >= {rowid["source_en"]}
        passages, _ = ix.neighbours.sync_partial(set())
        assert passages.seen == host


def test_index_aligns_hosts_with_their_sources(tmp_path: Path, pipeline: Pipeline,
                                               planted: dict) -> None:
    arts = {a.id: a for a in planted["arts"]}
    with Index(tmp_path / "p.db", pipeline) as ix:
        ix.add([arts["source_en"], arts["source_de"], arts["zh_source"]])
        report = ix.add([arts["host_en"], arts["host2_en"], arts["zh_host"]])
        assert report.added == ["host_en", "host2_en", "zh_host"]
        rowid = {r["ext_id"]: r["id"] for r in ix.store.iter_articles()}
        scored = {(r["a"], r["b"]) for r in ix.store.conn.execute("SELECT a, b FROM pairs")}
        for host, source in [("host_en", "source_en"), ("host2_en", "source_de"),
                             ("zh_host", "zh_source")]:
            assert (rowid[source], rowid[host]) in scored


def test_sentence_window_slides() -> None:
    rng = np.random.default_rng(0)
    window = SentenceWindow(size=8)
    vecs = rng.standard_normal((20, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    for rowid in range(1, 21):
        window.add(rowid, vecs[rowid - 1 : rowid], np.array([3]), np.array([7]))
    # rowids 1..10 slid out (two quarter-window steps); at most a quarter window extra
    assert 8 <= window.index.ntotal <= 10
    sims, ids = window.search(vecs, 1)
    rowid, pos, words_ = split_id(ids[:, 0])
    assert list(rowid[-8:]) == list(range(13, 21)) and set(pos[-8:]) == {3}
    assert set(words_[-8:]) == {7}
    assert rowid.min() > window.oldest


def test_index_window_holds_the_newest_articles(tmp_path: Path, pipeline: Pipeline,
                                                planted: dict,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newstrace.index.neighbours.relate", _unrelated)
    arts = [a for a in planted["arts"] if a.id.startswith(("source", "zh_source"))]
    with Index(tmp_path / "w.db", pipeline) as ix:
        ix.neighbours.partial_state = (PassageIndex(), SentenceWindow(size=2))
        ix.add(arts[:1])
        ix.add(arts[1:])  # each add loads the one before; the window slides
        _, window = ix.neighbours.sync_partial(set())
        held = set(split_id(faiss.vector_to_array(window.index.id_map))[0].tolist())
        assert held == {2, 3} and window.seen == 3
    with Index(tmp_path / "w.db", pipeline) as ix:  # reopened: only the newest loaded
        ix.neighbours.partial_state = (PassageIndex(), SentenceWindow(size=1))
        _, window = ix.neighbours.sync_partial(set())
        held = set(split_id(faiss.vector_to_array(window.index.id_map))[0].tolist())
        assert held == {3}


def test_a_page_of_furniture_only_is_searched_by_its_lead(pipeline):
    """Every sentence of a cookie banner and newsletter box is boilerplate, so the page has
    no sentence vector left. Its search (and `raw_cos`) vector is then its lead's, not a
    zero vector that is at cosine 0 to everything."""
    from newstrace import Article

    furniture = Article(id="f", lang="en", text=(
        "We use cookies to improve your experience. By continuing to browse the site you "
        "agree to our use of cookies. Accept all cookies.\nSubscribe to our newsletter to "
        "get the latest news in your inbox every morning."))
    other = Article(id="o", lang="en", text="Cookies help us deliver our services. By using "
                    "our services, you agree to our use of cookies.")
    pf, po = pipeline.prepare_all([furniture, other])
    assert pf.article.sentences == []
    assert np.allclose(pf.raw_vector, pf.lead_vector)
    assert abs(float(np.linalg.norm(pf.raw_vector)) - 1.0) < 1e-3
    assert float(pf.raw_vector @ po.raw_vector) > 0.5
