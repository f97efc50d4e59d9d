"""Who may see what: the one place that decides it.

Every piece of content carries an audience (public, registered, practitioners or restricted to
organisation kinds or named organisations) and a handling marking. ``reader_grant`` states, once,
what a reader is granted; everything else translates that grant: ``visibility_q`` and
``visible_to`` into a queryset filter, ``access_refusal`` and ``can_view`` into an answer for one
item, and the search app into the engine's filter (``search.permissions``) and the database
search's condition (``search.database.visible_entries``). Pages, documents, feeds, sitemaps,
search and notifications all go through these so that no channel can leak.
"""

from dataclasses import dataclass

from django import forms
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from .staff import is_superuser


class OrganisationKind(models.TextChoices):
    """The kinds of organisation an audience may be restricted to; ``accounts.Organisation.kind``
    takes its values from here."""

    POLICE_FORCE = "police_force", "Police force"
    PROBATION_REGION = "probation_region", "Probation region"
    NATIONAL_BODY = "national_body", "National body"
    OTHER = "other", "Other organisation"


class Audience(models.TextChoices):
    PUBLIC = "public", "Public: anyone"
    REGISTERED = "registered", "Registered: anyone signed in with a verified email address"
    PRACTITIONERS = "practitioners", "Practitioners: verified members of a registered organisation"
    RESTRICTED = "restricted", "Restricted: only the organisation kinds or organisations below"


class Marking(models.TextChoices):
    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"


class ChoiceSetField(models.CharField):
    """A set of choices stored as ``,a,b,`` so that ``field__contains=",a,"`` finds members on
    every database (SQLite has no JSON containment)."""

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if isinstance(value, list | tuple | set):
            return sorted(set(value))
        return [v for v in (value or "").split(",") if v]

    def get_prep_value(self, value):
        if isinstance(value, str):
            # Lookup values such as ",police_force," pass through untouched.
            return value
        values = sorted(set(value or []))
        return f",{','.join(values)}," if values else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.choices,
            required=not self.blank,
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def validate(self, value, model_instance):
        allowed = {choice for choice, _label in self.choices}
        unknown = set(value or []) - allowed
        if unknown:
            raise forms.ValidationError(f"Unknown choice: {', '.join(sorted(unknown))}")
        if not value and not self.blank:
            raise forms.ValidationError(self.error_messages["blank"])


class AudienceMixin(models.Model):
    """Audience and marking fields for any content model (pages, snippets, documents)."""

    audience = models.CharField(
        max_length=16, choices=Audience.choices, default=Audience.PRACTITIONERS
    )
    restricted_to_kinds = ChoiceSetField(
        "restricted to organisation kinds",
        max_length=200,
        blank=True,
        choices=OrganisationKind.choices,
        help_text="With a restricted audience: members of these kinds of organisation may see it.",
    )
    restricted_to_organisations = ParentalManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="+",
        help_text="With a restricted audience: members of these organisations may see it.",
    )
    marking = models.CharField(
        "handling marking", max_length=24, choices=Marking.choices, default=Marking.OFFICIAL
    )

    audience_panels = [
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("restricted_to_kinds"),
                FieldPanel("restricted_to_organisations", widget=forms.CheckboxSelectMultiple),
                FieldPanel("marking"),
            ],
            heading="Who may see this",
        )
    ]

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        conflicts = quoting_conflicts(self)
        if conflicts:
            raise forms.ValidationError({"audience": conflicts})

    @property
    def is_sensitive(self):
        return self.marking == Marking.OFFICIAL_SENSITIVE

    @property
    def is_public(self):
        return self.audience == Audience.PUBLIC


def user_has_verified_email(user):
    """Signed in and at least one verified email address (known for the request: read from the
    user as ``User.objects.for_request()`` loads it, or asked once and kept on the user)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "kx_verified_email"):
        from allauth.account.models import EmailAddress

        # Kept under the annotation's name: one name to read, however the user was loaded.
        user.kx_verified_email = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user.kx_verified_email


@dataclass(frozen=True)
class Grant:
    """What one reader may see.

    ``everything`` for a superuser. Otherwise the ``audiences`` open to the reader whatever the
    item's restrictions and, for a verified practitioner (``member``), the restricted items whose
    kinds include their organisation's kind or whose organisations include their organisation.
    ``shortfall`` is what the reader lacks for anything more: the refusal code of
    ``access_refusal``.
    """

    audiences: tuple[Audience, ...] = (Audience.PUBLIC,)
    shortfall: str | None = None
    everything: bool = False
    member: object = None

    @property
    def organisation_id(self):
        return self.member.organisation_id if self.member else None

    @property
    def cache_key(self):
        """All that decides what the reader may see (``q``), as a string: readers with the same
        key see the same items, so an answer counted for one may be kept for them all."""
        if self.everything:
            return "everything"
        key = ",".join(self.audiences)
        if self.member:
            key += f"|kind={self.organisation_kind}|organisation={self.organisation_id}"
        return key

    @property
    def organisation_kind(self):
        """Read only when needed: it loads the member's organisation."""
        return self.member.organisation.kind if self.member else None

    def q(self, prefix="", *, restricted_to_organisation=None):
        """The Q object that keeps what the reader may see, for a model with the audience fields
        (reached through ``prefix``). ``restricted_to_organisation(pk)``, if given, writes the
        condition "restricted to organisation pk" in place of the join to the organisations."""
        if self.everything:
            return Q()
        q = Q(**{f"{prefix}audience__in": self.audiences})
        if self.member:
            restricted = {f"{prefix}audience": Audience.RESTRICTED}
            kind = {f"{prefix}restricted_to_kinds__contains": f",{self.organisation_kind},"}
            organisation = Q(**{f"{prefix}restricted_to_organisations": self.organisation_id})
            if restricted_to_organisation:
                organisation = restricted_to_organisation(self.organisation_id)
            q |= Q(**restricted, **kind) | (Q(**restricted) & organisation)
        return q

    def refusal(self, item):
        """Why the reader may not see ``item``, as a short code, or None if they may."""
        if self.everything or item.audience in self.audiences:
            return None
        if self.member and item.audience == Audience.RESTRICTED:
            if self.organisation_kind in item.restricted_to_kinds:
                return None
            if (
                item.pk
                and item.restricted_to_organisations.filter(pk=self.organisation_id).exists()
            ):
                return None
        return self.shortfall


