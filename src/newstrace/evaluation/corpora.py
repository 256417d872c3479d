"""Loaders for the labelled dev corpora used by `eval` and `calibrate`.

Each loader turns a corpus into Articles plus gold labels. Every corpus is split into a
fit half (used by calibration) and a report half (used for the published figures) by a
fixed rule written here, so the two never mix.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from newstrace.text.article import Article
from newstrace.text.normalize import clean_text
from newstrace.text.readers import article_from_dict

FLORES_LANGS = {
    "eng_Latn": "en", "swe_Latn": "sv", "dan_Latn": "da", "nob_Latn": "nb", "nno_Latn": "nn",
    "isl_Latn": "is", "fin_Latn": "fi", "deu_Latn": "de", "spa_Latn": "es", "fra_Latn": "fr",
    "ita_Latn": "it", "por_Latn": "pt", "nld_Latn": "nl", "pol_Latn": "pl", "rus_Cyrl": "ru",
    "ukr_Cyrl": "uk", "arb_Arab": "ar", "zho_Hans": "zh", "tur_Latn": "tr", "est_Latn": "et",
}
TATOEBA = {"dan-swe": ("dan", "swe", "da", "sv"), "deu-eng": ("deu", "eng", "de", "en"),
           "eng-fin": ("eng", "fin", "en", "fi"), "eng-nob": ("eng", "nob", "en", "nb"),
           "eng-spa": ("eng", "spa", "en", "es"), "eng-swe": ("eng", "swe", "en", "sv"),
           "nob-swe": ("nob", "swe", "nb", "sv")}


def default_data_dir() -> Path:
    """../shared/data next to the working directory, as on the project's machines."""
    for base in (Path.cwd(), *Path.cwd().parents):
        cand = base.parent / "shared" / "data"
        if cand.is_dir():
            return cand
    return Path("../shared/data")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def read(article_id: str, text: str, lang: str) -> Article:
    """A corpus text as `scan` would read it from a JSONL record (mojibake repaired,
    markup extracted, size bounded), so the figures measure what users get. A text the
    reader would refuse as too short still carries gold: it is kept, cleaned."""
    got = article_from_dict({"id": article_id, "text": text, "lang": lang}, article_id)
    if isinstance(got, Article):
        return got
    return Article(id=article_id, text=clean_text(text)[0], lang=lang)


def in_split(index: int, split: str) -> bool:
    """'fit' = even positions, 'report' = odd positions, 'all' = both."""
    return split == "all" or (index % 2 == 0) == (split == "fit")


SEMEVAL_SCORES = ("Overall", "Geography", "Entities", "Time", "Narrative", "Style", "Tone")


@dataclass
class SemEvalPair:
    id: str
    a: Article
    b: Article
    overall: float  # 1 very similar ... 4 very dissimilar
    scores: dict[str, float]  # Overall and the sub-scores: Geography, Entities, Time, ...


def semeval(data: Path, split: str = "all") -> list[SemEvalPair]:
    out = []
    for i, r in enumerate(_jsonl(data / "semeval2022_task8_dev.jsonl")):
        if not in_split(i, split):
            continue
        ida, idb = r["pair_id"].split("_")
        out.append(SemEvalPair(
            r["pair_id"],
            read(ida, r["text1"], r["lang1"]),
            read(idb, r["text2"], r["lang2"]),
            float(r["Overall"]),
            {k: float(r[k]) for k in SEMEVAL_SCORES if r.get(k) is not None},
        ))
    return out


# "6 . 1", "120 , 000": numbers the tokeniser split at their separator.
_ECB_NUMBER = re.compile(r"(?<![\d.,])(\d+) (?:(\.) (\d+)|(,) (\d{3}))(?!\d)")


def ecbplus(data: Path, split: str = "all") -> tuple[list[Article], dict[str, str]]:
    """Articles and their gold event; fit = odd topics, report = even topics."""
    arts, gold = [], {}
    for r in _jsonl(data / "ecbplus_dev.jsonl"):
        topic = int(r["topic"])
        if split != "all" and (topic % 2 == 1) != (split == "fit"):
            continue
        # ECB+ texts are tokenised one sentence per line; rejoin tokens for the splitter.
        text = _ECB_NUMBER.sub(lambda m: m.group(1) + "".join(g for g in m.groups()[1:] if g),
                               r["text"])
        text = text.replace(" ,", ",").replace(" .", ".").replace(" '", "'")
        arts.append(read(r["id"], text, "en"))
        gold[r["id"]] = r["event"]
    return arts, gold


@dataclass
class CloughItem:
    answer: Article
    source: Article
    category: str  # cut / light / heavy / non


