"""Sentence splitting that works across scripts (Latin, Cyrillic, Arabic, CJK)."""

from __future__ import annotations

import re

import blingfire

# A line that is one long run without terminal punctuation is still split on these.
_HARD_BREAK = re.compile(r"(?<=[.!?。！？])\s+(?=[\"“«„(\[]?[A-ZÀ-ÖØ-ÞА-ЯЁ0-9])")
_MAX_CHARS = 600


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; paragraph breaks (newlines) always end a sentence."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        for sent in blingfire.text_to_sentences(paragraph).split("\n"):
            sent = sent.strip()
            if sent:
                out.extend(_split_long(sent))
    return out


def _split_long(sent: str) -> list[str]:
    # The encoder truncates at 512 tokens; very long "sentences" are usually lists or
    # run-on scraping debris, so cut them at clause punctuation to keep them alignable.
    if len(sent) <= _MAX_CHARS:
        return [sent]
    parts = [p for p in _HARD_BREAK.split(sent) if p.strip()]
    if len(parts) == 1:
        parts = [p for p in re.split(r"(?<=[;:])\s+", sent) if p.strip()]
    out: list[str] = []
    for p in parts:
        while len(p) > _MAX_CHARS:
            cut = p.rfind(" ", 0, _MAX_CHARS)
            cut = cut if cut > _MAX_CHARS // 2 else _MAX_CHARS
            out.append(p[:cut].strip())
            p = p[cut:].strip()
        if p:
            out.append(p)
    return out
