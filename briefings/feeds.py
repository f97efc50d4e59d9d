"""The Atom feed of public briefings: nothing with any other audience is ever listed."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from kx_site.audience import Audience

from .models import BriefingIndexPage, BriefingPage

FEED_LENGTH = 50


class PublicBriefingsFeed(Feed):
    feed_type = Atom1Feed
    title = "KX briefings"
    subtitle = "Interim findings and final reports published on KX for anyone to read."

    def get_object(self, request, *args, **kwargs):
        # The feed is about no one object; what its links need is the request. A page's URL
        # built with the request reads Wagtail's site root paths (a shared-cache query) once
        # per request, where ``page.url`` reads them again for every item. One feed instance
        # serves every request, so the request is passed along, never kept on ``self``.
        return request

    def link(self, request):
        index = BriefingIndexPage.objects.live().only("url_path").first()
        return index.get_url(request) if index else "/"

    def items(self, request):
        briefings = list(
            BriefingPage.objects.live()
            .filter(audience=Audience.PUBLIC)
            .order_by("-publication_date", "-pk")
            .defer_streamfields()[:FEED_LENGTH]
        )
        for briefing in briefings:
            briefing.feed_link = briefing.get_url(request)
        return briefings

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Sensitive items are named, never quoted.
        return "" if item.is_sensitive else item.summary

    def item_link(self, item):
        return item.feed_link

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at
