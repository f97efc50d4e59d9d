"""The events' part in search: events and their sessions, registered from
``EventsConfig.ready`` (``search.registry``), so that search imports nothing of the events."""

from search.documents.base import EntryData, SearchDocument, audience_of, page_url, stream_text
from search.registry import register_document

from .models import EventPage, EventSession


def _event_topics(event):
    return [(t.slug, t.name) for t in event.topics.all()]


class EventDocument(SearchDocument):
    model = EventPage
    doc_type = "event"
    label = "Event"

    def queryset(self):
        return (
            EventPage.objects.live()
            .select_related("venue")
            .prefetch_related("topics", "restricted_to_organisations")
        )

    def entry(self, event):
        venue = event.venue.name if event.venue_id else ""
        return EntryData(
            title=event.title,
            url=page_url(event),
            summary=event.summary,
            body=" ".join(
                [
                    stream_text(event.body),
                    event.get_kind_display(),
                    event.get_region_display(),
                    venue,
                ]
            ),
            topics=_event_topics(event),
            date=event.start,
            **audience_of(event),
        )

    def dependants(self, event):
        return [(SESSION, session) for session in event.sessions.all()]


class EventSessionDocument(SearchDocument):
    model = EventSession
    doc_type = "session"
    label = "Event session"

    def queryset(self):
        return (
            EventSession.objects.filter(event__live=True)
            .select_related("event")
            .prefetch_related("speakers", "event__topics", "event__restricted_to_organisations")
        )

    def entry(self, session):
        event = session.event
        speakers = ", ".join(s.name for s in session.speakers.all())
        return EntryData(
            title=session.title,
            url=page_url(event),
            summary=f"{event.title}: {session.description}"[:500],
            body=" ".join([session.description, speakers, session.track]),
            # The event's topics are the session's only by inheritance: searched below its words.
            inherited_topics=_event_topics(event),
            inherited_text=event.title,
            date=session.start,
            parent_key=EVENT.key(event.pk),
            # A session is seen by exactly those who may see its event.
            **audience_of(event),
        )


EVENT = EventDocument()
SESSION = EventSessionDocument()


def register():
    register_document(EVENT, order=40)
    register_document(SESSION, order=50)
