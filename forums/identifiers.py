"""The personal-data guard: likely identifiers of offenders or victims in a post's text.

Forums must never become a place where a person on the register, or a victim, can be
identified. Before a post is saved its text is checked with ``find_identifiers``; the author
sees what was found and must edit or confirm, and confirmed posts with findings wait in the
moderation queue before anyone else can read them.

The detectors favour precision over recall: practice discussion is full of dates ("in March
2023", "on 12/03/2024 we held a MAPPA meeting"), counts ("40 cases") and tool names ("ARMS
2.0") that must pass, so each detector needs the shape of a real identifier and, for dates,
a cue that the date is a date of birth. What each catches:

- ``pnc``: Police National Computer IDs, year/serial and check letter: ``12/123456A``,
  ``2012/123456A``.
- ``visor``: ViSOR references: the word ViSOR (or "nominal") followed by a number of five or
  more digits.
- ``date_of_birth``: a date after "DOB", "D.O.B.", "date of birth" or "born (on)": numeric
  (``01/02/1980``, ``1.2.80``) or written (``1 February 1980``, ``1st Feb 1980``).
- ``postcode``: full UK postcodes, outward and inward code (``ME14 1XX``, ``SW1A1AA``); an
  outward code alone ("the ME14 area") is not a person's address.
- ``phone``: UK numbers starting 0 or +44 with 10 national digits (spaces and hyphens
  allowed): ``07700 900123``, ``+44 20 7946 0000``.
- ``ni_number``: National Insurance numbers (``QQ 12 34 56 C``), with the prefixes HMRC never
  issues left out.
- ``email``: email addresses.
- ``vehicle``: vehicle registrations in capitals, current (``AB12 CDE``), prefix
  (``A123 BCD``) and suffix (``ABC 123D``) styles.
"""

import re
from dataclasses import dataclass

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
NUMERIC_DATE = r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
WRITTEN_DATE = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+\d{{4}}"

DETECTORS = {
    "pnc": (
        "a Police National Computer (PNC) ID",
        re.compile(r"(?<![\w/])(?:\d{2}|\d{4})/\d{5,7}[A-Z](?![\w/])"),
    ),
    "visor": (
        "a ViSOR reference",
        re.compile(
            r"\b(?:visor|nominal)(?:\s+(?:ref(?:erence)?|no|number|id))?\.?\s*[:#]?\s*"
            r"[A-Z]{0,4}[/\-]?\d{5,}\b",
            re.IGNORECASE,
        ),
    ),
    "date_of_birth": (
        "a date of birth",
        re.compile(
            rf"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*"
            rf"(?:{NUMERIC_DATE}|{WRITTEN_DATE})",
            re.IGNORECASE,
        ),
    ),
    "postcode": (
        "a postcode",
        re.compile(
            r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b",
            re.IGNORECASE,
        ),
    ),
    "phone": (
        "a phone number",
        re.compile(r"(?<![\w+])(?:\+44[\s\-]?(?:\(0\)[\s\-]?)?|0)[1-9](?:[\s\-]?\d){8,9}\b"),
    ),
    "ni_number": (
        "a National Insurance number",
        re.compile(
            r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
            r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
            re.IGNORECASE,
        ),
    ),
    "email": (
        "an email address",
        re.compile(r"\b[\w.+\-]+@[A-Za-z\d\-]+(?:\.[A-Za-z\d\-]+)*\.[A-Za-z]{2,}\b"),
    ),
    "vehicle": (
        "a vehicle registration",
        re.compile(
            r"\b(?:[A-Z]{2}\d{2} ?[A-Z]{3}|[A-Z]\d{1,3} ?[A-Z]{3}|[A-Z]{3} ?\d{1,3}[A-Z])\b"
        ),
    ),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str
    text: str

    def as_dict(self):
        return {"kind": self.kind, "label": self.label, "text": self.text}


def find_identifiers(text: str) -> list[Finding]:
    """Every likely identifier in ``text``, in the order the detectors are listed, each once."""
    findings, seen = [], set()
    for kind, (label, pattern) in DETECTORS.items():
        for match in pattern.finditer(text or ""):
            found = " ".join(match.group(0).split())
            if (kind, found) not in seen:
                seen.add((kind, found))
                findings.append(Finding(kind, label, found))
    return findings
