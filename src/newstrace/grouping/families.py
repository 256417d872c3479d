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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from newstrace.matching.relation import PairResult
from newstrace.text.article import Article, same_outlet

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
    origin_status: str = "unclear"  # ORIGIN_STATUSES

    @classmethod
    def from_dict(cls, d: Mapping) -> Family:
        """A family from its dict (the scan's JSON, or an index's `families()`)."""
        return cls(str(d["id"]), list(d["articles"]), d.get("origin"),
                   float(d.get("origin_confidence") or 0.0), str(d.get("origin_reason") or ""),
                   d.get("attributed_source"), d.get("story"), origin_status(d))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "story": self.story,
            "articles": self.articles,
            "origin": self.origin,
            "origin_status": self.origin_status,
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
    seen = {a.id: i for i, a in enumerate(articles)}
    out = []
    for members in uf.groups():
        if len(members) < 2:
            continue
        inside = set(members)
        fam_pairs = [p for p in pairs if p.is_reuse and p.a in inside and p.b in inside]
        origin, status, conf, reason = _origin(members, fam_pairs, by_id, seen)
        out.append(
            Family(
                id=f"F{len(out) + 1}",
                articles=members,
                origin=origin,
                origin_confidence=conf,
                origin_reason=reason,
                attributed_source=_attributed(members, by_id),
                origin_status=status,
            )
        )
    return out


ORIGIN_STATUSES = ("found", "outside", "unclear")
"""found: a member is the origin. outside: the members credit an outlet that is not in the
collection, so the origin is not here. unclear: no member is clearly the source (the
evidence disagrees or says nothing) - which is not the same as "not in the collection"."""


def origin_status(fam: Mapping[str, object]) -> str:
    """The origin status of a family dict, also of one stored before the status existed
    (an index row: origin, reason): a named origin is found, a reason that says the credit
    is not in the collection is outside, anything else unclear."""
    status = fam.get("origin_status")
    if isinstance(status, str) and status in ORIGIN_STATUSES:
        return status
    if fam.get("origin"):
        return "found"
    reason = str(fam.get("origin_reason") or "")
    return "outside" if "not in the collection" in reason else "unclear"


def origin_text(fam: Mapping[str, object]) -> str:
    """How a family's origin reads for people, the same in tables and the report."""
    status = origin_status(fam)
    if status == "found":
        return str(fam.get("origin"))
    if status == "outside":
        credit = fam.get("attributed_source")
        return f"not in the collection ({credit})" if credit else "not in the collection"
    return "unclear: no member is clearly the source"


def _attributed(members: list[str], by_id: dict[str, Article]) -> str | None:
    credits = [by_id[m].attributed_source for m in members if by_id[m].attributed_source]
    if not credits:
        return None
    return max(set(credits), key=credits.count)


