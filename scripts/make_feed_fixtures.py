"""Write tests/fixtures/feeds/: a tiny web archive, an RSS feed and an Atom feed.

Every text here is made up for these tests (fictional towns and people). The WARC's first
page copies the RSS feed's first entry, so a scan of the folder finds reuse across the
two kinds of input. Deterministic: fixed record ids and dates, so a rebuild gives the
same bytes.

    .venv/bin/python scripts/make_feed_fixtures.py
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "feeds"

BRIDGE = [
    "The Lindholm harbour bridge reopened to traffic on Monday morning after eighteen "
    "months of repairs, the city council of Vastervik Bay said.",
    "Engineers replaced 240 steel cables and the whole road deck, which had cracked in the "
    "storm of March 2025. The work cost 31 million euros, four million more than planned.",
    "Mayor Ingrid Solberg cut a ribbon at seven o'clock, and the first bus crossed a few "
    "minutes later. About 22,000 vehicles used the bridge every day before it closed.",
    "Ferry operators, who carried commuters across the harbour during the repairs, will "
    "return to their normal timetable on Friday.",
]
LIBRARY = [
    "A new public library opened in the old grain warehouse of Port Amberley on Saturday, "
    "after a two-year conversion paid for by the town and a regional arts fund.",
    "The library holds 85,000 books on five floors, a music room and a workshop with "
    "3D printers that anyone with a library card can book for free.",
    "Head librarian Tomas Reyes said more than 3,000 people came through the doors on the "
    "first day, many of them to see the restored timber roof.",
    "The building stood empty for almost thirty years after the grain trade moved to the "
    "new container port in 1994.",
]
ORCHARD = [
    "Apple growers in the Kell valley expect a record harvest this autumn after a mild "
    "spring without late frost, the growers' cooperative said on Tuesday.",
    "The cooperative forecasts 48,000 tonnes, twelve percent more than last year, and has "
    "hired 300 seasonal pickers to bring the fruit in before the October rains.",
    "Prices may fall as a result, its chairman Peter Lund warned, because the neighbouring "
    "regions also report full trees.",
]


def page(title: str, paragraphs: list[str], date: str | None, site: str) -> bytes:
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)} | {site}</title>{meta}</head>\n<body>"
        f"<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\n"
        f"<article><h1>{escape(title)}</h1>\n{body}\n</article>\n"
        f"<footer>Copyright {site}</footer></body></html>\n"
    ).encode()


def write_warc(path: Path) -> None:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    records = [
        # (uri, content type, payload, WARC-Date)
        ("https://www.copycat-news.example/2026/11/bridge-reopens", "text/html; charset=utf-8",
         page("Harbour bridge reopens", BRIDGE, None, "Copycat News"), "2026-11-30T14:05:00Z"),
        ("https://www.valley-gazette.example/orchards/record-harvest", "text/html",
         page("Record apple harvest expected", ORCHARD, "2026-09-15T08:00:00Z",
              "Valley Gazette"), "2026-11-30T14:06:00Z"),
        ("https://www.valley-gazette.example/logo.png", "image/png",
         b"\x89PNG\r\n\x1a\n" + bytes(64), "2026-11-30T14:06:01Z"),
    ]
    for n, (uri, ctype, payload, date) in enumerate(records, 1):
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype),
                                           ("Content-Length", str(len(payload)))],
                                protocol="HTTP/1.1")
        headers = {"WARC-Date": date,
                   "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"}
        if n == 1:  # a request record: archives hold one per response; it is not content
            req = StatusAndHeaders("GET /2026/11/bridge-reopens HTTP/1.1",
                                   [("Host", "www.copycat-news.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(
                uri, "request", http_headers=req,
                warc_headers_dict={"WARC-Date": date,
                                   "WARC-Record-ID": "<urn:uuid:00000000-0000-4000-8000-"
                                                     "100000000000>"}))
        writer.write_record(writer.create_warc_record(
            uri, "response", payload=io.BytesIO(payload), http_headers=http,
            warc_headers_dict=headers))
    path.write_bytes(buf.getvalue())


def html_paragraphs(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def write_rss(path: Path) -> None:
    items = [
        # A full article in content:encoded: read through the HTML extraction.
        f"""<item>
  <title>Lindholm harbour bridge reopens after repairs</title>
  <link>https://wire.example/news/2026/11/30/bridge</link>
  <guid>https://wire.example/news/2026/11/30/bridge</guid>
  <pubDate>Mon, 30 Nov 2026 07:30:00 GMT</pubDate>
  <description>The harbour bridge is open again.</description>
  <content:encoded><![CDATA[{html_paragraphs(BRIDGE)}]]></content:encoded>
</item>""",
        # Only a short summary: read, with a warning naming the entry.
        """<item>
  <title>Council delays vote on parking fees</title>
  <link>https://wire.example/news/2026/11/29/parking</link>
  <pubDate>Sun, 29 Nov 2026 16:00:00 GMT</pubDate>
  <description>The city council of Vastervik Bay postponed its vote on new parking fees
  in the old town to January, after shop owners asked for more time to comment.</description>
</item>""",
    ]
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        "<channel>\n<title>Wire Example: top stories</title>\n"
        "<link>https://wire.example/</link>\n<description>News</description>\n"
        + "\n".join(items) + "\n</channel>\n</rss>\n", encoding="utf-8")


def write_atom(path: Path) -> None:
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Amberley Courier</title>
  <id>urn:uuid:5a1f2b9c-0000-4000-8000-000000000001</id>
  <updated>2026-11-28T12:00:00Z</updated>
  <link href="https://courier.example/"/>
  <entry>
    <title>Grain warehouse becomes the town library</title>
    <id>tag:courier.example,2026:library</id>
    <link href="https://courier.example/2026/11/28/library"/>
    <published>2026-11-28T09:15:00+01:00</published>
    <updated>2026-11-28T12:00:00Z</updated>
    <summary>Port Amberley has a new library.</summary>
    <content type="html">{escape(html_paragraphs(LIBRARY))}</content>
  </entry>
</feed>
""", encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_warc(OUT / "pages.warc.gz")
    write_rss(OUT / "wire.rss")
    write_atom(OUT / "courier.xml")  # .xml: found to be a feed by sniffing
    for p in sorted(OUT.iterdir()):
        print(f"{p.name}: {p.stat().st_size} bytes")


if __name__ == "__main__":
    main()
