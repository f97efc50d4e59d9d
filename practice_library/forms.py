from dataclasses import dataclass

from django import forms

from accounts.models import Organisation, OrganisationKind
from kx_site.page_cache import remembered

from .models import Adoption, DoesItWork, EvidenceStage, Scale, Topic
from .selectors import DEFAULT_SORT, RELEVANCE, SORTS

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d"]


class PracticeFilterForm(forms.Form):
    """The library's search box and filters: a GET form that works without JS."""

    MAX_TEXT_LENGTH = 200

    q = forms.CharField(
        label="Search the library",
        required=False,
        max_length=MAX_TEXT_LENGTH,
        error_messages={
            "max_length": f"Search terms must be {MAX_TEXT_LENGTH} characters or fewer"
        },
    )
    topics = forms.MultipleChoiceField(
        label="Topic", required=False, widget=forms.CheckboxSelectMultiple
    )
    does_it_work = forms.MultipleChoiceField(
        label="Does it work?",
        choices=DoesItWork.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evidence_stage = forms.MultipleChoiceField(
        label="Evidence",
        choices=EvidenceStage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisation_kind = forms.MultipleChoiceField(
        label="Kind of organisation",
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisation = forms.ChoiceField(label="Organisation", required=False)
    sort = forms.ChoiceField(label="Sort by", choices=list(SORTS.items()), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The same for every reader: kept until content changes (kx_site.page_cache).
        self.fields["topics"].choices = remembered(
            "library-topic-choices", lambda: list(Topic.objects.values_list("slug", "name"))
        )
        self.fields["organisation"].choices = [
            ("", "All organisations"),
            *remembered(
                "library-organisation-choices",
                lambda: list(Organisation.objects.values_list("slug", "name")),
            ),
        ]

    def search_arguments(self):
        """Keyword arguments for ``selectors.practice_search``; invalid values are ignored."""
        self.is_valid()
        data = self.cleaned_data
        text = data.get("q") or ""
        return {
            "text": text,
            "topics": data.get("topics") or [],
            "does_it_work": data.get("does_it_work") or [],
            "evidence_stages": data.get("evidence_stage") or [],
            "organisation_kinds": data.get("organisation_kind") or [],
            "organisation": data.get("organisation") or None,
            "sort": data.get("sort") or (RELEVANCE if text else DEFAULT_SORT),
        }

    def show_counts(self, facets):
        """Label every option with its count; leave out organisations with nothing to show."""
        chosen_organisation = self.cleaned_data.get("organisation")
        for name in ("topics", "does_it_work", "evidence_stage", "organisation_kind"):
            counts = facets[name]
            self.fields[name].choices = [
                (value, f"{label} ({counts.get(value, 0)})")
                for value, label in self.fields[name].choices
            ]
        counts = facets["organisation"]
        self.fields["organisation"].choices = [
            ("", "All organisations"),
            *(
                (slug, f"{name} ({counts.get(slug, 0)})")
                for slug, name in self.fields["organisation"].choices
                if slug and (counts.get(slug) or slug == chosen_organisation)
            ),
        ]

    @property
    def is_filtered(self):
        arguments = self.search_arguments()
        arguments.pop("sort")
        return any(arguments.values())


class AdoptionForm(forms.ModelForm):
    class Meta:
        model = Adoption
        fields = ["kind", "note", "own_evaluation"]
        labels = {
            "kind": "What did your organisation do?",
            "note": "What did you do, and where?",
            "own_evaluation": "Your own evaluation (optional)",
        }
        help_texts = {
            "note": "Other practitioners see this on the practice page.",
            "own_evaluation": "What happened when you used it, if you know.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 4}),
            "own_evaluation": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "kind": {"required": "Select whether your organisation adopted or adapted it"},
            "note": {"required": "Enter what your organisation did"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Adoption.Kind.choices


class PracticeAboutForm(forms.Form):
    """Question page 1: what the practice is."""

    title = forms.CharField(
        label="Name of the practice",
        max_length=255,
        error_messages={"required": "Enter the name of the practice"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=500,
        help_text="One or two sentences: what it is and who it helps.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a summary"},
    )
    description = forms.CharField(
        label="Description",
        help_text="What you do, step by step, so that another team could do it too.",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter a description of the practice"},
    )
    aim = forms.CharField(
        label="Aim (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    intended_outcome = forms.CharField(
        label="Intended outcome (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    resources_and_cost = forms.CharField(
        label="Resources and cost (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PracticeEvidenceForm(forms.Form):
    """Question page 2: does it work, and how do we know."""

    does_it_work = forms.ChoiceField(
        label="Does it work?",
        choices=DoesItWork.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the practice works"},
    )
    evidence_stage = forms.ChoiceField(
        label="How has it been evaluated?",
        choices=EvidenceStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the practice has been evaluated"},
    )
    evaluation = forms.CharField(
        label="Evaluation (optional)",
        required=False,
        help_text="What you measured and what you found.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PracticeContextForm(forms.Form):
    """Question page 3: its topics, and where, for whom and since when it runs."""

    topics = forms.ModelMultipleChoiceField(
        label="Topics",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one topic"},
    )
    focus = forms.CharField(
        label="Focus (optional)",
        max_length=255,
        required=False,
        help_text="For example: prevention, risk management, victim safety.",
    )
    target_group = forms.CharField(
        label="Who it is for (optional)", max_length=255, required=False
    )
    partners = forms.CharField(label="Partners (optional)", max_length=500, required=False)
    region = forms.CharField(label="Region (optional)", max_length=100, required=False)
    scale = forms.ChoiceField(
        label="Scale (optional)", choices=[("", "Not given"), *Scale.choices], required=False
    )
    start_date = forms.DateField(
        label="Start date (optional)",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2024",
        error_messages={"invalid": "Enter the start date as day/month/year, like 27/3/2024"},
    )
    end_date = forms.DateField(
        label="End date (optional)",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="Leave empty if it is still running. For example, 27/3/2025",
        error_messages={"invalid": "Enter the end date as day/month/year, like 27/3/2025"},
    )

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start_date"), cleaned_data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date")
        return cleaned_data


class PracticeContactForm(forms.Form):
    """Question page 4: who other practitioners can ask about it."""

    contact_name = forms.CharField(
        label="Contact name",
        max_length=200,
        help_text="Shown to verified practitioners only.",
        error_messages={"required": "Enter a contact name"},
    )
    contact_email = forms.EmailField(
        label="Contact email address",
        help_text="Shown to verified practitioners only.",
        error_messages={
            "required": "Enter a contact email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class AttachmentUploadForm(forms.Form):
    """Question page 5: one file at a time. ``submission_drafts.submission_draft_attach``
    checks it (``uploads.check_upload``) and keeps it; its refusal becomes this field's error."""

    file = forms.FileField(
        label="Upload a file",
        required=False,
        error_messages={"invalid": "The selected file could not be uploaded: try again"},
    )


@dataclass(frozen=True)
class SubmissionStep:
    """One question page of the submission: its address, heading and form."""

    slug: str
    heading: str
    form_class: type | None = None

    def form_fields(self):
        return list(self.form_class.base_fields) if self.form_class else []


ATTACHMENTS_STEP = "attachments"
SUBMISSION_STEPS = [
    SubmissionStep("practice", "What is the practice?", PracticeAboutForm),
    SubmissionStep("evidence", "Does it work?", PracticeEvidenceForm),
    SubmissionStep("context", "Topics and where it runs", PracticeContextForm),
    SubmissionStep("contact", "Who can practitioners contact about it?", PracticeContactForm),
    # Files are kept as they are uploaded (SubmissionDraftAttachment), not as answers.
    SubmissionStep(ATTACHMENTS_STEP, "Attachments"),
]
STEPS_BY_SLUG = {step.slug: step for step in SUBMISSION_STEPS}


def step_answers(form):
    """What a valid step form was sent, in a form that binds it again (lists for checkboxes)."""
    return {name: form[name].data for name in form.fields}
