"""The Ray executor: the steps of a scan (steps.py) on a Ray cluster.

Stages, and what each one gathers on the driver (everything else stays in the object
store, in blocks of `batch_size` articles):

1. Per article (Ray Data, `map_batches` over an actor pool of `workers` actors, one CPU
   each): analyse -> encode -> prepare, and the keys candidates need. Each actor loads
   the encoder once and keeps its sentence cache across batches. Output: one Arrow
   block per batch (prepared article pickled, keys, vectors).
2. Candidates:
   - keys (MinHash LSH band keys, rare anchors, passage 5-grams): exploded to one row
     per (key, article), grouped by a hash of the key (`groupby(part).map_groups`, a
     shuffle), pairs sharing keys counted per partition (steps.holder_pairs), then the
     counts of each pair summed across partitions (`groupby([a, b]).aggregate`, a second
     shuffle) and held to each signal's minimum;
   - nearest neighbours (document vectors, leads, distinctive sentences): exact search
     per publication-time partition (candidates.search_partitions: with
     `--search-window DAYS`, partition w holds the articles of time buckets w and w+1;
     without, one partition), each partition searched in one worker
     (`groupby(window).map_groups`; a lone partition in one task over the blocks, with
     no shuffle), as the local executor searches the same partitions.
     Gathered: one publication day per article (8 bytes) to size the partitions; a
     partition may hold up to SEARCH_PARTITION_MAX_ARTICLES.
   The candidate list (16 bytes a pair) is gathered to plan the next stage.
3. Pairs: sorted by (block of a, block of b) and cut into tasks of at most
   `pairs_per_task` pairs touching at most `blocks_per_task` blocks; each task receives
   those blocks (zero-copy on one node) and relates its pairs. Tasks retry when their
   worker dies or raises (max_retries). Gathered: the grouping edges (16 bytes each).
4. Grouping: connected components of the edges (steps.grouping_edge: reuse pairs, and
   same-story pairs within the story window): by union-find on
   the driver (scipy) when the candidate count, which bounds the edges, is at most
   `driver_component_max_edges` (DRIVER_COMPONENT_MAX_EDGES); beyond it the edges stay
   in the object store and large-star/small-star rounds find the components
   (components.py), gathering one label per article.
   Pairs and articles of components are shuffled by component (`groupby(part)`), and
   each component runs pivot inference, families and stories (steps.group_component).
   Gathered: the families and stories (ids only), renumbered as the local run numbers
   them (steps.renumber).

`scan` gathers everything into a ScanResult (what the local executor returns);
`RayRun.write` writes the tables from the workers instead (files.py).
"""

from __future__ import annotations

import logging
import math
import pickle
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from newstrace.embedding.encoder import DIM
from newstrace.executors import files
from newstrace.executors.base import Executor
from newstrace.executors.components import ray_components
from newstrace.executors.ray_cluster import (  # noqa: F401 (RayUnavailable, ray_temp_dir: API)
    RayUnavailable,
    _quiet_ray_data,
    _worker_pipeline,
    import_ray,
    package_runtime_env,
    ray_temp_dir,
    start_ray,
)
from newstrace.executors.ray_stages import (
    FAMILY,
    PAIR,
    SEARCH_COLUMNS,
    STORY,
    EncodeActor,
    PrepareActor,
    _days,
    block_index,
    edge_table,
    explode_keys,
    explode_windows,
    group_partition,
    keep_counted,
    partition_pairs,
    plan_tasks,
    relate_task,
    search_partition,
    search_whole,
    tag_articles,
    tag_pairs,
)
from newstrace.grouping.families import Derivation
from newstrace.grouping.outlets import Licence, sources
from newstrace.grouping.stories import timelines
from newstrace.matching.candidates import (
    search_partitions,
)
from newstrace.pipeline import Pipeline, Progress, ScanResult, _quiet, steps
from newstrace.pipeline.scan import _unique, article_dict
from newstrace.text.article import Article, ReadProblem

