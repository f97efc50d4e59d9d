from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.models import Page, ReferenceIndex
from wagtail.permissions import policy_registry

from .audience import AudienceMixin, can_view


def pages_using(document):
    """Live pages that link to ``document``, found through Wagtail's reference index."""
    references = ReferenceIndex.get_references_to(document).filter(
        base_content_type=ContentType.objects.get_for_model(Page)
    )
    page_ids = {int(r.object_id) for r in references}
    return Page.objects.filter(pk__in=page_ids).live().specific()


def page_may_serve(page, user, document):
    """Whether ``page``, which uses ``document``, lets ``user`` have it.

    A page type may narrow this with ``may_serve_document(user, document)`` (event session
    materials are for delegates, not for everyone who may read the event page).
    """
    if hasattr(page, "may_serve_document"):
        return page.may_serve_document(user, document)
    return can_view(user, page) if isinstance(page, AudienceMixin) else True


@hooks.register("before_serve_document")
def check_document_access(document, request):
    """A document is served only to someone who may see a live page that uses it.

    An unused document is served to nobody but editors: it fails closed.
    """
    user = request.user
    # Editors hold document permissions per collection, not as model permissions.
    permission_policy = policy_registry.get_by_type(type(document))
    if user.is_authenticated and permission_policy.user_has_permission_for_instance(
        user, "change", document
    ):
        return None
    pages = list(pages_using(document))
    allowed = any(page_may_serve(page, user, document) for page in pages)
    if allowed:
        return None
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied
