from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page

from kx_site.audience import AudienceMixin
from kx_site.models import AudienceIndexPage, AudiencePageMixin
from kx_site.pagination import paginate


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


class DoesItWork(models.TextChoices):
    """The Practice Bank's "Does it work?" rating."""

    WORKED = "worked", "Worked"
    PROMISING = "promising", "Promising"
    UNTESTED = "untested", "Untested – new or innovative"
    DID_NOT_WORK = "did_not_work", "Did not work"


class EvidenceStage(models.TextChoices):
    UNTESTED = "untested", "Untested"
    EVALUATED_LOCALLY = "evaluated_locally", "Evaluated locally"
    INDEPENDENTLY_EVALUATED = "independently_evaluated", "Independently evaluated"


class Scale(models.TextChoices):
    LOCAL = "local", "Local (one team or area)"
    ORGANISATION = "organisation", "Across one organisation"
    REGIONAL = "regional", "Regional"
    NATIONAL = "national", "National"


# Strongest evidence first: the "evidence strength" sort and the tag colours use these ranks.
EVIDENCE_RANK = {
    EvidenceStage.INDEPENDENTLY_EVALUATED: 3,
    EvidenceStage.EVALUATED_LOCALLY: 2,
    EvidenceStage.UNTESTED: 1,
}
DOES_IT_WORK_RANK = {
    DoesItWork.WORKED: 4,
    DoesItWork.PROMISING: 3,
    DoesItWork.UNTESTED: 2,
    DoesItWork.DID_NOT_WORK: 1,
}


class PracticeIndexPage(AudienceIndexPage):
    """The library at /library/: every practice, filtered and sorted by ``selectors``."""

    subpage_types = ["practice_library.PracticePage"]

    def get_context(self, request, *args, **kwargs):
        from kx_site.more_available import more_available

        from .forms import PracticeFilterForm
        from .selectors import practice_search

        context = super().get_context(request, *args, **kwargs)
        filter_form = PracticeFilterForm(request.GET)
        results = practice_search(
            user=request.user,
            page=request.GET.get("page"),
            per_page=self.per_page,
            **filter_form.search_arguments(),
        )
        filter_form.show_counts(results.facets)
        context.update(
            filter_form=filter_form,
            # Every live practice, whatever the reader searched for: see more_available.
            more_available=more_available(PracticePage.objects.live(), request.user),
            fallback=results.fallback,
            practices_page=paginate(request, results.practices, self.per_page),
        )
        return context


class PracticePage(AudiencePageMixin, Page):
    """One practice, recorded the way the College of Policing Practice Bank records it."""

    summary = models.CharField(max_length=500)
    does_it_work = models.CharField(
        "does it work?", max_length=16, choices=DoesItWork.choices, default=DoesItWork.UNTESTED
    )
    evidence_stage = models.CharField(
        max_length=32, choices=EvidenceStage.choices, default=EvidenceStage.UNTESTED
    )
    focus = models.CharField(
        max_length=255, blank=True, help_text="For example: prevention, risk management."
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="practices")
    target_group = models.CharField(max_length=255, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practices",
        help_text="The organisation that runs the practice.",
    )
    partners = models.CharField(max_length=500, blank=True)
    region = models.CharField(max_length=100, blank=True)
    scale = models.CharField(max_length=16, choices=Scale.choices, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty if still running.")
    aim = models.TextField(blank=True)
    intended_outcome = models.TextField(blank=True)
    description = models.TextField()
    evaluation = models.TextField(blank=True)
    resources_and_cost = models.TextField("resources and cost", blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(
        blank=True, help_text="Shown to verified practitioners only."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who submitted it through the library's form: told the outcome.",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("does_it_work"), FieldPanel("evidence_stage")],
            heading="Does it work?",
        ),
        MultiFieldPanel(
            [
                FieldPanel("focus"),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("target_group"),
                FieldPanel("organisation"),
                FieldPanel("partners"),
                FieldPanel("region"),
                FieldPanel("scale"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
            ],
            heading="About the practice",
        ),
        FieldPanel("aim"),
        FieldPanel("intended_outcome"),
        FieldPanel("description"),
        FieldPanel("evaluation"),
        FieldPanel("resources_and_cost"),
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_email")],
            heading="Contact (shown to verified practitioners only)",
        ),
        InlinePanel("attachments", heading="Attachments", label="Attachment"),
    ]
    settings_panels = [*AudienceMixin.audience_panels, *Page.settings_panels]

    parent_page_types = ["practice_library.PracticeIndexPage"]
    subpage_types = []

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})

    @property
    def evidence_rank(self):
        return EVIDENCE_RANK.get(self.evidence_stage, 0)

    def get_context(self, request, *args, **kwargs):
        from .forms import AdoptionForm

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["show_contact"] = user.is_authenticated and user.is_practitioner
        adoptions = (
            list(self.adoptions.select_related("organisation").order_by("-updated_at"))
            if self.pk
            else []
        )
        context["adoptions"] = adoptions
        context["attachment_list"] = self.attachments.select_related("document") if self.pk else []
        if (
            user.is_authenticated
            and user.can_contribute
            and not getattr(request, "is_preview", False)
        ):
            # One adoption per organisation: the reader's own is among those already listed.
            own = next((a for a in adoptions if a.organisation_id == user.organisation_id), None)
            context["own_adoption"] = own
            context["adoption_form"] = AdoptionForm(instance=own)
        return context


