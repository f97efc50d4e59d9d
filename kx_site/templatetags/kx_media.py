"""Tags for the Wagtail admin's image listings: which images are restricted."""

from django import template

from kx_site.media import restricted_images

register = template.Library()


@register.simple_tag
def mark_restricted_images(images):
    """Set ``kx_restricted`` on each of ``images`` (one page of results) and render nothing.

    An image is restricted when no live public page uses it: only some readers, or only
    editors, are served its files. One set of queries covers the whole page of results.
    """
    images = list(images)
    restricted = restricted_images(images)
    for image in images:
        image.kx_restricted = image.pk in restricted
    return ""
