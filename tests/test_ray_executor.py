"""The Ray executor gives what the local executor gives (issue 12).

One local Ray cluster per module (`ray.init(num_cpus=2)`, in a short temp folder: CI's
TMPDIR is too long for Ray's sockets), the real encoder and engine on both sides:
- the seeds, through the command line (`scan --executor ray --format json`);
- a dev-data sample: committed fixtures (FLORES and ECB+ articles, Clough & Stevenson
  rewrites, WMT multiway translations, partial copies, an edited duplicate), plus FLORES
  and ECB+ articles from ../shared/data when it is there, with workers killed (and a
  task raising) once in each stage: retried, each article once, the same result; the
  tables written to a folder (JSONL and Parquet) hold it too.
Equal means: every scored pair (unrelated ones included) with the same relation, scores
and features, the same families and stories, the same articles.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, SEEDS, article, short_tmpdir
from newstrace.cli.main import app
from newstrace.pipeline import Pipeline, ScanResult
from newstrace.text.article import Article, days_apart
from newstrace.text.readers import read_paths

HAVE_RAY = all(importlib.util.find_spec(m) for m in ("ray", "pyarrow"))
needs_ray = pytest.mark.skipif(
    not HAVE_RAY, reason="ray and pyarrow are not installed (pip install newstrace[ray])")


@pytest.fixture(scope="module")
def ray_cluster():
    if not HAVE_RAY:
        pytest.skip("ray and pyarrow are not installed (pip install newstrace[ray])")
    import ray

    from newstrace.executors.ray_executor import start_ray

    start_ray(num_cpus=2)
    yield ray
    ray.shutdown()


def seeds() -> list[Article]:
    return [a for a in read_paths([SEEDS]) if isinstance(a, Article)]


def canonical(res: ScanResult) -> dict:
    """Everything a scan says, scored pairs with their features included."""
    d = res.to_dict(with_sentences=True)
    d["scored"] = [p.to_dict(with_features=True) for p in res.scored]
    return d


def assert_same(local: ScanResult, remote: ScanResult) -> None:
    a, b = canonical(local), canonical(remote)
    assert [x["id"] for x in b["articles"]] == [x["id"] for x in a["articles"]]
    pa = {(p["a"], p["b"]): p for p in a["scored"]}
    pb = {(p["a"], p["b"]): p for p in b["scored"]}
    assert sorted(pb) == sorted(pa), "different candidate pairs"
    differ = [(k, pa[k], pb[k]) for k in pa if pa[k] != pb[k]]
    assert not differ, f"{len(differ)} pairs differ, first: {differ[0]}"
    assert b["families"] == a["families"]
    assert b["stories"] == a["stories"]
    assert b == a


def fixture_sample() -> list[Article]:
    """~40 committed articles: FLORES in five languages, ECB+ reports of one event and of a
    look-alike, Clough & Stevenson rewrites, WMT multiway translations, partial copies in
    English and Chinese, and an edited same-language duplicate (MinHash bands)."""
    rows = [json.loads(x) for x in
            (FIXTURES / "devsample.jsonl").read_text(encoding="utf-8").splitlines()]
    arts = [article(r) for r in rows]
    first = rows[0]
    arts.append(Article(id="dup-" + first["id"], lang=first.get("lang"),
                        text=first["text"].replace("today", "on Wednesday")))
    multi = json.loads((FIXTURES / "index_multiway.json").read_text(encoding="utf-8"))
    for story, langs in multi.items():
        if isinstance(langs, dict):
            for lang, lines in langs.items():
                arts.append(Article(id=f"{story}-{lang}", text="\n".join(lines), lang=lang))
    text = json.loads((FIXTURES / "partial_copies.json").read_text(encoding="utf-8"))

    def paste(host: list[str], passage: list[str], at: int) -> str:
        return "\n".join(host[:at] + passage + host[at:])

    arts += [
        Article(id="host_en", text=paste(text["host_en"], text["source_en"][9:12], 10),
                lang="en"),
        Article(id="source_en", text="\n".join(text["source_en"]), lang="en"),
        Article(id="host2_en", text=paste(text["host2_en"], text["region_en"][10:13], 7),
                lang="en"),
        Article(id="source_de", text="\n".join(text["region_de"]), lang="de"),
        Article(id="zh_host", text=paste(text["zh_host"], text["zh_source"][4:6], 7),
                lang="zh"),
        Article(id="zh_source", text="\n".join(text["zh_source"]), lang="zh"),
    ]
    return arts


def copies(arts: list[Article]) -> list[Article]:
    """Fresh, unanalysed articles for the second executor (scans fill articles in)."""
    return [Article(id=a.id, text=a.text, lang=a.lang, title=a.title, url=a.url,
                    source=a.source, published=a.published,
                    attributed_source=a.attributed_source)
            for a in arts]


# --- no Ray -----------------------------------------------------------------------------------


def test_without_ray_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from newstrace.executors import get_executor
    from newstrace.executors.ray_executor import RayUnavailable

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails
    with pytest.raises(RayUnavailable, match=r"pip install newstrace\[ray\]"):
        get_executor("ray")
    r = CliRunner().invoke(app, ["scan", str(SEEDS), "--executor", "ray"])
    assert r.exit_code == 2
    assert "pip install newstrace[ray]" in r.output


def test_temp_dir_stays_short(monkeypatch: pytest.MonkeyPatch) -> None:
    from newstrace.executors.ray_executor import ray_temp_dir

    monkeypatch.setenv("TMPDIR", "/tmp/" + "x" * 120)  # as under .ci/run
    monkeypatch.delenv("RAY_TMPDIR", raising=False)
    assert ray_temp_dir() == "/tmp/ray"
    monkeypatch.setenv("RAY_TMPDIR", "/tmp/" + "y" * 60)
    with pytest.raises(RuntimeError, match="too long"):
        ray_temp_dir()


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="pyarrow missing")
def test_parquet_input_reads_as_json(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [json.loads(x) for x in
            (FIXTURES / "devsample.jsonl").read_text(encoding="utf-8").splitlines()]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    (tmp_path / "in.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    got = [a for a in read_paths([tmp_path / "in.parquet"]) if isinstance(a, Article)]
    want = [a for a in read_paths([tmp_path / "in.jsonl"]) if isinstance(a, Article)]
    assert [(a.id, a.text, a.lang, a.attributed_source) for a in got] == \
           [(a.id, a.text, a.lang, a.attributed_source) for a in want]


@needs_ray
def test_workers_run_the_shipped_package_not_the_checkout(ray_cluster) -> None:
    """The cluster's workers import the newstrace package this process uploaded (Ray
    py_modules), not the source checkout on their path."""
    import newstrace

    @ray_cluster.remote
    def where() -> str:
        import newstrace as shipped

        return shipped.__file__

    here = Path(newstrace.__file__).resolve().parent
    there = Path(ray_cluster.get(where.remote())).resolve()
    assert not there.is_relative_to(here), there
    assert "runtime_resources" in there.parts, there


def test_a_wheel_that_is_not_a_wheel_is_refused(tmp_path: Path) -> None:
    if not HAVE_RAY:
        pytest.skip("ray and pyarrow are not installed (pip install newstrace[ray])")
    bogus = tmp_path / "newstrace.zip"
    bogus.write_bytes(b"PK")
    r = CliRunner().invoke(app, ["scan", str(SEEDS), "--executor", "ray", "--wheel",
                                 str(bogus), "--quiet"])
    assert r.exit_code == 2
    assert "not a wheel file" in r.output


# --- equality with the local executor ----------------------------------------------------------


@needs_ray
def test_seeds_same_through_the_command_line(ray_cluster, seed_scan: ScanResult) -> None:
    """The acceptance check: `scan examples/seeds --executor ray` prints what the local
    scan prints (here as JSON, compared with the session's local scan of the seeds)."""
    r = CliRunner().invoke(app, ["scan", str(SEEDS), "--executor", "ray", "--format", "json",
                                 "--quiet"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == seed_scan.to_dict()


def shared_sample() -> list[Article]:
    """FLORES (4 languages, detected) and ECB+ articles from ../shared/data, when present."""
    from conftest import SHARED_DATA
    from newstrace.evaluation import corpora

    if not SHARED_DATA.is_dir():
        return []
    arts: list[Article] = []
    for idx, doc in corpora.flores(SHARED_DATA, "all", max_docs=2):
        for lang in ("en", "fr", "fi", "zh"):
            a = doc.article(lang, idx)
            a.lang = None  # detected, as for real input
            arts.append(a)
    ecb, _ = corpora.ecbplus(SHARED_DATA, "all")
    return arts + ecb[:8]


@needs_ray
def test_dev_sample_same_as_local_with_killed_workers(ray_cluster, pipeline: Pipeline,
                                                      tmp_path: Path) -> None:
    """~30 committed articles (plus 16 FLORES / ECB+ ones from ../shared/data when it is
    there), in small batches and tasks (several blocks, relate tasks and shuffle
    partitions). A worker dies once in the per-article actor pool, once in a relate task
    and once in the grouping shuffle, and a relate task raises once: every failure is
    retried, each article comes out exactly once, and the result is the local one. The
    components are found by large-star/small-star rounds over the edge dataset (the
    driver's union-find limit set to 0), as beyond DRIVER_COMPONENT_MAX_EDGES, and the
    nearest neighbours per publication-time partition (`--search-window 7` over planted
    dates 10 days apart). The tables written to a folder (JSONL and Parquet) and the
    outlets' ranking (sources.json) say the same."""
    from newstrace.executors.files import read_table
    from newstrace.executors.ray_executor import RayExecutor
    from newstrace.matching.candidates import day_number, search_partitions

    arts = fixture_sample() + shared_sample()
    for k, a in enumerate(arts):  # three days 10 days apart: several search partitions
        a.published = f"2024-03-{1 + 10 * (k % 3):02d}"
        a.url = f"https://www.outlet{k % 4}-example.org/{k}"  # outlets for `sources`
    dated = Pipeline(encoder=pipeline.encoder, search_window_days=7)
    local = dated.scan(copies(arts))
    with short_tmpdir() as markers:
        faults = {"prepare": ("exit", str(markers)), "relate": ("exit,raise", str(markers)),
                  "group": ("exit", str(markers))}
        run = RayExecutor(Pipeline(search_window_days=7), workers=2, batch_size=8,
                          pairs_per_task=40, faults=faults,
                          driver_component_max_edges=0).run(copies(arts))
        fired = sorted(p.name for p in markers.iterdir())
    assert fired == ["group.0", "prepare.0", "relate.0", "relate.1"]
    res = run.result()
    ids = [a.id for a in res.articles]
    assert ids == [a.id for a in arts] and len(set(ids)) == len(ids)
    assert res.candidates == local.candidates == run.candidates  # pairs the search proposed
    assert run.stats["components_by"].startswith("large-star/small-star")
    # same-story pairs published further apart than the story window join no component
    by_id = {a.id: a for a in local.articles}
    related = [p for p in local.scored if p.via is None and p.relation != "unrelated"]
    far = [p for p in related if not p.is_reuse
           and (days_apart(by_id[p.a], by_id[p.b]) or 0) > dated.window_days]
    assert far and run.stats["edges"] == len(related) - len(far)
    days = [day_number(p) for p in dated.prepare_all(copies(arts))]
    assert run.stats["search_partitions"] == len(search_partitions(days, 7)) > 2
    assert_same(local, res)
    assert {p.relation for p in local.pairs} >= {"translation", "partial", "same_story"}
    assert local.families

    expected = local.to_dict()
    assert len(expected["sources"]["outlets"]) == 4
    for fmt in ("jsonl", "parquet"):
        out = tmp_path / fmt
        manifest = run.write(out, fmt)
        assert manifest["rows"]["articles"] == len(ids)
        got = sorted(read_table(out, "articles"), key=lambda r: r["id"])
        assert got == sorted(expected["articles"], key=lambda r: r["id"])
        pairs = sorted(read_table(out, "pairs"), key=lambda r: (r["a"], r["b"]))
        assert pairs == expected["pairs"]
        assert read_table(out, "families") == expected["families"]
        assert read_table(out, "stories") == expected["stories"]
        sources = json.loads((out / "sources.json").read_text(encoding="utf-8"))
        assert sources == expected["sources"]
        dedup = read_table(out, "dedup")
        assert sorted(r["id"] for r in dedup) == sorted(ids)
        for f in expected["families"]:
            assert sum(r["keep"] for r in dedup if r["id"] in f["articles"]) == 1


# --- loading an index --------------------------------------------------------------------------


@needs_ray
def test_index_loaded_through_ray_equals_the_local_index(ray_cluster, tmp_path: Path) -> None:
    """`index add --executor ray`: the cluster encodes, this process adds without encoding
    a sentence, and the index holds what a local `index add` of the same feed holds."""
    from newstrace.cli.index import index_app
    from newstrace.index import Index

    feed = tmp_path / "feed.jsonl"
    arts = seeds() + fixture_sample()
    feed.write_text("".join(json.dumps({"id": a.id, "text": a.text, "title": a.title},
                                       ensure_ascii=False) + "\n" for a in arts),
                    encoding="utf-8")
    reports = {}
    for name, extra in (("local", []), ("ray", ["--executor", "ray"])):
        r = CliRunner().invoke(index_app, ["add", str(feed), "--db", str(tmp_path / name),
                                           "--format", "json", "--quiet", *extra])
        assert r.exit_code == 0, r.output
        reports[name] = json.loads(r.stdout)
    assert reports["ray"]["encoded"] == 0 < reports["local"]["encoded"]
    assert reports["ray"]["added"] == reports["local"]["added"] == len(arts)
    assert reports["ray"]["sentences"] == reports["local"]["sentences"]
    assert reports["ray"]["index"] == reports["local"]["index"]
    with Index(tmp_path / "local", create=False) as one, \
            Index(tmp_path / "ray", create=False) as two:
        assert two.families() == one.families()
        assert two.stories() == one.stories()
        assert list(two.export_rows()) == list(one.export_rows())
        for a in arts:
            assert two.kin(a.id) == one.kin(a.id), a.id
    assert reports["local"]["index"]["families"] >= 2
