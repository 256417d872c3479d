"""What the routes send back, built on the index thread from the index's dicts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from newstrace.grouping.families import Family, derivations
from newstrace.grouping.stories import Story, timelines
from newstrace.matching.relation import PairResult
from newstrace.service.engine import NotFound
from newstrace.text.article import Article


def other(pair: Mapping[str, Any], me: str) -> str:
    return str(pair["b"] if str(pair["a"]) == me else pair["a"])


def article_dict(art: Article) -> dict[str, Any]:
    d = art.summary()
    d["attributed_source"] = art.attributed_source
    d["sentence_list"] = list(art.sentences)
    d["sentence_langs"] = list(art.sentence_langs)
    return d


def langs(arts: Iterable[Mapping[str, Any] | None]) -> list[str]:
    return sorted({str(a.get("lang") or "?") for a in arts if a})


def newest(arts: Iterable[Mapping[str, Any] | None]) -> str | None:
    dates = [str(a["published"]) for a in arts if a and a.get("published")]
    return max(dates) if dates else None


def brief(art: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An article without its sentences, for lists."""
    if art is None:
        return None
    return {k: v for k, v in art.items() if k not in ("sentence_list", "sentence_langs", "text")}


def get(ix: Any, article_id: str) -> dict[str, Any] | None:
    """An indexed article for clients, or None; `path` (a server file path) is left out."""
    try:
        art = ix.article(article_id)
    except LookupError:  # index.NotIndexed
        return None
    return {k: v for k, v in art.items() if k != "path"}


def must_get(ix: Any, article_id: str) -> dict[str, Any]:
    art = get(ix, article_id)
    if art is None:
        raise NotFound
    return art


def story(ix: Any, ident: str) -> dict[str, Any]:
    try:
        return ix.story(ident)  # type: ignore[no-any-return]
    except LookupError:
        raise NotFound from None


def article_meta(ix: Any) -> dict[str, dict[str, Any]]:
    """id -> lang, published, title of every article, in one query.

    Reads the index's table directly (Index has no bulk metadata call yet); falls back to
    one article() call per id, which also loads sentences.
    """
    try:
        rows = ix.store.conn.execute("SELECT ext_id, lang, published, title FROM articles")
        return {r[0]: {"id": r[0], "lang": r[1], "published": r[2], "title": r[3]}
                for r in rows}
    except (AttributeError, sqlite3.Error):
        ids = [m for s in ix.stories() for m in s.get("articles") or []]
        return {m: brief(get(ix, m)) or {"id": m} for m in ids}


def kin_list(ix: Any, me: str, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for p in pairs:
        o = other(p, me)
        out.append({**p, "other": o, "other_article": brief(get(ix, o))})
    out.sort(key=lambda p: (-float(p.get("reuse_score") or 0), -float(p.get("story_score") or 0)))
    return out


def story_row(st: Mapping[str, Any], arts: Mapping[str, Any]) -> dict[str, Any]:
    members = [str(m) for m in st.get("articles") or []]
    got = [arts.get(m) for m in members]
    title = next((a.get("title") for a in got if a and a.get("title")), None)
    return {"id": str(st.get("id")), "size": len(members), "articles": members,
            "languages": langs(got), "newest": newest(got), "title": title}


def family(ix: Any, family_id: str) -> tuple[dict, dict[str, dict], list[dict]]:
    """A family (by its id, or an article's), its members' briefs and the pairs inside it."""
    fams = ix.families()
    fam = next((f for f in fams if str(f.get("id")) == family_id), None)
    if fam is None:  # an article id: its family
        art = get(ix, family_id)
        fam = next((f for f in fams if art and f.get("id") == art.get("family")), None)
    if fam is None:
        raise NotFound
    members = [str(m) for m in fam.get("articles") or []]
    arts = {m: brief(get(ix, m)) or {"id": m} for m in members}
    inside = set(members)
    pairs = [p for p in story(ix, members[0]).get("pairs") or []
             if str(p["a"]) in inside and str(p["b"]) in inside]
    return fam, arts, pairs


def pair(ix: Any, a: str, b: str) -> dict[str, Any]:
    """The relation of two indexed articles, `unrelated` when the index holds none."""
    art_a, art_b = get(ix, a), get(ix, b)
    if art_a is None or art_b is None:
        raise NotFound
    found = next((p for p in ix.kin(a) if other(p, a) == b), None)
    if found is None:
        found = {"a": a, "b": b, "relation": "unrelated", "reuse_score": 0.0,
                 "story_score": 0.0, "direction": None, "coverage": {"a": 0.0, "b": 0.0},
                 "evidence": []}
    sides = {str(found["a"]): art_a, str(found["b"]): art_b} if str(found["a"]) == a else \
        {str(found["a"]): art_b, str(found["b"]): art_a}
    return {**found, "articles": {"a": sides[str(found["a"])], "b": sides[str(found["b"])]}}


def story_timeline(st: Mapping[str, Any], arts: Mapping[str, Mapping[str, Any] | None]
                   ) -> dict[str, Any]:
    """The story's title, first and last date and timeline (who published when, in which
    language, and each article's role), by the scan's own functions (grouping.timelines,
    families.derivations) over what the index stored, so the UI and the scan agree."""
    def field(m: str, k: str) -> Any:
        return (arts.get(m) or {}).get(k)

    members = [str(m) for m in st.get("articles") or []]
    articles = [Article(id=m, text="", title=field(m, "title"), lang=field(m, "lang"),
                        url=field(m, "url"), source=field(m, "source"),
                        published=field(m, "published")) for m in members]
    pairs = [PairResult.from_dict(p) for p in st.get("pairs") or []]
    fams = [Family.from_dict(f) for f in st.get("families") or []]
    roles = derivations(articles, pairs, fams)
    family_of = {m: f.id for f in fams for m in f.articles}
    story = Story(id=str(st.get("id")), articles=members)
    return timelines([story], articles, pairs, roles, family_of)[0]
