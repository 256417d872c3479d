from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.text.normalize import clean_text, find_attribution, is_boilerplate, is_stamp

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
MOJIBAKE = "repaired mis-encoded text (mojibake)"


# --- clean_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        # UTF-8 read as cp1252 (the usual web case) and as Latin-1 (C1 control survives).
        ("sokaÄŸa Ã§Ä±kma yasaÄŸÄ±", "sokağa çıkma yasağı"),
        ("soka\u00c4\u009fa \u00c3\u00a7\u00c4\u00b1kma", "sokağa çıkma"),
        ("â€œWe will not give up,â€\x9d said Zelensky.", "“We will not give up,” said Zelensky."),
        ("Han har inte lÃ¤mnat Ryssland i Ã¥r.", "Han har inte lämnat Ryssland i år."),
        # UTF-8 read as Mac Central European, which ftfy alone leaves as it is (a
        # Turkish SemEval text arrived so).
        ("Antalya'da k√∂pekli √ßift, kedinin saldńĪrńĪsńĪna uńüradńĪ",
         "Antalya'da köpekli çift, kedinin saldırısına uğradı"),
        ("ZaŇľ√≥Ňāńá gńôŇõlńÖ jaŇļŇĄ, powiedziaŇā rzecznik.",
         "Zażółć gęślą jaźń, powiedział rzecznik."),
        # ... and as Mac Roman (ftfy's own repair).
        ("Le pr√©sident a d√©clar√© ¬´ nous sommes pr√™ts ¬ª √† Gen√®ve.",
         "Le président a déclaré « nous sommes prêts » à Genève."),
    ],
)
def test_clean_text_repairs_mojibake(broken: str, fixed: str) -> None:
    text, warnings = clean_text(broken)
    assert text == fixed
    assert warnings == [MOJIBAKE]


def test_clean_text_repairs_one_broken_paragraph_among_good_ones() -> None:
    text, warnings = clean_text("“Putin” är här.\nDet Ã¤r inte sÃ¥ enkelt.\nSlut.")
    assert text == "“Putin” är här.\nDet är inte så enkelt.\nSlut."
    assert warnings == [MOJIBAKE]


@pytest.mark.parametrize(
    "good",
    [
        "“Putin är inte desperat”, anser förre utrikesministern Andrei Kozyrev.",
        "Sokağa çıkma yasağı kaldırıldı.",
        "俄罗斯总统普京与朝鲜领导人金正恩举行会谈，双方讨论了军事合作。",
        "«Ikke fordi Nord-Korea endrer seg, men fordi Russland gjør det», skriver han.",
        "Präsident Putin traf Kim Jong-un in Wladiwostok – so die Agentur.",
        # '”Ä' is valid UTF-8 read as Mac Central European (a Cyrillic letter): not mojibake.
        "Jos haluat kultaisen säännön, niin se on tässä: ”Älä pidä kohtuutonta kiirettä.”",
    ],
)
def test_clean_text_leaves_good_text_alone(good: str) -> None:
    assert clean_text(good) == (good, [])


def test_clean_text_nfc_controls_and_whitespace() -> None:
    raw = (
        "  Title\tline  \r\n\r\n\r\n\r\n"
        "Cafe\u0301 owners\u00a0 met \x07the\x00 mayor.\u200b  \r\n"
        "Second\u2028line\n\n\n\nLast   paragraph.   "
    )
    text, warnings = clean_text(raw)
    assert text == "Title line\n\nCafé owners met the mayor.\nSecond\nline\n\nLast paragraph."
    assert warnings == []


def test_clean_text_flags_replacement_characters() -> None:
    text, warnings = clean_text("Det var en \ufffdlig dag i Stockholm.")
    assert "\ufffd" in text
    assert any("replacement characters" in w for w in warnings)


