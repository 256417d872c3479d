"""The Ray executor's stages as functions Ray runs on workers (the executor in
ray_executor.py wires them): the per-article actors, the candidate shuffles and the
nearest-neighbour partitions, the relate tasks, and grouping per component."""

from __future__ import annotations

import os
import pickle
import time
import zlib

import numpy as np

from newstrace.embedding.encoder import DIM, sentence_key
from newstrace.embedding.prepare import analyse, lead
from newstrace.executors.ray_cluster import _fault
from newstrace.grouping.families import derivations
from newstrace.grouping.stories import timelines
from newstrace.matching.candidates import (
    day_number,
    neighbour_pairs,
    window_keys,
)
from newstrace.pipeline import Pipeline, steps
from newstrace.text.article import days_apart

# --- stage 1: per article --------------------------------------------------------------------


class PrepareActor:
    """Ray Data actor: loads the encoder once, then prepares batches of articles."""

    def __init__(self, pipeline: Pipeline, faults=None):
        self.pipeline = pipeline
        self.faults = faults

    def __call__(self, batch):
        import pyarrow as pa

        _fault("prepare", self.faults)
        start = time.perf_counter()
        arts = [pickle.loads(b) for b in batch.column("article").to_pylist()]
        prepared = steps.prepare(self.pipeline, arts)
        rows = {"idx": batch.column("idx").to_pylist(), "id": [], "article": [],
                "prepared": [], "lengths": [], "bands": [], "anchors": [], "passages": [],
                "raw": [], "lead": [], "svecs": [], "swords": [], "day": []}
        for p in prepared:
            keys = steps.article_keys(p)
            rows["id"].append(p.id)
            rows["day"].append(day_number(p))
            rows["article"].append(pickle.dumps(p.article, protocol=5))
            rows["prepared"].append(pickle.dumps(p, protocol=5))
            rows["lengths"].append(np.asarray(p.side.lengths, np.float64).tobytes())
            rows["anchors"].append(keys["anchors"])
            for k in ("bands", "passages", "raw", "lead", "svecs", "swords"):
                rows[k].append(keys[k].tobytes())
        busy = (time.perf_counter() - start) / max(1, len(prepared))
        rows["busy"] = [busy] * len(prepared)  # seconds of work per article, for stats
        rows["pid"] = [os.getpid()] * len(prepared)
        return pa.table(rows, schema=PREPARED_SCHEMA())


class EncodeActor:
    """Ray Data actor for loading an index (`index add --executor ray`): analyse and
    encode only, returning each article with the raw vectors of its sentences and lead,
    keyed as the index's embedding cache keys them."""

    def __init__(self, pipeline: Pipeline, faults=None):
        self.pipeline = pipeline
        self.faults = faults

    def __call__(self, batch):
        import pyarrow as pa

        _fault("encode", self.faults)
        arts = [pickle.loads(b) for b in batch.column("article").to_pylist()]
        for a in arts:
            if not a.sentences:
                analyse(a)
        # the text stream Index.add encodes: every sentence, then every lead
        texts = [s for a in arts for s in a.sentences] + [lead(a) for a in arts]
        self.pipeline.encoder.store.clear()  # the worker keeps no vectors between batches
        vecs = self.pipeline.encoder.encode(texts)
        keys = b"".join(sentence_key(s) for s in texts)
        return pa.table({"idx": batch.column("idx"),
                         "article": [pickle.dumps(a, protocol=5) for a in arts],
                         "keys": [keys] + [b""] * (len(arts) - 1),
                         "vectors": [vecs.astype(np.float32).tobytes()]
                         + [b""] * (len(arts) - 1)})


def PREPARED_SCHEMA():  # noqa: N802 (a constant built on first use: pyarrow is optional)
    import pyarrow as pa

    b = pa.binary()
    return pa.schema([("idx", pa.int64()), ("id", pa.string()), ("article", b),
                      ("prepared", b), ("lengths", b), ("bands", b),
                      ("anchors", pa.list_(pa.string())), ("passages", b), ("raw", b),
                      ("lead", b), ("svecs", b), ("swords", b), ("day", pa.float64()),
                      ("busy", pa.float64()), ("pid", pa.int64())])


# --- stage 2: candidates ---------------------------------------------------------------------

