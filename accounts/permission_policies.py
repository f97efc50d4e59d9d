"""Wagtail permission policies for KX's own admin screens.

Django's model permissions decide who may use a screen, as everywhere in Wagtail; a staff account
without a second factor holds none of them (see ``accounts.permissions``).
"""

from wagtail.permission_policies import ModelPermissionPolicy

from .permissions import has_staff_powers


class StaffModelPermissionPolicy(ModelPermissionPolicy):
    """``ModelPermissionPolicy`` whose permissions apply only once the second factor is set."""

    def user_has_permission(self, user, action):
        return has_staff_powers(user) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return has_staff_powers(user) and super().user_has_any_permission(user, actions)