# --- is_boilerplate --------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "13",
        "* * *",
        "— 2 —",
        "Remember that you can receive notifications from BBC Mundo. Download the new version "
        "of our app and activate them so you don’t miss our best content.",
        "Download the new version of our app and activate them so you don’t miss our best content.",
        "- Do you already know our YouTube channel? Subscribe!",
        "¿Ya conoces nuestro canal de YouTube? ¡Suscríbete!",
        "Recuerda que puedes recibir notificaciones de BBC Mundo.",
        "See original article on BBC",
        "Read more",
        "Read more: Why Putin needs Kim Jong-un's shells",
        "Click here to read more stories from BBC News Mundo.",
        "Subscribe to our newsletter",
        "Sign up for our daily briefing",
        "Follow us on Twitter and Facebook",
        "© 2023 World News Daily. All rights reserved.",
        "Copyright 2023 The Associated Press. All rights reserved.",
        "Share this article",
        "We use cookies to improve your experience on our site.",
        "Lee también: Qué gana Rusia con Corea del Norte",
        "Lesen Sie auch: Was Putin von Kim will",
        "Läs också: Putin träffar Kim i Vladivostok",
        "Les også: Ekspert om Putins desperate trekk",
        "Læs også: Kim Jong-un rejser til Rusland",
        "Suscríbete",
        "Følg oss på Facebook",
        "Alle Rechte vorbehalten.",
        "Annons",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "sentence",
    [
        "Facebook said on Tuesday that it would cut 11,000 jobs.",
        "Read more than 300 pages of the report before you judge it, she urged.",
        "Google will phase out third-party cookies in Chrome by 2024.",
        "Subscribers to the newspaper fell by 13 percent in 2023.",
        "Copyright law in the European Union was reformed in 2019.",
        "The BBC said the meeting would take place in Vladivostok.",
        "Follow-up talks are scheduled for next week in Geneva.",
        "Share prices in Seoul fell sharply after the announcement.",
        "Source code for the program was published on GitHub.",
        "Kim Jong-un acted as a tour guide while showing the Shoigu a weapons exhibition.",
        "Verden",
        "Sanctions",
    ],
)
def test_news_sentences_are_not_boilerplate(sentence: str) -> None:
    assert not is_boilerplate(sentence)


def test_bbc_seed_footer_is_boilerplate_and_body_is_not() -> None:
    lines = (SEEDS / "001_b770c846d1b294f5.txt").read_text(encoding="utf-8").splitlines()
    lines = [ln for ln in lines if ln.strip()]
    assert [is_boilerplate(ln) for ln in lines[-3:]] == [True, True, True]
    body_flags = [ln for ln in lines[:-3] if is_boilerplate(ln)]
    assert body_flags == []


