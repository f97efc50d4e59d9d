"""Telling readers that a listing holds more than they may see, and how to see it.

A signed-out visitor, or a member who is not a verified practitioner, sees only part of a
listing. The listing says so, and what would show them more (signing in, confirming their email
address, being verified), but never what is hidden nor how much: not even a count may leak.
"""

from .audience import reader_grant


def more_available(items, user) -> str | None:
    """What ``user`` could do to see the items of ``items`` hidden from them: ``"sign_in"``,
    ``"verify_email"`` or ``"verify_practitioner"``; None when nothing is hidden from them.

    Verified practitioners are never told: what is hidden from them is restricted to other
    organisations, and nothing they could do would show it. One EXISTS query at most, none for
    practitioners. Callers pass the listing's own base query (live pages in the listing, and at
    most its upcoming or past split), never the reader's search words or filters, so the answer
    cannot be used to probe what hidden items are about.
    """
    grant = reader_grant(user)
    # Superusers lack nothing; what practitioners lack ("restricted") nothing they do would give.
    if grant.shortfall in (None, "restricted"):
        return None
    if not items.exclude(grant.q()).exists():
        return None
    return grant.shortfall
