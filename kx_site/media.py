"""Who may have an uploaded file: the live pages that use it decide.

A document or image is served to someone who may see at least one live page that uses it, and
to editors. Uses are found through Wagtail's reference index. Images may also be used one object
away (a speaker's photo on an event page, through the speaker); documents only directly. A file
no live page uses is served to editors alone: it fails closed.

Image files (originals and renditions) are served here rather than by the web server, at the
URLs Wagtail gives them, so that templates and rendition URLs stay as they are.
"""

import mimetypes
from collections import defaultdict
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from modelcluster.fields import ParentalKey
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Page, ReferenceIndex
from wagtail.permissions import policy_registry

from .audience import AudienceMixin, can_view
from .page_cache import remembered
from .staff import has_staff_powers

# Folders under MEDIA_ROOT (or in the media bucket) where Wagtail keeps image files.
ORIGINALS_FOLDER = "original_images"
RENDITIONS_FOLDER = "images"
PUBLIC_MAX_AGE = 3600


def pages_using(item, *, through_one_hop=False):
    """Live pages (specific) that use ``item``; see ``pages_using_each``."""
    return pages_using_each([item], through_one_hop=through_one_hop)[item]


def pages_using_each(items, *, through_one_hop=False):
    """``{item: [live specific pages that use it]}`` for ``items`` of one model.

    A page uses an item when the reference index records the page (or one of its inline
    children) pointing at it. With ``through_one_hop``, a page also uses an item through any one
    object that is not a page: the page points at that object and the object points at the item.
    The reference index does not record many-to-many fields (a session's speakers), so those are
    read from the pages' own tables. A page linking to another page never counts: one page's
    audience must not open what another page uses.

    The queries are fixed for a given set of models, however many items and pages there are.
    """
    items = list(items)
    if not items:
        return {}
    page_type = ContentType.objects.get_for_model(Page)
    page_ids = defaultdict(set)  # item pk (as the index stores it) -> page ids
    items_via = defaultdict(set)  # (content type id, object id) of a go-between -> item pks
    references = ReferenceIndex.get_references_to_in_bulk(items).values_list(
        "to_object_id", "base_content_type_id", "object_id"
    )
    for item_pk, source_type_id, source_id in references:
        if source_type_id == page_type.pk:
            page_ids[item_pk].add(int(source_id))
        elif through_one_hop:
            items_via[(source_type_id, source_id)].add(item_pk)
    if items_via:
        for go_between, page_id in _pages_using_go_betweens(items_via, page_type):
            for item_pk in items_via[go_between]:
                page_ids[item_pk].add(page_id)

    all_page_ids = set().union(*page_ids.values())
    pages = (
        {page.pk: page for page in Page.objects.filter(pk__in=all_page_ids).live().specific()}
        if all_page_ids
        else {}
    )
    return {
        item: [pages[pk] for pk in sorted(page_ids[str(item.pk)]) if pk in pages] for item in items
    }


def _pages_using_go_betweens(go_betweens, page_type):
    """``((content type id, object id), page id)`` for each page that uses a go-between."""
    ids_by_type = defaultdict(set)
    for type_id, object_id in go_betweens:
        ids_by_type[type_id].add(object_id)
    condition = Q()
    for type_id, object_ids in ids_by_type.items():
        condition |= Q(to_content_type_id=type_id, to_object_id__in=object_ids)
    references = ReferenceIndex.objects.filter(condition, base_content_type=page_type)
    for type_id, object_id, page_id in references.values_list(
        "to_content_type_id", "to_object_id", "object_id"
    ):
        yield (type_id, object_id), int(page_id)

    for type_id, object_ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for object_id, page_id in _pages_holding_in_many_to_many(model, object_ids):
            yield (type_id, str(object_id)), page_id


