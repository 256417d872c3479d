from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from newstrace.text import readers
from newstrace.text.article import Article, ReadProblem
from newstrace.text.readers import MAX_CHARS, SUPPORTED, article_from_dict, read_paths

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"

PARAGRAPHS = [
    "Vladimir Putin and Kim Jong-un have a lot in common. Neither of them travels much, "
    "and both lead countries under heavy international sanctions.",
    "The Kremlin leader has not left Russia this year. In Kim's case, it has been four "
    "years without a foreign trip, officials in Seoul say.",
    "Washington suspects that Moscow is seeking artillery shells and ammunition from "
    "Pyongyang for its war in Ukraine. Russian officials have not confirmed any talks.",
    "In July, Sergei Shoigu became the first Russian defence minister to visit North Korea "
    "since the breakup of the Soviet Union.",
]

ARTICLE_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Putin and Kim seek closer ties | World News Daily</title>
<meta property="og:title" content="Putin and Kim seek closer ties amid sanctions">
<meta property="og:site_name" content="World News Daily">
<meta property="og:url" content="https://worldnewsdaily.example/world/putin-kim-ties">
<meta property="article:published_time" content="2023-09-12T08:30:00Z">
</head>
<body>
<header><nav><ul>
<li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li>
</ul></nav></header>
<main><article>
<h1>Putin and Kim seek closer ties amid sanctions</h1>
<p class="byline">By Anna Larsen, Moscow correspondent</p>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Storm hits coast</a></li>
<li><a href="/b">Markets rally</a></li></ul></aside>
<footer><p>&copy; 2023 World News Daily. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> | <a href="/cookies">Cookies</a></p></footer>
</body>
</html>
"""

NAV_ONLY_PAGE = """<!DOCTYPE html>
<html><head><title>World News Daily - Home</title></head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li></ul></nav></header>
<main><ul class="teasers">
<li><a href="/a">Storm hits coast</a></li><li><a href="/b">Markets rally</a></li>
<li><a href="/c">Election results</a></li></ul></main>
<footer><p>&copy; 2023 World News Daily. All rights reserved.</p></footer>
</body></html>
"""


def read_all(*paths: str | Path) -> tuple[list[Article], list[ReadProblem]]:
    items = list(read_paths(paths))
    articles = [x for x in items if isinstance(x, Article)]
    problems = [x for x in items if isinstance(x, ReadProblem)]
    assert len(articles) + len(problems) == len(items)
    return articles, problems


def only_problem(path: Path) -> ReadProblem:
    articles, problems = read_all(path)
    assert articles == []
    assert len(problems) == 1
    return problems[0]


# --- plain text --------------------------------------------------------------------------


def test_seed_folder_reads_every_article() -> None:
    articles, problems = read_all(SEEDS)
    assert problems == []
    assert [a.id for a in articles] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    bbc = next(a for a in articles if a.id == "001_b770c846d1b294f5")
    assert bbc.attributed_source == "BBC"
    assert bbc.path == str(SEEDS / "001_b770c846d1b294f5.txt")
    headline = next(a for a in articles if a.id == "002_2dcaed26a21db46b")
    assert headline.title == (
        "Putin, Kim Jong Un Bolster Ties Amid Global Tensions, Eyeing Mutual Gains"
    )
    assert headline.text.startswith(headline.title)  # the title line stays in the text
    # A first line that is a full sentence is body, not title.
    assert next(a for a in articles if a.id == "003_4046affaaada9ea7").title is None


def test_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    f = tmp_path / "bom.txt"
    f.write_bytes("\ufeffRysk kris\r\n\r\n".encode() + "\r\n".join(PARAGRAPHS).encode())
    [article], _ = read_all(f)
    assert article.id == "bom"
    assert article.title == "Rysk kris"
    assert article.text.startswith("Rysk kris\n\nVladimir Putin")
    assert "\r" not in article.text and "\ufeff" not in article.text
    assert article.warnings == []


def test_latin1_bytes_decoded_with_warning(tmp_path: Path) -> None:
    text = (
        "Kremlledaren har inte lämnat Ryssland i år. Både Ryssland och Nordkorea har "
        "anklagats för att bli skurkstater. Båda är under hårda sanktioner.\n"
        "Der Kremlchef hat Russland in diesem Jahr nicht verlassen. Größere Änderungen.\n"
    )
    f = tmp_path / "latin.txt"
    f.write_bytes(text.encode("latin-1"))
    [article], problems = read_all(f)
    assert problems == []
    assert article.text == text.strip()
    assert len(article.warnings) == 1
    assert article.warnings[0].startswith("not UTF-8: decoded as ")


def test_cp1251_russian_decoded(tmp_path: Path) -> None:
    text = "Президент России не покидал страну в этом году. Обе страны под санкциями."
    f = tmp_path / "ru.txt"
    f.write_bytes(text.encode("cp1251"))
    [article], _ = read_all(f)
    assert article.text == text
    assert article.warnings == ["not UTF-8: decoded as cp1251"]


def test_mojibake_file_is_repaired(tmp_path: Path) -> None:
    f = tmp_path / "tr.txt"
    good = (
        "Türkiye'de sokağa çıkma yasağı ilan edildi. "
        "Valilik açıklamasında yasağın iki gün süreceği belirtildi."
    )
    f.write_text(good.encode("utf-8").decode("cp1252", errors="replace"), encoding="utf-8")
    [article], _ = read_all(f)
    assert article.text == good
    assert "repaired mis-encoded text (mojibake)" in article.warnings


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\n  \n", encoding="utf-8")
    articles, problems = read_all(tmp_path / "empty.txt", tmp_path / "blank.txt")
    assert articles == []
    assert [p.message for p in problems] == ["empty", "empty"]


def test_binary_files_are_refused(tmp_path: Path) -> None:
    png = tmp_path / "image.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    noise = tmp_path / "noise.txt"
    rng = random.Random(7)
    noise.write_bytes(bytes(rng.randrange(256) for _ in range(4000)) + b"\x00\x00")
    pdf = tmp_path / "doc.html"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    for f in (png, noise, pdf):
        assert only_problem(f).message == "binary file, not text"


def test_too_short_text(tmp_path: Path) -> None:
    f = tmp_path / "short.txt"
    f.write_text("Breaking:\n\n  ok.  \n", encoding="utf-8")
    problem = only_problem(f)
    assert problem.message == "too short to analyse (14 characters)"
    assert problem.article_id == "short"


def test_huge_text_is_truncated_at_a_boundary(tmp_path: Path) -> None:
    paragraph = " ".join(PARAGRAPHS) + "\n\n"
    body = "Big story\n\n" + paragraph * (5_000_000 // len(paragraph) + 1)
    f = tmp_path / "huge.txt"
    f.write_text(body, encoding="utf-8")
    [article], problems = read_all(f)
    assert problems == []
    assert MAX_CHARS * 0.8 < len(article.text) <= MAX_CHARS
    assert article.text.endswith("Soviet Union.")  # cut at a paragraph end
    [warning] = article.warnings
    assert f"{len(body):,}" in warning and "truncated" in warning


def test_txt_that_is_html_is_read_as_html(tmp_path: Path) -> None:
    f = tmp_path / "saved_page.txt"
    f.write_text("\n  " + ARTICLE_PAGE, encoding="utf-8")
    [article], _ = read_all(f)
    assert article.title == "Putin and Kim seek closer ties amid sanctions"
    assert "<p>" not in article.text and PARAGRAPHS[0] in article.text


# --- HTML --------------------------------------------------------------------------------


def test_html_article_extracted(tmp_path: Path) -> None:
    f = tmp_path / "putin-kim.html"
    f.write_text(ARTICLE_PAGE, encoding="utf-8")
    [article], problems = read_all(f)
    assert problems == []
    assert article.id == "putin-kim"
    assert article.title == "Putin and Kim seek closer ties amid sanctions"
    for p in PARAGRAPHS:
        assert p in article.text
    for debris in ("Most read", "Markets rally", "All rights reserved", "Privacy"):
        assert debris not in article.text
    assert article.published == "2023-09-12"
    assert article.source == "World News Daily"
    assert article.url == "https://worldnewsdaily.example/world/putin-kim-ties"


def test_html_without_article(tmp_path: Path) -> None:
    f = tmp_path / "home.htm"
    f.write_text(NAV_ONLY_PAGE, encoding="utf-8")
    problem = only_problem(f)
    assert problem.message == "no article text found in HTML"
    assert problem.where == str(f)


def test_html_declared_charset_used(tmp_path: Path) -> None:
    page = (
        ARTICLE_PAGE.replace('charset="utf-8"', 'charset="iso-8859-1"')
        .replace("Moscow correspondent", "Moscú")
        .replace("four years", "four años, según el diario español, y sin más")
    )
    f = tmp_path / "latin.html"
    f.write_bytes(page.encode("latin-1"))
    [article], _ = read_all(f)
    assert "four años, según el diario español" in article.text
    assert article.warnings == ["not UTF-8: decoded as iso8859-1"]


# --- JSON / JSONL ------------------------------------------------------------------------


def test_jsonl_bad_lines_do_not_stop_good_ones(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": PARAGRAPHS[0], "lang": "EN", "source": "Wire"}),
        json.dumps({"id": "a2", "title": "No body"}),
        '{"id": "a3", "text": "unterminated',
        "",
        json.dumps({"id": 4, "text": PARAGRAPHS[1], "published": "2023-09-12"}),
        json.dumps({"id": "a5", "text": 42}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": PARAGRAPHS[2]}),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles, problems = read_all(f)
    assert [a.id for a in articles] == ["a1", "4"]
    assert articles[0].lang == "en" and articles[0].source == "Wire"
    assert articles[0].path == f"{f}:1"
    assert articles[1].published == "2023-09-12"
    assert [(p.where, p.article_id) for p in problems] == [
        (f"{f}:2", "a2"),
        (f"{f}:3", None),
        (f"{f}:6", "a5"),
        (f"{f}:7", None),
        (f"{f}:8", None),
    ]
    messages = [p.message for p in problems]
    assert messages[0] == "missing text"
    assert messages[1].startswith("invalid JSON")
    assert messages[2] == "text must be a string, got number"
    assert messages[3] == "expected a JSON object, got list"
    assert messages[4] == "missing id"


def test_json_list_and_html_text(tmp_path: Path) -> None:
    f = tmp_path / "batch.json"
    html_text = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    f.write_text(
        json.dumps(
            [
                {"id": "plain", "text": "\n\n".join(PARAGRAPHS), "title": "Putin and Kim"},
                {"id": "html", "text": html_text, "url": "https://example.org/x"},
                {"id": "empty", "text": "   "},
            ]
        ),
        encoding="utf-8",
    )
    articles, problems = read_all(f)
    assert [a.id for a in articles] == ["plain", "html"]
    assert articles[0].title == "Putin and Kim"
    html = articles[1]
    assert "<p>" not in html.text
    assert [ln for ln in html.text.split("\n") if ln] == PARAGRAPHS
    assert html.url == "https://example.org/x"
    assert [(p.where, p.message) for p in problems] == [(f"{f}[2]", "empty text")]


def test_json_single_object_and_invalid_file(tmp_path: Path) -> None:
    good = tmp_path / "one.json"
    good.write_text(json.dumps({"id": "x", "text": PARAGRAPHS[3]}), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "y", "text": ', encoding="utf-8")
    articles, problems = read_all(good, bad)
    assert [a.id for a in articles] == ["x"]
    assert len(problems) == 1 and problems[0].message.startswith("invalid JSON")


def test_article_from_dict_directly() -> None:
    article = article_from_dict(
        {"id": 17, "text": PARAGRAPHS[0] + "\n(Reuters)", "title": 5}, "pairs.jsonl:3"
    )
    assert isinstance(article, Article)
    assert article.id == "17" and article.title is None
    assert article.attributed_source == "Reuters"
    assert article.warnings == ["ignored non-string field 'title'"]
    problem = article_from_dict("just text", "pairs.jsonl:4")
    assert isinstance(problem, ReadProblem) and problem.where == "pairs.jsonl:4"
    short = article_from_dict({"id": "s", "text": "Too short."}, "w")
    assert isinstance(short, ReadProblem) and short.message.startswith("too short to analyse")


# --- paths, folders, duplicates ----------------------------------------------------------


def test_duplicate_ids_first_wins(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text(PARAGRAPHS[0], encoding="utf-8")
    (tmp_path / "b" / "story.txt").write_text(PARAGRAPHS[1], encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "n1", "text": PARAGRAPHS[2]})
        + "\n"
        + json.dumps({"id": "n1", "text": PARAGRAPHS[3]})
        + "\n",
        encoding="utf-8",
    )
    articles, problems = read_all(tmp_path)
    assert sorted((a.id, a.text) for a in articles) == [
        ("n1", PARAGRAPHS[2]),
        ("story", PARAGRAPHS[0]),
    ]
    assert sorted((p.where, p.article_id) for p in problems) == [
        (str(tmp_path / "b" / "story.txt"), "story"),
        (f"{feed}:2", "n1"),
    ]
    assert all(p.message.startswith("duplicate id") for p in problems)


def test_folder_recursion_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub" / "deeper" / "b.txt").write_text(PARAGRAPHS[1], encoding="utf-8")
    (tmp_path / "a.TXT").write_text(PARAGRAPHS[0], encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(PARAGRAPHS[2], encoding="utf-8")
    (tmp_path / ".git" / "c.txt").write_text(PARAGRAPHS[3], encoding="utf-8")
    (tmp_path / "notes.md").write_text(PARAGRAPHS[3], encoding="utf-8")
    articles, problems = read_all(tmp_path)
    assert problems == []
    assert [a.id for a in articles] == ["a", "b"]


def test_folder_without_supported_files(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "notes.md").write_text("# notes", encoding="utf-8")
    problem = only_problem(tmp_path)
    assert problem.message == f"no supported files ({', '.join(SUPPORTED)}) in folder"
    assert problem.where == str(tmp_path)


def test_missing_and_unsupported_explicit_paths(tmp_path: Path) -> None:
    doc = tmp_path / "story.docx"
    doc.write_bytes(b"PK\x03\x04")
    articles, problems = read_all(tmp_path / "nope.txt", doc)
    assert articles == []
    assert problems[0].message == "no such file or folder"
    assert problems[1].message.startswith("unsupported file type '.docx'")


def test_file_over_byte_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1000)
    f = tmp_path / "big.jsonl"
    f.write_text(json.dumps({"id": "b", "text": " ".join(PARAGRAPHS) * 3}), encoding="utf-8")
    problem = only_problem(f)
    assert problem.message.startswith("file too large")
