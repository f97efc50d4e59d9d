from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """One term of the controlled topic vocabulary shared by practices, briefings and events."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name
