"""Demo topics, a speaker photo, a session handout and a workshop quota: safe to run again.

Called from ``events.demo``; each piece is added only when it is missing.
"""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from accounts.models import OrganisationKind
from practice_library.models import Topic

from .models import EventPage, EventQuota, EventSessionMaterial

EVENT_TOPICS = {
    "national-arms-conference": ["arms-practice", "home-visits", "risk-assessment-and-management"],
    "mappa-risk-workshop": ["mappa", "risk-assessment-and-management"],
    "online-pdp-workshop": ["potentially-dangerous-persons-pdps"],
    "joint-working-conference-past": ["joint-police-and-probation-working"],
}
HANDOUT_TITLE = "ARMS evaluation: summary handout"


def ensure_demo_topics():
    """Give each demo event its topics, publishing a revision so the editor sees them too."""
    for event in EventPage.objects.filter(slug__in=EVENT_TOPICS):
        slugs = EVENT_TOPICS.get(event.slug)
        if not slugs or event.topics.exists():
            continue
        event.topics.set(Topic.objects.filter(slug__in=slugs))
        event.save_revision().publish()


def ensure_speaker_photo(speaker):
    """A generated portrait placeholder (a coloured square with a head and shoulders)."""
    if speaker.photo_id:
        return
    canvas = PillowImage.new("RGB", (240, 240), "#1d70b8")
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((80, 40, 160, 120), fill="#f3f2f1")
    draw.ellipse((40, 130, 200, 300), fill="#f3f2f1")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    filename = f"speaker-{speaker.pk}.png"
    photo = get_image_model()(
        title=f"Photo of {speaker.name}", file=ImageFile(buffer, name=filename)
    )
    photo.save()
    speaker.photo = photo
    speaker.save(update_fields=["photo"])


def _handout_pdf():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.multi_cell(0, 10, HANDOUT_TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(
        0,
        7,
        "Demo content. The evaluation found that joint home visits and a shared record of "
        "protective factors made ARMS assessments more consistent.",
    )
    return bytes(pdf.output())


def ensure_session_handout(session):
    """One handout for a session; the event page is published again so the reference index
    (which decides who may download it) knows the document is this event's material."""
    if session.materials.exists():
        return
    document = get_document_model()(title=HANDOUT_TITLE)
    document.file.save("arms-evaluation-handout.pdf", ContentFile(_handout_pdf()), save=False)
    document.save()
    EventSessionMaterial.objects.create(session=session, title=HANDOUT_TITLE, document=document)
    session.event.save_revision().publish()


def ensure_workshop_quota(workshop):
    """Each police force may hold two of the workshop's places until a week before it."""
    if workshop.quotas.exists():
        return
    EventQuota.objects.create(
        event=workshop, organisation_kind=OrganisationKind.POLICE_FORCE, places=2
    )
    workshop.quotas_release_at = workshop.registration_closes_at - timedelta(days=7)
    workshop.save_revision().publish()
