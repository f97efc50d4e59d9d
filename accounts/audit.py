"""What happened to an account's standing, and by whom: verification, approval, refusal, lapse.

Kept in Wagtail's log (``wagtailcore.ModelLogEntry``) against the account the entry concerns,
with the actions registered in ``accounts/wagtail_hooks.py``. ``data["detail"]`` holds what the
action needs to be understood (the organisation and method, or the refusal note).
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from wagtail.log_actions import LogFormatter, log
from wagtail.models import ModelLogEntry

VERIFIED = "kx.verified"
VERIFICATION_REQUESTED = "kx.verification_requested"
VERIFICATION_REFUSED = "kx.verification_refused"
VERIFICATION_CONFIRMED = "kx.verification_confirmed"

# action: (label, past-tense message)
ACTIONS = {
    VERIFIED: ("Verify as a practitioner", "Verified as a practitioner"),
    VERIFICATION_REQUESTED: ("Request verification", "Asked to be verified"),
    VERIFICATION_REFUSED: ("Refuse verification", "Verification refused"),
    VERIFICATION_CONFIRMED: ("Confirm verification", "Confirmed organisation and role"),
}


class AccountLogFormatter(LogFormatter):
    def format_message(self, log_entry):
        detail = (log_entry.data or {}).get("detail")
        return f"{self.message}: {detail}" if detail else self.message


def register_actions(actions):
    for action, (label, message) in ACTIONS.items():
        actions.register_action(action)(
            type(
                "AccountLogFormatter", (AccountLogFormatter,), {"label": label, "message": message}
            )
        )


def record(account, action, *, actor=None, detail=""):
    """Log ``action`` on ``account``, taken by ``actor`` (None: by KX itself)."""
    return log(account, action, user=actor, data={"detail": detail})


def account_entries():
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        action__in=ACTIONS,
    )


def entries_for(account):
    """The account's standing entries, newest first."""
    return account_entries().filter(object_id=str(account.pk)).order_by("-timestamp", "-pk")


def erase_for(account_pk):
    """An account is deleted: its entries go with it, and it is no longer named as the actor of
    other accounts' entries (as the old ``AuditEntry`` did by cascade and SET_NULL)."""
    account_entries().filter(object_id=str(account_pk)).delete()
    account_entries().filter(user_id=account_pk).update(user=None)
