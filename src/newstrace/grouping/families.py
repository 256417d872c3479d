"""Families: articles that share text, built from the reuse graph, and their origins.

A rewrite of a translation is kin of the original even when the two were never aligned
directly. Edges are taken strongest first; an article joins a family on one edge, but two
families of several members merge only when enough of the pairs between them are reuse
(`min_link`): one look-alike pair between two translation families must not merge them,
while a source with many partial copies still grows one family, spoke by spoke.

A `partial` link (a quoted paragraph) is a relation, not kinship: it joins a family only
when the shared text is most of the smaller article (FAMILY_PARTIAL), so a paragraph
quoted by fifty outlets does not make one giant family.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newstrace.matching.relation import PairResult
from newstrace.text.article import Article

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
