"""The HTML report: structure on the seeds scan, escaping of hostile article text."""

from __future__ import annotations

import contextlib
import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from conftest import SEEDS
from newstrace.matching.relation import REUSE
from newstrace.pipeline import ScanResult
from newstrace.service.report import SPAN_COLOURS, json_for_script, render_html

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

PAYLOADS = [
    "<script>window.__xss = 1; alert('xss')</script>",
    '<img src=x onerror="window.__xss = 2; alert(2)">',
    '"><svg onload="window.__xss = 3">',
    "</script><script>window.__xss = 4</script>",
    "javascript:alert(5)",
    "'\u2028\u2029 <!-- <style>body{display:none}</style>",
]


@pytest.fixture(scope="module")
def scan(seed_scan: ScanResult) -> dict:
    """The seeds scan (conftest's, shared with other modules) as the report's input."""
    assert len(seed_scan.articles) == 5
    return seed_scan.to_dict(with_sentences=True)


@pytest.fixture(scope="module")
def page(scan: dict) -> str:
    return render_html(scan)


def _id(prefix: str, scan: dict) -> str:
    return next(a["id"] for a in scan["articles"] if a["id"].startswith(prefix))


def test_is_self_contained(page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    assert not doc.xpath("//script[@src] | //link | //iframe | //object | //embed")
    for attr in ("src", "href"):
        for value in doc.xpath(f"//@{attr}"):
            assert value.startswith("#") or value.startswith("data:"), value
    # The only script is inert data, and it carries the scan back out intact.
    scripts = doc.xpath("//script")
    assert [s.get("type") for s in scripts] == ["application/json"]


def test_embedded_data_round_trips(scan: dict, page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    data = json.loads(doc.get_element_by_id("newstrace-data").text)
    assert data == json.loads(json.dumps(scan))


def test_stories_families_and_coverage(scan: dict, page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    multi = [s for s in scan["stories"] if len(s["articles"]) > 1]
    cards = doc.find_class("nt-story")
    assert [c.get("data-story") for c in cards] == [s["id"] for s in multi]
    for fam in scan["families"]:
        (card,) = doc.xpath(f'//div[@data-family="{fam["id"]}"]')
        text = card.text_content()
        assert all(m in text for m in fam["articles"])
        assert "origin guess" in text and "attributed source" in text
        if fam["attributed_source"]:
            assert fam["attributed_source"] in text
        if fam["origin"] is None:
            assert "not in the collection" in text
        svg = card.xpath(".//svg")
        assert svg, "family graph missing"
        assert {g.get("data-id") for g in svg[0].xpath(".//g[@data-id]")} == set(fam["articles"])
    in_family = {m for f in scan["families"] for m in f["articles"]}
    for story, card in zip(multi, cards, strict=True):
        indep = [m for m in story["articles"] if m not in in_family]
        boxes = card.find_class("nt-independent")
        assert bool(boxes) == bool(indep)
        if indep:
            assert all(m in boxes[0].text_content() for m in indep)


def test_seed_family_is_there(scan: dict) -> None:
    # The one seed expectation stable under calibration: the BBC translation pair is reuse.
    a0, a1 = _id("000", scan), _id("001", scan)
    fams = [f for f in scan["families"] if a0 in f["articles"] and a1 in f["articles"]]
    assert fams and fams[0]["origin"] is None and fams[0]["attributed_source"] == "BBC"
    pair = next(p for p in scan["pairs"] if {p["a"], p["b"]} == {a0, a1})
    assert pair["relation"] in REUSE and pair["evidence"]


def test_pair_views_highlight_spans_in_matching_colours(scan: dict, page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    reuse = [p for p in scan["pairs"] if p["evidence"]]
    sections = doc.find_class("nt-pair-section")
    assert len(sections) == len(reuse) > 0
    arts = {a["id"]: a for a in scan["articles"]}
    for pair, sec in zip(reuse, sections, strict=True):
        table = sec.find_class("nt-evidence")[0]
        heads = [th.text_content() for th in table.xpath(".//th")]
        assert arts[pair["a"]]["lang"].upper() in heads[0].upper()  # languages marked
        assert arts[pair["b"]]["lang"].upper() in heads[2].upper()
        rows = table.find_class("nt-span")
        assert len(rows) == len(pair["evidence"])
        for k, (row, span) in enumerate(zip(rows, pair["evidence"], strict=True)):
            left, _, right = row.xpath("./td")
            colour = f"nt-c{k % len(SPAN_COLOURS)}"
            assert colour in left.classes and colour in right.classes and "nt-hl" in left.classes
            got_a = [int(s.get("data-i")) for s in left.find_class("nt-s")]
            got_b = [int(s.get("data-i")) for s in right.find_class("nt-s")]
            assert got_a == list(range(span["a"][0], span["a"][1] + 1))
            assert got_b == list(range(span["b"][0], span["b"][1] + 1))
            first = arts[pair["a"]]["sentence_list"][span["a"][0]]
            assert first.split()[0] in left.text_content()
        text = sec.text_content()
        assert "coverage A" in text and f"{pair['reuse_score']:.2f}" in text


def test_json_for_script_cannot_close_the_element() -> None:
    s = json_for_script({"x": "</script><!-- & \u2028\u2029"})
    assert "<" not in s and ">" not in s and "&" not in s
    assert "\u2028" not in s and "\u2029" not in s
    assert json.loads(s) == {"x": "</script><!-- & \u2028\u2029"}


@pytest.fixture(scope="module")
def hostile(scan: dict) -> str:
    """The seeds scan with payloads in every text field the report shows."""
    bad = copy.deepcopy(scan)
    ids = {a["id"]: f"{a['id']}{PAYLOADS[i % len(PAYLOADS)]}"
           for i, a in enumerate(bad["articles"])}
    for i, a in enumerate(bad["articles"]):
        a["id"] = ids[a["id"]]
        a["title"] = PAYLOADS[i % len(PAYLOADS)] + " title"
        a["source"] = PAYLOADS[(i + 1) % len(PAYLOADS)]
        a["lang"] = PAYLOADS[(i + 2) % len(PAYLOADS)] if i == 4 else a["lang"]
        a["published"] = PAYLOADS[(i + 3) % len(PAYLOADS)]
        a["attributed_source"] = PAYLOADS[(i + 4) % len(PAYLOADS)]
        a["warnings"] = list(PAYLOADS)
        a["sentence_list"] = [f"{s} {PAYLOADS[j % len(PAYLOADS)]}"
                              for j, s in enumerate(a["sentence_list"])]
        a["sentence_langs"] = [PAYLOADS[0] if j == 1 else lg
                               for j, lg in enumerate(a["sentence_langs"])]
    for group in bad["stories"] + bad["families"]:
        group["id"] = f"{group['id']}{PAYLOADS[1]}"
        group["articles"] = [ids[m] for m in group["articles"]]
    for f in bad["families"]:
        f["story"] = f"{f['story']}{PAYLOADS[1]}"
        f["origin"] = f["articles"][0]
        f["origin_reason"] = PAYLOADS[2]
        f["attributed_source"] = PAYLOADS[0]
    for p in bad["pairs"]:
        p["a"], p["b"] = ids[p["a"]], ids[p["b"]]
        p["relation"] = p["relation"] if p["evidence"] else PAYLOADS[3]
    bad["problems"] = [{"where": PAYLOADS[0], "message": PAYLOADS[1], "id": PAYLOADS[2]}]
    return render_html(bad, title=PAYLOADS[0])


def test_hostile_text_is_escaped(hostile: str) -> None:
    doc = lxml.html.document_fromstring(hostile)
    scripts = doc.xpath("//script")
    assert len(scripts) == 1 and scripts[0].get("type") == "application/json"
    json.loads(scripts[0].text)  # the data block is still whole
    assert not doc.xpath("//img | //iframe | //object | //embed | //style[not(parent::head)]")
    for node in doc.iter():
        if not isinstance(node.tag, str):
            continue
        for name, value in node.attrib.items():
            assert not name.lower().startswith("on"), (node.tag, name)
            assert not value.strip().lower().startswith("javascript:"), (node.tag, name)
    # Only the report's own SVGs: one per family, none from the payload.
    assert len(doc.xpath("//svg")) == len(doc.find_class("nt-family"))
    # And the payload is shown as text, where a reader can see it.
    assert "<script>window.__xss = 1; alert('xss')</script>" in doc.text_content()


@contextlib.contextmanager
def _chromium_tab(**page_options: Any) -> Iterator[Any]:
    """A tab of a headless Chromium, closed afterwards; skips when Chromium or
    Playwright is not installed (playwright types are optional)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(**page_options)
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("keep_csp", [True, False], ids=["with-csp", "escaping-only"])
def test_hostile_report_runs_nothing_in_chromium(hostile: str, tmp_path: Path,
                                                 keep_csp: bool) -> None:
    page_html = hostile
    if not keep_csp:  # prove the escaping alone holds, without the CSP safety net
        start = page_html.index('<meta http-equiv="Content-Security-Policy"')
        page_html = page_html[:start] + page_html[page_html.index(">", start) + 1:]
    path = tmp_path / "hostile.html"
    path.write_text(page_html, encoding="utf-8")
    dialogs: list[str] = []
    with _chromium_tab() as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # let any onerror/onload fire
        assert page.evaluate("window.__xss") is None
        assert page.evaluate("document.querySelectorAll('img, iframe').length") == 0
        assert "<script>window.__xss = 1" in page.inner_text("body")
    assert dialogs == []


@pytest.mark.browser
def test_report_screenshot(page: str, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    with _chromium_tab(viewport={"width": 1280, "height": 1000}) as tab:
        tab.goto(path.as_uri())
        # Highlighted spans really are coloured, and the same colour on both sides.
        row = tab.locator("tr.nt-span").first
        left = row.locator("td").nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
        right = row.locator("td").nth(2).evaluate("e => getComputedStyle(e).backgroundColor")
        assert left == right and left not in ("rgba(0, 0, 0, 0)", "transparent")
        tab.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
    shutil.copy(path, ARTIFACTS / "report.html")


# ---- the family graph: legible at 6 to 30 members ---------------------------------------

def _family(n: int, with_origin: bool = True) -> tuple[dict, list[dict], dict]:
    """n members of one site (urls as ids, so ids share a long prefix), in 3 languages,
    the first the origin; each derives from the origin, and neighbours relate too."""
    ids = [f"https://www.wire-example.com/2024/05/01/long-headline-{i:02d}" for i in range(n)]
    langs = ["en", "de", "es"]
    arts = {m: {"id": m, "lang": langs[i % 3], "published": f"2024-05-{1 + i % 28:02d}",
                "title": f"Headline {i}"} for i, m in enumerate(ids)}
    rels = ["duplicate", "translation", "rewrite", "partial"]
    pairs = [{"a": ids[0], "b": m, "relation": rels[i % 4], "direction": "a>b",
              "reuse_score": 0.9} for i, m in enumerate(ids[1:])]
    pairs += [{"a": ids[i], "b": ids[i + 1], "relation": "same_story", "reuse_score": 0.3}
              for i in range(1, n - 1, 2)]
    fam = {"id": "F1", "articles": ids, "origin": ids[0] if with_origin else None}
    return fam, pairs, arts


def _label_boxes(svg: str) -> list[tuple[str, list[tuple[float, float]]]]:
    """Each node label's box from the SVG's own numbers: x, y, dy .35em, anchor, font size
    and rotate(deg cx cy); the width estimated from its text (report.text_width)."""
    import math
    import re

    from newstrace.service.report import text_width

    doc = lxml.html.fragment_fromstring(svg)
    out = []
    for t in doc.xpath('.//text[@class="nt-graph-label"]'):
        x, y, size = float(t.get("x")), float(t.get("y")), float(t.get("font-size"))
        text = t.text_content()
        w, half = text_width(text, size), size * 0.6
        x0 = {"start": x, "end": x - w, "middle": x - w / 2}[t.get("text-anchor")]
        corners = [(x0, y - half), (x0 + w, y - half), (x0 + w, y + half), (x0, y + half)]
        turn = re.fullmatch(r"rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)", t.get("transform") or
                            "rotate(0 0 0)")
        deg, cx, cy = (float(v) for v in turn.groups())
        c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
        out.append((text, [(cx + (px - cx) * c - (py - cy) * s, cy + (px - cx) * s + (py - cy) * c)
                           for px, py in corners]))
    return out


@pytest.mark.parametrize(("n", "with_origin"), [(6, True), (6, False), (12, True), (30, True),
                                                (30, False)])
def test_family_graph_labels_never_overlap_and_it_has_a_legend(n: int, with_origin: bool
                                                                ) -> None:
    from newstrace.service.report import boxes_overlap, family_graph

    fam, pairs, arts = _family(n, with_origin)
    svg = family_graph(fam, pairs, arts)
    doc = lxml.html.fragment_fromstring(svg)
    # Every member is a node whose <title> holds its full id; labels are short and distinct.
    nodes = doc.xpath('.//g[contains(@class, "nt-node")]')
    assert [g.get("data-id") for g in nodes] == fam["articles"]
    assert all(g.xpath("./title")[0].text_content().startswith(g.get("data-id")) for g in nodes)
    boxes = _label_boxes(svg)
    assert len(boxes) == n and len({t for t, _ in boxes}) == n
    assert all(len(t.replace(" ★ origin", "")) <= 16 for t, _ in boxes)
    clashes = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
               if boxes_overlap(a[1], b[1])]
    assert clashes == []
    # Inside the drawing: every label box lies within the viewBox.
    vx, vy, vw, vh = (float(v) for v in doc.get("viewbox").split())
    assert all(vx <= px <= vx + vw and vy <= py <= vy + vh for _, c in boxes for px, py in c)
    # The origin sits in the centre; the legend names each relation drawn, and the arrow.
    if with_origin:
        origin = doc.xpath('.//g[contains(@class, "nt-node-origin")]/circle')[0]
        assert (float(origin.get("cx")), float(origin.get("cy"))) == (0.0, 0.0)
    legend = doc.xpath('.//g[@class="nt-legend"]')[0].text_content()
    drawn = {e.get("data-relation") for e in doc.xpath('.//line[@class="nt-edge"]')}
    assert drawn == {"duplicate", "translation", "rewrite", "partial", "same_story"}
    for rel in drawn:
        assert rel.replace("_", " ") in legend
    assert "points to the copy" in legend and ("origin guess" in legend) == with_origin


def test_boxes_overlap_is_a_real_check() -> None:
    from newstrace.service.report import boxes_overlap

    sq = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    moved = [(x + 9, y + 9) for x, y in sq]
    apart = [(x + 11, y) for x, y in sq]
    diamond = [(15.0, 5.0), (20.0, 0.0), (25.0, 5.0), (20.0, 10.0)]
    assert boxes_overlap(sq, moved) and not boxes_overlap(sq, apart)
    assert not boxes_overlap(sq, diamond)


def test_evidence_marks_words_shared_within_one_language() -> None:
    """A same-language span marks exactly the words both sides use; a span across
    languages marks nothing; marked text stays escaped."""
    from newstrace.service.report import pair_view

    a = {"id": "a", "lang": "en", "sentence_langs": ["en", "en"], "sentence_list": [
        "The minister <b>resigned</b> on Monday after the vote.",
        "Officials in Lisbon opened a bridge."]}
    b = {"id": "b", "lang": "en", "sentence_langs": ["en", "de"], "sentence_list": [
        "On Monday the minister quit, hours after the vote.",
        "Beamte in Lissabon eröffneten eine Brücke."]}
    pair = {"a": "a", "b": "b", "relation": "rewrite", "reuse_score": 0.8, "story_score": 0.9,
            "coverage": {"a": 1.0, "b": 1.0}, "direction": None, "evidence": [
                {"a": [0, 0], "b": [0, 0], "score": 0.8},
                {"a": [1, 1], "b": [1, 1], "score": 0.9}]}
    doc = lxml.html.fragment_fromstring(pair_view(pair, a, b), create_parent="div")
    same, cross = doc.xpath('.//tr[@class="nt-span"]')
    # Runs of shared words are one mark each; an unshared word breaks a run.
    marks_a = [m.text for m in same.xpath("./td[1]//mark")]
    marks_b = [m.text for m in same.xpath("./td[3]//mark")]
    assert marks_a == ["The minister", "on Monday after the vote"]
    assert marks_b == ["On Monday the minister", "after the vote"]
    assert not any("resigned" in m for m in marks_a) and not any("quit" in m for m in marks_b)
    assert "<b>resigned</b>" in same.xpath("./td[1]")[0].text_content()  # escaped, not markup
    assert cross.xpath(".//mark") == []  # en against de: nothing is shared word for word


def _one_sentence_marks(lang: str, sa: str, sb: str) -> tuple[list[str], list[str]]:
    """The shared-text marks on each side of a rewrite pair of one sentence each."""
    from newstrace.service.report import pair_view

    a = {"id": "a", "lang": lang, "sentence_langs": [lang], "sentence_list": [sa]}
    b = {"id": "b", "lang": lang, "sentence_langs": [lang], "sentence_list": [sb]}
    pair = {"a": "a", "b": "b", "relation": "rewrite", "reuse_score": 0.8, "story_score": 0.9,
            "coverage": {"a": 1.0, "b": 1.0}, "direction": None,
            "evidence": [{"a": [0, 0], "b": [0, 0], "score": 0.9}]}
    doc = lxml.html.fragment_fromstring(pair_view(pair, a, b), create_parent="div")
    (span,) = doc.xpath('.//tr[@class="nt-span"]')
    return ([m.text for m in span.xpath("./td[1]//mark")],
            [m.text for m in span.xpath("./td[3]//mark")])


def test_evidence_marks_shared_text_in_scripts_without_spaces() -> None:
    """Chinese has no spaces between words: the shared stretch is marked, the changed
    characters are the gaps (a whole-sentence 'word' would never match)."""
    marks_a, marks_b = _one_sentence_marks("zh", "里斯本周一开通了一座新桥。",
                                           "里斯本周二开通了一座新桥。")
    assert marks_a == ["里斯本周", "开通了一座新桥"]
    assert marks_b == ["里斯本周", "开通了一座新桥"]


def test_evidence_marks_whole_words_with_combining_marks() -> None:
    """Devanagari vowel signs are combining marks, which \\w does not match: a shared word
    is marked whole ("भारत", not "भ" and "रत"), the changed word is the gap."""
    marks_a, marks_b = _one_sentence_marks("hi", "भारत ने सोमवार को नया पुल खोला।",
                                           "भारत ने मंगलवार को नया पुल खोला।")
    assert marks_a == ["भारत ने", "को नया पुल खोला"]
    assert marks_b == ["भारत ने", "को नया पुल खोला"]


@pytest.mark.browser
def test_family_graph_labels_do_not_overlap_as_chromium_draws_them(tmp_path: Path) -> None:
    """The same check with the font's real widths: each label's box as Chromium lays it
    out (getBBox, through its rotation) at 6 and 30 members; a screenshot is kept."""
    from newstrace.service.report import CSS, boxes_overlap, family_graph

    graphs = "".join(family_graph(*_family(n)) for n in (6, 30))
    path = tmp_path / "graphs.html"
    path.write_text(f"<!doctype html><meta charset=utf-8><style>{CSS}</style>{graphs}",
                    encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    with _chromium_tab(viewport={"width": 1280, "height": 900}) as tab:
        tab.goto(path.as_uri())
        per_svg = tab.evaluate("""() => [...document.querySelectorAll('svg.nt-graph')].map(
          svg => [...svg.querySelectorAll('text.nt-graph-label')].map(t => {
            const b = t.getBBox(), m = t.getScreenCTM();
            return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
                    [b.x, b.y + b.height]].map(([x, y]) => {
              const p = new DOMPoint(x, y).matrixTransform(m); return [p.x, p.y]; });
          }))""")
        tab.screenshot(path=str(ARTIFACTS / "family_graphs.png"), full_page=True)
    assert [len(boxes) for boxes in per_svg] == [6, 30]
    for boxes in per_svg:
        quads = [[tuple(p) for p in q] for q in boxes]
        clashes = [(i, j) for i in range(len(quads)) for j in range(i + 1, len(quads))
                   if boxes_overlap(quads[i], quads[j])]
        assert clashes == []


def test_pair_view_says_why_and_shows_the_closest_sentences_that_are_not_evidence(
        scan: dict) -> None:
    from newstrace.service.report import pair_view

    arts = {a["id"]: a for a in scan["articles"]}
    pair = next(p for p in scan["pairs"] if not p["evidence"] and p.get("not_evidence"))
    doc = lxml.html.fragment_fromstring(pair_view(pair, arts[pair["a"]], arts[pair["b"]]),
                                        create_parent="div")
    assert pair["reason"] in doc.text_content()
    table = doc.find_class("nt-near")[0]
    rows = table.find_class("nt-span")
    assert len(rows) == len(pair["not_evidence"])
    scores = [float(r.xpath("./td")[1].text_content()) for r in rows]
    assert scores == [round(s["score"], 2) for s in sorted(
        pair["not_evidence"], key=lambda s: (s["a"][0], s["b"][0]))]


def test_pair_view_of_a_moved_block_shows_every_sentence_once() -> None:
    """Evidence is sorted by A; where B moved a block to its top, B's spans go back. The
    gap rows show each sentence of either text that is in no span, once, and nothing
    that a span shows (the first gap row used to repeat B's whole moved block as context
    before the spans that show it)."""
    from newstrace.service.report import pair_view

    sa = [f"A sentence {i} about the flood." for i in range(6)] + ["A's own closing line."]
    sb = [sa[3], sa[4], sa[5], "Editor's note: a local view.", sa[0], sa[1], sa[2]]
    a = {"id": "a", "lang": "en", "sentence_langs": ["en"] * 7, "sentence_list": sa}
    b = {"id": "b", "lang": "en", "sentence_langs": ["en"] * 7, "sentence_list": sb}
    evidence = [{"a": [i, i], "b": [j, j], "score": 0.99}
                for i, j in ((0, 4), (1, 5), (2, 6), (3, 0), (4, 1), (5, 2))]
    pair = {"a": "a", "b": "b", "relation": "duplicate", "reuse_score": 0.99,
            "story_score": 0.99, "coverage": {"a": 0.9, "b": 0.9}, "direction": None,
            "evidence": evidence}
    doc = lxml.html.fragment_fromstring(pair_view(pair, a, b), create_parent="div")
    rows = doc.xpath('.//tr[@class="nt-span" or @class="nt-gap"]')
    shown_b = "".join(r.xpath("./td[3]")[0].text_content() for r in rows)
    shown_a = "".join(r.xpath("./td[1]")[0].text_content() for r in rows)
    assert shown_b.count("Editor's note") == 1
    assert shown_a.count("A's own closing line.") == 1
    for s in sa[:6]:
        assert shown_a.count(s) == 1 and shown_b.count(s) == 1


def test_pair_view_marks_quoted_speech(pipeline) -> None:
    """Real text: Kofman's long quote from The Guardian's report (seed 003) pasted with its
    frame into the BBC's (001), and two of 003's sentences after it: a passage, `partial`.
    The row of the quote says it is quoted speech on both sides; the others do not."""
    from newstrace import Article
    from newstrace.service.report import pair_view

    lines = {p: [x for x in next(SEEDS.glob(f"{p}_*")).read_text(encoding="utf-8")
                 .splitlines() if x.strip()] for p in ("001", "003")}
    l1, l3 = lines["001"], lines["003"]
    k = next(i for i, x in enumerate(l3) if x.startswith("“I doubt North Korea"))
    bbc = Article(id="bbc", lang="en", text="\n".join(l1[:10] + l3[k : k + 3] + l1[10:]))
    res = pipeline.scan([bbc, Article(id="guardian", lang="en", text="\n".join(l3))])
    d = res.to_dict(with_sentences=True)
    arts = {a["id"]: a for a in d["articles"]}
    pair = next(p for p in d["pairs"] if p["relation"] == "partial")
    doc = lxml.html.fragment_fromstring(pair_view(pair, arts[pair["a"]], arts[pair["b"]]),
                                        create_parent="div")
    rows = doc.find_class("nt-span")
    quoted = [r for r in rows if "nt-quoted" in r.get("class")]
    assert len(rows) >= 2 and len(quoted) == 1
    assert "I doubt North Korea" in quoted[0].text_content()
    assert "quoted speech" in quoted[0].find_class("nt-score")[0].get("title")
    assert float(quoted[0].find_class("nt-score")[0].text_content()) > 0.5
    # A partial link that merges no family is listed in the story, and its articles are
    # not "independent coverage, no shared text".
    assert d["families"] == []
    page = lxml.html.fromstring(render_html(d))
    outside = page.find_class("nt-outside")[0]
    assert "partial" in outside.text_content() and outside.xpath(".//a[@href]")
    assert not page.find_class("nt-independent")
