"""The web UI end to end in headless Chromium: add the seeds, see story and family, open the
000-001 evidence, find the kin of a pasted article; open, read the kin of and delete an
article whose id is a URL; search and filter; upload 600 files in batches. Screenshots go
to tests/artifacts/."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="uvicorn is not installed (the [serve] extra)")

from conftest import short_tmpdir  # noqa: E402
from newstrace.grouping.outlets import Licence  # noqa: E402
from newstrace.service.app import create_app  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TOKEN = "ui-test-token"
ADD_TIMEOUT_MS = 300_000  # five seeds on a busy 2-core machine: encoding dominates


def sid(prefix: str) -> str:
    return next(p.stem for p in SEEDS.glob(f"{prefix}_*.txt"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serve(app: Any) -> Iterator[str]:
    """Run `app` under uvicorn on a free loopback port in a thread; yields its URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, with a token, in a thread."""
    with _serve(create_app(tmp_path_factory.mktemp("ui") / "index.db", token=TOKEN)) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[Any]:
    # Chromium puts its singleton socket under $TMPDIR, and a socket path over 107 bytes is
    # fatal: whatever TMPDIR the suite runs with (CI sets a long one), a short one here.
    with short_tmpdir() as short:
        yield from _page(base_url, {**os.environ, "TMPDIR": str(short)})


def _page(base_url: str, env: dict[str, str]) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
        tab.errors = errors  # type: ignore[attr-defined]
        try:
            yield tab
        finally:
            context.close()
            browser.close()
    assert errors == [], errors


def _shot(tab: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    tab.screenshot(path=str(path), full_page=True)
    return path


def test_01_token_prompt_then_add_seeds_through_the_ui(page: Any, base_url: str) -> None:
    page.goto(base_url + "/#/add")
    page.wait_for_selector("#add-files")
    assert page.is_visible("#token-form")  # the server has a token: the UI asks for it
    page.fill("#token", TOKEN)
    page.click("#token-form button")
    page.wait_for_selector("#add-files")
    page.set_input_files("#add-files", sorted(str(p) for p in SEEDS.glob("*.txt")))
    page.click("#add-submit")
    page.wait_for_selector("#add-done, #add-status .ui-error", timeout=ADD_TIMEOUT_MS)
    assert not page.is_visible("#add-status .ui-error"), page.inner_text("#add-status")
    done = page.inner_text("#add-done")
    assert done.startswith("Done: 5 added"), done


def test_02_story_and_family(page: Any) -> None:
    page.click("a[data-nav=stories]")
    page.wait_for_selector("#story-list")
    story = page.locator("a.ui-story:has-text('Story')").first
    story.click()
    page.wait_for_selector(".nt-family svg.nt-graph")
    body = page.inner_text("#view")
    for prefix in ("000", "001", "002"):
        assert sid(prefix) in body
    assert "Independent coverage" in body or sid("003") in body
    graph = page.locator(".nt-family svg.nt-graph").first
    nodes = graph.locator("g.nt-node")
    ids = {nodes.nth(i).get_attribute("data-id") for i in range(nodes.count())}
    assert {sid("000"), sid("001"), sid("002")} <= ids
    drawn = {e.get_attribute("data-relation") for e in graph.locator("line.nt-edge").all()}
    assert "translation" in drawn  # edges carry their relation; the legend names it
    assert "translation" in graph.locator("g.nt-legend").text_content()
    assert "BBC" in page.inner_text(".nt-family")  # attributed source
    assert "not in the collection" in page.inner_text(".nt-family")  # origin unknown
    _shot(page, "ui_story.png")


def test_03_pair_000_001_highlights_aligned_spans(page: Any) -> None:
    a, b = sid("000"), sid("001")
    page.click(f"tr[data-a='{a}'][data-b='{b}'] a.pair-link")
    page.wait_for_selector(".ui-pair table.nt-evidence")
    rows = page.locator("tr.nt-span")
    assert rows.count() >= 10
    for k in range(3):
        cells = rows.nth(k).locator("td")
        left = cells.nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
        right = cells.nth(2).evaluate("e => getComputedStyle(e).backgroundColor")
        assert left == right and left not in ("rgba(0, 0, 0, 0)", "transparent"), (k, left)
    # Neighbouring spans get different colours, so the eye can follow them.
    c0 = rows.nth(0).locator("td").nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
    c1 = rows.nth(1).locator("td").nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
    assert c0 != c1
    # The colour's strength follows the span's confidence: a surer span is paler by less.
    shades = [(float(rows.nth(k).get_attribute("data-confidence")),
               float(rows.nth(k).locator("td.nt-hl").first.evaluate(
                   "e => getComputedStyle(e).getPropertyValue('--nt-fade')")))
              for k in range(rows.count())]
    by_score = sorted(shades)
    assert all(f1 >= f2 for (_, f1), (_, f2) in zip(by_score, by_score[1:])), by_score
    if by_score[0][0] < by_score[-1][0] - 0.05:
        assert by_score[0][1] > by_score[-1][1]
    heads = page.locator("table.nt-evidence th").all_inner_texts()
    assert "SV" in heads[0].upper() and "EN" in heads[2].upper()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "ui_pair.png"), full_page=False)
    assert (ARTIFACTS / "ui_pair.png").stat().st_size > 10_000
    # At phone width the spans stack (A, score, B) and nothing runs off the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(100)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    first = rows.nth(0).locator("td")
    a_box, b_box = first.nth(0).bounding_box(), first.nth(2).bounding_box()
    assert a_box and b_box and b_box["y"] > a_box["y"]  # B under A, not beside it
    page.screenshot(path=str(ARTIFACTS / "ui_pair_phone.png"), full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_04_family_page(page: Any) -> None:
    page.click("a[data-nav=families]")
    page.locator("a.ui-story").first.click()
    page.wait_for_selector(".nt-family svg.nt-graph")
    assert page.locator("table.ui-pairs tr[data-a]").count() >= 2


def test_05_kin_of_a_pasted_article(page: Any) -> None:
    page.click("a[data-nav=kin]")
    page.wait_for_selector("#kin-text")
    page.fill("#kin-text", (SEEDS / f"{sid('002')}.txt").read_text(encoding="utf-8"))
    page.click("#kin-submit")
    page.wait_for_selector("#kin-result", timeout=120_000)
    rows = page.locator("tr.kin-row")
    assert rows.count() >= 2
    text = page.inner_text("#kin-result")
    assert sid("001") in text
    page.locator("#kin-result button.ui-link").first.click()
    page.wait_for_selector("#kin-result table.nt-evidence")
    assert page.locator("#kin-result td.nt-hl").count() > 0
    assert page.inner_text("#kin-self") == "the pasted text"
    assert "coverage pasted / other" in text  # the columns say which side is which
    _shot(page, "ui_kin.png")


def test_06_hostile_article_runs_nothing_in_the_ui(page: Any, base_url: str) -> None:
    """A copy of 000 whose id, title and text carry script payloads, viewed everywhere."""
    payload = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'
    evil_id = 'evil"><svg onload=window.__xss=3>'
    text = (SEEDS / f"{sid('000')}.txt").read_text(encoding="utf-8") + "\n" + payload + " slut."
    body = json.dumps({"articles": [{"id": evil_id, "title": payload, "text": text,
                                     "source": payload}]}).encode()
    req = urllib.request.Request(base_url + "/api/articles?wait=true", data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, timeout=300) as resp:
        assert json.load(resp)["result"]["added"] == [evil_id]
    enc = urllib.parse.quote(evil_id, safe="")
    for hash_ in ("#/stories", f"#/kin/{enc}", f"#/story/{enc}",
                  f"#/pair/{urllib.parse.quote(sid('000'))}/{enc}"):
        page.goto(f"{base_url}/{hash_}")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__xss") is None, hash_
        assert page.evaluate("document.querySelectorAll('#view img, #view script').length") == 0
    assert "onerror" in page.inner_text("#view")  # shown as text, not run


def _post(base_url: str, articles: list[dict]) -> dict:
    body = json.dumps({"articles": articles}).encode()
    req = urllib.request.Request(base_url + "/api/articles?wait=true", data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.load(resp)  # type: ignore[no-any-return]


def _status(base_url: str, path: str) -> int:
    req = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


URL_ID = "https://www.example.org/världen/2024/putin-kim"
OUTLET_ARTICLES = [
    {"id": "wire/2024/lisbon-bridge", "source": "Wire", "lang": "en", "published": "2024-05-01",
     "title": "Lisbon opens a bridge", "text": "Officials in Lisbon opened a new bridge on "
     "Tuesday. The bridge links two districts and cost 40 million euros."},
    {"id": "post/2024/lisbon-bridge", "url": "https://www.post.example.com/a/bridge",
     "lang": "en", "published": "2024-05-02", "title": "Bridge opens", "text": "Officials in "
     "Lisbon opened a new bridge on Tuesday. The bridge links two districts and cost 40 "
     "million euros."},
    {"id": "wire/2023/quota", "source": "Wire", "lang": "en", "published": "2023-01-09",
     "title": "Fishing quota halved", "text": "A Swedish court ruled on Monday that the fishing "
     "quota for 2030 must be halved. The ministry will appeal the decision."},
    {"id": "post/2024/storm", "url": "https://www.post.example.com/a/storm", "lang": "en",
     "published": "2024-02-11", "title": "Storm closes ports", "text": "A winter storm closed "
     "three ports on the northern coast overnight. Ferries will resume on Thursday."},
]


def test_07_article_whose_id_is_a_url_open_kin_delete(page: Any, base_url: str) -> None:
    text = (SEEDS / f"{sid('000')}.txt").read_text(encoding="utf-8")
    added = _post(base_url, [{"id": URL_ID, "text": text, "published": "2024-03-01",
                              "url": "https://www.example.org/varlden/putin-kim"}])
    assert added["result"]["added"] == [URL_ID]
    page.goto(base_url + "/#/articles")
    page.wait_for_selector("#filters")
    page.fill("#f-q", "example.org/världen")
    page.click("#f-apply")
    page.wait_for_selector("h2:has-text('matching')")  # not the unfiltered list before it
    assert page.locator("#article-list tr[data-id]").count() == 1
    page.click(f"#article-list a.nt-id:has-text('{URL_ID}')")
    page.wait_for_selector("#kin-result")
    assert page.inner_text("#article-title") == URL_ID  # no title: the id stands in
    fields = page.inner_text("#article-fields")
    assert "example.org" in fields and "2024-03-01" in fields and "sv" in fields.lower()
    kin = page.inner_text("#kin-result")
    assert sid("000") in kin and sid("001") in kin
    assert page.locator("#article-text span").count() > 5
    _shot(page, "ui_article_url_id.png")
    # The evidence of its first kin opens from its row, with links back.
    page.locator("#kin-result a:has-text('evidence')").first.click()
    page.wait_for_selector(".ui-pair table.nt-evidence")
    assert URL_ID in page.inner_text("#pair-links")
    page.go_back()
    page.wait_for_selector("#article-delete")
    page.click("#article-delete")
    page.click("#article-delete-confirm")
    page.wait_for_selector("#article-deleted")
    assert _status(base_url, "/api/articles/" + urllib.parse.quote(URL_ID, safe="")) == 404
    page.click("#article-deleted a:has-text('Families')")
    page.wait_for_selector("#family-list")
    assert URL_ID not in page.inner_text("#view")
    _shot(page, "ui_article_deleted.png")


def test_08_search_and_filters(page: Any, base_url: str) -> None:
    assert len(_post(base_url, OUTLET_ARTICLES)["result"]["added"]) == 4
    page.goto(base_url + "/#/articles")
    page.wait_for_selector("#f-outlet option[value='Wire']", state="attached")
    page.select_option("#f-outlet", "Wire")
    page.click("#f-apply")
    page.wait_for_selector("h2:has-text('matching')")  # not the unfiltered list before it
    ids = page.locator("#article-list tr[data-id]")
    got = {ids.nth(i).get_attribute("data-id") for i in range(ids.count())}
    assert got == {"wire/2024/lisbon-bridge", "wire/2023/quota"}
    page.fill("#f-from", "2024-01-01")
    page.click("#f-apply")
    page.wait_for_selector("#page-info:has-text('1–1 of 1')")  # (wait_for_function: CSP)
    assert "outlet=Wire" in page.evaluate("location.hash")  # the outlet filter stays
    page.goto(base_url + "/#/stories")
    page.wait_for_selector("#f-q")
    page.fill("#f-q", "storm closed")
    page.click("#f-apply")
    # Wait for the filtered list itself: the unfiltered one may still be on the page.
    page.wait_for_selector("h2:has-text('matching')")
    stories = page.locator("#story-list a.ui-story")
    assert stories.count() == 1 and "Storm closes ports" in stories.first.inner_text()
    assert "example.com" in stories.first.inner_text()  # outlet: the url's registered domain
    _shot(page, "ui_search_filters.png")
    # The list's download holds what the filters match, not the whole table.
    with page.expect_download() as dl:
        page.click(".ui-list-export a[data-export='stories.csv']")
    lines = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "Storm closes ports" in lines[1], lines
    page.select_option("#f-lang", "sv")
    page.click("#f-apply")
    page.wait_for_selector("#list-none")  # no Swedish article mentions the storm
    page.click("#f-clear")
    page.wait_for_selector("#story-list")
    assert page.locator("#story-list a.ui-story").count() >= 3


def test_08b_story_timeline_in_time_order(page: Any, base_url: str) -> None:
    """The wire's bridge story and the post's copy of it a day later: the timeline lists
    them by date, the wire as the original, the post as a copy of it."""
    page.goto(base_url + "/#/article/" + urllib.parse.quote("post/2024/lisbon-bridge", safe=""))
    page.wait_for_selector("#article-story")
    page.click("#article-story")
    page.wait_for_selector("#story-timeline")
    rows = page.locator("#story-timeline tr.timeline-row")
    got = [(rows.nth(i).get_attribute("data-id"), rows.nth(i).get_attribute("data-role"))
           for i in range(rows.count())]
    assert got == [("wire/2024/lisbon-bridge", "original"), ("post/2024/lisbon-bridge", "copy")]
    assert "2024-05-01 – 2024-05-02" in page.inner_text("#story-timeline h3")
    _shot(page, "ui_story_timeline.png")


def test_09_upload_600_files_in_batches(page: Any, base_url: str,
                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    # One sentence of a real, unrelated web page each (the committed unrelated-pages
    # fixture), pages taken in turn: 600 articles that share little, so the time goes to
    # batching and encoding. (Made-up words all embed alike: every article then had some
    # twenty candidates to align, and the test took ten minutes.)
    pages = [json.loads(line) for line in
             (FIXTURES / "unrelated_pages.jsonl").read_text(encoding="utf-8").splitlines()]
    per_page = [[s for s in re.split(r"(?<=[.!?])\s+", p["text"]) if 60 <= len(s) <= 220][:4]
                for p in pages]
    sentences = [ss[k] for k in range(4) for ss in per_page if k < len(ss)]
    assert len(sentences) >= 600
    folder = tmp_path_factory.mktemp("upload600")
    for i, sentence in enumerate(sentences[:600]):
        (folder / f"bulk-{i:03d}.txt").write_text(f"Bulletin {i}\n\n{sentence}\n",
                                                  encoding="utf-8")
    page.goto(base_url + "/#/add")
    page.wait_for_selector("#add-files")
    page.set_input_files("#add-files", sorted(str(p) for p in folder.glob("*.txt")))
    page.click("#add-submit")
    page.wait_for_selector("#add-done, #add-status .ui-error", timeout=1_200_000)
    status = page.inner_text("#add-status")
    assert status.startswith("Done: 600 added, 0 replaced, 0 unchanged."), status
    assert "null" not in status
    _shot(page, "ui_upload_600.png")
    page.goto(base_url + "/#/articles?q=bulk-")
    page.wait_for_selector("#page-info")
    assert page.inner_text("#page-info") == "1–50 of 600"
    page.click("#page-next")
    page.wait_for_selector("#page-info:has-text('51–100 of 600')")
    page.goto(base_url + "/#/article/bulk-123")
    page.wait_for_selector("#article-fields")
    assert page.inner_text("#article-title") == "Bulletin 123"  # the title line, as the CLI


def test_10_docs_work_offline_with_the_token(page: Any, base_url: str) -> None:
    """/docs loads Swagger UI from the server (no CDN: the test machine has no network),
    under the page's CSP, and its calls carry the token the UI keeps in this tab."""
    page.goto(base_url + "/docs")
    page.wait_for_selector("#operations-service-stats_api_stats_get")
    page.click("#operations-service-stats_api_stats_get .opblock-summary")
    page.click("#operations-service-stats_api_stats_get .try-out__btn")
    page.click("#operations-service-stats_api_stats_get .execute")
    status = page.locator("#operations-service-stats_api_stats_get .live-responses-table "
                          "tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"  # not 401: the token went with it
    _shot(page, "ui_docs.png")


# ---- the sources page, on its own server: the planted content-farm feed -----------------

FARM, WIRE = "contentfarm-example.net", "newswire-example.com"


@pytest.fixture(scope="module")
def farm_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("farm") / "index.db"


@pytest.fixture(scope="module")
def farm_url(farm_db: Path) -> Iterator[str]:
    """A second server (no token) holding only the planted farm feed, added by the API."""
    with _serve(create_app(farm_db)) as url:
        lines = (FIXTURES / "farm_feed.jsonl").read_text(encoding="utf-8").splitlines()
        arts = [json.loads(line) for line in lines if line.strip()]
        assert len(_post(url, arts)["result"]["added"]) == len(arts)
        yield url


# The same tab as the other tests (one Playwright per thread); the farm server is another
# origin, so the first server's token (session storage) does not follow it.
def test_11_sources_page_ranks_the_planted_farm_first(page: Any, farm_url: str) -> None:
    page.goto(farm_url + "/#/stories")
    page.wait_for_selector("#story-list")  # settled first: test_13 covers the late answer
    page.click("a[data-nav=sources]")
    page.wait_for_selector("#source-list")
    first = page.locator("#source-list tbody tr").first
    assert first.get_attribute("data-outlet") == FARM
    assert first.locator(".ui-rank").inner_text() == "1"
    assert WIRE in first.locator(".ui-reuses").inner_text()  # names the wire
    wire = page.locator(f"#source-list tr[data-outlet='{WIRE}']")
    assert FARM in wire.locator(".ui-reused-by").inner_text()
    # Every export is offered as a download with the server's file name.
    links = page.locator("#exports a.ui-download")
    assert links.count() == 10
    with page.expect_download() as dl:
        page.click("#exports a[data-export='sources.csv']")
    saved = dl.value.path()
    header, top = Path(saved).read_text(encoding="utf-8").splitlines()[:2]
    assert header.startswith("rank,outlet,") and top.startswith(f"1,{FARM},")
    shot = _shot(page, "ui_sources.png")
    if os.environ.get("NEWSTRACE_DOCS_SHOTS"):  # refresh the docs' picture on request only
        docs_img = Path(__file__).resolve().parent.parent / "docs" / "img"
        (docs_img / "ui_sources.png").write_bytes(shot.read_bytes())
    # An outlet links to the article list filtered by it; the list offers its downloads.
    first.locator("td:nth-child(2) a").click()
    page.wait_for_selector("#article-list")
    assert page.locator(".ui-list-export a[data-export='articles.csv']").count() == 1
    rows = page.locator("#article-list tr[data-id]")
    assert rows.count() == 6
    assert all(r.startswith("contentfarm-") for r in
               (rows.nth(i).get_attribute("data-id") for i in range(rows.count())))


def test_11b_sources_page_lists_licensed_reuse(page: Any, farm_url: str, farm_db: Path) -> None:
    """A server started with a licence file: the farm, marked a partner of the wire, is
    listed with licensed reuse in its own column and no longer ranks first."""
    licence = Licence(own=frozenset({WIRE}), partners=frozenset({FARM}))
    with _serve(create_app(farm_db, licence=licence)) as url:
        page.goto(url + "/#/sources")
        page.wait_for_selector("#source-list")
        assert "licensed" in page.locator("#source-list thead").inner_text()
        farm = page.locator(f"tr[data-outlet='{FARM}']")
        assert "partner" in farm.inner_text()
        assert farm.locator(".ui-licensed").inner_text().startswith(f"from {WIRE}")
        assert page.locator("#source-list tbody tr").first.get_attribute(
            "data-outlet") != FARM
        _shot(page, "ui_sources_licensed.png")


def test_12_evidence_marks_shared_words_in_one_language(page: Any, farm_url: str) -> None:
    """The farm's English condensed copy of a wire story: the shared words are marked; a
    translated copy (German) marks none."""
    with urllib.request.urlopen(farm_url + "/api/kin/newswire-w01", timeout=60) as resp:
        kin = json.load(resp)["kin"]
    assert any(k["other"] == "contentfarm-f01" for k in kin), kin
    page.goto(farm_url + "/#/pair/newswire-w01/contentfarm-f01")
    page.wait_for_selector(".ui-pair table.nt-evidence")
    marks = page.locator("tr.nt-span td.nt-hl mark.nt-shared")
    assert marks.count() >= 5  # runs of shared words, one mark a run
    runs = [m.casefold() for m in marks.all_inner_texts()]
    text_b = page.locator("tr.nt-span td.nt-hl").nth(1).inner_text().casefold()
    assert runs and any(r in text_b for r in runs)
    mark_bg = marks.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert mark_bg not in ("rgba(0, 0, 0, 0)", "transparent")
    _shot(page, "ui_pair_shared_words.png")
    page.goto(farm_url + "/#/pair/newswire-w00/contentfarm-f00")  # en against de
    page.wait_for_selector(".ui-pair table.nt-evidence")
    assert page.locator("tr.nt-span").count() > 0
    assert page.locator("mark.nt-shared").count() == 0


def test_13_a_late_answer_does_not_draw_over_a_newer_page(page: Any, farm_url: str) -> None:
    """Stories answer slowly (held 1.5 s in the page); the user moves on to Sources at
    once: when the stories arrive, the Sources page is what stays on screen."""
    page.goto(farm_url + "/#/articles")
    page.wait_for_selector("#article-list")
    page.evaluate("""() => { const f = window.fetch; window.fetch = (u, o) =>
      String(u).startsWith('/api/stories') ? new Promise(r => setTimeout(r, 1500))
        .then(() => f(u, o)) : f(u, o); }""")
    page.evaluate("location.hash = '#/stories'")
    page.wait_for_timeout(100)
    page.evaluate("location.hash = '#/sources'")
    page.wait_for_selector("#source-list")
    page.wait_for_timeout(2500)  # the stories answer has come and gone by now
    assert page.locator("#source-list").count() == 1
    assert page.locator("#story-list").count() == 0
    page.reload()  # the page's own fetch again