_SIGNALS = {name: k for k, name in enumerate(steps.KEY_SIGNALS)}


def explode_keys(batch, parts: int):
    """One row per (key, article): part (the shuffle key), sig, ukey / skey, idx."""
    import pyarrow as pa

    idx = batch.column("idx").to_numpy()
    cols: dict[str, list[np.ndarray]] = {"part": [], "sig": [], "ukey": [], "skey": [],
                                         "idx": []}

    def add(sig: int, owners: np.ndarray, ukey: np.ndarray, skey: list[str] | None) -> None:
        if not len(owners):
            return
        if skey is None:
            part = (ukey % np.uint64(parts)).astype(np.int64)
            skey_arr = np.full(len(owners), "", object)
        else:
            part = np.array([zlib.crc32(s.encode("utf-8")) % parts for s in skey], np.int64)
            skey_arr = np.array(skey, object)
        cols["part"].append(part)
        cols["sig"].append(np.full(len(owners), sig, np.int8))
        cols["ukey"].append(ukey)
        cols["skey"].append(skey_arr)
        cols["idx"].append(owners)

    for name in ("bands", "passages"):
        arrays = [np.frombuffer(x, np.uint64) for x in batch.column(name).to_pylist()]
        sizes = [len(x) for x in arrays]
        if sum(sizes):
            add(_SIGNALS[name], np.repeat(idx, sizes), np.concatenate(arrays), None)
    anchors = batch.column("anchors").to_pylist()
    sizes = [len(x) for x in anchors]
    if sum(sizes):
        flat = [s for x in anchors for s in x]
        add(_SIGNALS["anchors"], np.repeat(idx, sizes), np.zeros(len(flat), np.uint64), flat)
    if not cols["part"]:
        return pa.table({"part": pa.array([], pa.int64()), "sig": pa.array([], pa.int8()),
                         "ukey": pa.array([], pa.uint64()), "skey": pa.array([], pa.string()),
                         "idx": pa.array([], pa.int64())})
    return pa.table({"part": np.concatenate(cols["part"]), "sig": np.concatenate(cols["sig"]),
                     "ukey": np.concatenate(cols["ukey"]),
                     "skey": pa.array(np.concatenate(cols["skey"]), pa.string()),
                     "idx": np.concatenate(cols["idx"])})


