"""Text repair and normalisation: mojibake, Unicode, whitespace, boilerplate, attribution.

Pure functions, no I/O. Everything a reader produces passes through `clean_text`; later
stages use `is_boilerplate` to keep page debris out of alignment evidence.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy import badness

# Curly quotes and full-width punctuation carry meaning (and sentence boundaries in CJK
# text), so ftfy must not flatten them; everything else ftfy does by default is wanted.
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=True)
# ftfy steps that mean the text was mis-decoded somewhere upstream.
_REPAIR_STEPS = {
    "decode_inconsistent_utf8",
    "restore_byte_a0",
    "replace_lossy_sequences",
    "fix_c1_controls",
}

# UTF-8 read as Mac Central European (Mac OS text in Polish, Czech, Turkish, ...):
# "k√∂pekli", "saldńĪrńĪsńĪna". ftfy knows Mac Roman but not this one. A mis-decoded
# character is a run of 2+ non-ASCII characters, so runs are re-decoded one by one and
# the line is kept only if ftfy's own badness measure falls.
_MAC_CODECS = ("mac_latin2",)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def _latin_or_mark(ch: str) -> bool:
    return "LATIN" in unicodedata.name(ch, "") or unicodedata.category(ch)[0] in "PSZ"


def _redecode(run: re.Match[str], codec: str) -> str:
    try:
        fixed = run.group(0).encode(codec).decode("utf-8")
    except UnicodeError:
        return run.group(0)
    # These code pages carry Latin-script languages: a run that decodes to another script
    # ('”Ä' in Finnish -> Cyrillic 'Ӏ') was real text that happened to be valid UTF-8.
    return fixed if all(map(_latin_or_mark, fixed)) else run.group(0)


def _fix_mac_mojibake(line: str) -> str | None:
    """The line re-decoded from a Mac code page ftfy does not try, or None if no better."""
    worst = badness.badness(line)
    best = None
    for codec in _MAC_CODECS:
        fixed = _NON_ASCII_RUN.sub(lambda m, c=codec: _redecode(m, c), line)
        score = badness.badness(fixed)
        if fixed != line and score < worst:
            best, worst = fixed, score
    return best


# C0/C1 controls except \n and \t (tabs become spaces below), plus invisible format
# characters that only break word matching (ZWJ/ZWNJ stay: they matter in Indic/Persian).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff\u00ad]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_H_SPACE = re.compile(r"[^\S\n]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def clean_text(text: str) -> tuple[str, list[str]]:
    """Repair mojibake, NFC-normalise, drop controls and tidy whitespace.

    Returns the cleaned text and human-readable warnings about what was repaired.
    """
    warnings: list[str] = []
    text = _LINE_BREAKS.sub("\n", text)
    repaired = False
    fixed: list[str] = []
    # Line by line, like ftfy.fix_text: one mis-encoded paragraph must not stop the
    # repair of the others, and the explanation tells us whether decoding was fixed.
    for line in text.split("\n"):
        if line.isascii():
            fixed.append(line)
            continue
        result = ftfy.fix_and_explain(line, config=_FTFY)
        for step in result.explanation or []:
            if step.action in ("encode", "decode", "transcode") or step.parameter in _REPAIR_STEPS:
                repaired = True
        line = result.text
        if badness.is_bad(line) and (mac := _fix_mac_mojibake(line)) is not None:
            line, repaired = mac, True
        fixed.append(line)
    text = unicodedata.normalize("NFC", "\n".join(fixed))
    text = _CONTROL.sub("", text)
    text = "\n".join(_H_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANK_RUNS.sub("\n\n", text).strip()
    if repaired:
        warnings.append("repaired mis-encoded text (mojibake)")
    if "\ufffd" in text:
        warnings.append("text contains replacement characters (\ufffd): some of it was lost")
    return text, warnings


# --- boilerplate -----------------------------------------------------------------------

# Short UI labels that are debris when they make up the whole line.
_LABEL = re.compile(
    r"(?:read more|more on this story|related (?:articles|stories|content)|see also"
    r"|advertisement|annons|annonse|anzeige|publicidad|publicité|werbung|reklame"
    r"|share this (?:article|story|page)|share on \w+|share"
    r"|compartir (?:este artículo|en \w+)|artikel teilen|partager (?:cet article|sur \w+)"
    r"|dela artikeln|del artikkelen|del artiklen"
    r"|subscribe(?: now| here)?|suscríbete(?: aquí| ahora)?|abonnieren|abonnez-vous"
    r"|prenumerera|abonner|abonnér|sign up|sign in|log in|register(?: now)?"
    r"|skip to (?:main )?content"
    r"|anmelden|anmelde|einloggen|se connecter|iniciar sesión|zaloguj(?: się)?|see offers"
    r"|back to top|print|e-?mail|tweet|whatsapp|facebook|twitter|linkedin|instagram"
    r"|accept(?: all)? cookies|cookie settings|manage cookies)[\s!.:…]*",
    re.IGNORECASE,
)
# "Read more: <headline>" style teasers: a link prompt, a colon or arrow, then anything.
_TEASER = re.compile(
    r"(?:read more|see also|more on this|related|lee también|lea también|lee más|leer más"
    r"|ver más|ver también|lesen sie auch|mehr zum thema|lire aussi|à lire aussi"
    r"|voir aussi|läs också|läs mer|les også|les mer|læs også|læs mere)\s*[:»›>→|–—-]",
    re.IGNORECASE,
)
# Openings that only footers, app promos and link prompts use.
_OPENING = re.compile(
    r"(?:remember (?:that )?you can receive notifications|recuerda que puedes recibir"
    r"|download (?:the (?:new|latest) version of )?our app|descarga (?:la )?(?:nueva|última)"
    r"|(?:do you )?already know our youtube channel|¿ya conoces nuestro canal"
    r"|see (?:the )?original (?:article|story)|ver (?:el )?artículo original"
    r"|click here|haz clic aquí|haga clic aquí|pulsa aquí|hier klicken|klicken sie hier"
    r"|cliquez ici|klicka här|klikk her|klik her"
    r"|follow us on|síguenos en|folgen sie uns|suivez-nous|följ oss på|følg oss på"
    r"|følg os på|subscribe to (?:our|the) \w+|sign up (?:for|to) (?:our|the) \w+"
    r"|suscríbete a nuestro|abonnieren sie (?:unseren|den)|abonnez-vous à"
    r"|prenumerera på (?:vårt|vår)|abonner på (?:vårt|vår)|tilmeld dig (?:vores|vort)"
    r"|(?:we|this (?:web)?site) uses? cookies|wir verwenden cookies|utilizamos cookies"
    r"|usamos cookies|nous utilisons des cookies|vi använder (?:kakor|cookies)"
    r"|vi bruker (?:informasjonskapsler|cookies)|vi bruger cookies"
    r"|by continuing to (?:use|browse)|copyright (?:©|\(c\)|\d{4})|©|\(c\) \d{4}"
    # syndication notes and full-text prompts under a teaser
    r"|this (?:article|story|piece) (?:was |is )?(?:originally |first )?(?:published|posted)"
    r"|to (?:read|access|view) the full (?:text|article|story)"
    # paywalls, subscription pitches and the registration forms behind them
    r"|(?:take|start) (?:a|your) free trial|registered users can|enter your details"
    r"|if you would like to (?:request|start) a (?:full |free )?trial"
    r"|(?:please )?(?:support|thank you for supporting) (?:local|real|independent|quality)"
    r" journalism|your subscription (?:to|funds|helps|supports)|already a subscriber"
    r"|(?:jetzt|hier) (?:registrieren|anmelden|abonnieren)|bereits abonnent|déjà abonné"
    r"|ya (?:eres|soy) suscriptor"
    r"|follow [\w.'-]+ on (?:twitter|facebook|instagram|telegram|tiktok|youtube|linkedin|x\b))",
    re.IGNORECASE,
)
# Phrases that give a (short) line away wherever they sit.
_ANYWHERE = re.compile(
    r"all rights reserved|todos los derechos reservados|alle rechte vorbehalten"
    r"|tous droits réservés|alla rättigheter förbehållna|alle rettigheter reservert"
    r"|alle rettigheder forbeholdes|new version of our app|our cookie policy"
    r"|nuestro canal de youtube|our youtube channel"
    # newsletter boxes and the privacy line under them
    r"|(?:to|for) our newsletter|(?:mit|in) unserem newsletter|newsletter abonnieren"
    r"|à notre newsletter|a nuestro (?:newsletter|boletín)|enter your e-?mail"
    r"|e-mail-adresse ein|votre (?:adresse )?e-?mail|data will not be shared"
    r"|nicht an dritte weitergegeben|ne seront pas (?:transmises|communiquées)"
    r"|delivered to your inbox"
    # paywall offers and registration forms
    r"|zugriff auf alle (?:online-)?artikel|monatlich kündbar|\d+ tage (?:kostenlos|gratis)"
    r"|password (?:for your account )?must (?:be at least|contain)|first name,? last name"
    r"|(?:only accepts )?work e-?mail address(?:es)?"
    # bot checks scraped in place of an article
    r"|(?:i'?m|i am) not a robot|nie jestem robotem|ich bin kein roboter"
    r"|je ne suis pas un robot|no soy un robot|unusual traffic from your"
    r"|we have (?:detected|noticed) (?:unusual|a (?:large|high) number of)"
    r"|(?:ogromną|dużą) (?:ilość|liczbę) połączeń|nadużył\w* adres\w* ip"
    r"|(?:your|twój|ihre|votre) (?:ip address|adres ip|ip-adresse|adresse ip)\s*:"
    # consent walls and registration walls scraped in place of an article: the site's own
    # policy ("our", "in the"), the reader addressed ("by clicking", "you agree")
    r"|(?:in|see|read) our (?:privacy|data protection|cookie) (?:policy|notice)"
    r"|by (?:registering|signing up|clicking|subscribing|continuing),? you"
    r"|you (?:can )?(?:agree|consent) to (?:our|the use of)"
    r"|you (?:can|may) unsubscribe at any time|once registered,? you can"
    r"|read (?:additional |more )?free articles|activate your account"
    r"|are you a (?:print |digital )?subscriber"
    r"|(?:znaleźć|znajdziesz) w polityce prywatności|naszej polityc\w* prywatności"
    r"|^w polityce prywatności\W*$|(?:używamy|stosujemy|użyciu) plików cookie"
    r"|klikając (?:na )?przycisk"
    r"|zbieramy anonimowe informacje|in unserer datenschutz\w*|mit (?:dem )?klick auf"
    r"|notre politique de (?:confidentialité|cookies)"
    r'|en cliquant sur (?:le bouton|[«"“] ?accepter)'
    r"|nuestra política de (?:privacidad|cookies)|al hacer clic en (?:el botón|«? ?aceptar)",
    re.IGNORECASE,
)
_LEADING_BULLETS = " \t-–—•*·>»|▪►"
# A publication stamp: "PUBLISHED : WEDNESDAY, MARCH 13, 2013, 2 : 29 PM", "Updated
# 14.03.2013 09:31", "Veröffentlicht am 13. März 2013". Pages of one day carry the same
# one, so two stamps align as a sentence in full agreement. A stamp stays in the text (its
# date is what the story model's `when` reads) but is no evidence of shared text.
_STAMP = re.compile(
    r"(?:first |last )?(?:published|updated|posted|modified|veröffentlicht|aktualisiert"
    r"|zuletzt aktualisiert|publié|mis à jour|modifié|publicado|actualizado|publicerad"
    r"|uppdaterad|publisert|oppdatert|publiceret|opdateret|pubblicato|aggiornato"
    r"|gepubliceerd|bijgewerkt|opublikowano|zaktualizowano)"
    r"(?:\s+(?:on|at|am|um|le|el|il|den|op|dnia))?\s*[:|-]?\s*(?P<rest>.*)",
    re.IGNORECASE,
)
_STAMP_MAX_WORDS = 4  # words of letters in a stamp's date: weekday, month, AM/PM, zone
_LETTERS = re.compile(r"[^\W\d_]+")


def _bare(sentence: str) -> str:
    """The sentence without surrounding space and list bullets."""
    return sentence.strip().lstrip(_LEADING_BULLETS).strip()


def is_stamp(sentence: str) -> bool:
    """A publication or update stamp: a label, then a date and time and nothing else."""
    m = _STAMP.fullmatch(_bare(sentence))
    if not m or not any(ch.isdigit() for ch in m.group("rest")):
        return False
    return len(_LETTERS.findall(m.group("rest"))) <= _STAMP_MAX_WORDS


_MAX_FOOTER_WORDS = 40  # footers are short; a long line is prose even if it quotes one


_LABEL_RUN_MIN = 30  # capitalised words a menu, form or list line has at least
_LABEL_RUN_SHARE = 0.85


def _label_run(words: list[str]) -> bool:
    """A long line of capitalised labels with hardly any lowercase word or comma: a
    navigation menu or a form's field list ("Email address First Name Last Name
    Organisation Job Title … Alabama Alaska Arizona"). Prose in a cased script has its
    function words in lowercase; a list of names in a sentence has commas."""
    cased = [w for w in words if w[:1].isalpha() and w[:1].upper() != w[:1].lower()]
    if len(cased) < _LABEL_RUN_MIN:
        return False
    shouted = sum(1 for w in cased if len(w) > 1 and w.isupper())
    if shouted >= 0.5 * len(cased):
        return False  # a paragraph in capitals (some leads are) is not a list of labels
    upper = sum(1 for w in cased if w[0].isupper())
    commas = sum(w.count(",") for w in words)
    return upper >= _LABEL_RUN_SHARE * len(cased) and commas <= 0.1 * len(words)


def is_boilerplate(sentence: str) -> bool:
    """True for page debris and footers that must not count as alignment evidence."""
    s = _bare(sentence)
    if not any(ch.isalpha() for ch in s):
        return True  # "13", "* * *", "—", empty
    words = s.split()
    if len(words) > _MAX_FOOTER_WORDS:
        return _label_run(words)
    return bool(_LABEL.fullmatch(s) or _TEASER.match(s) or _OPENING.match(s) or _ANYWHERE.search(s))


# --- attribution -----------------------------------------------------------------------

_UP = "A-Z0-9ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝÞŠŽŒČŘŚŁ"
# Dots only inside a token ("Yahoo.com"), so "on BBC. Vladimir ..." stops at "BBC".
_TOKEN = rf"(?:[{_UP}][\w&'’-]*(?:\.[\w&'’-]+)*|[a-z0-9-]+(?:\.[a-z]{{2,}})+)"
_CONNECTOR = r"(?:of|the|de|del|la|le|du|des|di|der|die|das|för|for|&)"
# A proper name: capitalised words (or a domain), small connectors between, ≤ 5 words.
# Words of a name are joined by spaces only: a line break ends it ("BBC\nShare" is "BBC").
_NAME = rf"(?P<name>{_TOKEN}(?:[ \t]+(?:{_CONNECTOR}[ \t]+)?{_TOKEN}){{0,4}})"
_ORIGINAL = re.compile(
    r"(?i:see (?:the )?original (?:article|story|post) (?:on|at|in|from)"
    r"|(?:originally|first) (?:published|appeared|posted|ran) (?:by|on|in|at)"
    r"|republished (?:with permission )?from"
    r"|ver (?:el )?artículo original en|publicad[oa] originalmente (?:en|por)"
    r"|(?:erschien|ist) zuerst (?:bei|in|im|auf)"
    r"|(?:initialement publié|publié initialement) (?:par|dans|sur)"
    r"|publicerades (?:först|ursprungligen) (?:i|på|av)"
    r"|(?:først|opprinnelig) publisert (?:i|på|av)"
    r"|(?:først|oprindeligt) (?:offentliggjort|bragt) (?:i|på|af))"
    rf"\s+(?:the\s+)?{_NAME}"
)
# A credit in running prose: "skriver Radtsjenko i en analyse til The Guardian", "writes
# Jane Doe in an op-ed for the Financial Times". The verb of writing and the piece make it
# a credit of quoted text, not a quote of a person ("said Reuters" does not count).
_PROSE_CREDIT = re.compile(
    r"\b(?:skriver|skrev|writes|wrote|schreibt|schrieb|écrit|escribe|escribió|scrive"
    r"|schrijft|schreef)"
    r"(?:\s+[^\s.!?;:«»\"“”]+){0,4}?"
    r"\s+(?i:i\s+en\s+(?:analyse|analys|kommentar|kronikk|krönika|artikkel|artikel"
    r"|leder|ledare|kolumne|kolumn|kronik)"
    r"|i\s+et\s+(?:innlegg|debattinnlegg|indlæg)"
    r"|in\s+(?:an?\s+)?(?:analysis|article|op-ed|column|essay|piece|commentary"
    r"|editorial|opinion\s+piece)"
    r"|in\s+(?:einer|einem)\s+(?:analyse|kommentar|artikel|gastbeitrag|beitrag|essay)"
    r"|dans\s+(?:une|un)\s+(?:analyse|tribune|article|chronique|éditorial)"
    r"|en\s+(?:un|una)\s+(?:análisis|artículo|columna|tribuna|editorial)"
    r"|in\s+(?:een)\s+(?:analyse|artikel|column|opiniestuk))"
    r"\s+(?i:til|for|för|på|i|in|für|im|der|pour|du|de|del|para|en|voor|van)"
    rf"\s+(?:(?:the|die|das|le|la|el|il)\s+)?{_NAME}"
)
_AGENCIES = (
    "Reuters|AP|AFP|dpa|DPA|EFE|ANSA|TT|NTB|Ritzau|Xinhua|UPI|Bloomberg|Europa Press"
    "|Kyodo|Yonhap|TASS|Interfax|ANP|APA|PAP|ČTK|STT|KNA|epd"
)
_AGENCY_PAREN = re.compile(rf"\((?P<name>{_AGENCIES})\)")
# "AP — The president said" / "WASHINGTON AP — ..." at the start of a line.
_AGENCY_DASH_START = re.compile(
    rf"^(?:[{_UP}][{_UP} .,'-]{{1,40}}\s)?(?P<name>{_AGENCIES})\s*(?:—|–|-{{1,2}})\s",
    re.MULTILINE,
)
_AGENCY_DASH_END = re.compile(rf"(?:—|–|-{{1,2}})\s*(?P<name>{_AGENCIES})\.?\s*$", re.MULTILINE)
_MIT_AGENCY = re.compile(rf"\b[Mm]it\s+(?:Material\s+(?:von|der)\s+)?(?P<name>{_AGENCIES})\b")
_SOURCE_LINE = re.compile(
    r"^(?i:source|källa|kilde|quelle|fuente|fonte|bron)\s?:\s*(?P<name>[^\n]{1,80})$",
    re.MULTILINE,
)
# An all-caps name glued to the next sentence by scraping: "BBCVladimir Putin ...".
_GLUED = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]{2,})")
_HEAD, _TAIL = 300, 600
_MAX_NAME_WORDS = 5


def _tidy_name(raw: str) -> str | None:
    name = raw.strip()
    glued = _GLUED.match(name)
    if glued:
        name = glued.group(0)
    name = name.strip().rstrip(".,;:!?)").strip()
    if not any(ch.isalpha() for ch in name) or len(name.split()) > _MAX_NAME_WORDS:
        return None  # never hand back a phrase as a "source"
    return "dpa" if name == "DPA" else name


def find_attribution(text: str) -> str | None:
    """The source an article credits ("BBC", "Reuters"), or None when it credits none.

    Credits sit in datelines and footers, so those are searched for agency and "original
    article" marks: only the first 300 and last 600 characters, which keeps quotes in the
    body ("said Reuters") from counting. The body counts only for a credit in prose that
    names a piece of writing ("skriver X i en analyse til The Guardian").
    """
    head, tail = text[:_HEAD], text[-_TAIL:]
    checks = [
        (_ORIGINAL, tail),
        (_ORIGINAL, head),
        (_AGENCY_PAREN, head),
        (_AGENCY_DASH_START, head),
        (_SOURCE_LINE, head),
        (_SOURCE_LINE, tail),
        (_AGENCY_PAREN, tail),
        (_AGENCY_DASH_END, tail),
        (_MIT_AGENCY, tail),
        (_PROSE_CREDIT, text),  # last: a body quoting one piece credits it for that text
    ]
    for pattern, region in checks:
        for match in pattern.finditer(region):
            name = _tidy_name(match.group("name"))
            if name:
                return name
    return None
