"""The command line: output contract, exit codes, bad input that never stops a scan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SEEDS

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newstrace", *args], capture_output=True,
                          text=True, env=ENV, cwd=cwd, timeout=600)


SEED_001 = (SEEDS / "001_b770c846d1b294f5.txt").read_text(encoding="utf-8")


def test_scan_json_contract_and_bad_inputs(tmp_path):
    """A folder of good and bad files: warnings name each bad one, the rest is scanned."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "good_en.txt").write_text(SEED_001, encoding="utf-8")
    (d / "empty.txt").write_text("", encoding="utf-8")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (d / "huge.txt").write_text(("Das ist ein langer Satz über nichts. " * 150_000),
                                encoding="utf-8")
    (d / "latin1.txt").write_bytes("Kåre Ødegård sade att vädret blev sämre på söndagen i "
                                   "Göteborg och att tågen stod still.".encode("latin-1"))
    (d / "nav.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>",
                                encoding="utf-8")
    (d / "feed.jsonl").write_text(
        json.dumps({"id": "ok1", "text": SEED_001[:1500]}) + "\n"
        + json.dumps({"id": "notext"}) + "\n", encoding="utf-8")
    r = run("scan", str(d), "--format", "json", "--quiet")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    ids = {a["id"] for a in out["articles"]}
    assert {"good_en", "huge", "latin1", "ok1"} <= ids
    assert not ids & {"empty", "binary", "nav", "notext"}
    where = " ".join(p["where"] + " " + (p["id"] or "") + " " + p["message"]
                     for p in out["problems"])
    for bad in ("empty.txt", "binary.txt", "nav.html", "feed.jsonl:2"):
        assert bad in where, bad
    huge = next(a for a in out["articles"] if a["id"] == "huge")
    assert any("truncat" in w for w in huge["warnings"])
    latin = next(a for a in out["articles"] if a["id"] == "latin1")
    assert latin["lang"] == "sv"
    for key in ("articles", "stories", "families", "pairs"):
        assert key in out
    # good_en and ok1 share their text: a duplicate pair with evidence.
    pair = next(p for p in out["pairs"] if {p["a"], p["b"]} == {"good_en", "ok1"})
    assert pair["relation"] in {"duplicate", "partial"}
    assert set(pair) >= {"a", "b", "relation", "reuse_score", "story_score", "direction",
                         "coverage", "evidence"}


def test_scan_nothing_readable_exits_1(tmp_path):
    (tmp_path / "notes.md").write_text("# not an article", encoding="utf-8")
    r = run("scan", str(tmp_path), "--quiet")
    assert r.returncode == 1
    assert "no supported files" in r.stderr


def test_bad_usage_exits_2(tmp_path):
    assert run("scan").returncode == 2
    assert run("compare", str(SEEDS / "000_6ae7588e2228d054.txt")).returncode == 2


