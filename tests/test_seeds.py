"""Acceptance: the seed articles give exactly the structure MISSION.md expects."""

from __future__ import annotations

from itertools import combinations

from newstrace.matching.relation import REUSE


def _short(scan):
    return {a.id: a.id[:3] for a in scan.articles}


def test_one_story_of_five(seed_scan):
    s = _short(seed_scan)
    multi = [sorted(s[x] for x in st.articles) for st in seed_scan.stories]
    assert multi == [["000", "001", "002", "003", "004"]]


def test_one_family_000_001_002(seed_scan):
    s = _short(seed_scan)
    fams = [sorted(s[x] for x in f.articles) for f in seed_scan.families]
    assert fams == [["000", "001", "002"]]
    fam = seed_scan.families[0]
    assert fam.origin is None  # the BBC original is not in the set
    assert fam.attributed_source == "BBC"
    assert fam.story == seed_scan.stories[0].id


def test_pair_relations(seed_scan):
    s = _short(seed_scan)
    rel = {frozenset((s[p.a], s[p.b])): p.relation for p in seed_scan.pairs}
    assert rel[frozenset(("000", "001"))] == "translation"
    assert rel[frozenset(("001", "002"))] == "rewrite"
    assert rel[frozenset(("000", "002"))] in {"rewrite", "translation"}
    for x, y in combinations(["000", "001", "002", "003", "004"], 2):
        if {x, y} & {"003", "004"}:
            assert rel.get(frozenset((x, y))) == "same_story", (x, y)


def test_reuse_pairs_carry_evidence(seed_scan):
    by_id = {a.id: a for a in seed_scan.articles}
    for p in seed_scan.pairs:
        d = p.to_dict()
        if p.relation in REUSE:
            assert d["evidence"], p
            assert 0 < d["coverage"]["a"] <= 1 and 0 < d["coverage"]["b"] <= 1
            for e in d["evidence"]:
                assert 0 <= e["a"][0] <= e["a"][1] < len(by_id[p.a].sentences)
                assert 0 <= e["b"][0] <= e["b"][1] < len(by_id[p.b].sentences)
        else:
            assert d["evidence"] == []
        assert 0.0 <= p.reuse_score <= 1.0 and 0.0 <= p.story_score <= 1.0


def test_translation_evidence_aligns_matching_sentences(seed_scan):
    """000 (sv) and 001 (en): the first aligned spans pair the opening sentences."""
    by_id = {a.id[:3]: a for a in seed_scan.articles}
    pair = next(p for p in seed_scan.pairs if {p.a[:3], p.b[:3]} == {"000", "001"})
    first = pair.alignment.spans[0]
    sv = " ".join(by_id["000"].sentences[first.a[0] : first.a[1] + 1])
    en = " ".join(by_id["001"].sentences[first.b[0] : first.b[1] + 1])
    assert "Putin" in sv and "Putin" in en
    assert pair.alignment.coverage_a > 0.8 and pair.alignment.coverage_b > 0.8


def test_boilerplate_kept_out_of_evidence(seed_scan):
    art = next(a for a in seed_scan.articles if a.id.startswith("001"))
    assert not any("notifications from BBC Mundo" in s for s in art.sentences)
    art2 = next(a for a in seed_scan.articles if a.id.startswith("002"))
    assert "13" not in art2.sentences


def test_languages(seed_scan):
    langs = {a.id[:3]: a.lang for a in seed_scan.articles}
    assert langs == {"000": "sv", "001": "en", "002": "en", "003": "en", "004": "nb"}
