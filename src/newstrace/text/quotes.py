"""Quoted speech: how much of each sentence lies inside quotation marks.

A quotation is the speaker's text, not the outlet's. Two independent reports of one press
conference quote the same words, so a shared quotation is evidence of a common source, not
of one article copying the other (matching/passages.py: a quotation does not seed a
passage; inside a copied passage it still counts).

Every quotation mark toggles, whatever its direction: "…", “…”, „…“, «…», »…«, ``…'',
「…」 and 『…』 are each one opening and one closing mark, and a convention that reverses
the guillemets (German) toggles the same. Single quotes are left out: ’ and ' are also
apostrophes. A quotation may run over several sentences (a quoted paragraph opens with a
mark and closes sentences later), so the state carries from one sentence to the next, for
at most `CARRY` sentences without any mark: a stray mark does not quote the rest of the
article. A sentence whose marks pair up, or that opens with one, starts outside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

_MARKS = re.compile("``|''|[\"“”„‟«»‹›「」『』＂]")
_WORD = re.compile(r"[^\W_]")
CARRY = 4  # sentences without a mark a quotation runs over before it is taken as unclosed


def _segments(sentences: Sequence[str]) -> Iterator[list[tuple[str, bool]]]:
    """Each sentence as its pieces between marks, each with whether it is quoted."""
    inside, quiet = False, 0
    for sentence in sentences:
        marks = [m.start() for m in _MARKS.finditer(sentence)]
        if not marks:
            quiet += 1
            if inside and quiet > CARRY:
                inside = False
        else:
            quiet = 0
        # A sentence with its marks in pairs holds its own quotations, and one that opens
        # with a mark opens one: either way, whatever came before is closed. Only an odd
        # mark elsewhere may close a quotation carried from the sentences before.
        state = inside and (not marks or (len(marks) % 2 == 1
                                          and bool(_WORD.search(sentence, 0, marks[0]))))
        pieces, last = [], 0
        for pos in marks + [len(sentence)]:
            pieces.append((_MARKS.sub(" ", sentence[last:pos]), state))
            state, last = not state, pos
        inside = not state  # the sentence end flipped it once more than its marks
        yield pieces


def quotations(sentences: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """For each sentence, the share of its word characters (letters and digits, so any
    script alike) that lie inside quotation marks, and its text outside them (the frame:
    "…," the spokesman said)."""
    out = np.zeros(len(sentences), np.float32)
    frames: list[str] = []
    for k, pieces in enumerate(_segments(sentences)):
        letters = [(len(_WORD.findall(text)), q) for text, q in pieces]
        total = sum(n for n, _ in letters)
        out[k] = sum(n for n, q in letters if q) / total if total else 0.0
        frames.append(" ".join(text for text, q in pieces if not q))
    return out, frames


def quoted_text(sentences: Sequence[str]) -> list[str]:
    """For each sentence, its words inside quotation marks (the speaker's), marks removed."""
    return [" ".join(" ".join(text for text, q in pieces if q).split())
            for pieces in _segments(sentences)]


def self_quoted(sentence: str) -> bool:
    """The sentence opens and closes a quotation of its own (at least one pair of marks),
    not only one carried over from the sentences around it."""
    return len(_MARKS.findall(sentence)) >= 2


def quoted_shares(sentences: Sequence[str]) -> np.ndarray:
    """quotations' shares alone."""
    return quotations(sentences)[0]


def span_share(shares: np.ndarray, lengths: np.ndarray, first: int, last: int) -> float:
    """The quoted share of sentences first..last, each weighted by its length."""
    weights = np.maximum(lengths[first : last + 1], 1.0)
    return float(np.average(shares[first : last + 1], weights=weights))
