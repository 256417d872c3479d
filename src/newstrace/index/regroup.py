"""Incremental grouping in the index: after an add or a remove, only the families and
stories its pairs touch are regrouped, and reuse through a pivot is composed once, when
the last article of a triple arrives (as transitive.infer does in a scan)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from newstrace import grouping
from newstrace.index.neighbours import Neighbours, article_from_row
from newstrace.index.store import Store
from newstrace.matching import transitive
from newstrace.matching.alignment import Alignment
from newstrace.matching.relation import REUSE, PairResult, Params
from newstrace.pipeline import Pipeline
from newstrace.text.article import Article, days_apart


class Regroup:
    """Families, stories and pivot inference kept up to date in the store."""

    def __init__(self, store: Store, neighbours: Neighbours, pipeline: Pipeline,
                 params: Params, window_days: float | None):
        self.store = store
        self.neighbours = neighbours
        self.pipeline = pipeline
        self.params = params
        self.window_days = window_days

    # --- families and stories -----------------------------------------------------------

    def _in_window(self, a: Article, b: Article) -> bool:
        apart = days_apart(a, b)
        return self.window_days is None or apart is None or apart <= self.window_days

    def after_add(self, rowid: int, results: dict[int, PairResult]) -> None:
        reuse = {o for o, r in results.items() if r.is_reuse}
        touched_fams: set[int] = set()
        if reuse:
            touched_fams = {rowid} | reuse | self.store.members(
                "family", self.store.groups_of("family", reuse)
            )
            self.families(touched_fams)
        stubs = self._stubs(set(results) | {rowid})
        me = stubs[rowid]
        linked = {
            o for o, r in results.items()
            if r.is_reuse or (r.relation == "same_story" and self._in_window(me, stubs[o]))
        }
        if not linked:
            # Pairs below the threshold can never lift an average above it: alone.
            self.store.assign("story", self.store.new_group("stories"), [rowid])
            return
        members = {rowid} | linked | touched_fams
        members |= self.store.members("story", self.store.groups_of("story", members))
        self.stories(members)

    def _stubs(self, ids: Iterable[int]) -> dict[int, Article]:
        return {r["id"]: article_from_row(r) for r in self.store.article_rows(ids)}

    @staticmethod
    def _pair_stubs(rows: Iterable[sqlite3.Row], ext: dict[int, str]) -> list[PairResult]:
        """Pairs for regrouping; a `partial` pair carries its coverage, which decides
        whether it makes its two articles kin (grouping.family_edge)."""
        out = []
        for r in rows:
            al = Alignment()
            data = json.loads(r["data"]) if "data" in r.keys() and r["data"] else {}
            if r["relation"] == "partial" and data:
                al.coverage_a, al.coverage_b = data["coverage"]["a"], data["coverage"]["b"]
            link = r["story_link"] if "story_link" in r.keys() else data.get("story_link")
            # What set the direction (time, credit, containment): families' origin step
            # counts containment only, as in scan.
            why = r["direction_reason"] if "direction_reason" in r.keys() else None
            out.append(PairResult(ext[r["a"]], ext[r["b"]], r["relation"], r["reuse"],
                                  r["story"], r["direction"], al, {}, why, story_link=link))
        return out

    def families(self, members: set[int]) -> None:
        """Families among `members` = components of their reuse pairs (grouping.families),
        keeping the old family ids where members already had one."""
        stubs = self._stubs(members)
        ext = {i: a.id for i, a in stubs.items()}
        back = {a.id: i for i, a in stubs.items()}
        pairs = self._pair_stubs(self.store.pairs_among(members, reuse_only=True), ext)
        fams = grouping.families(list(stubs.values()), pairs, self.params.family_min_link)
        old = {r["id"]: r["family"] for r in self.store.article_rows(members)}
        used: set[int] = set()
        placed: set[int] = set()
        for f in sorted(fams, key=lambda f: -len(f.articles)):
            ids = [back[x] for x in f.articles]
            votes = Counter(old[i] for i in ids if old[i] is not None and old[i] not in used)
            fid = votes.most_common(1)[0][0] if votes else self.store.new_group("families")
            used.add(fid)
            placed.update(ids)
            self.store.assign("family", fid, ids)
            self.store.set_family_info(fid, f.origin, f.origin_confidence, f.origin_reason,
                                       f.attributed_source)
        self.store.assign("family", None, members - placed)
        self.store.drop_unused("families", "family", {v for v in old.values() if v})

    def stories(self, members: set[int]) -> None:
        """Average-linkage stories (grouping.stories) over `members` only, seeded with
        their families; pairs outside the time window count as different stories."""
        stubs = self._stubs(members)
        ext = {i: a.id for i, a in stubs.items()}
        pairs = self._pair_stubs(list(self.store.pairs_among(members)), ext)
        old = {r["id"]: (r["family"], r["story"]) for r in self.store.article_rows(members)}
        by_family: dict[int, list[str]] = {}
        for i, (fam, _) in old.items():
            if fam is not None:
                by_family.setdefault(fam, []).append(ext[i])
        fams = [
            grouping.Family(str(f), sorted(arts), None, 0.0, "", None)
            for f, arts in sorted(by_family.items())
        ]
        sts = grouping.stories(list(stubs.values()), pairs, fams, self.params.story_threshold,
                               self.window_days)
        back = {a.id: i for i, a in stubs.items()}
        used: set[int] = set()
        for s in sorted(sts, key=lambda s: -len(s.articles)):
            ids = [back[x] for x in s.articles]
            votes = Counter(old[i][1] for i in ids if old[i][1] is not None
                            and old[i][1] not in used)
            sid = votes.most_common(1)[0][0] if votes else self.store.new_group("stories")
            used.add(sid)
            self.store.assign("story", sid, ids)
        self.store.drop_unused("stories", "story", {v[1] for v in old.values() if v[1]})

    # --- reuse through a pivot (as transitive.infer does in a scan) ----------------------

    def infer_after_add(self, rowid: int, reuse: set[int]) -> None:
        """Every pivot triple x ~ y ~ z is composed once, when its last article arrives:
        the new article is either an end (x ~ y ~ new) or the pivot (y1 ~ new ~ y2)."""
        for y in sorted(reuse):
            for x in sorted(self.store.reuse_partners(y) - reuse - {rowid}):
                self.compose(x, y, rowid)
        ys = sorted(reuse)
        for i, y1 in enumerate(ys):
            for y2 in ys[i + 1 :]:
                self.compose(y1, rowid, y2)

    def compose(self, x: int, y: int, z: int) -> None:
        direct = self.store.direct_pair(x, z)
        if direct is not None and direct["relation"] in REUSE and direct["relation"] != "partial":
            return  # aligned directly: the direct verdict stands
        edges = (self.store.direct_pair(x, y), self.store.direct_pair(y, z))
        px, py, pz = (self.neighbours.prepared_for(i) for i in (x, y, z))
        if px is None or py is None or pz is None or any(
            e is None or not e["data"] for e in edges
        ):
            return
        ex, ey, ez = px.id, py.id, pz.id
        xy, yz = (pair_from_row(e) for e in edges if e is not None)
        if ex > ez:  # transitive.infer composes with the smaller id first
            ex, ez, xy, yz = ez, ex, yz, xy
        la, lz = px.article.lang, pz.article.lang
        res = transitive.compose(
            ex, ey, ez, xy, yz, {px.id: px.side.lengths, pz.id: pz.side.lengths},
            self.pipeline.params, (la == lz) if la and lz else None,
        )
        if res is None:
            return
        if direct is not None and direct["data"] and not transitive.replaces(
                pair_from_row(direct), res):
            return
        if direct is not None:
            res.story_score = max(res.story_score, float(direct["story"]))
            old = json.loads(direct["data"]).get("features", {}) if direct["data"] else {}
            res.features = {**old, "via": 1.0}
        self.store.put_inferred(x, z, y, res.relation, res.reuse_score,
                                json.dumps(res.to_dict(with_features=True), ensure_ascii=False))


def pair_from_row(row: sqlite3.Row) -> PairResult:
    """A stored pair (its data JSON) back as a PairResult, with the row's unrounded
    scores."""
    return replace(PairResult.from_dict(json.loads(row["data"])), relation=row["relation"],
                   reuse_score=float(row["reuse"]), story_score=float(row["story"]),
                   direction=row["direction"])


def effective(direct: Iterable[sqlite3.Row], inferred: Iterable[sqlite3.Row]) -> list[dict]:
    """Pair dicts: the inferred relation replaces a direct non-reuse verdict."""
    out = {(r["a"], r["b"]): r["data"] for r in direct if r["data"]}
    out.update({(r["a"], r["b"]): r["data"] for r in inferred})
    return [json.loads(d) for d in out.values()]
