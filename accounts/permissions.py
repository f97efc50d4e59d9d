"""Staff powers and the second factor, for the apps.

The checks themselves are in ``kx_site.staff`` (``kx_site`` needs them and imports no app); this
module re-exports them. Staff screens ask for model permissions (granted to the staff groups by
migrations), never for a group's name.
"""

from kx_site.staff import has_staff_perm, has_staff_powers, is_staff_account, is_superuser

__all__ = [
    "has_staff_perm",
    "has_staff_powers",
    "is_staff_account",
    "is_superuser",
]