def _pages_holding_in_many_to_many(model, object_ids):
    """``(object id, page id)`` for pages, or pages' inline children, that hold objects of
    ``model`` in a many-to-many field: the reference index leaves those out."""
    for relation in model._meta.related_objects:
        if not relation.many_to_many:
            continue
        holder = relation.related_model
        if issubclass(holder, Page):
            page_field = "pk"
        else:
            parent_keys = [
                field
                for field in holder._meta.get_fields()
                if isinstance(field, ParentalKey) and issubclass(field.related_model, Page)
            ]
            if not parent_keys:
                continue
            page_field = parent_keys[0].attname
        field_name = relation.field.name
        yield from (
            holder._default_manager.filter(**{f"{field_name}__in": object_ids})
            .values_list(field_name, page_field)
            .order_by()
            .distinct()
        )


def page_may_serve(page, user, item):
    """Whether ``page``, which uses ``item``, lets ``user`` have it.

    A page type may narrow this with ``may_serve_document(user, document)`` or
    ``may_serve_image(user, image)`` (event session materials are for delegates, not for
    everyone who may read the event page). Pages without an audience are public.
    """
    rule_name = "may_serve_image" if isinstance(item, AbstractImage) else "may_serve_document"
    rule = getattr(page, rule_name, None)
    if rule is not None:
        return rule(user, item)
    return can_view(user, page) if isinstance(page, AudienceMixin) else True


def is_public(item, pages):
    """Whether any of ``pages`` (those that use ``item``) serves it to a signed-out visitor."""
    anonymous = AnonymousUser()
    return any(page_may_serve(page, anonymous, item) for page in pages)


def restricted_images(images):
    """The pks of ``images`` that are not public: no live public page uses them."""
    pages_by_image = pages_using_each(images, through_one_hop=True)
    return {image.pk for image, pages in pages_by_image.items() if not is_public(image, pages)}


def may_edit_image(user, image):
    """Editors, with their second factor, may have any image they may change."""
    if not has_staff_powers(user):
        return False
    permission_policy = policy_registry.get_by_type(type(image))
    return permission_policy.user_has_permission_for_instance(user, "change", image)


def find_image_file(folder, path):
    """``(file field, image)`` for the original or rendition stored as ``folder/path``.

    The file is looked up by its exact stored name, so nothing outside those stored names can
    ever be opened. Raises Http404 for anything else.
    """
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        raise Http404
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise Http404
    name = f"{folder}/{path}"
    image_model = get_image_model()
    if folder == ORIGINALS_FOLDER:
        image = image_model.objects.filter(file=name).order_by("pk").first()
        if image is None:
            raise Http404
        return image.file, image
    rendition_model = image_model.get_rendition_model()
    rendition = (
        rendition_model.objects.filter(file=name).select_related("image").order_by("pk").first()
    )
    if rendition is None:
        raise Http404
    return rendition.file, rendition.image


def file_response(file, *, public):
    """The file, or with ``KX_MEDIA_ACCEL_REDIRECT_PREFIX`` an empty answer that tells nginx
    which internal location to send it from."""
    name = file.name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    accel_prefix = settings.KX_MEDIA_ACCEL_REDIRECT_PREFIX
    if accel_prefix:
        response = HttpResponse(content_type=content_type)
        # nginx expects the URI escaped (since 1.5.9).
        response["X-Accel-Redirect"] = accel_prefix + quote(name)
    else:
        # Object storage (kx_site.storage) streams from the bucket; ``open`` would copy the whole
        # object before the first byte went out.
        open_stream = getattr(file.storage, "open_stream", None)
        try:
            handle = open_stream(name) if open_stream else file.storage.open(name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
        if "Content-Length" not in response and getattr(handle, "size", None) is not None:
            response["Content-Length"] = handle.size
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def serve_image_file(request, path, folder):
    """An image original or rendition, to someone who may see a live page that uses it."""
    file, image = find_image_file(folder, path)
    # Decided before the session is read, so a public image's answer is the same for everyone;
    # kept until content changes, as the pages that show the image are (kx_site.page_cache).
    pages = None

    def public():
        nonlocal pages
        pages = pages_using(image, through_one_hop=True)
        return is_public(image, pages)

    if remembered(f"image-public:{image.pk}", public):
        return file_response(file, public=True)
    if pages is None:
        pages = pages_using(image, through_one_hop=True)
    user = request.user
    if may_edit_image(user, image) or any(page_may_serve(page, user, image) for page in pages):
        return file_response(file, public=False)
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied
