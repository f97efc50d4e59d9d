"""The engine's translation of ``kx_site.audience.reader_grant``.

Every engine query (results, facets, suggestions, related items) carries this filter inside its
``bool.filter``, so nothing a user may not see can be counted, suggested or returned. It states
no rule of its own: it writes the reader's grant as an engine query, as ``Grant.q`` writes it as
a database condition; ``tests/search/test_permissions.py`` checks that the engine, the database
search, querysets and ``can_view`` give the same answer for every kind of user and item.
"""

from elasticsearch.dsl import Q

from kx_site.audience import Audience, reader_grant


def permission_filter(user):
    grant = reader_grant(user)
    if grant.everything:
        return Q("match_all")
    allowed = [Q("terms", audience=[audience.value for audience in grant.audiences])]
    if grant.member:
        restricted = Q("term", audience=Audience.RESTRICTED.value)
        allowed += [
            restricted & Q("term", restricted_kinds=grant.organisation_kind),
            restricted & Q("term", restricted_organisations=grant.organisation_id),
        ]
    return Q("bool", should=allowed, minimum_should_match=1)