def test_compare_pairs_jsonl_in_order(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    lines = [
        {"id": "p1", "a": {"id": "x", "text": texts[0]}, "b": {"id": "y", "text": texts[1]}},
        {"id": "p2", "a": {"id": "x"}, "b": {"id": "y", "text": texts[1]}},
        {"id": "p3", "a": {"id": "x", "text": texts[1]}, "b": {"id": "z", "text": texts[3]}},
        {"id": "p4", "a": {"id": "x", "text": texts[1]}, "b": {"id": "bot", "text": (
            "Przykro nam, ale z adresu IP z którego się łączysz odnotowaliśmy ogromną ilość "
            "połączeń. Podejrzewamy, że ktoś nadużył adresu IP, z którego korzystasz.")}},
    ]
    f = tmp_path / "pairs.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    r = run("compare", "--pairs", str(f))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in rows] == ["p1", "p2", "p3", "p4", None]
    assert rows[0]["relation"] == "translation"
    assert "error" in rows[1] and "text" in rows[1]["error"]
    assert rows[2]["relation"] == "same_story"
    assert "warnings" not in rows[2]
    # A bot check in place of b: the pair is not judged, and the record says why.
    assert rows[3]["reason"].startswith("not judged")
    assert list(rows[3]["warnings"]) == ["b"] and "boilerplate" in rows[3]["warnings"]["b"][0]
    assert f"{f}:4 [b]: " in r.stderr
    assert "error" in rows[4]


def test_sentences_command_lists_indices():
    r = run("sentences", str(SEEDS / "000_6ae7588e2228d054.txt"), "--format", "json")
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert out["lang"] == "sv"
    assert out["sentences"][0]["i"] == 0
    assert out["sentences"][0]["text"].startswith("Vladimir Putin och Kim Jong Un")


# --- messages are never wrapped: not by the terminal width, not by the path length ----------


def _deep_dir(tmp_path: Path, leaf: str = "d") -> Path:
    """A folder whose path is over 120 characters (and wider than any COLUMNS used here)."""
    d = tmp_path / ("long-folder-name-" * 8) / leaf
    d.mkdir(parents=True)
    assert len(str(d)) > 120
    return d


def test_messages_stay_on_one_line_whatever_the_width(tmp_path):
    """An error naming a long path, with COLUMNS=40 and stderr a file: one line, the path
    whole, brackets in it kept (not read as rich markup)."""
    d = _deep_dir(tmp_path, "[bold]x")
    junk = d / "junk.db"
    junk.write_bytes(os.urandom(5000))
    env = {**ENV, "COLUMNS": "40"}
    r = subprocess.run([sys.executable, "-m", "newstrace", "index", "stats", "--db", str(junk)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"error: {junk}: not a newstrace index (not an SQLite database); give another --db file"]
    missing = d / "missing.txt"
    r = subprocess.run([sys.executable, "-m", "newstrace", "compare", str(missing), str(missing)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 1
    assert f"warning: {missing}: no such file or folder" in r.stderr.splitlines()


def test_usage_errors_are_plain_lines_off_a_terminal():
    """Typer's boxed error panel is 80 (or COLUMNS) wide: off a terminal, click's lines."""
    r = subprocess.run([sys.executable, "-m", "newstrace", "scan", "--format", "nope", "x"],
                       capture_output=True, text=True, env={**ENV, "COLUMNS": "40"}, timeout=600)
    assert r.returncode == 2
    assert "Error: Invalid value for '--format' / '-f': Value error, 'nope' is not one of " \
           "'table', 'json', 'html', 'parquet'." in r.stderr.splitlines()
    assert "╭" not in r.stderr


def test_cli_runner_messages_ignore_columns(tmp_path):
    """In process too (the consoles are built at import): COLUMNS does not break a line."""
    from typer.testing import CliRunner

    from newstrace.cli.index import index_app

    db = _deep_dir(tmp_path) / "missing.db"
    res = CliRunner().invoke(index_app, ["kin", "x", "--db", str(db)], env={"COLUMNS": "40"})
    assert res.exit_code == 1
    assert f"error: {db}: no index here (create one with `newstrace index add`)" in (
        res.stderr.splitlines())


def test_package_data_ships_every_data_file():
    """pyproject's package-data globs match every non-Python file in the package (data/,
    service/web/): a wheel (not only an editable install) has what the package reads."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    pkg = root / "src" / "newstrace"
    conf = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = conf["tool"]["setuptools"]["package-data"]["newstrace"]
    shipped = {p for pat in patterns for p in pkg.glob(pat) if p.is_file()}
    needed = {p for p in pkg.rglob("*")
              if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts}
    assert needed, "no data files found"
    assert not needed - shipped, sorted(str(p.relative_to(pkg)) for p in needed - shipped)


def test_scan_window_splits_a_story_a_month_later(tmp_path):
    """Planted dates: the seeds' Guardian report published 32 days after the rest leaves
    their story under the default 7-day window, and stays with `--window inf`."""
    feed = tmp_path / "dated.jsonl"
    with feed.open("w", encoding="utf-8") as fh:
        for f in sorted(SEEDS.glob("*.txt")):
            day = "2023-08-15" if f.name.startswith("003") else "2023-07-14"
            fh.write(json.dumps({"id": f.stem[:3], "text": f.read_text(encoding="utf-8"),
                                 "published": f"{day}T08:00:00Z"}) + "\n")
    stories = {}
    for window in ("7", "inf"):
        r = run("scan", str(feed), "--format", "json", "--quiet", "--window", window)
        assert r.returncode == 0, r.stderr
        stories[window] = sorted(s["articles"] for s in json.loads(r.stdout)["stories"])
    assert stories["7"] == [["000", "001", "002", "004"], ["003"]]
    assert stories["inf"] == [["000", "001", "002", "003", "004"]]


def _relations_rows(lines: list[str]) -> list[tuple[str, str, str]]:
    """(a, b, relation) of each row of the compact Relations table, each id put back
    together from the lines it was wrapped onto."""
    top = next(i for i, ln in enumerate(lines) if ln.split()[:3] == ["a", "b", "relation"])
    head = lines[top]
    b_at, rel_at, reuse_at = head.index(" b ") + 1, head.index("relation"), head.index("reuse")
    rows: list[list[str]] = []
    for ln in lines[top + 2:]:
        if not ln.strip() or ln.startswith("reuse:"):
            break  # the legend, or the end of the table
        if ln[rel_at:reuse_at].strip():
            rows.append(["", "", ln[rel_at:reuse_at].strip()])
        rows[-1][0] += ln[:b_at].strip() + " "
        rows[-1][1] += ln[b_at:rel_at].strip() + " "
    fold = lambda s: s.strip().replace(" (", "(").replace(" ", "")  # noqa: E731
    return [(fold(a), fold(b), rel) for a, b, rel in rows]


def test_scan_table_reads_at_80_columns_and_uses_160():
    """`make demo` in an 80-column terminal: no cell cut with '…', relation names whole,
    ids wrapped onto a second line (not cut) and a legend for the short headers; at 160
    columns the full headers and every id on one line."""
    from typer.testing import CliRunner

    from newstrace.cli.main import app

    runner = CliRunner()
    narrow = runner.invoke(app, ["scan", str(SEEDS), "-q"], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.splitlines()
    assert "…" not in narrow.stdout
    ids = sorted(f.stem for f in SEEDS.glob("*.txt"))
    table = lines[: next(i for i, ln in enumerate(lines) if ln.startswith("Story "))]
    assert all(len(ln) <= 80 for ln in table), [ln for ln in table if len(ln) > 80]
    assert {ln.split()[0] for ln in table if ln.split() and ln.split()[0] in ids} == set(ids)
    rows = _relations_rows(lines)
    assert len(rows) == 10
    langs = {"000": "sv", "004": "nb"}
    for a, b, rel in rows:  # every id whole once its wrapped lines are joined
        assert a[:-4] in ids and b[:-4] in ids and a < b, (a, b)
        assert a.endswith(f"({langs.get(a[:3], 'en')})")
        assert rel in ("translation", "rewrite", "same_story", "duplicate", "partial")
    assert {r[2] for r in rows} == {"translation", "rewrite", "same_story"}
    rel_lines = lines[next(i for i, ln in enumerate(lines) if "Relations" in ln):]
    assert all(len(ln) <= 80 for ln in rel_lines)
    # The legend wraps where the console's width ends it: compare words, not spacing.
    assert "cov a/b: share of a / of b in shared passages" in " ".join(
        " ".join(rel_lines).split())

    wide = runner.invoke(app, ["scan", str(SEEDS), "-q"], env={"COLUMNS": "160"})
    assert wide.exit_code == 0, wide.output
    assert "…" not in wide.stdout
    header = next(ln for ln in wide.stdout.splitlines() if "coverage a/b" in ln)
    assert "direction" in header and "evidence" in header
    assert "000_6ae7588e2228d054 (sv) │ 001_b770c846d1b294f5 (en) │ translation" in wide.stdout
    assert max(len(ln) for ln in wide.stdout.splitlines() if "│" in ln) <= 160


def test_compare_names_an_input_that_holds_no_article_text(tmp_path):
    """A bot check saved in place of an article: compare says which file and why, and the
    verdict says it was not judged."""
    bot = tmp_path / "bot.txt"
    bot.write_text("Przykro nam, ale z adresu IP z którego się łączysz odnotowaliśmy ogromną "
                   "ilość połączeń.\n\nPodejrzewamy, że ktoś nadużył adresu IP, z którego "
                   "korzystasz. Jeśli chcesz połączyć się z nami zaznacz \"NIE JESTEM "
                   "ROBOTEM\".\n", encoding="utf-8")
    r = run("compare", str(bot), str(SEEDS / "001_b770c846d1b294f5.txt"), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert "warning: bot: " in r.stderr and "boilerplate" in r.stderr
    result = json.loads(r.stdout)
    assert result["relation"] == "unrelated"
    assert result["reason"].startswith("not judged: a text holds no article text")
