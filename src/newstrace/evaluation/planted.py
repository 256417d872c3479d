"""Planted passages: known partial reuse built from the dev corpora.

The dev corpora hold whole-document translations and rewrites but almost no partial copy,
the commonest reuse of all. These builders paste a passage into a host and know exactly
which host sentences are shared text, so detection, labels and evidence can be scored:

- same language: 3 consecutive sentences of an ECB+ article pasted, verbatim or lightly
  edited, into an independent report of the same event (no shared word 5-grams);
- cross-lingual: the human translation of 3 consecutive newstest lines pasted into a run
  of 10-20 lines from elsewhere in the target language; the source is the run around
  those lines in another language;
- cross-lingual from FLORES (`flores_pasted`, `newstrace eval passages` only): 3 lines of
  a document's translation pasted into three other documents, in random pairs of FLORES'
  20 languages;
- same language, picked (`same_language(picked=True)`, `newstrace eval passages` only): 3
  sentences from all over an ECB+ article (5-7 sentences apart) pasted together into a
  report of the same event, as a condensed copy takes them; and across languages
  (`cross_lingual(picked=True)`), 3 newstest lines 5-7 apart pasted as their translation;
- same language beyond English (`other_languages`, `newstrace eval passages` only): 3
  sentences of a SemEval text pasted, verbatim or lightly edited, into another text of its
  language (de, en, es, fr, pl, tr, ar), so the same-language rules (stock phrases,
  boilerplate, word overlap) are measured outside ECB+'s English;
- quoted (`quoted`, `newstrace eval passages` only): 3 consecutive sentences of an ECB+
  report that are mostly quoted speech pasted verbatim into a report of the same event;
  its control is that report given the same quoted words in frames of its own ("In a
  statement, officials said: …"), as two reports of one press conference quote them;
- long (`long_sentence`, `newstrace eval passages` only): one sentence of 22+ content
  words of an ECB+ report pasted, verbatim or lightly edited, into a report of the same
  event: the minimum's single-sentence route;
- control: the same host without the passage, against the same source.

Calibration plants from the fit halves, `newstrace eval passages` from the report halves.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newstrace.embedding.prepare import content_words, shingles, words
from newstrace.evaluation import corpora
from newstrace.text.article import Article
from newstrace.text.quotes import quoted_shares, quoted_text, self_quoted
from newstrace.text.sentences import split_sentences

CONTAINMENT_INDEPENDENT = 0.05  # word-5-gram containment below which two texts share none


def containment(x: str, y: str, n: int = 5) -> float:
    """|A ∩ B| / min(|A|, |B|) over the word n-gram sets of two texts."""
    a, b = shingles(words(x), n), shingles(words(y), n)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass
class PlantedCase:
    kind: str  # "verbatim", "edited", "translated" (newstest) or "translated-flores"
    source: Article  # the article the passage comes from
    host: Article  # the host with the passage pasted in
    control: Article  # the host as it was (kind "quoted": with the quotes reframed)
    passage: list[str]  # the pasted lines, as they appear in the host

    def planted_sentences(self) -> set[int]:
        """Indices of the host's sentences that are pasted text (after analyse)."""
        pasted = {s for line in self.passage for s in split_sentences(line)}
        return {i for i, s in enumerate(self.host.sentences) if s in pasted}


def light_edit(sentence: str, rng: random.Random) -> str:
    """A copy editor's touch: one word dropped, one word replaced, punctuation changed."""
    toks = sentence.split()
    if len(toks) >= 8:
        del toks[rng.randrange(1, len(toks) - 1)]
        k = rng.randrange(1, len(toks) - 1)
        toks[k] = {"said": "stated", "the": "this", "a": "one"}.get(toks[k].lower(), toks[k])
    out = " ".join(toks)
    return re.sub(r"[.!?]?$", ";" if rng.random() < 0.5 else ".", out, count=1)