@pytest.mark.parametrize(
    "name", ["000_6ae7588e2228d054", "003_4046affaaada9ea7", "004_be22fc9c99fb96a2"]
)
def test_whole_seed_articles_have_no_boilerplate(name: str) -> None:
    lines = (SEEDS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    assert [ln for ln in lines if ln.strip() and is_boilerplate(ln)] == []


def test_page_number_debris_in_seed_is_boilerplate() -> None:
    lines = (SEEDS / "002_2dcaed26a21db46b.txt").read_text(encoding="utf-8").splitlines()
    assert [ln for ln in lines if ln.strip() and is_boilerplate(ln)] == ["13"]


# --- find_attribution ------------------------------------------------------------------

BODY = (
    "Vladimir Putin and Kim Jong-un have a lot in common. Neither of them goes out much. "
    "Washington suspects the Kremlin wants ammunition, a claim Reuters could not verify. "
) * 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BODY + "\nSee original article on BBC", "BBC"),
        (BODY + "\nSee original article on BBCVladimir Putin and Kim", "BBC"),
        (BODY + "\nSee original article on BBC\nShare\nMore", "BBC"),  # not "BBC\nShare"
        ("LONDON (Reuters) - Oil prices rose on Monday after Saudi cuts.\n" + BODY, "Reuters"),
        ("LONDON (Reuters) — Oil prices rose on Monday.\n" + BODY, "Reuters"),
        ("SEOUL, South Korea (AP) — North Korea fired a missile.\n" + BODY, "AP"),
        ("AP — North Korea fired a ballistic missile on Wednesday.\n" + BODY, "AP"),
        (BODY + "\nNorth Korea fired a missile on Wednesday. — AP", "AP"),
        ("PARIS (AFP) - La France a condamné le tir.\n" + BODY, "AFP"),
        ("Moskau (dpa) - Kremlchef Putin hat Kim empfangen.\n" + BODY, "dpa"),
        (BODY + "\nDer Besuch soll mehrere Tage dauern.\nmit dpa", "dpa"),
        (
            BODY + "\nThis article originally appeared on The Conversation under a licence.",
            "The Conversation",
        ),
        (BODY + "\nOriginally published by The New York Times on Sept. 3.", "The New York Times"),
        (BODY + "\nSource: Reuters", "Reuters"),
        (BODY + "\nKälla: TT", "TT"),
        (BODY + "\nKilde: NTB", "NTB"),
        (BODY + "\nQuelle: dpa", "dpa"),
        (BODY + "\nFuente: Europa Press", "Europa Press"),
        (BODY + "\nSource : AFP.", "AFP"),
        # Credits in running prose, for quoted text: the verb of writing and the piece.
        (BODY + "«Kreml er desperat», skriver Radtsjenko i en analyse til The Guardian.\n"
         + BODY, "The Guardian"),
        (BODY + "The deal is bad, writes Jane Doe in an op-ed for the Financial Times.\n"
         + BODY, "Financial Times"),
        (BODY + "Das sei falsch, schreibt Anna Beck in einem Kommentar für die Süddeutsche "
         "Zeitung.\n" + BODY, "Süddeutsche Zeitung"),
        (BODY + "Le pays, écrit Jean Dupont dans une tribune pour Le Monde, doit agir.\n"
         + BODY, "Le Monde"),
        # A footer credit outranks a piece quoted in the body.
        (BODY + "He writes in an article for the BBC that it is over.\n" + BODY
         + "\nSource: Reuters", "Reuters"),
    ],
)
def test_find_attribution(text: str, expected: str) -> None:
    assert find_attribution(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        # A credit line that is really a sentence must not come back as a "source".
        BODY + "\nSource: analysis of trade data from the World Bank and the IMF",
        # Agencies quoted in the middle of a long body are not credits.
        BODY + "The talks, Reuters (Reuters) reported, went well. " + BODY,
        # Writing that is not a piece in a named outlet.
        BODY + "She wrote in a letter to her mother that she was tired. " + BODY,
        BODY + "The minister writes in an analysis for the ministry that costs rise. " + BODY,
        BODY + "Reuters wrote in a statement that the figures were right. " + BODY,
    ],
)
def test_find_attribution_none(text: str) -> None:
    assert find_attribution(text) is None


def test_find_attribution_on_seeds() -> None:
    def credit(name: str) -> str | None:
        return find_attribution((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))

    assert credit("001_b770c846d1b294f5") == "BBC"
    assert credit("000_6ae7588e2228d054") is None
    assert credit("003_4046affaaada9ea7") is None
    # 004 quotes an analysis Radtsjenko wrote for The Guardian, which is not in the seeds.
    assert credit("004_be22fc9c99fb96a2") == "The Guardian"


def test_newsletter_boxes_and_their_privacy_lines_are_boilerplate() -> None:
    """Real lines from two unrelated pages (a German tourism site, an Irish news site) that
    aligned as a translated passage before they were recognised as page furniture."""
    from newstrace.text.normalize import is_boilerplate

    for line in ("Mit unserem Newsletter erhalten Sie monatlich Informationen rund um das "
                 "Urlaubsland Österreich und eine Auswahl exklusiver Angebote!",
                 "Never miss the latest news by signing up to our newsletter today!",
                 "And rest assured that your data will not be shared with any other party.",
                 "Selbstverständlich werden Ihre Daten vertraulich behandelt und nicht an "
                 "Dritte weitergegeben."):
        assert is_boilerplate(line), line
    assert not is_boilerplate("The minister said the data will be published next week.")


def _sorts(furniture: list[str], news: list[str]) -> None:
    from newstrace.text.normalize import is_boilerplate

    for line in furniture:
        assert is_boilerplate(line), line
    for line in news:
        assert not is_boilerplate(line), line


