"""The personal-data guard: real-looking identifiers trip it; ordinary practice talk does not."""

import pytest

from forums.identifiers import find_identifiers

IDENTIFIERS = [
    ("pnc", "His PNC is 12/123456A, check it."),
    ("pnc", "PNC 2012/1234567Z"),
    ("visor", "ViSOR ref 12345678 is the nominal."),
    ("visor", "visor no. 1234567"),
    ("visor", "nominal 654321"),
    ("date_of_birth", "DOB 01/02/1980"),
    ("date_of_birth", "D.O.B.: 1.2.80"),
    ("date_of_birth", "date of birth 17-11-1975"),
    ("date_of_birth", "born 1 February 1980"),
    ("date_of_birth", "born on the 3rd Mar 1991".replace("the ", "")),
    ("postcode", "He lives at ME14 1XX now."),
    ("postcode", "moved to sw1a1aa last week"),
    ("postcode", "CF10 3NQ"),
    ("phone", "Call 07700 900123 after five."),
    ("phone", "+44 20 7946 0000"),
    ("phone", "01632-960-001"),
    ("ni_number", "NI number AB 12 34 56 C"),
    ("ni_number", "AB123456D"),
    ("email", "his email is j.smith99@example.com"),
    ("vehicle", "drives AB12 CDE"),
    ("vehicle", "the old car, A123 BCD"),
    ("vehicle", "a van ABC 123D"),
]

ORDINARY = [
    "in March 2023 we reviewed our approach",
    "on 12/03/2024 we held a MAPPA meeting",
    "We manage 40 cases between three officers.",
    "ARMS 2.0 changed the scoring.",
    "Since July 2020 probation uses the ARMS-informed OASys assessment.",
    "MAPPA level 2, category 1; 15 RSOs reviewed in 2023/24.",
    "The meeting ran 09:30 to 16:00 on 1 February 2024.",
    "We did 120 home visits, 3 unannounced, over 6 months.",
    "Version 3.1 of the APP module, page 42.",
    "Our team of 12 covers Kent and Medway.",
    "I was born in the 1980s and joined the force in 2005.",
    "See section 4.2, paragraphs 10-12.",
    "The ME14 area has three approved premises.",
    "A 2/3 majority agreed; 25% disagreed.",
    "Budget £40,000 for 2024/25.",
    "Call the MOSOVO desk on the usual internal extension.",
    "ViSOR training for 12 new staff.",
    "We use OASys and ARMS together in 2024.",
]


@pytest.mark.parametrize(("kind", "text"), IDENTIFIERS)
def test_real_looking_identifiers_are_found(kind, text):
    assert kind in {finding.kind for finding in find_identifiers(text)}, text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_practice_discussion_does_not_trip_the_guard(text):
    assert find_identifiers(text) == []


def test_each_finding_says_what_it_is_and_quotes_the_text_once():
    findings = find_identifiers("DOB 01/02/1980 and again DOB 01/02/1980, car AB12 CDE")

    assert [(f.kind, f.text) for f in findings] == [
        ("date_of_birth", "DOB 01/02/1980"),
        ("vehicle", "AB12 CDE"),
    ]
    assert findings[0].label == "a date of birth"
    assert findings[0].as_dict() == {
        "kind": "date_of_birth",
        "label": "a date of birth",
        "text": "DOB 01/02/1980",
    }


def test_empty_text_has_no_findings():
    assert find_identifiers("") == []
