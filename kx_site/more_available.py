"""Telling readers that a listing holds more than they may see, and how to see it.

A signed-out visitor, or a member who is not a verified practitioner, sees only part of a
listing. The listing says so, and what would show them more (signing in, confirming their email
address, being verified), but never what is hidden nor how much: not even a count may leak.
"""

from accounts.permissions import is_superuser

from .audience import user_has_verified_email, visibility_q


def more_available(items, user) -> str | None:
    """What ``user`` could do to see the items of ``items`` hidden from them: ``"sign_in"``,
    ``"verify_email"`` or ``"verify_practitioner"``; None when nothing is hidden from them.

    Verified practitioners are never told: what is hidden from them is restricted to other
    organisations, and nothing they could do would show it. One EXISTS query at most, none for
    practitioners. Callers pass the listing's own base query (live pages in the listing, and at
    most its upcoming or past split), never the reader's search words or filters, so the answer
    cannot be used to probe what hidden items are about.
    """
    if is_superuser(user):
        return None
    if not user.is_authenticated:
        step = "sign_in"
    elif not user_has_verified_email(user):
        step = "verify_email"
    elif user.is_practitioner:
        return None
    else:
        step = "verify_practitioner"
    if not items.exclude(visibility_q(user)).exists():
        return None
    return step
