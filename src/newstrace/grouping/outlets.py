"""Outlets: who publishes text derived from whose, ranked.

An article's outlet is its `source`, else the registered domain of its `url`
(Article.outlet), else unknown. An article derives from another outlet's article when it
is on the derived side of reuse (copy, translation, rewrite, partial): its family's origin
when one is found, else the direction of its reuse pair, else the outlet its family
credits when that outlet is not in the collection (families.derivations). Outlets with at
least MIN_ARTICLES articles are ranked by the share of their articles that derive from
another outlet, ties by article count: a content farm that only translates and condenses
wire copy ranks first.

A rights team's own outlets and syndication partners (a small TOML file, `Licence`) make
reuse between them licensed: it is listed apart and does not count toward the share.
"""

from __future__ import annotations

import statistics
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newstrace.grouping.families import Derivation, Family, derivations
from newstrace.matching.relation import PairResult
from newstrace.text.article import Article

MIN_ARTICLES = 3
UNKNOWN = "(unknown)"


class LicenceError(ValueError):
    """A licence file that cannot be read; the message names the file."""


@dataclass(frozen=True)
class Licence:
    """Own outlets and syndication partners, compared without case. Reuse is licensed
    when both outlets are listed and at least one is the rights holder's own."""

    own: frozenset[str] = field(default_factory=frozenset)
    partners: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_toml(cls, path: Path) -> Licence:
        """`own = ["wire.example"]` and `partners = ["partner.example"]`: lists of outlet
        names (a source name or a registered domain)."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise LicenceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise LicenceError(f"{path}: not valid TOML: {exc}") from exc
        unknown = sorted(set(data) - {"own", "partners"})
        if unknown:
            raise LicenceError(f"{path}: unknown key(s) {', '.join(unknown)} "
                               "(expected: own, partners)")
        lists = {}
        for key in ("own", "partners"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise LicenceError(f"{path}: '{key}' must be a list of outlet names")
            lists[key] = frozenset(v.strip().casefold() for v in value if v.strip())
        return cls(lists["own"], lists["partners"])

    def role(self, outlet: str | None) -> str | None:
        key = (outlet or "").casefold()
        return "own" if key in self.own else "partner" if key in self.partners else None

    def covers(self, source: str | None, user: str | None) -> bool:
        roles = {self.role(source), self.role(user)}
        return None not in roles and "own" in roles


@dataclass
class _Tally:
    articles: int = 0
    languages: Counter = field(default_factory=Counter)
    derived: int = 0
    reuses: Counter = field(default_factory=Counter)  # (outlet, in collection) -> articles
    reused_by: Counter = field(default_factory=Counter)
    licensed_from: Counter = field(default_factory=Counter)
    licensed_to: Counter = field(default_factory=Counter)
    lags: list[float] = field(default_factory=list)


def sources(articles: Sequence[Article], pairs: Sequence[PairResult], fams: Sequence[Family],
            licence: Licence | None = None, min_articles: int = MIN_ARTICLES,
            roles: Mapping[str, Derivation] | None = None) -> dict:
    """The `sources` section of the scan's JSON: outlets ranked (see the module doc).
    `roles`: families.derivations of the same inputs, when the caller has them."""
    licence = licence or Licence()
    by_id = {a.id: a for a in articles}
    outlet = {a.id: a.outlet for a in articles}
    tally: dict[str, _Tally] = defaultdict(_Tally)
    unknown = 0
    for a in articles:
        if outlet[a.id] is None:
            unknown += 1
            continue
        t = tally[outlet[a.id]]  # type: ignore[index]
        t.articles += 1
        t.languages[a.lang or "?"] += 1
    roles = roles if roles is not None else derivations(articles, pairs, fams)
    for x, d in sorted(roles.items()):
        mine = outlet[x]
        if d.parent is not None:
            theirs, in_collection = outlet[d.parent] or UNKNOWN, True
        elif d.outside is not None:
            theirs, in_collection = d.outside, False
        else:
            continue
        if mine is not None and theirs.casefold() == mine.casefold():
            continue  # an outlet's own versions of its own text
        licensed = licence.covers(theirs, mine)
        if mine is not None:
            t = tally[mine]
            if licensed:
                t.licensed_from[theirs] += 1
            else:
                t.derived += 1
                t.reuses[(theirs, in_collection)] += 1
            lag = _lag_hours(by_id[x], by_id.get(d.parent or ""))
            if lag is not None:
                t.lags.append(lag)
        if in_collection and theirs != UNKNOWN:
            target = tally[theirs]
            (target.licensed_to if licensed else target.reused_by)[mine or UNKNOWN] += 1
    rows = [_row(name, t, licence) for name, t in tally.items()]
    ranked = sorted((r for r in rows if r["articles"] >= min_articles),
                    key=lambda r: (-r["derived_share"], -r["articles"], r["outlet"]))
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
    small = sorted((r for r in rows if r["articles"] < min_articles),
                   key=lambda r: (-r["derived_share"], -r["articles"], r["outlet"]))
    return {"min_articles": min_articles, "outlets": ranked, "unranked": small,
            "unknown_outlet_articles": unknown}


def _lag_hours(article: Article, parent: Article | None) -> float | None:
    if parent is None or article.published_at is None or parent.published_at is None:
        return None
    return (article.published_at - parent.published_at).total_seconds() / 3600


def _counts(counter: Counter) -> list[dict]:
    return [{"outlet": k, "articles": n}
            for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def _row(name: str, t: _Tally, licence: Licence) -> dict:
    reuses = [{"outlet": k, "articles": n, "in_collection": inside}
              for (k, inside), n in sorted(t.reuses.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {
        "outlet": name,
        "rank": None,
        "articles": t.articles,
        "languages": dict(sorted(t.languages.items(), key=lambda kv: (-kv[1], kv[0]))),
        "derived": t.derived,
        "derived_share": round(t.derived / t.articles, 4) if t.articles else 0.0,
        "reuses": reuses,
        "reused": sum(t.reused_by.values()),
        "reused_by": _counts(t.reused_by),
        "median_lag_hours": round(statistics.median(t.lags), 2) if t.lags else None,
        "licence_role": licence.role(name),
        "licensed_from": _counts(t.licensed_from),
        "licensed_to": _counts(t.licensed_to),
    }


def counts_text(items: list[dict]) -> str:
    """"wire.example: 4; BBC (outside): 1" from a row's reuses / reused_by list."""
    return "; ".join(f"{d['outlet']}{'' if d.get('in_collection', True) else ' (outside)'}"
                     f": {d['articles']}" for d in items)


def flat_rows(section: dict) -> Iterable[dict]:
    """One flat row per outlet (ranked first), for CSV."""
    names = counts_text
    for r in section["outlets"] + section["unranked"]:
        yield {
            "rank": r["rank"] or "", "outlet": r["outlet"], "articles": r["articles"],
            "languages": " ".join(f"{k}:{n}" for k, n in r["languages"].items()),
            "derived": r["derived"], "derived_share": r["derived_share"],
            "reuses": names(r["reuses"]), "reused": r["reused"],
            "reused_by": names(r["reused_by"]),
            "median_lag_hours": "" if r["median_lag_hours"] is None else r["median_lag_hours"],
            "licence_role": r["licence_role"] or "",
            "licensed_from": names(r["licensed_from"]), "licensed_to": names(r["licensed_to"]),
        }
