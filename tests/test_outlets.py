"""Outlets (grouping/outlets.py): who an article's publisher is, the ranking by derived
share on a planted content-farm feed, licensed reuse, and `newstrace sources`."""

from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

import farmfeed
from newstrace.cli.main import app
from newstrace.evaluation import farm
from newstrace.grouping import families
from newstrace.grouping.outlets import Licence, LicenceError, sources
from newstrace.matching.alignment import Alignment
from newstrace.matching.relation import PairResult
from newstrace.text.article import Article, outlet_of, same_outlet


def test_outlet_is_source_else_registered_domain_else_unknown() -> None:
    assert outlet_of("  Dagens   Nyheter ", "https://www.dn.se/x") == "Dagens Nyheter"
    assert outlet_of(None, "https://www.bbc.co.uk/news/world-66771543") == "bbc.co.uk"
    assert outlet_of(None, "https://news.example.com.au/a") == "example.com.au"
    assert outlet_of(None, "WWW.NRK.NO/nyheter") == "nrk.no"  # no scheme, upper case
    assert outlet_of("", "http://localhost/x") is None  # no public suffix: unknown
    assert outlet_of(None, None) is None
    assert Article("a", "t", url="https://edition.cnn.com/x").outlet == "cnn.com"


def test_public_suffix_list_is_bundled_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the public suffix list was fetched")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert outlet_of(None, "https://www.theguardian.co.uk/world") == "theguardian.co.uk"
    assert outlet_of(None, "https://foo.blogspot.com/post") == "foo.blogspot.com"


def test_credit_names_an_outlet() -> None:
    assert same_outlet("BBC", "BBC News") and same_outlet("BBC", "bbc.co.uk")
    assert same_outlet("The Guardian", "theguardian.com")
    assert same_outlet("Guardian", "theguardian.com")
    assert not same_outlet("AP", "apple.com")  # a prefix of a name is not the name
    assert not same_outlet("BBC", None)


def test_licence_file(tmp_path: Path) -> None:
    good = tmp_path / "licence.toml"
    good.write_text('own = ["NewsWire-Example.com"]\npartners = ["partnerdaily-example.co.uk"]\n')
    lic = Licence.from_toml(good)
    assert lic.role("newswire-example.com") == "own"
    assert lic.covers("newswire-example.com", "partnerdaily-example.co.uk")
    assert not lic.covers("newswire-example.com", "contentfarm-example.net")
    bad = tmp_path / "bad.toml"
    bad.write_text("own = [unquoted")
    with pytest.raises(LicenceError, match="bad.toml: not valid TOML"):
        Licence.from_toml(bad)
    bad.write_text('owned = ["x"]')
    with pytest.raises(LicenceError, match="unknown key"):
        Licence.from_toml(bad)
    bad.write_text('own = "x"')
    with pytest.raises(LicenceError, match="list of outlet names"):
        Licence.from_toml(bad)


def _by_outlet(section: dict) -> dict[str, dict]:
    return {r["outlet"]: r for r in section["outlets"] + section["unranked"]}


def test_farm_ranks_first_and_names_the_wire() -> None:
    res = farmfeed.scan()
    section = res.to_dict()["sources"]
    ranked = section["outlets"]
    assert ranked[0]["outlet"] == farm.FARM
    assert ranked[0]["reuses"][0]["outlet"] == farm.WIRE
    rows = _by_outlet(section)
    farm_row, wire = rows[farm.FARM], rows[farm.WIRE]
    assert farm_row["derived_share"] >= 0.8
    assert set(farm_row["languages"]) >= {"en", "de"}  # translations and condensed copies
    assert 3 <= farm_row["median_lag_hours"] <= 10  # published 3-9 hours after the wire
    assert wire["derived"] == 0 and wire["reused"] >= 6
    assert {d["outlet"] for d in wire["reused_by"]} == {farm.FARM, farm.PARTNER}
    for outlet in farm.INDEPENDENT:
        assert rows[outlet]["derived"] == 0 and rows[outlet]["reused"] == 0
    # The partner syndicates some wire articles and reports the rest itself.
    assert 0 < rows[farm.PARTNER]["derived_share"] < farm_row["derived_share"]