def _credit_targets(members: list[str], by_id: dict[str, Article]
                    ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Who each member credits: other members (whose outlet the credit names), or an
    outlet outside the collection. A credit to the member's own outlet ("(Reuters)" on a
    Reuters article) says nothing."""
    inside: dict[str, list[str]] = {}
    outside: dict[str, str] = {}
    for m in members:
        credit = by_id[m].attributed_source
        if not credit or same_outlet(credit, by_id[m].outlet):
            continue
        named = [o for o in members if o != m and same_outlet(credit, by_id[o].outlet)]
        if named:
            inside[m] = named
        else:
            outside[m] = credit
    return inside, outside


def _origin(
    members: list[str], pairs: Sequence[PairResult], by_id: dict[str, Article],
    seen: Mapping[str, int],
) -> tuple[str | None, str, float, str]:
    """(origin, status, confidence, reason). The evidence, in order: publication times;
    credits; containment (an excerpt or condensed copy derives from the fuller text);
    last, only when none of those says anything, the order the articles were seen
    (`seen`: position in the scan's input, or in the index)."""
    inside, outside = _credit_targets(members, by_id)
    # 1. Publication times: a unique earliest member, unless it credits someone else.
    dated = sorted((d, m) for m in members if (d := by_id[m].published_at) is not None)
    if len(dated) >= 2 and dated[0][0] < dated[1][0]:
        first = dated[0][1]
        if first in outside:
            return (None, "outside", 0.8, f"the earliest member, {first}, credits "
                    f"{outside[first]}, which is not in the collection")
        if first not in inside:
            undated = len(members) - len(dated)
            conf = 0.9 if not undated else 0.7
            note = f"; {undated} member(s) without a date" if undated else ""
            return first, "found", conf, f"{first} was published first{note}"
    # 2. Credits: the one member the others credit, or an outlet outside the collection.
    targets = sorted({t for named in inside.values() for t in named})
    if len(targets) == 1 and targets[0] not in inside:
        target = targets[0]
        if target in outside:
            return (None, "outside", 0.8, f"members credit {target}, which credits "
                    f"{outside[target]}, not in the collection")
        who = sorted(m for m, named in inside.items() if target in named)
        return (target, "found", 0.8,
                f"{', '.join(who)} credit{'s' if len(who) == 1 else ''} "
                f"{by_id[who[0]].attributed_source}, the outlet of {target}")
    if outside:
        credit = max(sorted(set(outside.values())), key=list(outside.values()).count)
        return None, "outside", 0.8, f"members credit {credit}, which is not in the collection"
    # 3. Containment: the member the others are contained in (pair directions not set by
    # time or credit: those spoke above).
    wins: dict[str, int] = defaultdict(int)
    losses: dict[str, int] = defaultdict(int)
    decided = 0
    for p in pairs:
        if p.direction is None or (p.direction_reason and "contained" not in p.direction_reason):
            continue
        decided += 1
        src, dst = (p.a, p.b) if p.direction == "a>b" else (p.b, p.a)
        wins[src] += 1
        losses[dst] += 1
    roots = [m for m in members if wins[m] and not losses[m]]
    if len(roots) == 1:
        root = roots[0]
        conf = min(0.85, 0.5 + 0.35 * wins[root] / max(1, len(members) - 1))
        return root, "found", conf, f"{wins[root]} member(s) are contained in {root}"
    # 4. First seen, only when nothing above said anything.
    if len(dated) < 2 and not inside and not decided:
        first = min(members, key=lambda m: (seen.get(m, len(seen)), m))
        return (first, "found", 0.3,
                f"{first} was seen first (no date, credit or containment tells)")
    return None, "unclear", 0.5, "no member is clearly the source of the others"


# --- who derives from whom: the timeline's roles and the outlets' ranking ---------------

ROLE_OF_RELATION = {"duplicate": "copy", "translation": "translation", "rewrite": "rewrite",
                    "partial": "partial"}


@dataclass(frozen=True)
class Derivation:
    """Where one article's text comes from. `parent`: the member it derives from (the
    family's origin when one is found); `outside`: the credited outlet when the origin is
    not in the collection; `role`: original / copy / translation / rewrite / partial /
    independent."""

    role: str
    parent: str | None = None
    outside: str | None = None

    @property
    def derived(self) -> bool:
        return self.parent is not None or self.outside is not None


def derivations(articles: Sequence[Article], pairs: Sequence[PairResult],
                fams: Sequence[Family]) -> dict[str, Derivation]:
    """Each article's Derivation, from the families' origins and the reuse pairs'
    directions. A pure function of its inputs (the scan and the Ray run agree)."""
    reuse = [p for p in pairs if p.is_reuse]
    by_pair = {frozenset((p.a, p.b)): p for p in reuse}
    best: dict[str, PairResult] = {}  # each article's strongest reuse pair
    parent_of: dict[str, PairResult] = {}  # its strongest pair on the derived side
    for p in sorted(reuse, key=lambda p: (-p.reuse_score, p.a, p.b)):
        for x in (p.a, p.b):
            best.setdefault(x, p)
        if p.direction is not None:
            parent_of.setdefault(p.b if p.direction == "a>b" else p.a, p)
    family_of = {m: f for f in fams for m in f.articles}
    quoted = {(p.a if p.direction == "a>b" else p.b) for p in parent_of.values()}
    out: dict[str, Derivation] = {}
    for a in articles:
        x = a.id
        fam = family_of.get(x)
        status = fam.origin_status if fam else None
        if fam and status == "found" and fam.origin in fam.articles:
            if fam.origin == x:
                out[x] = Derivation("original")
                continue
            p = by_pair.get(frozenset((x, fam.origin))) or best.get(x)
            out[x] = Derivation(_role(p), parent=fam.origin)
            continue
        if fam and status == "outside":
            p = parent_of.get(x) or best.get(x)
            out[x] = Derivation(_role(p), outside=fam.attributed_source or "?")
            continue
        p = parent_of.get(x)
        if p is not None:
            out[x] = Derivation(_role(p), parent=_other(p, x))
        elif fam is not None:
            out[x] = Derivation(_role(best.get(x)))  # shares text, direction unknown
        else:
            out[x] = Derivation("original" if x in quoted else "independent")
    return out


def _other(p: PairResult, x: str) -> str:
    return p.b if p.a == x else p.a


def _role(p: PairResult | None) -> str:
    return ROLE_OF_RELATION.get(p.relation, "copy") if p is not None else "copy"
