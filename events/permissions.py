"""Who may organise events: members of the "Event organisers" staff group (and superusers), with
their second factor. Asked by the organiser tools, the materials rules and the forums' session
threads; services and other apps import it from here, never from a view module."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.views.defaults import permission_denied as django_permission_denied

from accounts.permissions import in_staff_group

ORGANISER_GROUP = "Event organisers"


def can_organise(user):
    return in_staff_group(user, ORGANISER_GROUP)


def organisers_only(view):
    """Answer 403 to anyone else.

    Wagtail turns a raised PermissionDenied into a redirect to the dashboard; a plain 403 says
    more clearly that these pages are not for this member.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_organise(request.user):
            return django_permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return wrapped
