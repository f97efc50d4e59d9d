from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from . import home
from .audience import Audience, AudienceMixin, access_refusal, visible_to
from .blocks import BaseStreamBlock
from .routing import route_from, view_restrictions


class AudiencePageMixin(AudienceMixin):
    """Applies the audience rules to a Wagtail page.

    A signed-out visitor is sent to sign in; a signed-in one who may not see the page gets a 403
    page that says why and how to get access. Non-public pages are never cached for others and
    never listed in the sitemap.
    """

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        # Previews are already limited to editors by the admin's own permissions.
        if not getattr(request, "is_preview", False):
            refusal = access_refusal(request.user, self)
            if refusal == "sign_in":
                return redirect_to_login(request.get_full_path())
            if refusal:
                response = TemplateResponse(
                    request, "403.html", {"refusal": refusal, "page": self}, status=403
                )
                add_never_cache_headers(response)
                return response
        response = super().serve(request, *args, **kwargs)
        if self.audience != Audience.PUBLIC:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_view_restrictions(self):
        return view_restrictions(self)

    def get_sitemap_urls(self, request=None):
        if self.audience != Audience.PUBLIC:
            return []
        return super().get_sitemap_urls(request)


class ReaderDependentPageMixin:
    """A page whose content depends on who reads it (what they may see, their own items): a
    signed-in reader's copy is never kept by a shared cache, nor by the browser for the next
    person at the same computer. A signed-out reader's copy is the same for everyone, and
    ``kx_site.page_cache`` may keep it."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_view_restrictions(self):
        return view_restrictions(self)


class AudienceIndexPage(ReaderDependentPageMixin, Page):
    """The one index of a kind of audience-ruled page under the home page (``/events/``,
    ``/briefings/``, ``/library/``): an introduction, and a listing of only what the reader may
    see, built by the subclass's ``get_context``, ``per_page`` to a page."""

    intro = models.CharField(max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["kx_site.HomePage"]
    max_count = 1
    per_page = 20

    class Meta:
        abstract = True


class HomePage(ReaderDependentPageMixin, Page):
    """The front page: what is next and new for this reader.

    Each app's section lists only what the reader may see (``kx_site.home``). Signed out, the
    page is the same for everyone and ``kx_site.page_cache`` keeps it; signed in, it holds the
    reader's own next event and forum threads, so it is private to them.
    """

    lead = models.CharField(max_length=300, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "kx_site.StandardPage",
        "events.EventIndexPage",
        "briefings.BriefingIndexPage",
        "practice_library.PracticeIndexPage",
    ]
    max_count = 1

    def route(self, request, path_components):
        # The site's root: every page's URL is found from here, in one query for the whole path.
        return route_from(self, request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["sections"] = visible_to(
            StandardPage.objects.child_of(self).live().in_menu(), user
        ).only("title", "url_path", "search_description")
        context.update(home.home_context(self, user))
        return context


class StandardPage(AudiencePageMixin, Page):
    """A plain content page (about, guidance, accessibility statement) with any audience."""

    summary = models.CharField(max_length=300, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    settings_panels = [*AudienceMixin.audience_panels, *Page.settings_panels]

    parent_page_types = ["kx_site.HomePage", "kx_site.StandardPage"]
    subpage_types = ["kx_site.StandardPage"]


class SentEmail(models.Model):
    """The Message-ID of each email a mail server has accepted, so that a send task run twice
    (retried, or put back after its worker died) never sends a second copy.

    Holds no address or content; ``kx_site.notifications.send_email`` prunes old rows.
    """

    message_id = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.message_id