# One search partition (the whole scan without --search-window): ~11 min on 2 cores
# (docs/SCALE.md)
SEARCH_PARTITION_MAX_ARTICLES = 50_000
DRIVER_COMPONENT_MAX_EDGES = 50_000_000

log = logging.getLogger(__name__)


# --- the executor ----------------------------------------------------------------------------


@dataclass
class RayRun:
    """A finished Ray scan: results in the object store, families and stories here."""

    n_articles: int
    prepared: list  # block refs of stage 1 (pyarrow tables)
    pairs: object  # a Ray Dataset with one `blob` column: pickled PairResults
    families: list
    stories: list
    candidates: int
    problems: list[ReadProblem] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)  # sizes of what each stage moved, work
    # provenance from the components: derivations of their articles (the others are
    # independent), timelines of their stories keyed by members, family ids not yet final
    roles: dict = field(default_factory=dict)
    timelines: dict = field(default_factory=dict)

    def articles(self) -> list[Article]:
        import ray

        select = ray.remote(_article_columns)
        tables = ray.get([select.remote(t) for t in self.prepared])
        found = sorted((i, blob) for t in tables
                       for i, blob in zip(t.column("idx").to_pylist(),
                                          t.column("article").to_pylist()))
        return [pickle.loads(blob) for _, blob in found]

    def result(self) -> ScanResult:
        """Everything gathered here, as Pipeline.scan returns it."""
        pairs = [pickle.loads(b) for batch in self.pairs.iter_batches(batch_format="numpy")
                 for b in batch["blob"]]
        pairs.sort(key=lambda p: (p.a, p.b))
        return ScanResult(self.articles(), pairs, self.families, self.stories,
                          list(self.problems), compared=self.candidates)

    def light_articles(self) -> list[Article]:
        """Every article without its text, in scan order: what stories and outlets read
        (id, title, language, url, source, published). Gathered here: ~150 bytes each."""
        import ray

        light = ray.remote(_light_articles)
        found = sorted(x for t in ray.get([light.remote(t) for t in self.prepared]) for x in t)
        return [a for _, a in found]

    def provenance(self, licence: Licence | None = None) -> tuple[list[dict], dict]:
        """The stories as the output lists them (with title, dates and timeline) and the
        `sources` section, from the components' derivations and timelines: the same as
        ScanResult.to_dict computes from everything gathered."""
        arts = self.light_articles()
        family_of = {m: f.id for f in self.families for m in f.articles}
        roles = {a.id: self.roles.get(a.id) or Derivation("independent") for a in arts}
        # stories outside every component: single articles without pairs or family
        alone = [s for s in self.stories if tuple(s.articles) not in self.timelines]
        told = dict(zip((tuple(s.articles) for s in alone),
                        timelines(alone, arts, [], roles, family_of)))
        rows = []
        for s in self.stories:
            line = self.timelines.get(tuple(s.articles)) or told[tuple(s.articles)]
            for r in line["timeline"]:
                r["family"] = family_of.get(r["id"])  # the final family ids
            rows.append(s.to_dict() | line)
        return rows, sources(arts, [], self.families, licence, roles=roles)

    def write(self, out: Path, fmt: str = "jsonl", with_sentences: bool = False,
              licence: Licence | None = None) -> dict:
        """Write the tables (files.py) into folder `out`: articles and pairs by the
        workers that hold them, families, stories, dedup and problems from here, and the
        `sources` section as sources.json."""
        import json

        import ray

        out = Path(out)
        files.prepare_folder(out)
        counts = {}
        write = ray.remote(_write_articles)
        counts["articles"] = sum(ray.get([
            write.options(max_retries=3).remote(t, str(out), k, fmt, with_sentences)
            for k, t in enumerate(self.prepared)]))
        sink = ray.remote(_write_pairs)
        refs = self.pairs.to_arrow_refs()
        counts["pairs"] = sum(ray.get([sink.options(max_retries=3).remote(t, str(out), k, fmt)
                                       for k, t in enumerate(refs)]))
        counts["families"] = files.write_part(out, "families", 0,
                                              (f.to_dict() for f in self.families), fmt)
        stories, outlets = self.provenance(licence)
        counts["stories"] = files.write_part(out, "stories", 0, stories, fmt)
        (out / "sources.json").write_text(json.dumps(outlets, ensure_ascii=False, indent=2)
                                          + "\n", encoding="utf-8")
        counts["sources"] = len(outlets["outlets"]) + len(outlets["unranked"])
        published = {}
        for t in ray.get([ray.remote(_published).remote(t) for t in self.prepared]):
            published.update(t)
        counts["dedup"] = files.write_part(
            out, "dedup", 0, files.dedup_rows(self.families, self.stories, published), fmt)
        counts["problems"] = files.write_part(
            out, "problems", 0, (files.problem_row(p) for p in self.problems), fmt)
        manifest = {"format": fmt, "executor": "ray", "rows": counts,
                    "candidate_pairs": self.candidates, "seconds": self.seconds,
                    "tables": {t: f"{t}/part-*.{fmt}" for t in files.TABLES}
                    | {"sources": "sources.json"}}
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                           encoding="utf-8")
        return manifest