def reader_grant(user) -> Grant:
    """What ``user`` may see: the audience rule, stated once."""
    if is_superuser(user):
        return Grant(everything=True)
    if not user.is_authenticated:
        return Grant(shortfall="sign_in")
    if not user_has_verified_email(user):
        return Grant(shortfall="verify_email")
    if not user.is_practitioner:
        return Grant((Audience.PUBLIC, Audience.REGISTERED), shortfall="verify_practitioner")
    every_audience = (Audience.PUBLIC, Audience.REGISTERED, Audience.PRACTITIONERS)
    return Grant(every_audience, shortfall="restricted", member=user)


def visibility_q(user, prefix=""):
    """The Q object that keeps what ``user`` may see, for a model with the audience fields."""
    return reader_grant(user).q(prefix)


def visible_to(queryset, user):
    """Only the items of ``queryset`` that ``user`` may see.

    "Restricted to the reader's organisation" is asked of the link table in a subquery of its
    own rather than through a join: a join repeats an item once per organisation it names and
    then needs DISTINCT over every column the query reads (2-4 ms a listing on the home page,
    measured), where the subquery is read once (as ``search.database.visible_entries`` does).
    """
    field = queryset.model._meta.get_field("restricted_to_organisations")
    links = field.remote_field.through.objects
    item_link = f"{field.m2m_field_name()}_id"

    def restricted_to_organisation(organisation_id):
        return Q(pk__in=links.filter(organisation=organisation_id).values(item_link))

    grant = reader_grant(user)
    return queryset.filter(grant.q(restricted_to_organisation=restricted_to_organisation))


def can_view(user, item):
    """Whether ``user`` may see ``item`` (anything with the audience fields)."""
    return access_refusal(user, item) is None


def access_refusal(user, item):
    """Why ``user`` may not see ``item``, as a short code, or None if they may.

    The codes drive the 403 page's explanation of how to get access: ``sign_in``,
    ``verify_email``, ``verify_practitioner`` or ``restricted``.
    """
    if item.audience == Audience.PUBLIC:
        # Anyone may see it: no need to work out the reader's grant (a query for some readers).
        return None
    return reader_grant(user).refusal(item)


# How wide each audience is: a wider one includes every reader of a narrower one.
AUDIENCE_BREADTH = {
    Audience.PUBLIC: 3,
    Audience.REGISTERED: 2,
    Audience.PRACTITIONERS: 1,
    Audience.RESTRICTED: 0,
}


def audience_within(item, source) -> bool:
    """Whether every reader of ``item`` may also see ``source`` (both with the audience fields).

    Works on unsaved items too (a page being edited), reading the organisations in memory.
    """
    if source.audience == Audience.PUBLIC:
        return True
    if source.audience != Audience.RESTRICTED:
        return AUDIENCE_BREADTH[item.audience] <= AUDIENCE_BREADTH[source.audience]
    if item.audience != Audience.RESTRICTED:
        return False
    kinds = set(source.restricted_to_kinds)
    if not set(item.restricted_to_kinds) <= kinds:
        return False
    organisations = {organisation.pk for organisation in source.restricted_to_organisations.all()}
    return all(
        organisation.pk in organisations or organisation.kind in kinds
        for organisation in item.restricted_to_organisations.all()
    )


# Relations in which one item quotes, links or summarises another, registered by the app that
# owns each relation (``register_quoting_check``). A check is given any item with the audience
# fields, as it is about to be saved, and returns the refusals for the items it quotes and for
# those that quote it, so that narrowing a source or widening what quotes it is refused alike.
_quoting_checks = []


def register_quoting_check(check):
    _quoting_checks.append(check)
    return check


def quoting_conflicts(item) -> list[str]:
    return [refusal for check in _quoting_checks for refusal in check(item)]


def quoting_refusal(item, source) -> str | None:
    """Why ``item`` may not quote, link or summarise ``source``, or None if it may.

    Anything derived from another item (a session's discussion thread, a cross-link, a summary)
    is seen by the readers of ``item``; every one of them must be allowed to see ``source``,
    and a sensitive source makes the item sensitive too.
    """
    if not audience_within(item, source):
        return (
            f"“{source}” is for a narrower audience than “{item}”: some who may read "
            f"“{item}” may not see “{source}”. Choose something whose audience is "
            "the same or narrower."
        )
    if source.marking == Marking.OFFICIAL_SENSITIVE and item.marking != source.marking:
        return f"“{source}” is OFFICIAL-SENSITIVE: “{item}” must be OFFICIAL-SENSITIVE too."
    return None