class PracticeAttachment(Orderable):
    """A file that goes with a practice: served only to those who may see the practice."""

    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(
        max_length=255, blank=True, help_text="Leave empty to use the document's title."
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    @property
    def display_title(self):
        return self.title or self.document.title


class Adoption(models.Model):
    """An organisation's record that it adopted or adapted a practice: one per organisation."""

    class Kind(models.TextChoices):
        ADOPTED = "adopted", "Adopted it as it is"
        ADAPTED = "adapted", "Adapted it"

    practice = models.ForeignKey(PracticePage, on_delete=models.CASCADE, related_name="adoptions")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="practice_adoptions"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.TextField()
    own_evaluation = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "organisation"], name="one_adoption_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} {self.kind} {self.practice}"


class ImportAlias(models.Model):
    """Another name an import file may use for a topic or an organisation ("Met Police" for the
    Metropolitan Police Service): editors add them in the admin as spreadsheets show new ones.

    Aliases are matched the way names are (case, punctuation, "&" and "and" do not matter)."""

    name = models.CharField(_("other name"), max_length=200)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="import_aliases",
    )

    panels = [FieldPanel("name"), FieldPanel("topic"), FieldPanel("organisation")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("import alias")
        verbose_name_plural = _("import aliases")
        permissions = [("import_practices", "Can import practices from a file")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(topic__isnull=False, organisation__isnull=True)
                | models.Q(topic__isnull=True, organisation__isnull=False),
                name="import_alias_names_one_thing",
            )
        ]

    def __str__(self):
        return f"{self.name} → {self.topic or self.organisation}"

    def clean(self):
        super().clean()
        if bool(self.topic_id) == bool(self.organisation_id):
            raise ValidationError("Choose either a topic or an organisation (not both).")


class PracticeImport(models.Model):
    """An import file uploaded in the admin: checked and previewed, then run once confirmed.

    The rows are kept as read so the confirmed run imports exactly what was previewed; the
    background task records its progress here for the progress page to show."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    rows = models.JSONField(default=list, help_text="[row number, {column: text}] pairs.")
    create_topics = models.BooleanField(default=False)
    skip_invalid = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent_done(self):
        return round(100 * self.done / self.total) if self.total else 0


class SubmissionDraft(models.Model):
    """A practitioner's practice submission in progress, one per person: the answers given on
    each question page and the files uploaded so far, kept in the database (not the session)
    so a long form survives signing out, until they send it to the editors."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submission_draft"
    )
    # Each question page's answers as it posted them ({step: {field: value}}), so a page can be
    # shown again and every answer validated again when the practice is sent.
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Practice submission draft of {self.user}"


class SubmissionDraftAttachment(models.Model):
    """A file uploaded on the attachments page, already checked by ``uploads.check_upload``.

    Stored under a folder the media URLs do not serve; it becomes a Wagtail document only when
    the practice is sent.
    """

    draft = models.ForeignKey(
        SubmissionDraft, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="practice_submissions/%Y/%m/", max_length=255)
    name = models.CharField(max_length=255, help_text="The file's name on the uploader's device.")
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name