def _light_articles(table) -> list[tuple[int, Article]]:
    out = []
    for i, blob in zip(table.column("idx").to_pylist(), table.column("article").to_pylist()):
        a = pickle.loads(blob)
        out.append((i, Article(id=a.id, text="", title=a.title, lang=a.lang, url=a.url,
                               source=a.source, published=a.published)))
    return out


def _nbytes(table) -> int:
    return table.nbytes


def _busy(table) -> tuple[list[int], list[float]]:
    return table.column("pid").to_pylist(), table.column("busy").to_pylist()


def _article_columns(table):
    return table.select(["idx", "article"])


def _write_articles(table, out: str, part: int, fmt: str, with_sentences: bool) -> int:
    arts = [pickle.loads(b) for b in table.column("article").to_pylist()]
    return files.write_part(Path(out), "articles", part,
                            (article_dict(a, with_sentences) for a in arts), fmt,
                            with_sentences)


def _write_pairs(table, out: str, part: int, fmt: str) -> int:
    rows = (p.to_dict() for p in (pickle.loads(b) for b in table.column("blob").to_pylist())
            if p.relation != "unrelated")
    return files.write_part(Path(out), "pairs", part, rows, fmt)


def _published(table) -> dict[str, str | None]:
    arts = (pickle.loads(b) for b in table.column("article").to_pylist())
    return {a.id: a.published for a in arts}


