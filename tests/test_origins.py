"""The origin guess (grouping/families.py): publication times, then credits, then
containment, and first-seen order only when nothing else speaks; "not in the collection"
and "unclear" are different answers."""

from __future__ import annotations

from dataclasses import replace

import farmfeed
from newstrace.grouping import families, origin_status, origin_text
from newstrace.matching.alignment import Alignment
from newstrace.matching.relation import PairResult
from newstrace.text.article import Article
from newstrace.text.normalize import find_attribution


def _art(i: str, published: str | None = None, credit: str | None = None,
         url: str | None = None) -> Article:
    return Article(id=i, text=f"text of {i}", published=published, attributed_source=credit,
                   url=url or f"https://www.{i}-news.com/x")


def _pair(a: str, b: str, direction: str | None = None, reason: str | None = None,
          relation: str = "rewrite") -> PairResult:
    return PairResult(a, b, relation, 0.9, 0.9, direction, Alignment(coverage_a=0.9,
                      coverage_b=0.9), {}, reason)


def _family(arts: list[Article], pairs: list[PairResult]) -> dict:
    fams = families(arts, pairs)
    assert len(fams) == 1
    return fams[0].to_dict()


def test_times_come_first() -> None:
    arts = [_art("a", "2024-05-01T10:00:00Z"), _art("b", "2024-05-01T08:00:00+00:00")]
    # Containment says a is the fuller text; the earlier publication still wins.
    fam = _family(arts, [_pair("a", "b", "a>b", "b is contained in a")])
    assert (fam["origin"], fam["origin_status"]) == ("b", "found")
    assert "published first" in fam["origin_reason"]


def test_earliest_member_crediting_an_outside_outlet_means_outside() -> None:
    arts = [_art("a", "2024-05-01T08:00:00Z", credit="Reuters"),
            _art("b", "2024-05-01T10:00:00Z")]
    fam = _family(arts, [_pair("a", "b", "a>b")])
    assert fam["origin"] is None and fam["origin_status"] == "outside"
    assert "Reuters" in fam["origin_reason"]


def test_credit_to_a_member_names_it() -> None:
    arts = [_art("a", credit="B News"), _art("b", url="https://bnews.com/1"), _art("c")]
    fam = _family(arts, [_pair("a", "b"), _pair("b", "c")])
    assert (fam["origin"], fam["origin_status"]) == ("b", "found")
    assert "credits B News" in fam["origin_reason"]


def test_credit_to_an_outlet_not_here_is_outside_not_unclear() -> None:
    arts = [_art("a", credit="BBC"), _art("b")]
    outside = _family(arts, [_pair("a", "b", "a>b", "b is contained in a")])
    assert outside["origin"] is None and outside["origin_status"] == "outside"
    assert origin_text(outside) == "not in the collection (BBC)"
    # Containment that disagrees with itself: no member is clearly the source.
    arts = [_art("x"), _art("y"), _art("z")]
    unclear = _family(arts, [_pair("x", "z", "a>b", "b is contained in a"),
                             _pair("y", "z", "a>b", "b is contained in a")])
    assert unclear["origin"] is None and unclear["origin_status"] == "unclear"
    assert origin_text(unclear) != origin_text(outside)
    assert "not in the collection" not in origin_text(unclear)


def test_containment_an_excerpt_derives_from_the_fuller_text() -> None:
    arts = [_art("excerpt"), _art("full")]
    fam = _family(arts, [_pair("excerpt", "full", "b>a", "a is contained in b")])
    assert (fam["origin"], fam["origin_status"]) == ("full", "found")


def test_first_seen_only_when_nothing_else_speaks() -> None:
    arts = [_art("second"), _art("first")]
    # Nothing speaks: the first article given (scan input / index insertion order) wins.
    fam = _family(arts, [_pair("first", "second", relation="translation")])
    assert fam["origin"] == "second" and fam["origin_confidence"] < 0.5
    assert "seen first" in fam["origin_reason"]
    # A credit speaks: first-seen order is not used.
    arts = [_art("second", credit="Some Paper"), _art("first")]
    fam = _family(arts, [_pair("first", "second", relation="translation")])
    assert fam["origin_status"] == "outside"


def test_status_of_a_stored_family_without_the_field() -> None:
    """An index stores origin and reason only; the status reads the same from them."""
    assert origin_status({"origin": "x", "origin_reason": "x was published first"}) == "found"
    assert origin_status({"origin": None, "origin_reason":
                          "members credit BBC, which is not in the collection"}) == "outside"
    assert origin_status({"origin": None, "origin_reason":
                          "no member is clearly the source of the others"}) == "unclear"


def test_seeds_origin_not_in_the_collection(seed_scan) -> None:
    fam = seed_scan.to_dict()["families"][0]
    assert fam["origin"] is None and fam["origin_status"] == "outside"
    assert fam["attributed_source"] == "BBC"


def test_planted_origins_with_and_without_timestamps() -> None:
    feed = farmfeed.feed()
    fam_of = {m: f for f in farmfeed.scan().families for m in f.articles}
    assert all(fam_of[x].origin == o for x, o in feed.origin.items())
    assert all(fam_of[x].origin_status == "found" for x in feed.origin)
    # No dates, seen in reverse publication order (first-seen would pick the copies):
    # containment still finds the wire article a condensed copy was cut from. Where the
    # partner ran the wire text verbatim, two members contain the copy: unclear, and
    # never the copy itself.
    arts = [replace(a, published=None, warnings=[]) for a in reversed(feed.articles)]
    fam_of = {m: f for f in farmfeed.pipeline().scan(arts).families for m in f.articles}
    syndicated = {o for x, o in feed.origin.items() if feed.kind[x] == "syndicated copy"}
    condensed = [x for x, k in feed.kind.items() if k.startswith("condensed")]
    assert condensed
    for x in condensed:
        fam, wire = fam_of[x], feed.origin[x]
        if wire in syndicated:
            assert (fam.origin, fam.origin_status) == (None, "unclear")
        else:
            assert (fam.origin, fam.origin_status) == (wire, "found")
            assert "contained" in fam.origin_reason


def test_a_credit_in_the_text_names_the_member_it_came_from() -> None:
    """A farm translation with no date, seen first, whose footer credits the wire: the
    credit (read by the readers' attribution) decides, not the order."""
    feed = farmfeed.feed()
    by_id = {a.id: a for a in feed.articles}
    translated = next(x for x, k in feed.kind.items() if k == "translation")
    wire = by_id[feed.origin[translated]]
    credited = replace(by_id[translated], published=None, warnings=[],
                       text=by_id[translated].text + "\nSee original article on Newswire Example")
    credited.attributed_source = find_attribution(credited.text)
    assert credited.attributed_source == "Newswire Example"
    res = farmfeed.pipeline().scan([credited, replace(wire, published=None, warnings=[])])
    assert len(res.families) == 1
    fam = res.families[0]
    assert (fam.origin, fam.origin_status) == (wire.id, "found")
    assert "credit" in fam.origin_reason


def test_an_index_states_the_seeds_origin_as_the_scan_does(tmp_path, pipeline) -> None:
    """The index's family (API, UI, `index` commands) carries origin_status too."""
    from conftest import SEEDS
    from newstrace.index import Index
    from newstrace.text.readers import read_paths

    with Index(tmp_path / "seeds.db", pipeline=pipeline) as ix:
        ix.add(read_paths([SEEDS]))
        fams = ix.families()
    assert len(fams) == 1
    assert fams[0]["origin"] is None and fams[0]["origin_status"] == "outside"
    assert fams[0]["attributed_source"] == "BBC"
