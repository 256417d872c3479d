"""Story timelines (grouping/stories.timeline) in the scan JSON and the HTML report, and
publication dates that are not dates."""

from __future__ import annotations

import html
import json
from pathlib import Path

import farmfeed
from newstrace.evaluation import farm
from newstrace.service.report import render_html
from newstrace.text.article import Article, parse_date
from newstrace.text.readers import read_paths


def _story_of(result: dict, article_id: str) -> dict:
    return next(s for s in result["stories"] if article_id in s["articles"])


def test_timeline_in_time_order_with_roles() -> None:
    result = farmfeed.scan().to_dict()
    feed = farmfeed.feed()
    wire = next(a for a in feed.articles if a.id == "newswire-w01")
    story = _story_of(result, wire.id)
    rows = story["timeline"]
    dates = [parse_date(r["published"]) for r in rows]
    assert None not in dates and dates == sorted(dates)
    assert story["first"] == rows[0]["published"] and story["last"] == rows[-1]["published"]
    assert story["title"] == wire.title  # the earliest article's headline
    role = {r["id"]: r for r in rows}
    assert role[wire.id]["role"] == "original" and role[wire.id]["outlet"] == farm.WIRE
    for x, origin in feed.origin.items():
        if x in role:
            assert origin == wire.id and role[x]["from"] == wire.id
            assert role[x]["role"] in {"copy", "translation", "rewrite", "partial"}
    # Every planted translation reads as one, in its own language.
    for x, kind in feed.kind.items():
        r = next((r for s in result["stories"] for r in s["timeline"] if r["id"] == x), None)
        assert r is not None
        if kind == "translation":
            assert r["role"] == "translation" and r["lang"] != "en"
    # Independent outlets' articles are independent.
    indep = [r for s in result["stories"] for r in s["timeline"]
             if r["outlet"] in farm.INDEPENDENT]
    assert indep and all(r["role"] == "independent" for r in indep)


def test_report_shows_the_timeline() -> None:
    res = farmfeed.scan()
    page = render_html(res.to_dict(with_sentences=True))
    story = _story_of(res.to_dict(), "newswire-w01")
    assert '<details class="nt-timeline" open>' in page
    section = page[page.index(f'data-story="{story["id"]}"'):]
    section = section[: section.index("</section>")]
    order = [r["id"] for r in story["timeline"]]
    positions = [section.index(f'<span class="nt-id">{x}</span>') for x in order]
    assert positions == sorted(positions)
    assert "<b>original</b>" in section and html.escape(story["title"]) in section


def test_report_tells_outside_from_unclear(seed_scan) -> None:
    page = render_html(seed_scan.to_dict(with_sentences=True))
    assert "not in the collection (BBC)" in page and "nt-origin-outside" in page
    data = seed_scan.to_dict(with_sentences=True)
    data["families"][0].update(origin_status="unclear", attributed_source=None,
                               origin_reason="no member is clearly the source of the others")
    page = render_html(data)
    origin = page[page.index('<dd class="nt-origin">'):]
    origin = origin[: origin.index("</dd>")]
    assert "unclear: no member is clearly the source" in origin
    assert "not in the collection" not in origin


def test_unparseable_published_is_a_warning_naming_the_article(tmp_path: Path) -> None:
    body = "Officials confirmed the new bridge will open in June after two years of work."
    rows = [{"id": "bad/1", "text": body, "published": "yesterday-ish"},
            {"id": "rfc", "text": body, "published": "Tue, 12 Sep 2023 10:00:00 GMT"},
            {"id": "iso", "text": body, "published": "2023-09-12"}]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    arts = {a.id: a for a in read_paths([path])}
    bad = arts["bad/1"]
    assert bad.published is None and bad.published_at is None
    assert any("bad/1" in w and "yesterday-ish" in w for w in bad.warnings)
    assert arts["rfc"].published == "2023-09-12T10:00:00+00:00" and not arts["rfc"].warnings
    assert arts["iso"].published == "2023-09-12" and not arts["iso"].warnings
    # An article made anywhere else (the service, the library) is checked the same way.
    direct = Article(id="x", text=body, published="yesterday-ish")
    assert direct.published is None and "article x:" in direct.warnings[0]
