"""The Atom feed of public briefings: nothing with any other audience is ever listed."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from kx_site.audience import Audience

from .models import BriefingIndexPage, BriefingPage


class PublicBriefingsFeed(Feed):
    feed_type = Atom1Feed
    title = "KX briefings"
    subtitle = "Interim findings and final reports published on KX for anyone to read."

    def link(self):
        index = BriefingIndexPage.objects.live().first()
        return index.url if index else "/"

    def items(self):
        return (
            BriefingPage.objects.live()
            .filter(audience=Audience.PUBLIC)
            .order_by("-publication_date", "-pk")[:50]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Sensitive items are named, never quoted.
        return "" if item.is_sensitive else item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at
