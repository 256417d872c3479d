"""A planted content-farm feed, for the outlet ranking and the origin guess.

Built from WMT newstest (corpora.multiway: news lines aligned across en/de/fr/es; runs of
consecutive lines make article-sized texts, the same lines in another language their
human translations):

- a wire outlet of original English articles, one an hour;
- a content farm that republishes wire articles hours later as translations, condensed
  copies (the first half) and condensed translations;
- a syndication partner that runs a few wire articles verbatim an hour later, and its
  own reporting;
- independent outlets with their own articles.

Every article has a url (the outlet is its registered domain) and a publication time.
The gold: each wire article and the articles made from it form a family whose origin is
the wire article; the farm derives all its articles from the wire.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from newstrace.evaluation import corpora
from newstrace.grouping import Family
from newstrace.pipeline import Pipeline, Progress, ScanResult, _quiet
from newstrace.text.article import Article

WIRE = "newswire-example.com"
FARM = "contentfarm-example.net"
PARTNER = "partnerdaily-example.co.uk"
INDEPENDENT = ("indiepost-example.org", "localherald-example.de")
RUN = 10  # lines per article
FARM_LANGS = ("de", "fr", "es")
FARM_KINDS = ("translation", "condensed", "condensed translation")
START = datetime(2024, 5, 1, 6, 0)


@dataclass
class Feed:
    articles: list[Article]
    origin: dict[str, str] = field(default_factory=dict)  # planted article -> its origin
    kind: dict[str, str] = field(default_factory=dict)  # planted article -> how it was made

    def families(self) -> list[list[str]]:
        """The planted families: each origin with the articles made from it."""
        out: dict[str, list[str]] = {}
        for x, o in sorted(self.origin.items()):
            out.setdefault(o, [o]).append(x)
        return [out[o] for o in sorted(out)]

    def without_dates(self, order: str = "published", seed: int = 0) -> list[Article]:
        """The feed with no publication times, in publication order (as an index fed by a
        crawler sees it first) or shuffled (order carries no information)."""
        arts = sorted(self.articles, key=lambda a: (a.published or "", a.id))
        if order == "shuffled":
            random.Random(seed).shuffle(arts)
        return [replace(a, published=None, warnings=[]) for a in arts]


def _article(outlet: str, slug: str, lang: str, lines: Sequence[str], when: datetime
             ) -> Article:
    title = lines[0].rstrip(".")
    return Article(id=f"{outlet.split('-')[0]}-{slug}", text="\n".join(lines[1:]),
                   title=title, lang=lang, url=f"https://www.{outlet}/{when:%Y/%m/%d}/{slug}",
                   published=when.strftime("%Y-%m-%dT%H:%M:%SZ"))


def build_feed(lines: dict[str, list[str]], n_wire: int = 12, seed: int = 0) -> Feed:
    """The feed from aligned line lists ({lang: lines}, en plus FARM_LANGS)."""
    rng = random.Random(seed)
    n_runs = n_wire + 4 + 2 * 4  # wire, partner's own, two independents' four each
    stride = len(lines["en"]) // n_runs
    runs = [lines["en"][k * stride : k * stride + RUN] for k in range(n_runs)]
    starts = [k * stride for k in range(n_runs)]
    feed = Feed([])
    for i in range(n_wire):
        at = START + timedelta(hours=i)
        wire = _article(WIRE, f"w{i:02d}", "en", runs[i], at)
        feed.articles.append(wire)
        kind = FARM_KINDS[i % len(FARM_KINDS)]
        lang = FARM_LANGS[i % len(FARM_LANGS)]
        src = lines["en"] if kind == "condensed" else lines[lang]
        text = src[starts[i] : starts[i] + RUN]
        if kind != "translation":
            text = text[: RUN // 2 + 1]  # the title and the first half of the body
        farm = _article(FARM, f"f{i:02d}", "en" if kind == "condensed" else lang, text,
                        at + timedelta(hours=rng.randint(3, 9), minutes=rng.randint(0, 59)))
        feed.articles.append(farm)
        feed.origin[farm.id], feed.kind[farm.id] = wire.id, kind
        if i % 4 == 1:  # the partner syndicates every fourth wire article, an hour later
            copy = _article(PARTNER, f"p{i:02d}", "en", runs[i], at + timedelta(hours=1))
            feed.articles.append(copy)
            feed.origin[copy.id], feed.kind[copy.id] = wire.id, "syndicated copy"
    own = iter(range(n_wire, n_runs))
    for outlet, count, lang in ((PARTNER, 4, "en"), (INDEPENDENT[0], 4, "en"),
                                (INDEPENDENT[1], 4, "de")):
        for j in range(count):
            k = next(own)
            text = lines[lang][starts[k] : starts[k] + RUN]
            feed.articles.append(_article(outlet, f"o{k:02d}", lang, text,
                                          START + timedelta(hours=2 * j + 1, minutes=30)))
    return feed


def to_jsonl(feed: Feed, path: Path) -> None:
    """The feed as article JSONL (what `scan` reads), each line with its planted origin
    and kind: tests/fixtures/farm_feed.jsonl is `to_jsonl(from_dev_data(data, 6), ...)`."""
    with path.open("w", encoding="utf-8") as fh:
        for a in feed.articles:
            fh.write(json.dumps({"id": a.id, "title": a.title, "lang": a.lang, "url": a.url,
                                 "published": a.published, "text": a.text,
                                 "planted_origin": feed.origin.get(a.id),
                                 "planted_kind": feed.kind.get(a.id)},
                                ensure_ascii=False) + "\n")


def from_jsonl(path: Path) -> Feed:
    """A feed written by `to_jsonl`, read through the same reader as `scan`."""
    from newstrace.text.readers import read_paths

    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    feed = Feed([a for a in read_paths([path]) if isinstance(a, Article)])
    for r in rows:
        if r.get("planted_origin"):
            feed.origin[r["id"]], feed.kind[r["id"]] = r["planted_origin"], r["planted_kind"]
    return feed


def from_dev_data(data: Path, n_wire: int = 12, seed: int = 0, split: str = "report") -> Feed:
    """The feed from newstest: the last year of the split (2013 for report)."""
    years = corpora.multiway(data, split)
    return build_feed(years[max(years)], n_wire, seed)


# families._origin's reasons -> the evidence that decided ("seen first" names the others).
EVIDENCE = (("seen first", "first seen"), ("published first", "time"),
            ("contained", "containment"), ("credit", "credit"))


def origin_accuracy(result: ScanResult, feed: Feed) -> dict:
    """Per planted family: is it found whole, is its origin the wire article, and which
    evidence decided (families._origin's reason)."""
    fam_of: dict[str, Family] = {m: f for f in result.families for m in f.articles}
    n = found = right = 0
    status: dict[str, int] = {"found": 0, "outside": 0, "unclear": 0}
    decided_by: dict[str, int] = {}
    for members in feed.families():
        n += 1
        fam = fam_of.get(members[0])
        if fam is None or not set(members) <= set(fam.articles):
            continue
        found += 1
        right += fam.origin == members[0]
        status[fam.origin_status] += 1
        how = next((name for key, name in EVIDENCE if key in fam.origin_reason), "nothing")
        decided_by[how] = decided_by.get(how, 0) + 1
    return {"families": n, "found_whole": found, "origin_right": right,
            "origin_accuracy": round(right / n, 4) if n else 0.0, **status,
            "decided_by": ", ".join(f"{k} {v}" for k, v in sorted(decided_by.items()))}


CONDITIONS = ("timestamps", "no timestamps, publication order", "no timestamps, shuffled")


def origin_table(pipeline: Pipeline, feed: Feed, progress: Progress = _quiet) -> list[dict]:
    """Origin accuracy on the planted families with and without publication times."""
    rows = []
    for cond in CONDITIONS:
        if cond == "timestamps":
            arts = [replace(a, warnings=[]) for a in feed.articles]
        else:
            arts = feed.without_dates("shuffled" if "shuffled" in cond else "published")
        rows.append({"condition": cond, **origin_accuracy(pipeline.scan(arts, progress), feed)})
    return rows
