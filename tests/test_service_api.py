"""The API over ids that hold '/' and non-ASCII letters, the article page and delete,
search/filters/pagination, file uploads read like the CLI, short 422s, offline /docs."""

from __future__ import annotations

import base64
import csv
import io
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="fastapi is not installed (the [serve] extra)")
from fastapi.testclient import TestClient  # noqa: E402

from newstrace.grouping.outlets import Licence
from newstrace.matching.relation import REUSE  # noqa: E402
from newstrace.service.app import create_app  # noqa: E402
from newstrace.service.schemas import MAX_TEXT_CHARS  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
URL_ID = "https://www.bbc.co.uk/news/world-2024/putin-kim?ref=rss#top"
SV_ID = "nyheter/örebro/Ärende 1"
JA_ID = "日本/記事-３"
OLD_ID = "old/bridge"
TOKEN = "svc-token-0123"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def q(value: str) -> str:
    """Percent-encoded as a browser's encodeURIComponent does: '/' becomes %2F."""
    return urllib.parse.quote(value, safe="")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("svc") / "index.db"
    with TestClient(create_app(db)) as c:
        arts = [
            {"id": SV_ID, "text": seed("000"), "published": "2024-06-10",
             "source": "Dagens  Nyheter", "title": "Putin och Kim"},
            {"id": URL_ID, "text": seed("001"), "published": "2024-05-02T08:00:00",
             "url": "https://www.bbc.co.uk/news/world-2024/putin-kim"},
            {"id": JA_ID, "text": seed("003")},
            {"id": OLD_ID, "published": "2001-05-01", "text": "Officials in Lisbon opened a new "
             "bridge on Tuesday. The bridge links two districts and cost 40 million euros."},
        ]
        r = c.post("/api/articles?wait=true", json={"articles": arts})
        assert r.status_code == 200 and sorted(r.json()["result"]["added"]) == sorted(
            a["id"] for a in arts), r.text
        yield c


