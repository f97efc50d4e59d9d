from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from modelcluster.models import ClusterableModel

from kx_site.audience import AudienceMixin


class OnPostgreSQL(models.Func):
    """An expression that is itself on PostgreSQL and NULL on any other database.

    For a generated column whose expression only PostgreSQL can compute (``to_tsvector``): the
    column exists everywhere, so the model and its migrations are the same on every database,
    but only PostgreSQL fills it. Elsewhere search uses the plain text columns instead.
    """

    template = "%(expressions)s"

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return "NULL", []
        return super().as_sql(compiler, connection, **extra_context)


def weighted(field, weight):
    # The configuration must be named: ``to_tsvector(text)`` depends on a setting, so it may
    # not appear in a generated column, while ``to_tsvector('english', text)`` may.
    return SearchVector(field, config="english", weight=weight)


# Title first, then topics, summary and body: the weights ``SearchRank`` reads (A to D), in the
# order the engine boosts the same fields. What an item inherits from its parent shares the
# lowest weight with the body (PostgreSQL has four): a recommendation's own words outweigh the
# topics and title of its briefing (``search.database.RANK_WEIGHTS``).
SEARCH_VECTOR = OnPostgreSQL(
    weighted("title", "A")
    + weighted("topic_names", "B")
    + weighted("summary", "C")
    + weighted("body", "D")
    + weighted("inherited_text", "D"),
    output_field=SearchVectorField(),
)


class SearchEntryManager(models.Manager):
    def get_queryset(self):
        # The vector is for the database's WHERE and ORDER BY only: never load it.
        return super().get_queryset().defer("search_vector")


class SearchEntry(AudienceMixin, ClusterableModel):
    """One searchable item as search sees it: the database fallback's index and the source of
    every engine document.

    Written whenever the content is published, moved, unpublished or deleted; the engine copy is
    sent from here, so an engine that was down is brought up to date from these rows
    (``needs_engine_sync``) and no update is lost. The audience fields are the content's own, so
    ``kx_site.audience.visible_to`` filters these rows by exactly the rules the pages use.
    """

    key = models.CharField(max_length=100, unique=True, help_text="<type>:<primary key>")
    parent_key = models.CharField(max_length=100, blank=True, db_index=True)
    doc_type = models.CharField(max_length=32, db_index=True)
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    topic_names = models.TextField(blank=True)
    # Words an item takes from its parent (its title, its topics' names): searched, weighed least.
    inherited_text = models.TextField(blank=True)
    # ",slug-a,slug-b," so that ``topics__contains=",slug,"`` finds members on every database.
    topics = models.TextField(blank=True)
    does_it_work = models.CharField(max_length=32, blank=True)
    evidence_stage = models.CharField(max_length=32, blank=True)
    organisation_kind = models.CharField(max_length=32, blank=True)
    organisation = models.CharField("organisation slug", max_length=200, blank=True)
    year = models.PositiveIntegerField(null=True, blank=True)
    date = models.DateTimeField(null=True, blank=True)
    # What listings sort by (``search.queries.LISTING_ORDERS``), so that the engine and the
    # database return a listing a page at a time: the object's own primary key (the last tie
    # break), when it was first published ("newest first") and the order its content type
    # ranks it in ("strongest first"; a practice's evidence, then its rating).
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    listing_rank = models.PositiveIntegerField(default=0)
    url = models.CharField(max_length=500)
    indexed_at = models.DateTimeField(auto_now=True)
    needs_engine_sync = models.BooleanField(default=True, db_index=True)
    # Kept, hidden, until the engine has deleted its copy too: an unpublished page must never
    # linger in the engine because the engine was down when it was unpublished.
    removed = models.BooleanField(default=False)
    # Full-text search on PostgreSQL: kept up to date by the database itself whatever writes the
    # row, and GIN-indexed (with a trigram index on the title for suggestions and spelling) by
    # migration 0002, which also explains why those indexes are not declared here.
    search_vector = models.GeneratedField(
        expression=SEARCH_VECTOR, output_field=SearchVectorField(), db_persist=True, null=True
    )

    objects = SearchEntryManager()

    class Meta:
        verbose_name_plural = "search entries"
        indexes = [models.Index(fields=["doc_type", "date"])]

    def __str__(self):
        return self.key

    @property
    def topic_slugs(self):
        return [slug for slug in self.topics.split(",") if slug]

    def engine_document(self):
        """The document the engine holds for this entry (see ``search.index`` for the mapping)."""
        return {
            "key": self.key,
            "parent_key": self.parent_key or None,
            "doc_type": self.doc_type,
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "topic_names": self.topic_names,
            "inherited_text": self.inherited_text,
            "topics": self.topic_slugs,
            "does_it_work": self.does_it_work or None,
            "evidence_stage": self.evidence_stage or None,
            "organisation_kind": self.organisation_kind or None,
            "organisation": self.organisation or None,
            "year": self.year,
            "date": self.date.isoformat() if self.date else None,
            "object_id": self.object_id,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "listing_rank": self.listing_rank,
            "url": self.url,
            "suggest": self.title,
            "audience": self.audience,
            "restricted_kinds": list(self.restricted_to_kinds),
            "restricted_organisations": sorted(
                o.pk for o in self.restricted_to_organisations.all()
            ),
            "marking": self.marking,
            "indexed_at": self.indexed_at.isoformat() if self.indexed_at else None,
        }
