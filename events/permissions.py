"""Who may organise events: holders of the ``events.organise_events`` permission (granted to the
"Event organisers" staff group by migration events 0010), and superusers, with their second
factor. Asked by the organiser tools (through ``organiser_policy``), the materials rules and the
forums' session threads; services and other apps import ``can_organise`` from here, never from a
view module."""

from wagtail.permission_policies import ModelPermissionPolicy

from accounts.permissions import has_staff_perm

ORGANISE = "organise"
ORGANISE_PERMISSION = "events.organise_events"


class OrganiserPermissionPolicy(ModelPermissionPolicy):
    """Wagtail's model permission policy for the organisers' tools: the one action, ``organise``,
    is the ``events.organise_events`` permission, and a staff permission applies only once the
    account has its second factor (``accounts.permissions.has_staff_perm``)."""

    def _get_permission_codename(self, action):
        if action == ORGANISE:
            return ORGANISE_PERMISSION.split(".", 1)[1]
        return super()._get_permission_codename(action)

    def user_has_permission(self, user, action):
        return has_staff_perm(user, self._get_permission_name(action))


organiser_policy = OrganiserPermissionPolicy("events.Registration")


def can_organise(user):
    return organiser_policy.user_has_permission(user, ORGANISE)