@pytest.mark.parametrize("ident", [URL_ID, SV_ID])
def test_every_path_endpoint_takes_slash_and_non_ascii_ids(client: TestClient,
                                                           ident: str) -> None:
    other = SV_ID if ident == URL_ID else URL_ID
    for form in (q(ident), urllib.parse.quote(ident, safe="/")):  # %2F or a plain '/'
        art = client.get(f"/api/articles/{form}")
        assert art.status_code == 200, (form, art.text)
        body = art.json()
        assert body["id"] == ident and body["text"].startswith("V")
        assert any(k["other"] == other and k["relation"] in REUSE for k in body["kin"])
        assert body["story_summary"]["id"] == body["story"]
        assert set(body["story_summary"]["articles"]) >= {URL_ID, SV_ID}

        kin = client.get(f"/api/kin/{form}")
        assert kin.status_code == 200 and kin.json()["article"]["id"] == ident
        assert other in {k["other"] for k in kin.json()["kin"]}

        story = client.get(f"/api/stories/{form}")  # a story by one of its articles' ids
        assert story.status_code == 200 and ident in {a["id"] for a in story.json()["articles"]}
        fam = client.get(f"/api/families/{form}")
        assert fam.status_code == 200 and set(fam.json()["articles"]) >= {URL_ID, SV_ID}
        graph = client.get(f"/api/families/{form}/graph")
        assert graph.status_code == 200 and graph.text.startswith("<svg")
        assert f"/api/families/{fam.json()['id']}/graph" != f"/api/families/{form}/graph"

    pair = client.get("/api/pair", params={"a": ident, "b": other})
    assert pair.status_code == 200 and pair.json()["relation"] in REUSE
    assert {pair.json()["a"], pair.json()["b"]} == {ident, other}
    view = client.get("/api/pair/view", params={"a": ident, "b": other})
    assert view.status_code == 200 and view.text.count('class="nt-span"') >= 3
    missing = q(ident + "/nope")
    for path in (f"/api/articles/{missing}", f"/api/kin/{missing}",
                 f"/api/stories/{missing}", f"/api/families/{missing}"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/pair", params={"a": ident, "b": "nope"}).status_code == 404


def test_article_page_fields_and_outlet(client: TestClient) -> None:
    sv = client.get(f"/api/articles/{q(SV_ID)}").json()
    assert sv["outlet"] == "Dagens Nyheter" and sv["lang"] == "sv"
    assert sv["title"] == "Putin och Kim" and sv["published"].startswith("2024-06-10")
    assert "path" not in sv and "Kim Jong Un" in sv["text"]
    url = client.get(f"/api/articles/{q(URL_ID)}").json()
    assert url["outlet"] == "bbc.co.uk" and url["url"].startswith("https://www.bbc.co.uk/")


def test_search_filters_and_pages(client: TestClient) -> None:
    def ids(**params: str) -> list[str]:
        body = client.get("/api/articles", params=params).json()
        assert body["total"] == len(body["articles"])
        return [a["id"] for a in body["articles"]]

    assert ids() == [SV_ID, URL_ID, OLD_ID, JA_ID]  # newest first, undated last
    assert ids(q="ÖREBRO") == [SV_ID]  # id, any case, non-ASCII
    assert ids(q="putin och") == [SV_ID]  # title
    assert ids(q="rogue states") == [URL_ID]  # text
    assert ids(q="100%") == []  # LIKE wildcards are literal
    assert ids(lang="sv") == [SV_ID]
    assert ids(outlet="BBC.co.uk") == [URL_ID]
    assert ids(outlet="dagens nyheter") == [SV_ID]
    assert ids(date_from="2024-06") == [SV_ID]
    assert ids(date_to="2024-05-31") == [URL_ID, OLD_ID]
    assert ids(date_from="2024-05-02", date_to="2024-05-02") == [URL_ID]
    assert client.get("/api/articles", params={"date_from": "yesterday"}).status_code == 422

    page = client.get("/api/articles", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 4 and [a["id"] for a in page["articles"]] == [URL_ID]

    stories = client.get("/api/stories", params={"q": "rogue states"}).json()
    assert stories["total"] == 1 and URL_ID in stories["stories"][0]["articles"]
    assert "bbc.co.uk" in stories["stories"][0]["outlets"]
    assert client.get("/api/stories", params={"lang": "xx"}).json() == {"total": 0,
                                                                       "stories": []}
    fams = client.get("/api/families", params={"outlet": "bbc.co.uk"}).json()
    assert fams["total"] == 1 and set(fams["families"][0]["articles"]) >= {URL_ID, SV_ID}
    assert client.get("/api/families", params={"q": JA_ID}).json()["total"] == 0
    all_stories = client.get("/api/stories").json()
    second = client.get("/api/stories", params={"limit": 1, "offset": 1}).json()
    assert second["total"] == all_stories["total"] >= 2
    assert second["stories"][0]["id"] == all_stories["stories"][1]["id"]

    facets = client.get("/api/facets").json()
    assert {f["outlet"] for f in facets["outlets"]} == {"bbc.co.uk", "Dagens Nyheter"}
    assert {f["lang"] for f in facets["languages"]} >= {"sv", "en"}


def test_upload_reads_files_like_the_cli(client: TestClient) -> None:
    html = ("<html><head><title>Bridge opens in Lisbon</title>"
            '<meta property="og:url" content="https://news.example.pt/a/bridge">'
            '<meta property="article:published_time" content="2024-03-05"></head><body>'
            "<article><p>Officials in Lisbon opened a new bridge on Tuesday morning. The bridge "
            "links two districts and cost 40 million euros.</p><p>Traffic is expected to ease "
            "by spring, the city council said in a statement.</p></article></body></html>")
    txt = ("Quota halved for 2030\n\nA Swedish court ruled on Monday that the fishing quota "
           "for 2030 must be halved. The ministry will appeal the decision.\n")

    def file(name: str, data: bytes) -> dict[str, str]:
        return {"name": name, "data": base64.b64encode(data).decode()}

    r = client.post("/api/upload?wait=true", json={"files": [
        file("lisbon-bridge.html", html.encode()), file("quota.txt", txt.encode("utf-16")),
        file("notes.pdf", b"%PDF-1.4"), {"name": "bad.txt", "data": "***"}]})
    assert r.status_code == 200, r.text
    job = r.json()
    assert sorted(job["result"]["added"]) == ["lisbon-bridge", "quota"]
    assert {p["where"] for p in job["result"]["problems"]} == {"notes.pdf", "bad.txt"}
    assert all("newstrace-upload" not in p["message"] for p in job["result"]["problems"])
    page = client.get("/api/articles/lisbon-bridge").json()
    assert page["title"] == "Bridge opens in Lisbon"
    assert page["published"].startswith("2024-03-05")
    assert page["url"] == "https://news.example.pt/a/bridge"
    assert page["outlet"] == (page["source"] or "example.pt")  # trafilatura's site name
    assert client.get("/api/articles/quota").json()["title"] == "Quota halved for 2030"
    odd = client.post("/api/upload?wait=true", json={"files": [
        file("../../etc/bad\x00name.txt", txt.encode()), file("é" * 300 + ".txt", txt.encode())]})
    assert odd.status_code == 200 and odd.json()["state"] == "done", odd.text
    assert odd.json()["result"]["added"] == ["bad_name"]  # no folders, no NUL
    assert "file name too long" in odd.json()["result"]["problems"][0]["message"]
    assert client.post("/api/upload", json={"files": [file(f"{i}.txt", b"x")
                                                      for i in range(501)]}).status_code == 422


def test_a_422_does_not_echo_a_huge_body(client: TestClient) -> None:
    r = client.post("/api/articles", json={"articles": [
        {"id": "big", "text": "word " * (MAX_TEXT_CHARS // 5 + 1)}]})
    assert r.status_code == 422
    assert len(r.content) < 2000 and "at most" in r.text and "characters)" in r.text
    r = client.post("/api/articles", json={"articles": [{"id": str(i), "text": "t"}
                                                        for i in range(600)]})
    assert r.status_code == 422 and len(r.content) < 5000 and "(600 items)" in r.text


def test_story_timeline_in_time_order(client: TestClient) -> None:
    story = client.get(f"/api/stories/{q(URL_ID)}").json()
    rows = story["timeline"]
    assert [r["id"] for r in rows][:3] == [URL_ID, SV_ID, JA_ID]  # by date, undated last
    assert story["first"].startswith("2024-05-02") and story["last"].startswith("2024-06-10")
    assert story["title"] == "Putin och Kim"  # the earliest dated headline
    by_id = {r["id"]: r for r in rows}
    assert by_id[JA_ID]["role"] == "independent" and by_id[JA_ID]["family"] is None
    assert by_id[SV_ID]["role"] in ("translation", "copy", "rewrite")
    assert by_id[SV_ID]["outlet"] == "Dagens Nyheter" and by_id[URL_ID]["outlet"] == "bbc.co.uk"


def test_delete_regroups_families_and_stories(client: TestClient) -> None:
    before = client.get("/api/families", params={"q": SV_ID}).json()
    assert before["total"] == 1
    r = client.delete(f"/api/articles/{q(SV_ID)}")
    assert r.status_code == 200 and r.json() == {"removed": [SV_ID]}
    assert client.get(f"/api/articles/{q(SV_ID)}").status_code == 404
    assert client.delete(f"/api/articles/{q(SV_ID)}").status_code == 404
    listed = [m for f in client.get("/api/families").json()["families"] for m in f["articles"]]
    assert SV_ID not in listed and URL_ID not in listed  # its family of two is gone
    members = [m for s in client.get("/api/stories").json()["stories"] for m in s["articles"]]
    assert SV_ID not in members and URL_ID in members
    assert SV_ID not in {k["other"] for k in client.get(f"/api/kin/{q(URL_ID)}").json()["kin"]}
    assert client.get("/api/articles", params={"q": "örebro"}).json()["total"] == 0


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path_factory.mktemp("docs") / "i.db", token=TOKEN)) as c:
        yield c


def test_docs_work_offline_and_with_a_token(locked: TestClient) -> None:
    page = locked.get("/docs")  # no token: the explorer holds no data
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and "<script>" not in page.text  # CSP: no inline
    assert "script-src 'self'" in page.headers["content-security-policy"]
    js = locked.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert locked.get("/docs/assets/swagger-ui.css").status_code == 200
    assert locked.get("/docs/assets/..%2Findex.html").status_code == 404
    schema = locked.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert locked.get("/api/articles").status_code == 401  # data still needs the token


FARM_FEED = Path(__file__).resolve().parent / "fixtures" / "farm_feed.jsonl"
FARM, WIRE = "contentfarm-example.net", "newswire-example.com"


@pytest.fixture(scope="module")
def farm_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The planted content-farm feed, added through the API."""
    db = tmp_path_factory.mktemp("farm") / "index.db"
    arts = [json.loads(line) for line in FARM_FEED.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    with TestClient(create_app(db)) as c:
        r = c.post("/api/articles?wait=true", json={"articles": arts})
        assert r.status_code == 200 and len(r.json()["result"]["added"]) == len(arts), r.text
        yield c


def test_sources_list_licensed_reuse_apart(farm_client: TestClient) -> None:
    """A server started with a licence file (`serve --licensed`) lists reuse between the
    rights holder's own outlet and a partner as licensed, not as derived."""
    db = farm_client.app.state.engine.db_path
    plain = farm_client.get("/api/sources").json()
    farm_plain = next(r for r in plain["outlets"] if r["outlet"] == FARM)
    licence = Licence(own=frozenset({WIRE}), partners=frozenset({FARM}))
    with TestClient(create_app(db, licence=licence)) as c:
        body = c.get("/api/sources").json()
    rows = {r["outlet"]: r for r in body["outlets"] + body["unranked"]}
    farm, wire = rows[FARM], rows[WIRE]
    assert farm["licence_role"] == "partner" and wire["licence_role"] == "own"
    assert farm["derived"] == 0 and farm["reuses"] == []
    assert farm["licensed_from"] == [{"outlet": WIRE, "articles": farm_plain["derived"]}]
    assert {"outlet": FARM, "articles": farm_plain["derived"]} in wire["licensed_to"]
    assert body["outlets"][0]["outlet"] != FARM  # licensed reuse does not rank a partner


def test_sources_rank_the_planted_farm_first(farm_client: TestClient) -> None:
    body = farm_client.get("/api/sources").json()
    top = body["outlets"][0]
    assert top["outlet"] == FARM and top["rank"] == 1 and top["derived_share"] > 0.5
    assert top["reuses"][0]["outlet"] == WIRE
    wire = next(r for r in body["outlets"] if r["outlet"] == WIRE)
    assert wire["derived"] == 0 and FARM in {d["outlet"] for d in wire["reused_by"]}
    # With a threshold above every outlet's count nothing is ranked.
    high = farm_client.get("/api/sources?min_articles=50").json()
    assert high["outlets"] == [] and high["min_articles"] == 50
    assert {r["outlet"] for r in high["unranked"]} >= {FARM, WIRE}
    assert farm_client.get("/api/sources?min_articles=0").status_code == 422


def test_export_follows_the_list_filters(farm_client: TestClient) -> None:
    """A filtered export holds what the filtered lists show: the outlet's articles, the
    families and stories with a member from it, the pairs with a side from it."""
    def jsonl(table: str, **params: str) -> list[dict]:
        r = farm_client.get(f"/api/export/{table}", params={"format": "jsonl", **params})
        assert r.status_code == 200, r.text
        return [json.loads(line) for line in r.text.splitlines()]

    listed = farm_client.get("/api/articles", params={"outlet": FARM, "limit": 1000}).json()
    arts = jsonl("articles", outlet=FARM)
    assert {a["id"] for a in arts} == {a["id"] for a in listed["articles"]} and len(arts) == 6
    # (every family holds a farm article; the partner reprinted three wire stories)
    for table, outlet in (("families", "partnerdaily-example.co.uk"), ("stories", FARM)):
        want = farm_client.get(f"/api/{table}", params={"outlet": outlet, "limit": 1000}
                               ).json()
        got = jsonl(table, outlet=outlet)
        assert {g["id"] for g in got} == {w["id"] for w in want[table]}
        assert 0 < len(got) < len(jsonl(table))
    farm_ids = {a["id"] for a in arts}
    pairs = jsonl("pairs", outlet=FARM)
    assert pairs and all(p["a"] in farm_ids or p["b"] in farm_ids for p in pairs)
    assert len(pairs) < len(jsonl("pairs"))
    assert len(jsonl("sources", outlet=FARM)) == len(jsonl("sources"))  # always whole
    assert jsonl("articles", q="no such words anywhere") == []


@pytest.mark.parametrize("table", ["pairs", "families", "stories", "sources", "articles"])
def test_export_csv_matches_the_json_lists(farm_client: TestClient, table: str) -> None:
    """Each table downloads as CSV (a header, one row per record) and JSONL (the records
    whole); the row counts match what the JSON endpoints list."""
    csv_r = farm_client.get(f"/api/export/{table}?format=csv")
    assert csv_r.status_code == 200 and csv_r.headers["content-type"].startswith("text/csv")
    assert (f'filename="newstrace-{table}.csv"'
            in csv_r.headers["content-disposition"])
    rows = list(csv.DictReader(io.StringIO(csv_r.text)))
    jsonl = farm_client.get(f"/api/export/{table}?format=jsonl")
    records = [json.loads(line) for line in jsonl.text.splitlines()]
    assert jsonl.status_code == 200 and "attachment" in jsonl.headers["content-disposition"]
    assert len(rows) == len(records) > 0
    if table == "sources":
        listed = farm_client.get("/api/sources").json()
        assert [r["outlet"] for r in rows] == [
            r["outlet"] for r in listed["outlets"] + listed["unranked"]]
        assert rows[0]["rank"] == "1" and rows[0]["outlet"] == FARM
        assert rows[0]["reuses"].startswith(WIRE)
    elif table == "pairs":
        ids = {a["id"] for a in farm_client.get("/api/articles?limit=1000").json()["articles"]}
        assert list(rows[0])[:3] == ["a", "b", "relation"]
        assert {r["a"] for r in rows} | {r["b"] for r in rows} <= ids
        assert {(r["a"], r["b"]) for r in rows} == {(p["a"], p["b"]) for p in records}
    else:
        listed = farm_client.get(f"/api/{table}?limit=1000").json()
        assert len(rows) == listed["total"], (len(rows), listed["total"])
        assert {r["id"] for r in rows} == {str(x["id"]) for x in records}
    assert farm_client.get(f"/api/export/{table}?format=xml").status_code == 422
