from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.permissions import policy_registry

from . import admin_tasks
from .media import page_may_serve, pages_using
from .staff import has_staff_powers


@hooks.register("before_serve_document")
def check_document_access(document, request):
    """A document is served only to someone who may see a live page that uses it.

    An unused document is served to nobody but editors: it fails closed.
    """
    user = request.user
    # Editors hold document permissions per collection, not as model permissions.
    permission_policy = policy_registry.get_by_type(type(document))
    if has_staff_powers(user) and permission_policy.user_has_permission_for_instance(
        user, "change", document
    ):
        return None
    pages = pages_using(document)
    allowed = any(page_may_serve(page, user, document) for page in pages)
    if allowed:
        return None
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


# Background tasks report (kx_site/admin_tasks.py): failed and stuck tasks, superusers only.
hooks.register("register_admin_urls", admin_tasks.admin_urls)
hooks.register("register_reports_menu_item", admin_tasks.reports_menu_item)
hooks.register("register_log_actions", admin_tasks.register_log_actions)
