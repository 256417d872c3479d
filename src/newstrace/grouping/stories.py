"""Stories: articles about one news event, by average linkage over story scores.

Stories start from families, so a chain of loosely similar articles does not merge two
events (ECB+ pairs each topic with a look-alike event); two groups merge only on more than
one scored pair, and never across the time window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from newstrace.grouping.families import Derivation, Family
from newstrace.matching.relation import PairResult
from newstrace.text.article import Article, days_apart


@dataclass
class Story:
    id: str
    articles: list[str]

    def to_dict(self) -> dict:
        return {"id": self.id, "articles": self.articles}


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


def timelines(sts: Sequence[Story], articles: Sequence[Article], pairs: Sequence[PairResult],
              roles: Mapping[str, Derivation], family_of: Mapping[str, str]) -> list[dict]:
    """Each story's title, date range and timeline (in the order of `sts`): who published
    when, in which language, and each article's role (original, copy, translation,
    rewrite, partial, independent; families.derivations). The title is the earliest dated
    headline, else the most central article's (the highest sum of story links inside the
    story). One pass over the pairs for all stories."""
    by_id = {a.id: a for a in articles}
    order = {a.id: i for i, a in enumerate(articles)}
    story_of = {m: s.id for s in sts for m in s.articles}
    centrality: dict[str, float] = defaultdict(float)
    for p in sorted(pairs, key=lambda p: (p.a, p.b)):  # one summation order: Ray = local
        if p.relation != "unrelated" and story_of.get(p.a) == story_of.get(p.b):
            centrality[p.a] += p.link
            centrality[p.b] += p.link
    out = []
    for story in sts:
        members = [by_id[m] for m in story.articles if m in by_id]
        dated = sorted((a.published_at, a.id) for a in members if a.published_at is not None)
        titled = [a for a in members if a.title]
        first_dated = [a for a in titled if a.published_at is not None]
        if first_dated:
            head = min(first_dated, key=lambda a: (a.published_at, a.id))
        else:
            head = max(titled, key=lambda a: (centrality[a.id], -order[a.id]), default=None)
        rows = [_timeline_row(a, roles.get(a.id), family_of.get(a.id))
                for a in sorted(members, key=lambda a: (a.published_at is None,
                                                        a.published_at or 0, order[a.id]))]
        out.append({
            "title": head.title if head else None,
            "first": by_id[dated[0][1]].published if dated else None,
            "last": by_id[dated[-1][1]].published if dated else None,
            "timeline": rows,
        })
    return out


def _timeline_row(a: Article, d: Derivation | None, family: str | None) -> dict:
    source = None
    if d is not None:
        source = d.parent or (f"{d.outside} (not in the collection)" if d.outside else None)
    return {"id": a.id, "published": a.published, "outlet": a.outlet, "lang": a.lang,
            "title": a.title, "role": d.role if d else "independent", "from": source,
            "family": family}
