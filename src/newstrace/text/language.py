"""Language identification: ISO 639-1 codes for articles and sentences.

py3langid is fast and covers 97 languages; it confuses the Scandinavian languages on
short text and only knows a generic Norwegian, so those verdicts are refined by lingua
restricted to the four candidates (cheap when restricted, and best on short text).
When py3langid is unsure of a short article (a headline full of names: "Kim Jong Un hosts
Vladimir Putin in Pyongyang" came out Bikol at 0.24, English second), lingua decides among
its top three.
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
UNSURE = 0.5  # py3langid probability below which its verdict is a guess
# lingua settles only texts up to this many letters (headlines, briefs): it is best on short
# text, and each language it loads costs 20-100 MB (measured), so long unsure pages, which
# are mixed-language pages more than misread ones, keep py3langid's verdict.
SETTLE_MAX_LETTERS = 400
_TOP = 3


@lru_cache(maxsize=64)
def _among(codes: tuple[str, ...]):
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper()))
             for c in codes if hasattr(IsoCode639_1, c.upper())]
    return LanguageDetectorBuilder.from_languages(*langs).build() if len(langs) > 1 else None


def _settle(text: str, ranked: list[tuple[str, float]]) -> str:
    """py3langid's first choice, or lingua's among its top candidates it knows."""
    codes = tuple(sorted(c for c, _ in ranked[:_TOP]))
    detector = _among(codes)
    found = detector.detect_language_of(text) if detector is not None else None
    if found is None:
        return ranked[0][0]
    return found.iso_code_639_1.name.lower()


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def detect(text: str, default: str | None = None) -> str | None:
    """Best language code for `text`, or `default` when the text is too short to tell."""
    if _letters(text) < MIN_LETTERS:
        return default
    code, prob = _langid().classify(text[:5000])
    if prob < UNSURE and code not in _SCANDINAVIAN:
        if default:
            return default
        if _letters(text) <= SETTLE_MAX_LETTERS:
            code = _settle(text, _langid().rank(text))
    if code in _SCANDINAVIAN:
        found = _scandinavian().detect_language_of(text[:5000])
        if found is not None:
            code = _LINGUA_CODES[found.name]
    return code


def same_language(a: str | None, b: str | None) -> bool:
    """Norwegian written standards count as one language for copy detection."""
    if a is None or b is None:
        return False
    norwegian = {"no", "nb", "nn"}
    return a == b or (a in norwegian and b in norwegian)
