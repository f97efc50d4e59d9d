"""Who may have a session's materials (slides, handouts), on the event page and as documents.

Materials are narrower than the event page: confirmed delegates of the event; any practitioner
who may see the event when its audience is practitioners or narrower; the event's organisers
and editors. No one else gets the link or the file.
"""

from accounts.permissions import has_staff_powers, is_superuser
from kx_site.audience import Audience, can_view

from .models import EventSessionMaterial, Registration
from .permissions import can_organise


def can_see_materials(user, event):
    if is_superuser(user):
        return True
    if not user.is_authenticated:
        return False
    if can_view(user, event):
        narrow = event.audience in (Audience.PRACTITIONERS, Audience.RESTRICTED)
        if narrow and user.is_practitioner:
            return True
        if Registration.objects.filter(
            event=event, user=user, status=Registration.Status.CONFIRMED
        ).exists():
            return True
    return _organises_or_edits(user, event)


def _organises_or_edits(user, event):
    if not has_staff_powers(user):
        return False
    return can_organise(user) or event.permissions_for_user(user).can_edit()


def event_may_serve_document(event, user, document):
    """A document that is one of the event's materials goes only to those who may see them;
    any other document the event page uses goes to whoever may see the page."""
    is_material = EventSessionMaterial.objects.filter(
        session__event=event, document=document
    ).exists()
    if is_material:
        return can_see_materials(user, event)
    return can_view(user, event)
