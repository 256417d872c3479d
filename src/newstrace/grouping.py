"""Families (shared text) and stories (same event) from pair relations, and origins.

Families are built from the reuse graph: a rewrite of a translation is kin of the original
even when the two were never aligned directly. Edges are taken strongest first; an article
joins a family on one edge, but two families of several members merge only when enough of
the pairs between them are reuse (`min_link`): one look-alike pair between two translation
families must not merge them, while a source with many partial copies still grows one
family, spoke by spoke. Stories are built by average
linkage over story scores, starting from families, so a chain of loosely similar articles
does not merge two events (ECB+ pairs each topic with a look-alike event); two groups
merge only on more than one scored pair, and never across the time window.

A `partial` link (a quoted paragraph) is a relation, not kinship: it joins a family only
when the shared text is most of the smaller article (FAMILY_PARTIAL), so a paragraph
quoted by fifty outlets does not make one giant family.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .article import Article, days_apart
from .relation import PairResult

FAMILY_PARTIAL = 0.5  # "most of the smaller article": share of it that is shared text


def family_edge(p: PairResult) -> bool:
    """Does this reuse pair make its two articles kin? The smaller article is the one the
    shared text covers more of, so its coverage is the larger of the two."""
    if not p.is_reuse:
        return False
    if p.relation != "partial":
        return True
    return max(p.alignment.coverage_a, p.alignment.coverage_b) >= FAMILY_PARTIAL


@dataclass
class Family:
    id: str
    articles: list[str]
    origin: str | None
    origin_confidence: float
    origin_reason: str
    attributed_source: str | None
    story: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "story": self.story,
            "articles": self.articles,
            "origin": self.origin,
            "origin_confidence": round(self.origin_confidence, 3),
            "origin_reason": self.origin_reason,
            "attributed_source": self.attributed_source,
        }


@dataclass
class Story:
    id: str
    articles: list[str]

    def to_dict(self) -> dict:
        return {"id": self.id, "articles": self.articles}


class _UnionFind:
    def __init__(self, items: Iterable[str]):
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return sorted((sorted(g) for g in out.values()), key=lambda g: g[0])


def families(articles: Sequence[Article], pairs: Sequence[PairResult],
             min_link: float = 0.0) -> list[Family]:
    """Families of two or more members. `min_link`: the share of member pairs across two
    multi-member families that must be direct reuse pairs for the two to merge."""
    uf = _UnionFind(a.id for a in articles)
    # Pairs inferred through a pivot only restate direct edges: they do not count.
    direct = sorted((p for p in pairs if family_edge(p) and p.via is None),
                    key=lambda p: (-p.reuse_score, p.a, p.b))
    partners: dict[str, set[str]] = defaultdict(set)
    for p in direct:
        partners[p.a].add(p.b)
        partners[p.b].add(p.a)
    group_of_root = {a.id: {a.id} for a in articles}
    for p in direct:
        ra, rb = uf.find(p.a), uf.find(p.b)
        if ra == rb:
            continue
        x, y = sorted((group_of_root[ra], group_of_root[rb]), key=len)
        if len(x) > 1:
            links = sum(len(partners[m] & y) for m in x)
            if links < min_link * len(x) * len(y):
                continue
        uf.union(ra, rb)
        group_of_root[uf.find(ra)] = x | y
    by_id = {a.id: a for a in articles}
    out = []
    for members in uf.groups():
        if len(members) < 2:
            continue
        fam_pairs = [p for p in pairs if p.is_reuse and p.a in members]
        origin, conf, reason = _origin(members, fam_pairs, by_id)
        out.append(
            Family(
                id=f"F{len(out) + 1}",
                articles=members,
                origin=origin,
                origin_confidence=conf,
                origin_reason=reason,
                attributed_source=_attributed(members, by_id),
            )
        )
    return out


def _attributed(members: list[str], by_id: dict[str, Article]) -> str | None:
    credits = [by_id[m].attributed_source for m in members if by_id[m].attributed_source]
    if not credits:
        return None
    return max(set(credits), key=credits.count)


def _origin(
    members: list[str], pairs: Sequence[PairResult], by_id: dict[str, Article]
) -> tuple[str | None, float, str]:
    """The member every other member derives from, or None when it is not in the set."""
    credited = {m: by_id[m].attributed_source for m in members if by_id[m].attributed_source}
    sources = {(by_id[m].source or "").lower() for m in members}
    outside = [c for c in credited.values() if c.lower() not in sources]
    wins: dict[str, int] = defaultdict(int)
    losses: dict[str, int] = defaultdict(int)
    decided = 0
    for p in pairs:
        if p.direction is None:
            continue
        decided += 1
        src, dst = (p.a, p.b) if p.direction == "a>b" else (p.b, p.a)
        wins[src] += 1
        losses[dst] += 1
    roots = [m for m in members if wins[m] and not losses[m] and m not in credited]
    if outside:
        # An explicit credit to a publisher that is not here outweighs containment cues:
        # the members derive from that outside article.
        near = f"; closest member: {roots[0]}" if len(roots) == 1 else ""
        return None, 0.8, f"members credit {outside[0]}, which is not in the collection{near}"
    if len(roots) == 1 and decided:
        root = roots[0]
        conf = min(0.95, 0.5 + 0.45 * wins[root] / max(1, len(members) - 1))
        return root, conf, f"{root} precedes {wins[root]} member(s) by timestamp or containment"
    return None, 0.5, "no member is clearly the source of the others"


STORY_WINDOW_DAYS = 7.0
"""Default time window of a story. No dev corpus carries dates, so this is not fitted: a
news event and its follow-ups run for days, and two look-alike events a month apart (two
storms, two strikes at one plant) are different stories. Pairs published further apart
than this count as different stories when both dates are known (unknown dates: no
effect). `--window` changes it; `inf` switches it off."""


def _support_needed(size_x: int, size_y: int) -> int:
    """Scored pairs needed between two clusters before they may merge: one pair for a
    lone article, two when both are groups, then half the smaller group. One loose pair
    between two look-alike events must not chain them (unscored pairs are unknown, so
    average linkage alone would merge on that one pair)."""
    small = min(size_x, size_y)
    return max(min(small, 2), -(-small // 2))


def stories(
    articles: Sequence[Article],
    pairs: Sequence[PairResult],
    fams: Sequence[Family],
    threshold: float,
    window_days: float | None = STORY_WINDOW_DAYS,
) -> list[Story]:
    """Average-linkage agglomeration over the pairs that were scored.

    Pairs that never became candidates are unknown, not dissimilar: counting them as 0
    would keep a story from growing past the candidates' neighbourhood. A pair published
    further apart than `window_days` is known to be two stories: it counts as 0. Each
    pair counts with the score its label was decided on (PairResult.link).
    """
    by_id = {a.id: a for a in articles}
    cluster_of: dict[str, int] = {}
    clusters: dict[int, set[str]] = {}
    for f in fams:
        cid = len(clusters)
        clusters[cid] = set(f.articles)
        for a in f.articles:
            cluster_of[a] = cid
    for a in articles:
        if a.id not in cluster_of:
            cid = len(clusters)
            clusters[cid] = {a.id}
            cluster_of[a.id] = cid
    # (cluster, cluster) -> [sum of story scores, number of scored pairs]
    link: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0])
    for p in pairs:
        ca, cb = cluster_of[p.a], cluster_of[p.b]
        if ca != cb:
            apart = days_apart(by_id[p.a], by_id[p.b]) if window_days is not None else None
            score = 0.0 if apart is not None and apart > window_days else p.link
            cell = link[(min(ca, cb), max(ca, cb))]
            cell[0] += score
            cell[1] += 1
    nbrs: dict[int, set[int]] = defaultdict(set)
    for u, v in link:
        nbrs[u].add(v)
        nbrs[v].add(u)
    while True:
        best, best_key = threshold, None
        for key, (total, count) in link.items():
            if (total / count >= best
                    and count >= _support_needed(len(clusters[key[0]]), len(clusters[key[1]]))):
                best, best_key = total / count, key
        if best_key is None:
            break
        x, y = best_key
        clusters[x] |= clusters.pop(y)
        # Fold y's links into x's (only the links that touch y change).
        for n in nbrs.pop(y):
            total, count = link.pop((min(y, n), max(y, n)))
            nbrs[n].discard(y)
            if n == x:
                continue
            cell = link[(min(x, n), max(x, n))]
            cell[0] += total
            cell[1] += count
            nbrs[n].add(x)
            nbrs[x].add(n)
    ordered = sorted((sorted(c) for c in clusters.values()), key=lambda c: (-len(c), c[0]))
    out = [Story(id=f"S{i + 1}", articles=c) for i, c in enumerate(ordered)]
    return out


def assign_stories(fams: Sequence[Family], sts: Sequence[Story]) -> None:
    where = {a: s.id for s in sts for a in s.articles}
    for f in fams:
        f.story = where[f.articles[0]]