def test_paywalls_forms_bot_checks_and_syndication_notes_are_boilerplate() -> None:
    """Lines from pages of the SemEval fit half that made two unrelated articles of one
    site `partial` or `duplicate` (shared site furniture, not shared text), and news
    sentences on the same subjects that must stay."""

    furniture = [
        "TAKE A FREE TRIAL Registered users can read up to 3 reports.",
        "Enter your details below for immediate access.",
        "If you would like to request a full trial of our services, please fill in the "
        "trial request form instead.",
        "Note our system only accepts work email addresses (e.g. no Gmail, etc.).",
        "The password for your account must be at least 8 characters long.",
        "This article was originally published on the Russian page of 24/7 Internet agency "
        "‘Caucasian Knot’ on January 1, 2020 at 08:18 pm MSK.",
        "To access the full text of the article, click here",
        "Anmelde",
        "Zugriff auf alle Online-Artikel Bequeme Verlängerung Monatlich kündbar ab 1,99 € / "
        "Monat Jetzt 30 Tage kostenlos",
        "Przykro nam, ale z adresu IP z którego się łączysz odnotowaliśmy ogromną ilość "
        "połączeń.",
        "Podejrzewamy, że ktoś nadużył adresu IP, z którego korzystasz.",
        'Jeśli chcesz połączyć się z nami zaznacz "NIE JESTEM ROBOTEM".',
        "Twój adres IP: 192.0.2.7",
        "Support local journalism.", "See offers.", "Thank you for supporting real journalism",
        "Your subscription to the Atlanta Journal-Constitution funds in-depth reporting.",
        "Follow News18.com on Twitter, Instagram, Facebook, Telegram, TikTok and on YouTube.",
        "Read delivered to your inbox - subscribe to News18 Daybreak.",
    ]
    _sorts(furniture, ["Facebook updated its privacy policy on Tuesday.",
                       "Police said the article was first published in 2019 by a local paper.",
                       "Subscriptions to the newspaper fell by 10 percent last year.",
                       "He urged people to support local businesses during the lockdown.",
                       "Twitter said it would follow the court order.",
                       "The robot was built by students in Krakow."])


def test_long_lines_of_capitalised_labels_are_boilerplate_but_prose_is_not() -> None:
    """Past 40 words a line is prose unless it is a run of capitalised labels: a form's
    field list (from a SemEval fit page) or a navigation menu. Long German prose (nouns
    capitalised), a sentence listing names (commas) and a lead in capitals stay."""
    from newstrace.text.normalize import is_boilerplate

    form = ("Email address First Name Last Name Organisation Job Title Telephone City State "
            "/ Province (USA and Canada only) ––– ––– USA select from below ––– Alabama "
            "Alaska Arizona Arkansas California Colorado Connecticut Delaware District of "
            "Columbia Florida Georgia Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky "
            "Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri")
    menu = ("Home News World UK Business Politics Tech Science Health Family & Education "
            "Entertainment & Arts Stories Video Newsbeat In Pictures Reality Check Special "
            "Reports Explainers The Reporters Long Reads Sport Weather Sounds Radio Food "
            "Bitesize Arts Taster Local Three Travel Worklife Future Culture Music")
    assert is_boilerplate(form) and is_boilerplate(menu)
    german = ("Die Bundesregierung hat am Mittwoch in Berlin beschlossen, dass die Hilfen für "
              "Unternehmen, die von der Krise besonders stark betroffen sind, bis zum Ende des "
              "kommenden Jahres verlängert werden, wie Finanzminister Olaf Scholz nach der "
              "Sitzung des Kabinetts vor Journalisten in der Hauptstadt mitteilte.")
    names = ("The victims were named as John Smith, Mary Jones, Peter Brown, Anna White, "
             "Michael Green, Sarah Black, David Wilson, Laura Taylor, James Moore, Emma "
             "Clark, Thomas Hall, Olivia Young, Daniel King, Sophie Wright, Henry Scott, "
             "Grace Adams, Jack Baker, Lucy Nelson, George Carter and Alice Mitchell.")
    shouting = " ".join(["THE MINISTER SAID ON MONDAY THAT THE BRIDGE WILL REOPEN"] * 5)
    for line in (german, names, shouting):
        assert len(line.split()) > 40 and not is_boilerplate(line), line[:40]


