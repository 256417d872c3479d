"""Language identification: ISO 639-1 codes for articles and sentences.

py3langid is fast and covers 97 languages; it confuses the Scandinavian languages on
short text and only knows a generic Norwegian, so those verdicts are refined by lingua
restricted to the four candidates (cheap when restricted, and best on short text).
"""

from __future__ import annotations

from functools import lru_cache

_SCANDINAVIAN = {"no", "nb", "nn", "da", "sv"}
# Below this many letters an identification is a guess; the article language is used.
MIN_LETTERS = 12


@lru_cache(maxsize=1)
def _langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=1)
def _scandinavian():
    from lingua import Language, LanguageDetectorBuilder

    langs = [Language.BOKMAL, Language.NYNORSK, Language.DANISH, Language.SWEDISH]
    return LanguageDetectorBuilder.from_languages(*langs).build()


_LINGUA_CODES = {"BOKMAL": "nb", "NYNORSK": "nn", "DANISH": "da", "SWEDISH": "sv"}


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def detect(text: str, default: str | None = None) -> str | None:
    """Best language code for `text`, or `default` when the text is too short to tell."""
    if _letters(text) < MIN_LETTERS:
        return default
    code, prob = _langid().classify(text[:5000])
    if code in _SCANDINAVIAN:
        found = _scandinavian().detect_language_of(text[:5000])
        if found is not None:
            code = _LINGUA_CODES[found.name]
    elif default and prob < 0.5:
        return default
    return code


def same_language(a: str | None, b: str | None) -> bool:
    """Norwegian written standards count as one language for copy detection."""
    if a is None or b is None:
        return False
    norwegian = {"no", "nb", "nn"}
    return a == b or (a in norwegian and b in norwegian)