def clough(data: Path, split: str = "all") -> list[CloughItem]:
    """Answers against their task's original; fit = task a, report = task b."""
    rows = _jsonl(data / "clough_stevenson_dev.jsonl")
    origs = {r["task"]: read(r["id"], r["text"], "en")
             for r in rows if r["category"] == "orig"}
    out = []
    for r in rows:
        if r["category"] == "orig":
            continue
        if split != "all" and (r["task"] == "a") != (split == "fit"):
            continue
        out.append(CloughItem(read(r["id"], r["text"], "en"),
                              origs[r["task"]], r["category"]))
    return out


@dataclass
class FloresDoc:
    url: str
    lines: dict[str, list[str]] = field(default_factory=dict)  # lang -> sentences

    def article(self, lang: str, doc_index: int) -> Article:
        return read(f"flores{doc_index:03d}-{lang}", "\n".join(self.lines[lang]), lang)


def flores_families(docs: list[tuple[int, FloresDoc]]
                    ) -> tuple[list[Article], dict[str, str]]:
    """Every language version of each document, and the document each belongs to: the
    gold translation families."""
    arts, gold = [], {}
    for idx, doc in docs:
        for lang in doc.lines:
            a = doc.article(lang, idx)
            arts.append(a)
            gold[a.id] = f"flores{idx}"
    return arts, gold


def flores(data: Path, split: str = "all", max_docs: int | None = None,
           langs: list[str] | None = None) -> list[tuple[int, FloresDoc]]:
    """Documents grouped by URL; fit = even document index, report = odd."""
    base = data / "flores200_devtest"
    urls = [line.split("\t")[0] for line in
            (base / "metadata_devtest.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    wanted = langs or list(FLORES_LANGS.values())
    text = {code: (base / f"{name}.devtest").read_text(encoding="utf-8").splitlines()
            for name, code in FLORES_LANGS.items() if code in wanted}
    docs: list[FloresDoc] = []
    for i, url in enumerate(urls):
        if not docs or docs[-1].url != url:
            docs.append(FloresDoc(url))
        for code, lines in text.items():
            docs[-1].lines.setdefault(code, []).append(lines[i])
    chosen = [(i, d) for i, d in enumerate(docs) if in_split(i, split)]
    if max_docs is not None:
        chosen = random.Random(0).sample(chosen, min(max_docs, len(chosen)))
        chosen.sort(key=lambda x: x[0])
    return chosen


def tatoeba_docs(data: Path, split: str = "all", per_pair: int = 6, size: int = 8
                 ) -> list[tuple[Article, Article]]:
    """Pseudo-documents of `size` consecutive Tatoeba sentences and their translations.
    Tatoeba has no halves of its own: even pseudo-documents fit, odd ones report."""
    out = []
    for pair, (ea, eb, la, lb) in TATOEBA.items():
        d = data / "tatoeba" / pair
        xa = (d / f"tatoeba-test-v2021-08-07.{ea}").read_text(encoding="utf-8").splitlines()
        xb = (d / f"tatoeba-test-v2021-08-07.{eb}").read_text(encoding="utf-8").splitlines()
        rng = random.Random(pair)
        starts = rng.sample(range(0, len(xa) - size, size), per_pair)
        for k, s in enumerate(sorted(starts)):
            ok = [(p, q) for p, q in zip(xa[s : s + size], xb[s : s + size])
                  if p.strip() and q.strip()]
            out.append((
                read(f"tatoeba-{pair}-{k}-{la}", "\n".join(p for p, _ in ok), la),
                read(f"tatoeba-{pair}-{k}-{lb}", "\n".join(q for _, q in ok), lb),
            ))
    return [d for k, d in enumerate(out) if in_split(k, split)]


def events_to_clusters(gold: dict[str, str]) -> list[list[str]]:
    by: dict[str, list[str]] = defaultdict(list)
    for k, v in gold.items():
        by[v].append(k)
    return list(by.values())


MULTIWAY_FIT_YEARS = (2010, 2011)  # report: 2012, 2013


def multiway(data: Path, split: str = "all") -> dict[int, dict[str, list[str]]]:
    """WMT newstest sets, line-aligned across languages: {year: {lang: lines}}.
    fit = 2010 and 2011, report = 2012 and 2013."""
    out: dict[int, dict[str, list[str]]] = {}
    for f in sorted((data / "newstest_multiway").glob("newstest*.*")):
        year = int(f.stem[len("newstest"):])
        if split != "all" and (year in MULTIWAY_FIT_YEARS) != (split == "fit"):
            continue
        out.setdefault(year, {})[f.suffix[1:]] = f.read_text(encoding="utf-8").split("\n")
    return out
