"""Staff powers and the second factor, for the apps.

The checks themselves are in ``kx_site.staff`` (``kx_site`` needs them and imports no app); this
module re-exports them and adds the staff-group check.
"""

from kx_site.staff import has_staff_perm, has_staff_powers, is_staff_account, is_superuser

__all__ = [
    "has_staff_perm",
    "has_staff_powers",
    "in_staff_group",
    "is_staff_account",
    "is_superuser",
]


def in_staff_group(user, *group_names: str) -> bool:
    """Membership of a staff group (or superuser), only once the second factor is set."""
    if not has_staff_powers(user):
        return False
    return user.is_superuser or user.groups.filter(name__in=group_names).exists()
