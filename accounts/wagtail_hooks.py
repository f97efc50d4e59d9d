from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import audit
from .admin_views import VerificationViewSet
from .models import Organisation, VerificationRequest
from .permission_policies import StaffModelPermissionPolicy


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    add_to_admin_menu = True
    menu_order = 800


register_snippet(OrganisationViewSet)

# Deciding verification requests: the "change" permission on VerificationRequest, held only with
# a second factor. The queue and its menu item both ask this policy.
register_permission_policy(VerificationRequest, StaffModelPermissionPolicy(VerificationRequest))


@hooks.register("register_admin_viewset")
def register_verification_viewset():
    return VerificationViewSet()


hooks.register("register_log_actions", audit.ACCOUNT_LOG.register)
