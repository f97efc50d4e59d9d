"""The engine-side twin of ``kx_site.audience.visibility_q``.

Every engine query (results, facets, suggestions, related items) carries this filter inside its
``bool.filter``, so nothing a user may not see can be counted, suggested or returned. The rules
follow ``visibility_q`` line for line; ``tests/search/test_permissions.py`` checks that both give
the same answer for every kind of user and item.
"""

from elasticsearch.dsl import Q

from accounts.permissions import is_superuser
from kx_site.audience import Audience, user_has_verified_email


def permission_filter(user):
    if is_superuser(user):
        return Q("match_all")
    allowed = [Q("term", audience=Audience.PUBLIC.value)]
    if user_has_verified_email(user):
        allowed.append(Q("term", audience=Audience.REGISTERED.value))
        if user.is_practitioner:
            restricted = Q("term", audience=Audience.RESTRICTED.value)
            allowed += [
                Q("term", audience=Audience.PRACTITIONERS.value),
                restricted & Q("term", restricted_kinds=user.organisation.kind),
                restricted & Q("term", restricted_organisations=user.organisation_id),
            ]
    return Q("bool", should=allowed, minimum_should_match=1)
