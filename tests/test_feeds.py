"""Web archives and RSS/Atom feeds as input (text/feeds.py through text/readers.py), on
the committed fixtures of scripts/make_feed_fixtures.py and damaged copies of them."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from newstrace.text.article import Article, ReadProblem
from newstrace.text.readers import read_file, read_paths

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
BRIDGE_URL = "https://www.copycat-news.example/2026/11/bridge-reopens"
HARVEST_URL = "https://www.valley-gazette.example/orchards/record-harvest"


def _split(items) -> tuple[dict[str, Article], list[ReadProblem]]:
    items = list(items)
    arts = {a.id: a for a in items if isinstance(a, Article)}
    return arts, [p for p in items if isinstance(p, ReadProblem)]


def test_warc_html_responses_become_articles_and_the_rest_is_counted():
    arts, problems = _split(read_file(FEEDS / "pages.warc.gz"))
    assert list(arts) == [BRIDGE_URL, HARVEST_URL]  # the request record is no article
    bridge, harvest = arts[BRIDGE_URL], arts[HARVEST_URL]
    assert bridge.url == BRIDGE_URL and bridge.title == "Harbour bridge reopens"
    assert "240 steel cables" in bridge.text and "Copyright" not in bridge.text
    assert bridge.published == "2026-11-30T14:05:00Z"  # no date in the page: WARC-Date
    assert harvest.published == "2026-09-15"  # the page's own date wins over WARC-Date
    assert harvest.title == "Record apple harvest expected"
    assert [str(p) for p in problems] == [
        f"{FEEDS / 'pages.warc.gz'}: 1 response record(s) not read, not an HTML page (2xx): "
        "image/png 1"]


def test_uncompressed_warc_is_found_by_its_first_bytes(tmp_path):
    plain = tmp_path / "crawl.txt"  # a misnamed archive: sniffed, not read as text
    plain.write_bytes(gzip.decompress((FEEDS / "pages.warc.gz").read_bytes()))
    arts, _ = _split(read_paths([plain]))
    assert list(arts) == [BRIDGE_URL, HARVEST_URL]


def test_truncated_warc_keeps_whole_records_and_names_the_file(tmp_path):
    data = gzip.decompress((FEEDS / "pages.warc.gz").read_bytes())
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: data.index(b"Apple growers")])  # inside the second page
    arts, problems = _split(read_paths([cut, FEEDS / "wire.rss"]))
    assert BRIDGE_URL in arts and HARVEST_URL not in arts
    assert "https://wire.example/news/2026/11/30/bridge" in arts  # the next file goes on
    assert len(problems) == 1 and problems[0].where.startswith(str(cut))
    assert problems[0].article_id == HARVEST_URL
    assert "truncated WARC" in problems[0].message

    gz = tmp_path / "cut.warc.gz"
    whole = (FEEDS / "pages.warc.gz").read_bytes()
    gz.write_bytes(whole[: len(whole) * 2 // 3])  # a gzip member cut short
    arts, problems = _split(read_paths([gz]))
    assert list(arts) == [BRIDGE_URL]
    assert problems and all(p.where.startswith(str(gz)) for p in problems)
    assert any("truncated WARC" in p.message for p in problems)


def test_a_file_that_is_not_a_warc(tmp_path):
    bad = tmp_path / "junk.warc"
    bad.write_text("hello, this is not an archive\n" * 5)
    _, problems = _split(read_paths([bad]))
    assert [p.message for p in problems] == ["not a WARC file (no WARC/ header, not gzip)"]


def test_rss_full_content_is_extracted_and_a_short_summary_is_flagged():
    arts, problems = _split(read_file(FEEDS / "wire.rss"))
    assert not problems
    full = arts["https://wire.example/news/2026/11/30/bridge"]
    assert full.title == "Lindholm harbour bridge reopens after repairs"
    assert full.published == "2026-11-30T07:30:00Z"
    assert "240 steel cables" in full.text  # content:encoded, not the one-line description
    assert "<p>" not in full.text and not full.warnings
    short = arts["https://wire.example/news/2026/11/29/parking"]
    assert short.text.startswith("The city council of Vastervik Bay postponed")
    assert short.published == "2026-11-29T16:00:00Z"
    assert len(short.warnings) == 1
    assert "feed entry https://wire.example/news/2026/11/29/parking has only a short " \
           "summary" in short.warnings[0]


def test_atom_in_a_dot_xml_file_is_sniffed_as_a_feed():
    arts, problems = _split(read_paths([FEEDS / "courier.xml"]))
    assert not problems
    (art,) = arts.values()
    assert art.id == art.url == "https://courier.example/2026/11/28/library"
    assert art.title == "Grain warehouse becomes the town library"
    assert art.published == "2026-11-28T08:15:00Z"  # +01:00 in the feed, as UTC
    assert "85,000 books" in art.text and not art.warnings


def test_feed_in_a_txt_file_and_xml_that_is_no_feed(tmp_path):
    renamed = tmp_path / "wire.txt"
    shutil.copy(FEEDS / "wire.rss", renamed)
    config = tmp_path / "settings.xml"
    config.write_text('<?xml version="1.0"?><config><a>1</a></config>')
    arts, problems = _split(read_paths([renamed, config]))
    assert len(arts) == 2 and all(a.path.startswith(str(renamed)) for a in arts.values())
    assert [str(p) for p in problems] == [f"{config}: XML file that is not an RSS or Atom feed"]


def test_broken_feed_xml(tmp_path):
    text = (FEEDS / "wire.rss").read_text()
    half = tmp_path / "half.rss"
    half.write_text(text[: text.index("<content:encoded>") + 40])  # cut inside CDATA
    empty = tmp_path / "empty.atom"
    empty.write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry')
    arts, problems = _split(read_paths([half, empty, FEEDS / "courier.xml"]))
    # The lenient parser keeps what it could, and says the feed was broken.
    assert list(arts) == ["https://wire.example/news/2026/11/30/bridge",
                          "https://courier.example/2026/11/28/library"]
    bridge = arts["https://wire.example/news/2026/11/30/bridge"]
    assert any("not well-formed XML" in w for w in bridge.warnings)
    assert len(problems) == 1 and problems[0].where == str(empty)
    assert problems[0].message.startswith("not a readable feed")


def test_folder_of_feeds_and_archives_reads_every_kind():
    arts, problems = _split(read_paths([FEEDS]))
    assert len(arts) == 5
    assert {a.path.split("[")[0].split("@")[0] for a in arts.values()} == {
        str(FEEDS / n) for n in ("pages.warc.gz", "wire.rss", "courier.xml")}
    assert all(a.url and a.published and a.title for a in arts.values())
    assert len(problems) == 1  # the counted non-HTML record


def test_scan_relates_an_archived_copy_to_the_feed_it_came_from():
    """End to end: the archived page copies the wire's feed entry, published hours later;
    the scan finds the duplicate and names the wire's entry the origin."""
    import json

    from typer.testing import CliRunner

    from newstrace.cli.main import app

    res = CliRunner().invoke(app, ["scan", str(FEEDS), "-q", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    wire = "https://wire.example/news/2026/11/30/bridge"
    (pair,) = [p for p in out["pairs"] if {p["a"], p["b"]} == {BRIDGE_URL, wire}]
    assert pair["relation"] == "duplicate"
    (fam,) = [f for f in out["families"] if BRIDGE_URL in f["articles"]]
    assert fam["origin"] == wire and fam["origin_status"] == "found"
    by_id = {a["id"]: a for a in out["articles"]}
    assert by_id[BRIDGE_URL]["outlet"] == "copycat-news.example"
    assert any("only a short summary" in w
               for w in by_id["https://wire.example/news/2026/11/29/parking"]["warnings"])