def test_licensed_reuse_is_listed_apart() -> None:
    res = farmfeed.scan()
    lic = Licence(frozenset({farm.WIRE}), frozenset({farm.PARTNER}))
    rows = _by_outlet(sources(res.articles, res.scored, res.families, lic))
    partner, wire = rows[farm.PARTNER], rows[farm.WIRE]
    assert partner["derived"] == 0 and partner["reuses"] == []
    assert partner["licensed_from"] == [{"outlet": farm.WIRE, "articles": 2}]
    assert partner["licence_role"] == "partner" and wire["licence_role"] == "own"
    assert wire["licensed_to"] == [{"outlet": farm.PARTNER, "articles": 2}]
    assert [d["outlet"] for d in wire["reused_by"]] == [farm.FARM]  # not licensed


def test_scan_json_articles_carry_url_and_outlet() -> None:
    arts = farmfeed.scan().to_dict()["articles"]
    first = next(a for a in arts if a["id"] == "newswire-w00")
    assert first["url"].startswith("https://www.newswire-example.com/")
    assert first["outlet"] == farm.WIRE


def _small_feed(tmp_path: Path) -> Path:
    """Three wire articles and the farm's three versions of them, from the fixture."""
    keep = {f"{side}{i:02d}" for side in ("w", "f") for i in range(3)}
    lines = [x for x in farmfeed.FEED.read_text(encoding="utf-8").splitlines()
             if json.loads(x)["id"].split("-")[1] in keep]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sources_command_csv_json_and_licence(tmp_path: Path) -> None:
    feed = _small_feed(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["sources", str(feed), "-q", "-f", "csv"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["outlet"] for r in rows] == [farm.FARM, farm.WIRE]
    assert rows[0]["rank"] == "1" and rows[0]["reuses"] == f"{farm.WIRE}: 3"
    assert float(rows[0]["derived_share"]) == 1.0
    lic = tmp_path / "licence.toml"
    lic.write_text(f'own = ["{farm.WIRE}"]\npartners = ["{farm.FARM}"]\n')
    res = runner.invoke(app, ["sources", str(feed), "-q", "-f", "json", "--licensed", str(lic)])
    assert res.exit_code == 0, res.output
    top = json.loads(res.stdout)["outlets"][0]
    assert top["derived"] == 0 and top["licensed_from"][0]["articles"] == 3
    res = runner.invoke(app, ["sources", str(feed), "--licensed", str(tmp_path / "none.toml")])
    assert res.exit_code == 2 and "none.toml" in res.output
    res = runner.invoke(app, ["sources"])
    assert res.exit_code == 2


def test_sources_from_an_index(tmp_path: Path) -> None:
    """`sources --db` reads a stored index through its public API: same ranking."""
    feed = _small_feed(tmp_path)
    db = tmp_path / "nt.db"
    runner = CliRunner()
    res = runner.invoke(app, ["index", "add", str(feed), "--db", str(db)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["sources", "--db", str(db), "-f", "json"])
    assert res.exit_code == 0, res.output
    ranked = json.loads(res.stdout)["outlets"]
    assert [r["outlet"] for r in ranked] == [farm.FARM, farm.WIRE]
    assert ranked[0]["reuses"] == [{"outlet": farm.WIRE, "articles": 3, "in_collection": True}]
    table = runner.invoke(app, ["sources", "--db", str(db)], env={"COLUMNS": "160"})
    assert table.exit_code == 0 and farm.FARM in table.stdout


@pytest.mark.devdata
def test_farm_from_dev_data_ranks_first(shared_data: Path) -> None:
    feed = farm.from_dev_data(shared_data, n_wire=9, seed=3)
    res = farmfeed.pipeline().scan(feed.articles)
    ranked = res.to_dict()["sources"]["outlets"]
    assert ranked[0]["outlet"] == farm.FARM
    assert ranked[0]["reuses"][0]["outlet"] == farm.WIRE


def test_credited_outlet_outside_the_collection_is_named_as_outside() -> None:
    """Three articles of one site share text and credit the BBC, which is not here: the
    site derives all three from an outlet outside the collection."""
    arts = [Article(f"m{i}", "text", url=f"https://www.mirror-site.net/{i}",
                    attributed_source="BBC") for i in range(3)]
    al = Alignment(coverage_a=0.9, coverage_b=0.9)
    pairs = [PairResult("m0", f"m{i}", "translation", 0.9, 0.9, None, al, {}) for i in (1, 2)]
    fams = families(arts, pairs)
    assert [f.origin_status for f in fams] == ["outside"]
    row = sources(arts, pairs, fams)["outlets"][0]
    assert row["outlet"] == "mirror-site.net" and row["derived_share"] == 1.0
    assert row["reuses"] == [{"outlet": "BBC", "articles": 3, "in_collection": False}]
    assert row["median_lag_hours"] is None  # no dates
