"""Per-article analysis: language, sentences, embeddings, anchors, facts, shingles.

Everything later stages need about one article is computed here once, so comparing two
articles never re-reads, re-splits or re-encodes either of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from newstrace.embedding.encoder import DIM, Encoder, center
from newstrace.text import language
from newstrace.text.anchors import anchors, fold
from newstrace.text.article import Article
from newstrace.text.entities import Facts, facts
from newstrace.text.normalize import is_boilerplate, is_stamp
from newstrace.text.quotes import quotations
from newstrace.text.sentences import split_sentences

# Scripts written without spaces between words: a "word" run there is a phrase or a whole
# sentence, so such runs are cut into overlapping character bigrams (the usual unit for
# Chinese/Japanese retrieval) instead of counting as one token. Han (with 々 and 〇),
# Hiragana, Katakana (and its half-width forms), Thai, Lao, Khmer, Myanmar.
_DENSE_RANGES = (
    "\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f"
    "\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u19e0-\u19ff"
    "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"
)


def _mark_class(blocks: tuple[tuple[int, int], ...]) -> str:
    """The combining marks (Unicode category M) of these code-point blocks (inclusive),
    as a character-class body of ranges. Python's \\w matches none of them."""
    out = []
    for lo, hi in blocks:
        start = None
        for c in range(lo, hi + 2):  # hi + 1 closes a run that reaches the block's end
            if c <= hi and unicodedata.category(chr(c)).startswith("M"):
                start = c if start is None else start
            elif start is not None:
                last = c - 1
                out.append(re.escape(chr(start))
                           + ("-" + re.escape(chr(last)) if last != start else ""))
                start = None
    return "".join(out)


# Every mark of the first two planes: without them "हिन्दी" came out as ह, न, द and an
# Arabic word with its vowel signs as single letters.
_ANY_MARK = _mark_class(((0, 0x1FFFF),))
# A dense run (with its combining vowel and tone marks, which \w does not match), or a
# word of any other script: letters and digits with the marks that follow them.
_TOKEN = re.compile(f"([{_DENSE_RANGES}]+)|[^\\W_{_DENSE_RANGES}](?:[^\\W_{_DENSE_RANGES}]"
                    f"|[{_ANY_MARK}])*", re.UNICODE)
_WORD = re.compile(f"[^\\W_](?:[^\\W_]|[{_ANY_MARK}])*", re.UNICODE)  # no dense runs


# The marks inside the dense scripts' blocks: a mark stays with the letter before it (Thai,
# Lao, Khmer and Myanmar vowel signs and tone marks; kana voicing).
_MARKS = _mark_class(((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF),
                      (0x3099, 0x309A), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)))
_CLUSTER = re.compile(f"[^{_MARKS}][{_MARKS}]*|[{_MARKS}]+")
_HAS_MARK = re.compile(f"[{_MARKS}]")
_DENSE_START = re.compile(f"[{_DENSE_RANGES}]")


@dataclass
class SideData:
    """What the aligner needs of one article."""

    vectors: np.ndarray  # centred, L2-normalised, one row per sentence
    anchors: list[frozenset[str]]  # per sentence
    words: list[frozenset[str]]  # per sentence, folded content words
    lengths: np.ndarray  # characters per sentence
    # Share of each sentence inside quotation marks (text/quotes.py), and the content words
    # of its frame (the words outside them); None: not known.
    quoted: np.ndarray | None = None
    frames: list[frozenset[str]] | None = None
    # Each sentence's mean cosine to its nearest background sentences: filled by
    # matching.verify on first use (an article meets many candidates; this is per article).
    hub: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass
class Prepared:
    article: Article
    side: SideData  # what the aligner reads
    doc_vector: np.ndarray  # centred, normalised mean of the sentence vectors
    raw_vector: np.ndarray  # uncentred mean: keeps cross-lingual neighbours close
    lead_vector: np.ndarray  # the opening of the article encoded as one passage
    doc_anchors: frozenset[str]
    facts: Facts  # who, where, when (entities.py)
    lead_centred: np.ndarray = field(init=False)  # lead_vector less the language mean

    def __post_init__(self) -> None:
        self.lead_centred = center(self.lead_vector[None], self.article.lang)[0]

    @property
    def id(self) -> str:
        return self.article.id

    @cached_property
    def shingles(self) -> frozenset[str]:
        """Word 3-grams, for MinHash and same-language overlap: computed on first use, as
        most candidates an index rebuilds are compared across languages."""
        return shingles(words(" ".join(self.article.sentences)))


def token_runs(text: str) -> Iterator[re.Match[str]]:
    """Where words() finds its tokens: each match a word (letters and digits with their
    combining marks) or, with group(1) set, a run of a script written without spaces."""
    return _TOKEN.finditer(text)


def words(text: str) -> list[str]:
    """Lowercased word tokens; runs of a script written without spaces (Chinese,
    Japanese, Thai, Lao, Khmer, Myanmar) become overlapping character bigrams, a
    one-character run a unigram ("中国人民" -> 中国, 国人, 人民)."""
    if not _DENSE_START.search(text):
        return [w.lower() for w in _WORD.findall(text)]
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        run = m.group(1)
        if run is None:
            out.append(m.group().lower())
            continue
        chars = _CLUSTER.findall(run) if _HAS_MARK.search(run) else run
        if len(chars) == 1:
            out.append(chars[0])
        else:
            out.extend(chars[i] + chars[i + 1] for i in range(len(chars) - 1))
    return out


def is_dense(token: str) -> bool:
    """A token from a script written without spaces (a character bigram or unigram)."""
    return bool(token) and _DENSE_START.match(token) is not None


