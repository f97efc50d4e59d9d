"""What happened to an account's standing, and by whom: verification, approval, refusal, lapse.

Kept in Wagtail's log (``wagtailcore.ModelLogEntry``) against the account the entry concerns,
with the actions declared in ``ACCOUNT_LOG`` and registered in ``accounts/wagtail_hooks.py``.
``data["detail"]`` holds what the action needs to be understood (the organisation and method,
or the refusal note).
"""

from wagtail.log_actions import LogFormatter, log

from kx_site.log_actions import LogActions


class AccountLogFormatter(LogFormatter):
    def format_message(self, log_entry):
        detail = (log_entry.data or {}).get("detail")
        return f"{self.message}: {detail}" if detail else self.message


ACCOUNT_LOG = LogActions(
    "kx.",
    {
        "verified": ("Verify as a practitioner", "Verified as a practitioner"),
        "verification_requested": ("Request verification", "Asked to be verified"),
        "verification_refused": ("Refuse verification", "Verification refused"),
        "verification_confirmed": ("Confirm verification", "Confirmed organisation and role"),
    },
    formatter=AccountLogFormatter,
)
VERIFIED = ACCOUNT_LOG.action("verified")
VERIFICATION_REQUESTED = ACCOUNT_LOG.action("verification_requested")
VERIFICATION_REFUSED = ACCOUNT_LOG.action("verification_refused")
VERIFICATION_CONFIRMED = ACCOUNT_LOG.action("verification_confirmed")


def record(account, action, *, actor=None, detail=""):
    """Log ``action`` on ``account``, taken by ``actor`` (None: by KX itself)."""
    return log(account, action, user=actor, data={"detail": detail})


def entries_for(account):
    """The account's standing entries, newest first."""
    return ACCOUNT_LOG.entries().filter(object_id=str(account.pk)).order_by("-timestamp", "-pk")


def erase_for(account_pk):
    """An account is deleted: its entries go with it, and it is no longer named as the actor of
    other accounts' entries (as the old ``AuditEntry`` did by cascade and SET_NULL)."""
    ACCOUNT_LOG.entries().filter(object_id=str(account_pk)).delete()
    ACCOUNT_LOG.entries().filter(user_id=account_pk).update(user=None)