def partition_pairs(batch: dict, n: int) -> dict:
    """All rows of one key partition: pairs sharing keys, with a count per signal."""
    sig, idx = batch["sig"], batch["idx"].astype(np.int64)
    found: list[tuple[str, np.ndarray, np.ndarray]] = []
    for name, k in _SIGNALS.items():
        mask = sig == k
        if not mask.any():
            continue
        keys = (np.asarray(batch["skey"][mask], dtype=str) if name == "anchors"
                else batch["ukey"][mask].astype(np.uint64))
        codes, counts = steps.holder_pairs(keys, idx[mask], n, steps.KEY_RULES[name][1])
        found.append((name, codes, counts))
    codes = np.unique(np.concatenate([c for _, c, _ in found])) if found else np.zeros(0,
                                                                                        np.int64)
    out = {"a": codes // n, "b": codes % n}
    for name in _SIGNALS:
        col = np.zeros(len(codes), np.int64)
        for got, c, cnt in found:
            if got == name:
                col[np.searchsorted(codes, c)] = cnt
        out[name] = col
    return out


def keep_counted(batch: dict) -> dict:
    """Pairs whose summed counts reach a signal's minimum."""
    keep = np.zeros(len(batch["a"]), bool)
    for name, (least, _) in steps.KEY_RULES.items():
        keep |= batch[f"sum({name})"] >= least
    return {"a": batch["a"][keep], "b": batch["b"][keep]}


def _days(table) -> np.ndarray:
    return table.column("day").to_numpy()


def explode_windows(batch, window_days: float | None):
    """One row per (search partition, article): candidates.window_keys."""
    import pyarrow as pa

    days = batch.column("day").to_numpy()
    rows, keys = [], []
    for r, day in enumerate(days.tolist()):
        for key in window_keys(day, window_days):
            rows.append(r)
            keys.append(key)
    out = batch.take(pa.array(rows, pa.int64())).drop_columns(["day"])
    return out.append_column("window", pa.array(keys, pa.int64()))


def search_partition(batch):
    """The nearest-neighbour signals among the articles of one search partition."""
    import pyarrow as pa

    batch = batch.sort_by("idx")
    ids = batch.column("idx").to_numpy()
    vec = {c: [np.frombuffer(x, np.float32) for x in batch.column(c).to_pylist()]
           for c in ("raw", "lead", "svecs")}
    swords = [np.frombuffer(x, np.int64) for x in batch.column("swords").to_pylist()]
    rows = [(int(i), sv.reshape(-1, DIM), sw) for i, sv, sw in zip(ids, vec["svecs"], swords)]
    pairs = sorted(neighbour_pairs(ids, np.stack(vec["raw"]), np.stack(vec["lead"]), rows))
    arr = np.array(pairs, np.int64).reshape(-1, 2)
    return pa.table({"a": arr[:, 0], "b": arr[:, 1]})


SEARCH_COLUMNS = ["idx", "day", "raw", "lead", "svecs", "swords"]


def search_whole(*tables):
    """search_partition over every block at once: the scan's only partition (no search
    window), searched in one task without the groupby shuffle (a fixed ~10 s on 2 cores)."""
    import pyarrow as pa

    return search_partition(pa.concat_tables([t.select(SEARCH_COLUMNS) for t in tables]))


def block_index(table) -> np.ndarray:
    return table.column("idx").to_numpy()


# --- stage 3: pairs --------------------------------------------------------------------------


def relate_task(pipeline: Pipeline, pairs: np.ndarray, faults, *tables):
    """Relate pairs (rows of global article indices) whose articles are in `tables`.
    Returns the results as a table and the grouping edges among them."""
    import pyarrow as pa

    _fault("relate", faults)
    where: dict[int, tuple[int, int]] = {}
    for t, table in enumerate(tables):
        for row, i in enumerate(table.column("idx").to_numpy().tolist()):
            where[i] = (t, row)
    cache: dict[int, object] = {}

    def get(i: int):
        if i not in cache:
            t, row = where[i]
            cache[i] = pickle.loads(tables[t].column("prepared")[row].as_py())
        return cache[i]

    out = {"a": [], "b": [], "relation": [], "story": [], "result": []}
    edges = []
    for i, j in pairs.tolist():
        r = steps.relate(pipeline, get(i), get(j))
        out["a"].append(i)
        out["b"].append(j)
        out["relation"].append(r.relation)
        out["story"].append(r.story_score)
        out["result"].append(pickle.dumps(r, protocol=5))
        if steps.grouping_edge(r, days_apart(get(i).article, get(j).article),
                               pipeline.window_days):
            edges.append((i, j))
    table = pa.table(out, schema=pa.schema([("a", pa.int64()), ("b", pa.int64()),
                                            ("relation", pa.string()),
                                            ("story", pa.float64()),
                                            ("result", pa.binary())]))
    return table, np.array(edges, np.int64).reshape(-1, 2)


def plan_tasks(cands: np.ndarray, block_of: np.ndarray, pairs_per_task: int,
               blocks_per_task: int) -> list[tuple[np.ndarray, list[int]]]:
    """Cut the candidate pairs into tasks: sorted by (block of a, block of b), each task at
    most pairs_per_task pairs over at most blocks_per_task blocks."""
    if not len(cands):
        return []
    ba, bb = block_of[cands[:, 0]], block_of[cands[:, 1]]
    order = np.lexsort((cands[:, 1], cands[:, 0], bb, ba))
    tasks: list[tuple[np.ndarray, list[int]]] = []
    rows: list[int] = []
    blocks: set[int] = set()
    for k in order.tolist():
        need = {int(ba[k]), int(bb[k])}
        if rows and (len(rows) >= pairs_per_task or len(blocks | need) > blocks_per_task):
            tasks.append((cands[rows], sorted(blocks)))
            rows, blocks = [], set()
        rows.append(k)
        blocks |= need
    tasks.append((cands[rows], sorted(blocks)))
    return tasks


# --- stage 4: grouping -----------------------------------------------------------------------

_LABELS: dict[bytes, np.ndarray] = {}


def edge_table(edges: np.ndarray):
    """A relate task's grouping edges as an Arrow table (columns a, b)."""
    import pyarrow as pa

    edges = np.asarray(edges, np.int64).reshape(-1, 2)
    return pa.table({"a": edges[:, 0], "b": edges[:, 1]})


def _labels(ref) -> np.ndarray:
    """The component labels, fetched once per worker process."""
    import ray

    key = ref.binary()
    if key not in _LABELS:
        _LABELS.clear()
        _LABELS[key] = ray.get(ref)
    return _LABELS[key]


GROUP_COLUMNS = ("part", "kind", "a", "b", "blob", "extra")
PAIR, ARTICLE, FAMILY, STORY, ROLES = 0, 1, 2, 3, 4


def _group_schema():
    import pyarrow as pa

    return pa.schema([("part", pa.int64()), ("kind", pa.int8()), ("a", pa.int64()),
                      ("b", pa.int64()), ("blob", pa.binary()), ("extra", pa.binary())])


def tag_pairs(batch, labels_ref, parts: int):
    """Relate results with the partition of their component (-1: across components or
    outside every component, so grouping never sees them)."""
    import pyarrow as pa

    labels = _labels(labels_ref)
    a, b = batch.column("a").to_numpy(), batch.column("b").to_numpy()
    la, lb = labels[a], labels[b]
    part = np.where((la == lb) & (la >= 0), la % parts, -1)
    n = len(a)
    return pa.table({"part": part, "kind": np.full(n, PAIR, np.int8), "a": a, "b": b,
                     "blob": batch.column("result"),
                     "extra": pa.array([b""] * n, pa.binary())}, schema=_group_schema())


def tag_articles(batch, labels_ref, parts: int):
    import pyarrow as pa

    labels = _labels(labels_ref)
    idx = batch.column("idx").to_numpy()
    lab = labels[idx]
    n = len(idx)
    return pa.table({"part": np.where(lab >= 0, lab % parts, -1),
                     "kind": np.full(n, ARTICLE, np.int8), "a": idx,
                     "b": np.full(n, -1, np.int64), "blob": batch.column("article"),
                     "extra": batch.column("lengths")}, schema=_group_schema())


def group_partition(batch: dict, pipeline: Pipeline, labels_ref, faults=None) -> dict:
    """Every component of one partition: pivots, families, stories (steps.group_component),
    and what the output's provenance reads of them: each article's derivation and each
    story's timeline (both pure functions of the component's articles, pairs and
    families). Output rows: kind (PAIR, FAMILY, STORY: (story, timeline), ROLES: the
    component's derivations) and the pickled record."""
    _fault("group", faults)
    labels = _labels(labels_ref)
    kind, a, b = batch["kind"], batch["a"].astype(np.int64), batch["b"].astype(np.int64)
    comps: dict[int, tuple[list, list]] = {}
    for k in range(len(kind)):
        comp = int(labels[a[k]])
        arts, prs = comps.setdefault(comp, ([], []))
        if kind[k] == ARTICLE:
            arts.append((int(a[k]), batch["blob"][k], batch["extra"][k]))
        else:
            prs.append((int(a[k]), int(b[k]), batch["blob"][k]))
    out_kind: list[int] = []
    out_blob: list[bytes] = []
    for comp in sorted(comps):
        arts, prs = comps[comp]
        arts.sort(key=lambda x: x[0])  # scan order
        prs.sort(key=lambda x: (x[0], x[1]))  # candidate order
        articles = [pickle.loads(blob) for _, blob, _ in arts]
        lengths = {art.id: np.frombuffer(extra, np.float64)
                   for art, (_, _, extra) in zip(articles, arts)}
        pairs = [pickle.loads(blob) for _, _, blob in prs]
        pairs, fams, sts = steps.group_component(pipeline, articles, lengths, pairs)
        roles = derivations(articles, pairs, fams)
        local_family = {m: f.id for f in fams for m in f.articles}  # renumbered later
        told = list(zip(sts, timelines(sts, articles, pairs, roles, local_family)))
        for kind_out, records in ((PAIR, pairs), (FAMILY, fams), (STORY, told),
                                  (ROLES, [roles])):
            out_kind.extend([kind_out] * len(records))
            out_blob.extend(pickle.dumps(r, protocol=5) for r in records)
    import pyarrow as pa

    return pa.table({"kind": pa.array(out_kind, pa.int8()),
                     "blob": pa.array(out_blob, pa.binary())})