class RayExecutor(Executor):
    """The scan on Ray. `address`: "auto" or HOST:PORT of a running cluster (None: start
    one here with `workers` CPUs). `workers`: actors of the per-article stage, one CPU and
    one encoder each (default: the cluster's CPUs). `batch_size`: articles per batch and
    per block."""

    name = "ray"

    def __init__(self, pipeline: Pipeline | None = None, *, address: str | None = None,
                 workers: int | None = None, batch_size: int = 32, pairs_per_task: int = 256,
                 blocks_per_task: int = 8, partitions: int | None = None,
                 faults: dict[str, tuple[str, str]] | None = None,
                 driver_component_max_edges: int = DRIVER_COMPONENT_MAX_EDGES,
                 wheel: str | Path | None = None):
        super().__init__(pipeline)
        import_ray()
        self.address = address
        self.workers = workers
        self.batch_size = batch_size
        self.pairs_per_task = pairs_per_task
        self.blocks_per_task = blocks_per_task
        self.partitions = partitions
        self.faults = faults
        self.driver_component_max_edges = driver_component_max_edges
        if wheel is not None:
            package_runtime_env(wheel)  # a clear error now, not from inside the cluster
        self.wheel = wheel

    def scan(self, articles: Sequence[Article], progress: Progress = _quiet) -> ScanResult:
        return self.run(articles, progress).result()

    def encode_stream(self, articles: Sequence[Article], progress: Progress = _quiet
                      ) -> Iterator[tuple[list[Article], dict[bytes, np.ndarray]]]:
        """The per-article stage alone, for loading an index: batches of analysed articles,
        in input order, each with the raw vectors of its sentences and leads. Gathered on
        the driver: one batch at a time (Ray encodes ahead while the caller adds it)."""
        ray = start_ray(self.address, self.workers, self.wheel)
        _quiet_ray_data()
        import pyarrow as pa
        import ray.data as rd

        arts = _unique(articles)
        n = len(arts)
        if not n:
            return
        workers = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        ctx = rd.DataContext.get_current()
        kept = ctx.execution_options.preserve_order
        ctx.execution_options.preserve_order = True  # the index adds in input order
        try:
            table = pa.table({"idx": np.arange(n, dtype=np.int64),
                              "article": pa.array([pickle.dumps(a, protocol=5) for a in arts],
                                                  pa.binary())})
            size = max(1, min(self.batch_size, math.ceil(n / workers)))
            ds = rd.from_arrow([table.slice(k, size) for k in range(0, n, size)])
            pool = rd.ActorPoolStrategy(size=min(workers, math.ceil(n / size)))
            ds = ds.map_batches(EncodeActor, batch_size=size, batch_format="pyarrow",
                                compute=pool,
                                num_cpus=1,
                                fn_constructor_args=(_worker_pipeline(self.pipeline), self.faults))
            done = 0
            progress("encode", 0, n)
            for block in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
                got = [pickle.loads(b) for b in block.column("article").to_pylist()]
                keys = b"".join(block.column("keys").to_pylist())
                vecs = np.frombuffer(b"".join(block.column("vectors").to_pylist()), np.float32)
                vecs = vecs.reshape(-1, DIM)
                width = len(keys) // max(1, len(vecs))  # sentence_key's digest size
                vectors = {keys[k * width:(k + 1) * width]: vecs[k] for k in range(len(vecs))}
                done += len(got)
                progress("encode", done, n)
                yield got, vectors
        finally:  # a later scan in this process shuffles as before
            ctx.execution_options.preserve_order = kept

    def run(self, articles: Sequence[Article], progress: Progress = _quiet) -> RayRun:
        ray = start_ray(self.address, self.workers, self.wheel)
        _quiet_ray_data()
        import pyarrow as pa
        import ray.data as rd
        from ray.data.aggregate import Sum
        from ray.data.expressions import col

        seconds: dict[str, float] = {}
        stats: dict = {}
        clock = [time.perf_counter()]

        def lap(name: str) -> None:
            now = time.perf_counter()
            seconds[name] = round(now - clock[0], 2)
            clock[0] = now

        arts = _unique(articles)
        n = len(arts)
        workers = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        parts = self.partitions or max(2, 2 * workers)
        pipeline = _worker_pipeline(self.pipeline)
        pipeline_ref = ray.put(pipeline)

        # 1. per article
        progress("encode", 0, n)
        table = pa.table({"idx": np.arange(n, dtype=np.int64),
                          "article": pa.array([pickle.dumps(a, protocol=5) for a in arts],
                                              pa.binary())})
        # At most batch_size articles a batch, and a multiple of `workers` batches, each
        # taking every blocks-th article (input order often groups long and short texts:
        # strided batches cost about the same, so no worker waits on a slow last one).
        blocks = workers * max(1, math.ceil(n / (workers * self.batch_size)))
        blocks = max(1, min(blocks, n))
        size = math.ceil(n / blocks)
        ds = rd.from_arrow([table.take(np.arange(k, n, blocks)) for k in range(blocks)])
        ds = ds.map_batches(PrepareActor, batch_size=size, batch_format="pyarrow",
                            compute=rd.ActorPoolStrategy(size=min(workers, blocks)),
                            num_cpus=1, fn_constructor_args=(pipeline, self.faults))
        prepared = ds.to_arrow_refs()
        block_idx = ray.get([ray.remote(block_index).remote(r) for r in prepared])
        block_of = np.full(n, -1, np.int64)
        for k, ids in enumerate(block_idx):
            block_of[ids] = k
        found = np.sort(np.concatenate(block_idx)) if block_idx else np.zeros(0, np.int64)
        if not np.array_equal(found, np.arange(n)):
            raise RuntimeError("the per-article stage lost or duplicated articles")
        progress("encode", n, n)
        stats["prepared_bytes"] = int(sum(ray.get([ray.remote(_nbytes).remote(r)
                                                   for r in prepared])))
        busy: dict[int, float] = {}
        for pids, secs in ray.get([ray.remote(_busy).remote(r) for r in prepared]):
            for pid, sec in zip(pids, secs):
                busy[pid] = busy.get(pid, 0.0) + sec
        stats["prepare_busy_s"] = round(sum(busy.values()), 1)
        stats["prepare_busy_by_worker_s"] = sorted(round(v, 1) for v in busy.values())
        stats["blocks"] = len(prepared)
        lap("prepare")

        # 2. candidates
        cands = self._candidates(ray, rd, Sum, prepared, n, parts, stats, lap)
        stats["candidate_pairs"] = len(cands)
        lap("search")

        # 3. pairs
        tasks = plan_tasks(cands, block_of, self.pairs_per_task, self.blocks_per_task)
        relate = ray.remote(relate_task).options(num_cpus=1, num_returns=2, max_retries=3,
                                                 retry_exceptions=True)
        results, edge_refs, sizes = [], [], {}
        for pairs, need in tasks:
            table_ref, edges_ref = relate.remote(pipeline_ref, pairs, self.faults,
                                                 *[prepared[k] for k in need])
            results.append(table_ref)
            edge_refs.append(edges_ref)
            sizes[edges_ref] = len(pairs)
        # Edges reach the driver only when they may fit its union-find: the candidate
        # count bounds the edge count.
        on_driver = len(cands) <= self.driver_component_max_edges
        edges_parts, done, pending = [], 0, list(edge_refs)
        progress("compare", 0, len(cands))
        while pending:
            ready, pending = ray.wait(pending, num_returns=1, fetch_local=on_driver)
            for r in ready:
                if on_driver:
                    edges_parts.append(ray.get(r))
                done += sizes[r]
            progress("compare", done, len(cands))
        stats["relate_tasks"] = len(tasks)
        lap("relate")

        # 4. grouping, per connected component
        if on_driver:
            edges = (np.concatenate(edges_parts) if edges_parts
                     else np.zeros((0, 2), np.int64))
            labels = steps.components(n, edges[:, 0], edges[:, 1])
            stats["edges"] = len(edges)
            stats["components_by"] = "driver union-find"
        else:
            to_table = ray.remote(edge_table)
            edge_ds = rd.from_arrow_refs([to_table.remote(r) for r in edge_refs])
            stats["edges"] = edge_ds.count()
            labels, rounds = (ray_components(edge_ds, n, parts) if stats["edges"]
                              else (np.full(n, -1, np.int64), 0))
            stats["components_by"] = f"large-star/small-star, {rounds} rounds"
        has_edges = stats["edges"] > 0
        grouped_labels = labels[labels >= 0]
        stats["components"] = int(len(np.unique(grouped_labels)))
        stats["largest_component"] = int(np.bincount(grouped_labels).max()
                                         if len(grouped_labels) else 0)
        labels_ref = ray.put(labels)
        pair_rows = (rd.from_arrow_refs(results) if results else None)
        fams, sts, roles, timelines = [], [], {}, {}
        if pair_rows is not None:
            tagged = pair_rows.map_batches(tag_pairs, batch_format="pyarrow",
                                           fn_kwargs={"labels_ref": labels_ref,
                                                      "parts": parts})
            outside = tagged.filter(expr=col("part") < 0).select_columns(["blob"])
        if has_edges:
            article_rows = (rd.from_arrow_refs(prepared)
                            .select_columns(["idx", "article", "lengths"])
                            .map_batches(tag_articles, batch_format="pyarrow",
                                         fn_kwargs={"labels_ref": labels_ref,
                                                    "parts": parts})
                            .filter(expr=col("part") >= 0))
            inside = tagged.filter(expr=col("part") >= 0).union(article_rows)
            grouped = (inside.groupby("part", num_partitions=parts)
                       .map_groups(group_partition, batch_format="numpy",
                                   fn_kwargs={"pipeline": pipeline,
                                              "labels_ref": labels_ref,
                                              "faults": self.faults})
                       .materialize())
            for batch in grouped.filter(expr=col("kind") != PAIR).iter_batches(
                    batch_format="numpy"):
                for kind, blob in zip(batch["kind"], batch["blob"]):
                    record = pickle.loads(blob)
                    if kind == FAMILY:
                        fams.append(record)
                    elif kind == STORY:
                        sts.append(record[0])
                        timelines[tuple(record[0].articles)] = record[1]
                    else:
                        roles.update(record)
            pair_out = outside.union(grouped.filter(expr=col("kind") == PAIR)
                                     .select_columns(["blob"]))
        elif pair_rows is not None:
            pair_out = outside
        else:
            pair_out = rd.from_arrow(pa.table({"blob": pa.array([], pa.binary())}))
        ids = np.array([a.id for a in arts], dtype=object)
        fams, sts = steps.renumber(fams, sts, ids[labels < 0].tolist())
        lap("group")
        return RayRun(n, prepared, pair_out.materialize(), fams, sts, len(cands),
                      seconds=seconds, stats=stats, roles=roles, timelines=timelines)

    def _candidates(self, ray, rd, Sum, prepared: list, n: int, parts: int,  # noqa: N803
                    stats: dict, lap) -> np.ndarray:
        if n < 2:
            return np.zeros((0, 2), np.int64)
        # keys: two shuffles
        keyed = (rd.from_arrow_refs(prepared)
                 .select_columns(["idx", "bands", "anchors", "passages"])
                 .map_batches(explode_keys, batch_format="pyarrow",
                              fn_kwargs={"parts": parts})).materialize()
        shared = (keyed.groupby("part", num_partitions=parts)
                  .map_groups(partition_pairs, batch_format="numpy", fn_kwargs={"n": n})
                  ).materialize()
        stats["key_rows"], stats["key_bytes"] = keyed.count(), keyed.size_bytes()
        stats["partial_pair_rows"] = shared.count()
        stats["partial_pair_bytes"] = shared.size_bytes()
        counted = (shared.groupby(["a", "b"], num_partitions=parts)
                   .aggregate(*(Sum(s) for s in steps.KEY_SIGNALS))
                   .map_batches(keep_counted, batch_format="numpy"))
        found: set[tuple[int, int]] = set()
        for batch in counted.iter_batches(batch_format="numpy"):
            found.update(zip(batch["a"].tolist(), batch["b"].tolist()))
        stats["key_pairs"] = len(found)
        lap("keys")
        # nearest neighbours: one search per publication-time partition, each in a worker
        window = self.pipeline.search_window_days
        days = np.concatenate([ray.get(ray.remote(_days).remote(r)) for r in prepared])
        sizes = [len(ids) for ids in search_partitions(days.tolist(), window).values()]
        stats["search_partitions"], stats["largest_search_partition"] = len(sizes), max(sizes)
        if max(sizes) > SEARCH_PARTITION_MAX_ARTICLES:
            raise RuntimeError(
                f"{max(sizes):,} articles in one nearest-neighbour search partition: over "
                f"the limit of {SEARCH_PARTITION_MAX_ARTICLES:,} (docs/SCALE.md); "
                "partition the search by publication time with --search-window DAYS")
        if len(sizes) == 1:  # one partition: one task over the blocks, no shuffle
            whole = ray.get(ray.remote(search_whole).remote(*prepared))
            found.update(zip(whole.column("a").to_pylist(), whole.column("b").to_pylist()))
        else:
            searched = (rd.from_arrow_refs(prepared)
                        .select_columns(SEARCH_COLUMNS)
                        .map_batches(explode_windows, batch_format="pyarrow",
                                     fn_kwargs={"window_days": window})
                        .groupby("window", num_partitions=parts)
                        .map_groups(search_partition, batch_format="pyarrow"))
            for batch in searched.iter_batches(batch_format="numpy"):
                found.update(zip(batch["a"].tolist(), batch["b"].tolist()))
        return np.array(sorted(found), np.int64).reshape(-1, 2)