@pytest.mark.parametrize("line", [
    "PUBLISHED : WEDNESDAY, MARCH 13, 2013, 2 : 29 PM",
    "UPDATED : THURSDAY, MARCH 14, 2013, 9 : 31 AM",
    "Updated 14.03.2013 09:31",
    "Last updated on 3 June 2024, 10:02 BST",
    "Veröffentlicht am 13. März 2013",
    "Publié le 12/05/2023 à 18h45",
    "Publicerad 2023-05-12 kl. 18.45",
])
def test_publication_stamps_are_stamps(line: str) -> None:
    assert is_stamp(line)


@pytest.mark.parametrize("sentence", [
    "Published on Monday, the report found that 12 people had died in the floods.",
    "Updated at 5 pm, police said the death toll had risen to 12.",
    "Posted by John Smith",
    "The figures were published in 2013 by the statistics office.",
])
def test_sentences_that_start_like_a_stamp_are_not_stamps(sentence: str) -> None:
    assert not is_stamp(sentence)


def test_a_stamp_has_no_content_words_so_two_never_seed_a_passage() -> None:
    """Two pages of one day carry the same stamp; it keeps its date (the story model reads
    it) but gives the aligner no words to call shared text."""
    from newstrace.embedding.prepare import sentence_sets
    stamp_anchors, stamp_words = sentence_sets("PUBLISHED : WEDNESDAY, MARCH 13, 2013, 2 : 29 PM")
    assert stamp_words == frozenset() and "#2013" in stamp_anchors
    assert sentence_sets("The fire broke out on Wednesday, March 13, 2013.")[1]


def test_consent_and_registration_walls_are_boilerplate() -> None:
    """A cookie-consent wall (Polish) and a registration wall (English) scraped in place of
    the article: two unrelated articles of one site came out `duplicate` on them (SemEval
    report half). News sentences about privacy policies and subscribers must stay."""

    furniture = [
        "Once registered, you can:", "- Read additional free articles each month",
        "Register Now", "You may unsubscribe at any time.", "Are you a print subscriber?",
        "Activate your account.",
        "By registering you agree to our privacy policy, terms & conditions and to receive "
        "occasional emails from Ad Age.",
        "Szczegółowy opis procesu przetwarzania danych można znaleźć w polityce prywatności.",
        'Klikając na przycisk "Zaakceptuj i zamknij", aby wyrazić zgodę na przetwarzanie '
        "danych w celu osiągnięcia utrwalenia.",
        "USA: Ponad 3300 zgonów z COVID-19 Aby poprawić swoją witrynę, wyświetlać istotne "
        "materiały informacyjne i dedykowane reklamy, zbieramy anonimowe informacje "
        "techniczne o kraju, w tym narzędzia naszych partnerów.",
        "Weitere Informationen finden Sie in unserer Datenschutzerklärung.",
        "En cliquant sur le bouton, vous acceptez notre politique de confidentialité.",
        'En cliquant sur "Accepter", vous consentez au dépôt de traceurs.',
        "W polityce prywatności.",
        "Al hacer clic en el botón aceptas nuestra política de privacidad.",
    ]
    _sorts(furniture, ["WhatsApp users who do not agree to the new terms will lose access.",
                       "Polityka prywatności firmy Meta budzi zastrzeżenia Komisji Europejskiej.",
                       "Die Datenschutzerklärung des Konzerns sei rechtswidrig, urteilte das "
                       "Gericht.",
                       "The paper said its print subscribers fell by 3,000 in the quarter.",
                       "Voters who registered after the deadline could not cast a ballot.",
                       "Zmiany w polityce prywatności WhatsAppa budzą sprzeciw użytkowników.",
                       "Urząd nałożył karę za niezgodne z prawem użycie plików cookie.",
                       '"We have made changes to our privacy policy," a Meta spokesperson '
                       "said.",
                       "Users can unsubscribe at any time, the company said.",
                       "The paper offers 10 free articles a month."])
