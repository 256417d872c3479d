"""Sentence pairs for the span model (verify.py): shared text against sentences that only
talk about the same fact. Built from the dev corpora, fit and report halves apart.

positives  translations: FLORES (same line, two languages), newstest multiway, Tatoeba;
           paraphrases: MSRP positives; copies: ECB+ sentences verbatim and lightly edited.
negatives  MSRP negatives (same facts, not paraphrases); the best-matching sentence pairs of
           two independent ECB+ reports of one event (no shared word 5-grams); across
           languages, the best-matching *non-parallel* line of the same FLORES document or
           of the 10 newstest lines around it (the same story in other words: the hardest
           negative there is without independent reports in two languages).
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newstrace.embedding.encoder import Encoder, center
from newstrace.embedding.prepare import sentence_sets, text_length
from newstrace.evaluation import corpora
from newstrace.evaluation.planted import CONTAINMENT_INDEPENDENT, containment, light_edit
from newstrace.matching.verify import SpanSide, features
from newstrace.text.normalize import is_boilerplate, is_stamp
from newstrace.text.sentences import split_sentences


@dataclass
class SentencePair:
    a: str
    lang_a: str
    b: str
    lang_b: str
    shared: int  # 1 shared text, 0 not
    source: str  # which construction, for the report
    # The other sentences of each side's article, the rivals of verify.pair_margin. A
    # negative's rivals leave out the true translations of both its lines: it stands for
    # two articles on one story in which neither line has a translation.
    others_a: tuple[str, ...] = ()
    others_b: tuple[str, ...] = ()

    @property
    def same_language(self) -> bool:
        return self.lang_a == self.lang_b


def _msrp(data: Path, split: str) -> list[SentencePair]:
    name = "msr_paraphrase_train.txt" if split == "fit" else "msr_paraphrase_test.txt"
    out = []
    for line in (data / "msrp" / name).read_text(encoding="utf-8-sig").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 5:
            q = int(cols[0])
            out.append(SentencePair(cols[3], "en", cols[4], "en", q,
                                    "msrp+" if q else "msrp-"))
    return out


def _closest_other(encoder: Encoder, line: str, lang_a: str, others: list[str],
                   lang_b: str) -> int | None:
    """The index of the line of `others` closest to `line` (centred cosine); others
    exclude its translation."""
    keep = [k for k, x in enumerate(others) if x.strip()]
    if not keep:
        return None
    va = center(encoder.encode([line]), lang_a)
    vb = center(encoder.encode([others[k] for k in keep]), lang_b)
    return keep[int(np.argmax(vb @ va[0]))]


def _parallel_pair(lines_a: list[str], la: str, lines_b: list[str], lb: str, i: int,
                   src: str, encoder: Encoder) -> list[SentencePair]:
    """Line i of two parallel texts, and line i against the closest other line of B."""
    def rest(lines: list[str], *drop: int) -> tuple[str, ...]:
        return tuple(x for k, x in enumerate(lines) if k not in drop and x.strip())

    out = [SentencePair(lines_a[i], la, lines_b[i], lb, 1, src,
                        rest(lines_a, i), rest(lines_b, i))]
    others = lines_b[:i] + lines_b[i + 1:]
    k = _closest_other(encoder, lines_a[i], la, others, lb)
    if k is not None:
        j = k if k < i else k + 1
        out.append(SentencePair(lines_a[i], la, lines_b[j], lb, 0, f"{src}-other",
                                rest(lines_a, i, j), rest(lines_b, i, j)))
    return out


def _flores(data: Path, split: str, rng: random.Random, n: int,
            encoder: Encoder) -> list[SentencePair]:
    out = []
    langs = list(corpora.FLORES_LANGS.values())
    docs = corpora.flores(data, split)
    for _ in range(n):
        _, doc = rng.choice(docs)
        la, lb = rng.sample(langs, 2)
        lines_a, lines_b = doc.lines[la], doc.lines[lb]
        out += _parallel_pair(lines_a, la, lines_b, lb, rng.randrange(len(lines_a)),
                              "flores", encoder)
    return out


def _multiway(data: Path, split: str, rng: random.Random, n: int,
              encoder: Encoder) -> list[SentencePair]:
    out = []
    years = corpora.multiway(data, split)
    for _ in range(n):
        year = rng.choice(sorted(years))
        la, lb = rng.sample(sorted(years[year]), 2)
        size = min(len(v) for v in years[year].values()) - 12
        i = rng.randrange(10, size)
        # The 10 lines either side stand for the article around the line.
        lines_a, lines_b = years[year][la][i - 10 : i + 11], years[year][lb][i - 10 : i + 11]
        if lines_a[10].strip() and lines_b[10].strip():
            out += _parallel_pair(lines_a, la, lines_b, lb, 10, "newstest", encoder)
    return out


def _tatoeba(data: Path, split: str, rng: random.Random, n: int) -> list[SentencePair]:
    out = []
    docs = corpora.tatoeba_docs(data, split)
    for a, b in rng.sample(docs, min(n, len(docs))):
        xs, ys = a.text.split("\n"), b.text.split("\n")
        for k, (x, y) in enumerate(zip(xs, ys)):
            out.append(SentencePair(x, a.lang or "", y, b.lang or "", 1, "tatoeba",
                                    tuple(xs[:k] + xs[k + 1:]), tuple(ys[:k] + ys[k + 1:])))
    return out


def _ecb(data: Path, split: str, rng: random.Random, encoder: Encoder,
         n_docs: int) -> list[SentencePair]:
    """Copies of ECB+ sentences, and the closest sentences of independent reports."""
    arts, gold = corpora.ecbplus(data, split)
    out: list[SentencePair] = []
    for a in rng.sample(arts, min(n_docs, len(arts))):
        # Stamps and page debris are no one's text: not a copy worth verifying.
        sents = [s for s in split_sentences(a.text) if len(s.split()) >= 6
                 and not is_boilerplate(s) and not is_stamp(s)]
        for s in rng.sample(sents, min(2, len(sents))):
            out.append(SentencePair(s, "en", s, "en", 1, "copy"))
            out.append(SentencePair(s, "en", light_edit(s, rng), "en", 1, "copy-edited"))
    by_event: dict[str, list] = defaultdict(list)
    for a in arts:
        by_event[gold[a.id]].append(a)
    pairs = [p for g in by_event.values() for p in itertools.combinations(g, 2)]
    for x, y in rng.sample(pairs, min(n_docs, len(pairs))):
        if containment(x.text, y.text) >= CONTAINMENT_INDEPENDENT:
            continue  # shares wire copy: not independent
        sx, sy = split_sentences(x.text), split_sentences(y.text)
        if not sx or not sy:
            continue
        sims = center(encoder.encode(sx), "en") @ center(encoder.encode(sy), "en").T
        for flat in np.argsort(-sims, axis=None)[:2]:
            i, j = np.unravel_index(flat, sims.shape)
            out.append(SentencePair(sx[i], "en", sy[j], "en", 0, "ecb-same-event"))
    return out


def build(data: Path, split: str, encoder: Encoder, seed: int = 5) -> list[SentencePair]:
    rng = random.Random(seed)
    msrp = _msrp(data, split)
    return (rng.sample(msrp, min(1200, len(msrp)))
            + _flores(data, split, rng, 700, encoder) + _multiway(data, split, rng, 500, encoder)
            + _tatoeba(data, split, rng, 12) + _ecb(data, split, rng, encoder, 160))


def featurize(pairs: list[SentencePair], encoder: Encoder) -> list[dict[str, float]]:
    """verify.features of each pair, each sentence taken as a one-sentence span, its
    rivals the other sentences of each side's article."""
    def side(texts: list[str], langs: list[str]) -> SpanSide:
        raw = encoder.encode(texts)
        vecs = np.stack([center(raw[i : i + 1], lg)[0] for i, lg in enumerate(langs)])
        sets = [sentence_sets(t) for t in texts]
        return SpanSide(vecs, [s[0] for s in sets], [s[1] for s in sets],
                        [text_length(t) for t in texts])

    def best(vector: np.ndarray, others: tuple[str, ...], lang: str) -> float:
        if not others:
            return -np.inf
        return float((center(encoder.encode(list(others)), lang) @ vector).max())

    # One stream, full batches.
    encoder.encode([p.a for p in pairs] + [p.b for p in pairs]
                   + [x for p in pairs for x in (*p.others_a, *p.others_b)])
    out: list[tuple[int, dict[str, float]]] = []
    for same in (True, False):
        idx = [i for i, p in enumerate(pairs) if p.same_language == same]
        if not idx:
            continue
        fa = side([pairs[i].a for i in idx], [pairs[i].lang_a for i in idx])
        fb = side([pairs[i].b for i in idx], [pairs[i].lang_b for i in idx])
        rival = np.array([max(best(fa.vectors[k], pairs[i].others_b, pairs[i].lang_b),
                              best(fb.vectors[k], pairs[i].others_a, pairs[i].lang_a))
                          for k, i in enumerate(idx)])
        rival[~np.isfinite(rival)] = np.nan
        for i, f in zip(idx, features(fa, fb, same, None if same else rival)):
            out.append((i, f))
    return [f for _, f in sorted(out, key=lambda x: x[0])]
