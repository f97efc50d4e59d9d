"""Certificates of attendance: issued to attended delegates after the event, as PDF (fpdf2).

A certificate is issued (given its reference) the first time the delegate downloads it; later
downloads show the same reference. Anyone holding the reference can check it at
/my-events/certificates/<reference>/, which shows what the certificate itself shows (name, event,
dates) and nothing more; references are random and too long to guess.

The PDF uses DejaVu Sans when the system has it (Debian's fonts-dejavu-core), so that any name
prints as written; elsewhere it falls back to Helvetica, which only knows Latin-1, and letters
outside it lose their accents (or become "?").
"""

import secrets
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from kx_site.links import absolute_url

from .feedback.services import has_attended, sessions_attended
from .models import Certificate, EventSession, Registration

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # No 0/O or 1/I to misread.
TYPOGRAPHY_TO_LATIN_1 = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-"}
    # Letters that Unicode does not decompose into a base letter and an accent.
    | {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "Œ": "OE", "œ": "oe"}
)


def certificate_refusal(registration, now=None):
    """Why this registration has no certificate now ("not_attended", "not_ended"), or None."""
    now = now or timezone.now()
    if not has_attended(registration):
        return "not_attended"
    if registration.event.end > now:
        return "not_ended"
    return None


def new_reference():
    groups = ("".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4)) for _ in range(3))
    return "KX-" + "-".join(groups)


def normalise_reference(text):
    return "".join(text.split()).upper()


def certificate_issue(*, registration: Registration, now=None) -> Certificate:
    """The registration's certificate, issued now if it has none yet."""
    now = now or timezone.now()
    refusal = certificate_refusal(registration, now)
    if refusal:
        raise ValidationError("No certificate for this registration.", code=refusal)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate, _created = Certificate.objects.get_or_create(
                    registration=registration,
                    defaults={"reference": new_reference(), "issued_at": now},
                )
                return certificate
        except IntegrityError:
            # A reference already used (60 random bits: very unlikely), or a second request
            # issuing at the same moment: look again.
            existing = Certificate.objects.filter(registration=registration).first()
            if existing:
                return existing
    raise RuntimeError("Could not issue a certificate reference.")


def certificate_lookup(reference):
    """The valid certificate with this reference, or None."""
    certificate = (
        Certificate.objects.select_related("registration__user", "registration__event")
        .filter(reference=normalise_reference(reference))
        .first()
    )
    if certificate is None or not has_attended(certificate.registration):
        return None
    return certificate


def event_dates(event):
    start, end = timezone.localtime(event.start), timezone.localtime(event.end)
    if start.date() == end.date():
        return f"{date_format(start, 'l j F Y')}, {start:%H:%M} to {end:%H:%M}"
    return f"{date_format(start, 'j F Y')} to {date_format(end, 'j F Y')}"


def attendance_details(registration):
    """(sessions attended, hours of learning or None) as the certificate states them."""
    sessions = list(
        EventSession.objects.filter(event_id=registration.event_id).order_by("start", "sort_order")
    )
    attended = sessions_attended(registration, sessions)
    if attended:
        seconds = sum((s.end - s.start).total_seconds() for s in attended)
    elif (
        timezone.localtime(registration.event.start).date()
        == timezone.localtime(registration.event.end).date()
    ):
        seconds = (registration.event.end - registration.event.start).total_seconds()
    else:
        seconds = None  # Several days and no programme: hours cannot be told.
    hours = None if seconds is None else round(seconds / 3600 * 2) / 2  # To the half hour.
    return attended, hours


def _hours_text(hours):
    whole = int(hours)
    text = str(whole) if hours == whole else f"{hours:.1f}"
    return f"{text} hour{'' if hours == 1 else 's'}"


def certificate_pdf(certificate):
    """The certificate as PDF bytes."""
    from fpdf import FPDF

    registration = certificate.registration
    event = registration.event
    user = registration.user
    attended, hours = attendance_details(registration)

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"Certificate of attendance: {event.title}")
    pdf.set_author("KX")
    pdf.set_auto_page_break(auto=True, margin=20)
    font, text = _font(pdf)
    pdf.add_page()
    pdf.set_draw_color(29, 112, 184)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 190, 277)

    def line(value, size, *, bold=False, gap=4, align="C"):
        pdf.set_font(font, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text(value), align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(30)
    pdf.set_text_color(11, 12, 12)
    line("Certificate of attendance", 26, bold=True, gap=10)
    line("This is to certify that", 13)
    line(user.get_full_name() or user.email, 22, bold=True, gap=6)
    line("attended", 13)
    line(event.title, 18, bold=True, gap=8)
    line(event_dates(event), 12, gap=2)
    # A certificate leaves KX (CPD records, employers): for an OFFICIAL-SENSITIVE event it names
    # the event, its dates and the hours, never its venue or programme.
    if not event.is_sensitive:
        line("Online" if event.is_online else (event.venue.name if event.venue else ""), 12, gap=8)
    if hours is not None:
        line(f"{_hours_text(hours)} of learning", 12, gap=6)
    if attended and not event.is_sensitive:
        line("Sessions attended:", 12, bold=True, gap=1)
        for session in attended:
            start = timezone.localtime(session.start)
            line(f"{start:%H:%M} {session.title}", 11, gap=0)
        pdf.ln(6)

    pdf.set_y(max(pdf.get_y(), 230))
    line(f"Certificate reference: {certificate.reference}", 11, bold=True, gap=1)
    issued = date_format(timezone.localtime(certificate.issued_at), "j F Y")
    line(f"Issued on {issued}. Check this certificate at", 10, gap=0)
    line(absolute_url(f"/my-events/certificates/{certificate.reference}/"), 10)
    line("KX – knowledge exchange for managing registered sex offenders", 10, gap=0)
    return bytes(pdf.output())


def _font(pdf):
    """The font family to use, and how to make text printable in it."""
    font_dir = Path(settings.KX_CERTIFICATE_FONT_DIR)
    regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu", str
    return "Helvetica", _latin_1


def _latin_1(value):
    return "".join(_latin_1_char(c) for c in value.translate(TYPOGRAPHY_TO_LATIN_1))


def _latin_1_char(char):
    if ord(char) < 256:
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(ord(c) < 256 for c in base) else "?"
