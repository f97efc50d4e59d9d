"""Quotas: at most so many places per organisation (or per organisation of a kind) until the
event's ``quotas_release_at``, after which unused places are open to all.

The places each organisation holds are counted under the event's row lock by ``events.services``,
which decides who gets a place. The quotas themselves may be read before the lock (see
``registration_create``).
"""

from collections import Counter

from django.db.models import Count

from .models import Registration


def quotas_in_force(event, now):
    return event.quotas_release_at is None or now < event.quotas_release_at


class QuotaBook:
    """The event's quotas and the places each organisation holds, read once.

    ``take`` counts a place given while the book is open, so one pass over the waiting list
    never gives an organisation more than its quota.
    """

    def __init__(self, event, now, *, quotas=None, count_held=True):
        """``quotas`` are the event's quotas if already read; ``count_held=False`` leaves the
        places held uncounted, for a caller that only asks ``limit_for``."""
        self.by_organisation = {}
        self.by_kind = {}
        self.held = Counter()
        if not quotas_in_force(event, now):
            return
        for quota in event.quotas.all() if quotas is None else quotas:
            if quota.organisation_id:
                self.by_organisation[quota.organisation_id] = quota.places
            elif quota.organisation_kind:
                self.by_kind[quota.organisation_kind] = quota.places
        if count_held and (self.by_organisation or self.by_kind):
            self.held.update(
                dict(
                    Registration.objects.filter(
                        event=event,
                        status__in=Registration.PLACE_STATUSES,
                        organisation__isnull=False,
                    )
                    .values_list("organisation_id")
                    .annotate(count=Count("pk"))
                    .order_by()
                )
            )

    @property
    def active(self):
        return bool(self.by_organisation or self.by_kind)

    def limit_for(self, organisation):
        """The most places ``organisation`` may hold now, or None for no limit."""
        if organisation is None:
            return None
        if organisation.pk in self.by_organisation:
            return self.by_organisation[organisation.pk]
        return self.by_kind.get(organisation.kind)

    def is_full_for(self, organisation):
        limit = self.limit_for(organisation)
        return limit is not None and self.held[organisation.pk] >= limit

    def take(self, organisation):
        if organisation is not None:
            self.held[organisation.pk] += 1
