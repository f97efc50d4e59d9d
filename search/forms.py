from django import forms
from django.core.validators import RegexValidator

from accounts.models import OrganisationKind

from .documents import DOCUMENTS
from .queries import MAX_RESULTS, PER_PAGE, SORTS, SearchQuery
from .registry import facet_choices

MAX_QUERY_LENGTH = 200


class SlugListField(forms.MultipleChoiceField):
    """Any number of slugs (topics, organisations): unknown ones simply match nothing."""

    default_validators = []

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.slug_validator = RegexValidator(
            r"^[-a-z0-9_]{1,100}$", "Choose a value from the list"
        )

    def validate(self, value):
        if len(value) > 50:
            raise forms.ValidationError("Choose fewer than 50 values")
        for item in value:
            self.slug_validator(item)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search KX",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        error_messages={
            "max_length": f"Search terms must be {MAX_QUERY_LENGTH} characters or fewer"
        },
    )
    type = forms.MultipleChoiceField(
        required=False,
        choices=lambda: [(d.doc_type, d.label) for d in DOCUMENTS],
        error_messages={"invalid_choice": "Choose a content type from the list"},
    )
    topic = SlugListField()
    does_it_work = forms.MultipleChoiceField(
        required=False,
        choices=lambda: facet_choices("does_it_work"),
        error_messages={"invalid_choice": "Choose a “does it work?” rating from the list"},
    )
    evidence_stage = forms.MultipleChoiceField(
        required=False,
        choices=lambda: facet_choices("evidence_stage"),
        error_messages={"invalid_choice": "Choose an evidence stage from the list"},
    )
    organisation_kind = forms.MultipleChoiceField(
        required=False,
        choices=OrganisationKind.choices,
        error_messages={"invalid_choice": "Choose an organisation kind from the list"},
    )
    organisation = SlugListField()
    year = forms.TypedMultipleChoiceField(
        required=False,
        coerce=int,
        choices=[(str(y), str(y)) for y in range(1990, 2101)],
        error_messages={"invalid_choice": "Choose a year from the list"},
    )
    within = forms.CharField(
        required=False,
        max_length=100,
        validators=[RegexValidator(r"^[a-z]+:[0-9]+$", "Choose a briefing from the results")],
    )
    sort = forms.ChoiceField(
        required=False,
        choices=list(SORTS.items()),
        error_messages={"invalid_choice": "Choose how to sort the results"},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_RESULTS // PER_PAGE,
        error_messages={
            "invalid": "Page must be a number",
            "min_value": "Page must be 1 or more",
            "max_value": f"Page must be {MAX_RESULTS // PER_PAGE} or less",
        },
    )

    FILTERS = ("type", "topic", "does_it_work", "evidence_stage", "organisation_kind")
    FILTERS += ("organisation", "year")

    def to_query(self):
        data = self.cleaned_data
        filters = {name: tuple(data[name]) for name in self.FILTERS if data.get(name)}
        return SearchQuery(
            text=data.get("q") or "",
            filters=filters,
            sort=data.get("sort") or "relevance",
            page=data.get("page") or 1,
            within=data.get("within") or "",
        )
