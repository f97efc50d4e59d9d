"""Staff powers and the second factor.

A staff account (administrator, editor, senior editor, moderator, organiser) signed in with a
password alone is not yet proven to be its owner. Until it has an authenticator app or a security
key, none of its staff powers apply anywhere: ``StaffMFARequiredMiddleware`` sends it to set one
up on every request, and every check KX makes outside a request (digests, notifications,
reminders, tasks) asks ``has_staff_powers`` before it looks at the account's roles.

These checks live in ``kx_site`` because the audience rule, access-checked media, the admin's
hooks and tasks need them and ``kx_site`` imports no app; ``accounts.permissions`` re-exports
them for the apps. They read the user model's ``is_kx_staff`` (``accounts.models.User``).
"""

from allauth.mfa.models import Authenticator

# The authenticators that are a second factor on their own. Recovery codes only back these up, so
# they never count by themselves. Staff must always keep at least one of these.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user, *, excluding=None) -> bool:
    """Whether the user has an authenticator app or a security key (other than `excluding`)."""
    authenticators = Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES)
    if excluding is not None:
        authenticators = authenticators.exclude(pk=excluding.pk)
    return authenticators.exists()


def is_staff_account(user) -> bool:
    """Whether ``user`` holds any staff role, proven or not."""
    return bool(getattr(user, "is_authenticated", False) and user.is_kx_staff)


def has_staff_powers(user) -> bool:
    """Whether ``user``'s staff roles may be used now: an active staff account with a second
    factor. Cached on the user object for the request (or task) that loaded it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_kx_has_staff_powers", None)
    if cached is None:
        # A user loaded for a request (User.objects.for_request()) knows already.
        second_factor = getattr(user, "kx_second_factor", None)
        cached = user.is_kx_staff and (
            has_second_factor(user) if second_factor is None else second_factor
        )
        user._kx_has_staff_powers = cached
    return cached


def is_superuser(user) -> bool:
    """A superuser whose powers apply (see ``has_staff_powers``)."""
    return bool(getattr(user, "is_superuser", False)) and has_staff_powers(user)


def has_staff_perm(user, permission: str) -> bool:
    """``user.has_perm(permission)`` for a staff permission, only once the second factor is set."""
    return has_staff_powers(user) and user.has_perm(permission)
