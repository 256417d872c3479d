"""Language-independent anchors: numbers, names folded to ASCII, quoted strings.

Translations keep numbers and proper names (transliterated across scripts), so shared
anchors support a sentence match the embedding alone is unsure of; independent reports
of one event also share them, which is why they feed the story score too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_NUMBER = re.compile(r"\d+(?:[.,\u00a0 ]\d+)*")
# A word as a name is read: hyphen and apostrophe parts kept together ("Jong-un", "O'Neil").
NAME_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_QUOTED = re.compile(r"[\"“”«»„‘’‹›]([^\"“”«»„‹›]{8,200})[\"“”«»„‹›]")


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """ASCII-folded lowercase form: 'Jong-un' -> 'jongun', 'Путин' -> 'putin'."""
    return _NOT_ALNUM.sub("", (word if word.isascii() else anyascii(word)).lower())


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def ascii_digits(text: str) -> str:
    """Every script's decimal digits as ASCII ("٢٠٢٠" -> "2020", "१९" -> "19"): an Arabic
    or Hindi text's number, year or date must agree with the same one in Latin digits."""
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)


def numbers(text: str) -> set[str]:
    """Numbers with separators removed, so 1,000 / 1.000 / 1 000 agree across locales,
    in ASCII digits whatever the script writes them in."""
    out = set()
    for m in _NUMBER.finditer(text):
        digits = ascii_digits(re.sub(r"\D", "", m.group()))
        if len(digits) >= 2 or m.group() != digits:  # single digits are too common
            out.add(digits.lstrip("0") or "0")
    return out


# Abbreviated titles a name follows ("Gov. Palin", "Dr. Wilson", "Sr. López"): their point
# ends no sentence. An initial ("George W. Bush") is any single capital.
TITLES = frozenset({
    "mr", "mrs", "ms", "dr", "gov", "sen", "rep", "gen", "lt", "col", "sgt", "capt", "cpt",
    "adm", "maj", "prof", "pres", "rev", "hon", "fr", "st", "jr", "sr", "sra", "dra", "hr",
    "mme", "mlle", "mgr", "ing"})
_BEFORE_POINT = re.compile(r"(?:^|[^\w.])([^\W\d_]+)$")


def abbreviation_before(text: str, point: int) -> bool:
    """text[point] is a point that closes an initial or an abbreviated title, not a
    sentence: "W." in "George W. Bush", "Gov." in "Gov. Palin"."""
    m = _BEFORE_POINT.search(text, max(0, point - 8), point)
    if not m:
        return False
    word = m.group(1)
    return (len(word) == 1 and word.isupper()) or word.lower() in TITLES


def names(text: str) -> set[str]:
    """Capitalised words that are not just sentence-initial, folded to ASCII."""
    out = set()
    for m in NAME_WORD.finditer(text):
        word = m.group()
        if len(word) < 3 or not word[0].isupper():
            continue
        start = m.start()
        before = text[max(0, start - 2) : start].strip()
        if start == 0 or before[-1:] in (".", "!", "?", ":", '"', "“", "«"):
            if not (text[start - 2 : start] == ". " and abbreviation_before(text, start - 2)):
                continue  # capitalised because a sentence or a quotation starts here
        out |= name_keys(word)
    return out


def name_keys(word: str) -> frozenset[str]:
    """The folded keys a name word stands for: its hyphen and apostrophe parts of three
    letters or more ("Jong-un" -> jong; "Teixeira's" -> teixeira)."""
    return frozenset(k for k in map(fold, re.split(r"['’\-]", word)) if len(k) >= 3)


def quoted(text: str) -> set[str]:
    return {fold(q)[:60] for q in _QUOTED.findall(text) if len(fold(q)) >= 8}


def anchors(text: str) -> set[str]:
    """All anchors of a text, prefixed by kind so a number never equals a name."""
    return (
        {"#" + n for n in numbers(text)}
        | {"@" + n for n in names(text)}
        | {'"' + q for q in quoted(text)}
    )