DENSE_CHAR_WEIGHT = 3  # a Han / kana / Thai character carries about a short word's worth


def text_length(text: str) -> float:
    """Length in Latin-script-equivalent characters: a Chinese translation of a sentence
    has about a third of its characters, which must not read as a length disagreement
    (verify.py) or shrink the sentence's weight in coverage."""
    return float(len(text) + (DENSE_CHAR_WEIGHT - 1) * len(_DENSE_START.findall(text)))


def shingles(tokens: list[str], n: int = 3) -> frozenset[str]:
    if len(tokens) < n:
        return frozenset([" ".join(tokens)]) if tokens else frozenset()
    return frozenset(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


# A page whose one non-boilerplate sentence is under this share of its text is furniture.
# SemEval fit pages: the residues of paywalls hold 7 % and 11 %; the next page, an obituary
# with a long notice, 44 % in five sentences (docs/CALIBRATION.md 8).
FURNITURE_SHARE = 0.25


def _warn(article: Article, message: str) -> None:
    # analyse runs again for an article left without sentences: say it once.
    if message not in article.warnings:
        article.warnings.append(message)


def analyse(article: Article) -> Article:
    """Fill in language and sentences (no embeddings yet); idempotent."""
    if not article.lang:
        article.lang = language.detect(article.text)
        if article.lang is None:
            _warn(article, "language could not be identified")
    split = split_sentences(article.text)
    sents = [s for s in split if not is_boilerplate(s)]
    total = sum(map(len, split))
    if len(sents) == 1 and len(sents[0]) < FURNITURE_SHARE * total:
        # A bot check, paywall or consent wall scraped in place of the article leaves one
        # sentence the patterns missed; two such pages of one site would match on it.
        _warn(article, f"mostly site furniture: {1 - len(sents[0]) / total:.0%} of the text "
                       "is boilerplate (paywall, consent or bot check?); its one other "
                       "sentence is not read as article text")
        sents = []
    elif not sents:
        _warn(article, "no sentences left after removing boilerplate")
    article.sentences = sents
    article.sentence_langs = [language.detect(s, default=article.lang) or "" for s in sents]
    return article


LEAD_CHARS = 1000


def lead(article: Article) -> str:
    """The opening of the article as one passage: what a whole-document embedding sees.

    Whole-document cosine tracks "same story" far better than the mean of sentence
    vectors (SemEval fit pairs: Pearson 0.74 against 0.53), so stories use it.
    """
    return " ".join(article.sentences)[:LEAD_CHARS] or article.text[:LEAD_CHARS]


def prepare(article: Article, encoder: Encoder) -> Prepared:
    if not article.sentences:
        analyse(article)
    sents = article.sentences
    raw = encoder.encode(sents) if sents else np.zeros((0, DIM), np.float32)
    return build(article, raw, encoder.encode([lead(article)])[0])


def _unit_mean(vecs: np.ndarray) -> np.ndarray:
    if not len(vecs):
        return np.zeros(DIM, np.float32)
    mean = vecs.mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-8)).astype(np.float32)


SentenceSets = tuple[frozenset[str], frozenset[str]]


@lru_cache(maxsize=16384)
def sentence_sets(sentence: str) -> SentenceSets:
    """A sentence's anchors and content words. Cached (bounded: a few KB per entry): scan
    compares each article with many others; the index stores them (pack_sets)."""
    # Words of 4+ letters: a crude, language-agnostic stand-in for content words.
    # (A word of a script anyascii cannot spell folds to "": no evidence of anything.)
    # Character bigrams of scripts without spaces count as content tokens too.
    # A publication stamp has none: like a dateline, it never seeds a passage.
    content = frozenset() if is_stamp(sentence) else content_words(sentence)
    return frozenset(anchors(sentence)), content


def content_words(text: str) -> frozenset[str]:
    """Folded words of 4+ letters, and the character bigrams of scripts without spaces."""
    return frozenset(fold(w) for w in words(text) if len(w) >= 4 or is_dense(w)) - {""}


def pack_sets(sets: SentenceSets) -> str:
    """One line of text: anchors and words are folded ASCII without spaces or tabs."""
    return " ".join(sorted(sets[0])) + "\t" + " ".join(sorted(sets[1]))


def unpack_sets(packed: str) -> SentenceSets:
    a, _, w = packed.partition("\t")
    return frozenset(a.split()), frozenset(w.split())


def build(article: Article, raw: np.ndarray, lead_vector: np.ndarray,
          sets: list[SentenceSets] | None = None) -> Prepared:
    """Assemble a Prepared article from its sentences' and its lead's raw vectors (and
    their anchor/word sets where already known)."""
    vecs = center(raw, article.lang) if len(raw) else raw
    sents = article.sentences
    if sets is None:
        sets = [sentence_sets(s) for s in sents]
    quoted, frames = quotations(sents)
    side = SideData(
        vectors=vecs,
        anchors=[a for a, _ in sets],
        words=[w for _, w in sets],
        lengths=np.array([text_length(s) for s in sents], dtype=np.float64),
        quoted=quoted,
        # Not sentence_sets: a frame needs no anchors, nor a place in its cache.
        frames=[content_words(f) for f in frames],
    )
    doc_anchors = frozenset().union(*side.anchors) if side.anchors else frozenset()
    text = " ".join(sents) or article.text
    # No sentence left (a page that was all furniture): the lead, which falls back to the
    # raw text, stands for the mean, so the article is not a zero vector to every search.
    raw_mean = _unit_mean(raw) if len(raw) else np.asarray(lead_vector, np.float32)
    return Prepared(article, side, _unit_mean(vecs), raw_mean, lead_vector, doc_anchors,
                    facts(text, article.lang, article.published))