def _insert(lines: list[str], passage: list[str], rng: random.Random) -> list[str]:
    at = rng.randint(max(1, len(lines) // 3), max(1, 2 * len(lines) // 3))
    return lines[:at] + passage + lines[at:]


def _passage(src: Article, host: Article, rng: random.Random, edited: bool,
             min_sentences: int, spread: int = 1) -> tuple[list[str], list[str]] | None:
    """3 sentences (6+ words each) of `src` to paste, `spread` apart (1: consecutive),
    lightly edited or not, and the host's sentences; None where either text is short or
    the two share word 5-grams."""
    ss = [s for s in split_sentences(src.text) if len(s.split()) >= 6]
    hs = split_sentences(host.text)
    if len(ss) < max(min_sentences, 2 * spread + 1) or len(hs) < min_sentences or \
            containment(src.text, host.text) >= CONTAINMENT_INDEPENDENT:
        return None
    if spread == 1:
        start = rng.randrange(0, len(ss) - min_sentences + 2)
    else:
        start = rng.randrange(0, len(ss) - 2 * spread)
    passage = ss[start : start + 2 * spread + 1 : spread]
    if edited:
        passage = [light_edit(s, rng) for s in passage]
    return passage, hs


def _event_pairs(data: Path, split: str, rng: random.Random) -> list[tuple[Article, Article]]:
    """Every ordered pair of ECB+ reports of one event (source, host), shuffled."""
    arts, gold = corpora.ecbplus(data, split)
    by_event: dict[str, list[Article]] = defaultdict(list)
    for a in arts:
        by_event[gold[a.id]].append(a)
    pairs = [(x, y) for group in by_event.values() for x in group for y in group if x is not y]
    rng.shuffle(pairs)
    return pairs


def _independent_pairs(data: Path, split: str, rng: random.Random, used: set[str]
                       ) -> Iterator[tuple[Article, Article]]:
    """_event_pairs that share no word 5-gram, neither article in `used` (read at each
    step: the caller adds the articles of the pairs it takes)."""
    for src, host in _event_pairs(data, split, rng):
        if src.id in used or host.id in used or \
                containment(src.text, host.text) >= CONTAINMENT_INDEPENDENT:
            continue
        yield src, host


def same_language(data: Path, split: str, n: int, seed: int = 7,
                  edited: bool = False, picked: bool = False) -> list[PlantedCase]:
    """ECB+ reports of one event: 3 sentences of one pasted into another. `picked`: the 3
    sentences come from all over the source, 5 to 7 of its sentences apart, and are pasted
    together (a condensed copy's way; kind "picked", `eval passages` only)."""
    rng = random.Random(seed + int(edited) + 2 * int(picked))
    pairs = _event_pairs(data, split, rng)
    out: list[PlantedCase] = []
    used: set[str] = set()
    for src, host in pairs:
        if len(out) >= n:
            break
        if src.id in used or host.id in used:
            continue
        got = _passage(src, host, rng, edited, 5, rng.randint(5, 7) if picked else 1)
        if got is None:
            continue
        passage, hs = got
        kind = "picked" if picked else "edited" if edited else "verbatim"
        text = "\n".join(_insert(hs, passage, rng))
        out.append(PlantedCase(
            kind, Article(id=src.id, text=src.text, lang=src.lang),
            Article(id=f"{host.id}+{kind}", text=text, lang=host.lang),
            Article(id=host.id, text=host.text, lang=host.lang), passage))
        used |= {src.id, host.id}
    return out


def long_sentence(data: Path, split: str, n: int, seed: int = 17,
                  min_words: int = 22) -> list[PlantedCase]:
    """ECB+ reports of one event: one sentence of `min_words`+ content words (not mostly
    quoted speech) pasted into another, verbatim in even cases and lightly edited in odd
    ones (kind "long", `eval passages` only): the minimum's single-sentence route, which
    holds a lone sentence of `long_words` (20) content words; a light edit may take one."""
    rng = random.Random(seed)
    out: list[PlantedCase] = []
    used: set[str] = set()
    for src, host in _independent_pairs(data, split, rng, used):
        if len(out) >= n:
            break
        ss, hs = split_sentences(src.text), split_sentences(host.text)
        shares = quoted_shares(ss)
        long = [x for x, q in zip(ss, shares) if q < 0.5 and len(content_words(x)) >= min_words]
        if not long or len(hs) < 5:
            continue
        sentence = rng.choice(long)
        passage = [light_edit(sentence, rng) if len(out) % 2 else sentence]
        out.append(PlantedCase(
            "long", Article(id=src.id, text=src.text, lang=src.lang),
            Article(id=f"{host.id}+long", text="\n".join(_insert(hs, passage, rng)),
                    lang=host.lang),
            Article(id=host.id, text=host.text, lang=host.lang), passage))
        used |= {src.id, host.id}
    return out


# Frames of a quotation that no report of the corpus uses: the control's own attribution.
QUOTE_FRAMES = ("In a statement, officials said:", "Speaking to reporters, one of them said:",
                "A spokesperson added:")


def quoted(data: Path, split: str, n: int, seed: int = 13) -> list[PlantedCase]:
    """ECB+ reports of one event: 3 consecutive sentences of one, at least two of them
    mostly quoted speech inside a pair of their own marks, pasted verbatim into another
    (kind "quoted"); the control is the other report given the same quoted words (those
    sentences' only) in frames of its own (QUOTE_FRAMES), so a shared quotation that is no
    copy is measured as the controls' false reuse."""
    rng = random.Random(seed)
    out: list[PlantedCase] = []
    used: set[str] = set()
    for src, host in _independent_pairs(data, split, rng, used):
        if len(out) >= n:
            break
        ss, hs = split_sentences(src.text), split_sentences(host.text)
        shares, inner = quoted_shares(ss), quoted_text(ss)
        quote = [shares[j] >= 0.5 and self_quoted(ss[j]) and len(inner[j].split()) >= 4
                 for j in range(len(ss))]
        runs = [k for k in range(len(ss) - 2) if sum(quote[k : k + 3]) >= 2
                and all(len(ss[j].split()) >= 6 for j in range(k, k + 3))]
        if not runs or len(hs) < 5:
            continue
        k = rng.choice(runs)
        passage = ss[k : k + 3]
        reframed = [f"{QUOTE_FRAMES[j]} “{inner[k + j].rstrip(',;:.!? ')}.”" for j in range(3)
                    if quote[k + j]]
        at = rng.randint(max(1, len(hs) // 3), max(1, 2 * len(hs) // 3))
        out.append(PlantedCase(
            "quoted", Article(id=src.id, text=src.text, lang=src.lang),
            Article(id=f"{host.id}+quoted", text="\n".join(hs[:at] + passage + hs[at:]),
                    lang=host.lang),
            Article(id=f"{host.id}+reframed", text="\n".join(hs[:at] + reframed + hs[at:]),
                    lang=host.lang), passage))
        used |= {src.id, host.id}
    return out


def cross_lingual(data: Path, split: str, n: int, seed: int = 11,
                  picked: bool = False) -> list[PlantedCase]:
    """newstest multiway: 3 translated lines pasted into a run from elsewhere. `picked`:
    the 3 lines are 5 to 7 lines apart in a run of 22, as a farm that translates and
    condenses takes them (kind "translated-picked", `eval passages` only)."""
    rng = random.Random(seed + 2 * int(picked))
    years = corpora.multiway(data, split)
    out: list[PlantedCase] = []
    while len(out) < n:
        year = rng.choice(sorted(years))
        langs = sorted(years[year])
        la, lb = rng.sample(langs, 2)
        size = min(len(v) for v in years[year].values()) - 1
        ls, lh = (22 if picked else rng.randint(10, 20)), rng.randint(10, 20)
        s = rng.randrange(0, size - ls)
        h = rng.randrange(0, size - lh)
        if abs(h - s) < 200:
            continue  # far apart: another article of the test set
        if picked:
            spread = rng.randint(5, 7)
            k = s + rng.randrange(0, ls - 2 * spread)
            lines = [years[year][lb][k + i * spread] for i in range(3)]
            passage = [x for x in lines if len(x.split()) >= 6]
        else:
            k = s + rng.randrange(2, ls - 5)
            passage = [x for x in years[year][lb][k : k + 3] if x.strip()]
        src_lines = [x for x in years[year][la][s : s + ls] if x.strip()]
        host_lines = [x for x in years[year][lb][h : h + lh] if x.strip()]
        if len(passage) < 3:
            continue
        tag = f"mw{year}-{s}-{h}"
        out.append(PlantedCase(
            "translated-picked" if picked else "translated",
            Article(id=f"{tag}-src-{la}", text="\n".join(src_lines), lang=la),
            Article(id=f"{tag}-host-{lb}+translated", text="\n".join(
                _insert(host_lines, passage, rng)), lang=lb),
            Article(id=f"{tag}-host-{lb}", text="\n".join(host_lines), lang=lb), passage))
    return out


def flores_pasted(data: Path, split: str, n: int, seed: int = 5) -> list[PlantedCase]:
    """FLORES: 3 consecutive lines of a document's translation pasted into three other
    documents of that language; the source is the document (4+ lines) in another of
    FLORES' 20 languages, so weaker pairs for the encoder (Icelandic, Estonian, Chinese)
    come up too. `calibrate` does not use these; their fit half guided one passage rule
    (docs/CALIBRATION.md 0b), so only the report half is held out."""
    rng = random.Random(seed)
    docs = corpora.flores(data, split)
    langs = sorted(docs[0][1].lines)
    long_docs = [(i, d) for i, d in docs if len(d.lines["en"]) >= 4]
    out: list[PlantedCase] = []
    while len(out) < n:
        si, sd = rng.choice(long_docs)
        la, lb = rng.sample(langs, 2)
        others = rng.sample([x for x in docs if x[0] != si], 3)
        host_lines = [line for _, d in others for line in d.lines[lb]]
        k = rng.randrange(0, len(sd.lines[lb]) - 2)
        passage = sd.lines[lb][k : k + 3]
        at = rng.randrange(1, len(host_lines))
        tag = f"fl{si:03d}-{'-'.join(str(i) for i, _ in others)}"
        out.append(PlantedCase(
            "translated-flores", sd.article(la, si),
            Article(id=f"{tag}-host-{lb}+translated", lang=lb,
                    text="\n".join(host_lines[:at] + passage + host_lines[at:])),
            Article(id=f"{tag}-host-{lb}", text="\n".join(host_lines), lang=lb), passage))
    return out


PASTE_MAX_SHARE = 0.4  # of the host's characters: "a few paragraphs" in a longer article


def other_languages(data: Path, split: str, per_language: int,
                    seed: int = 21) -> list[PlantedCase]:
    """SemEval pairs of one language (either event, no word 5-gram shared): 3 consecutive
    sentences of one text pasted into the other, verbatim and lightly edited in turn, kinds
    "verbatim-multilingual" and "edited-multilingual". SemEval's texts are cut at ~1,300
    characters, so a host is taken only where the passage stays under PASTE_MAX_SHARE of
    it; a passage that is most of a text is no partial copy. `calibrate` does not use
    these (its same-language cases are ECB+'s), so both halves are held out."""
    rng = random.Random(seed)
    by_lang: dict[str, list[tuple[Article, Article]]] = defaultdict(list)
    for it in corpora.semeval(data, split):
        if it.a.lang and it.a.lang == it.b.lang:
            by_lang[it.a.lang].append((it.a, it.b))
    out: list[PlantedCase] = []
    for lang, pairs in sorted(by_lang.items()):
        rng.shuffle(pairs)
        made = 0
        for src, host in pairs:
            if made >= per_language:
                break
            edited = made % 2 == 1
            got = _passage(src, host, rng, edited, 4)
            if got is None:
                continue
            passage, hs = got
            pasted = sum(map(len, passage))
            if pasted > PASTE_MAX_SHARE * (pasted + sum(map(len, hs))):
                continue
            kind = "edited-multilingual" if edited else "verbatim-multilingual"
            out.append(PlantedCase(
                kind, Article(id=src.id, text=src.text, lang=lang),
                Article(id=f"{host.id}+{kind}", text="\n".join(_insert(hs, passage, rng)),
                        lang=lang),
                Article(id=host.id, text=host.text, lang=lang), passage))
            made += 1
    return out


def cases(data: Path, split: str, n: int) -> list[PlantedCase]:
    """n cases of each kind."""
    return (same_language(data, split, n) + same_language(data, split, n, edited=True)
            + cross_lingual(data, split, n))
