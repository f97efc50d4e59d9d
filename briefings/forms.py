from django import forms
from django.utils import timezone

from practice_library.models import Topic

from .models import RecommendationOwner, RecommendationStatus


class SubscriptionForm(forms.Form):
    ALL = "all"
    TOPICS = "topics"

    scope = forms.ChoiceField(
        label="Which briefings do you want to hear about?",
        choices=[(ALL, "Every new briefing"), (TOPICS, "Only briefings on the topics I choose")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select which briefings you want to hear about"},
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics",
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only if you chose “Only briefings on the topics I choose”.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == self.TOPICS and not cleaned.get("topics"):
            self.add_error("topics", "Select at least one topic, or choose every new briefing")
        return cleaned


class RecommendationFilterForm(forms.Form):
    """The tracker's filters. Unknown values are ignored rather than refused: it is a GET form."""

    status = forms.ChoiceField(required=False, label="Status")
    owner = forms.ChoiceField(required=False, label="Owner")
    briefing = forms.TypedChoiceField(required=False, label="Briefing", coerce=int)
    topic = forms.ChoiceField(required=False, label="Topic")

    def __init__(self, *args, briefings, topics, **kwargs):
        super().__init__(*args, **kwargs)
        any_choice = [("", "Any")]
        self.fields["status"].choices = any_choice + RecommendationStatus.choices
        self.fields["owner"].choices = any_choice + RecommendationOwner.choices
        self.fields["briefing"].choices = any_choice + [(b.pk, b.title) for b in briefings]
        self.fields["topic"].choices = any_choice + [(t.slug, t.name) for t in topics]

    def filter(self, recommendations):
        self.is_valid()
        # Filters that are valid apply even when another one is not.
        data = self.cleaned_data
        if data.get("status"):
            recommendations = recommendations.filter(current_status=data["status"])
        if data.get("owner"):
            recommendations = recommendations.filter(owner=data["owner"])
        if data.get("briefing"):
            recommendations = recommendations.filter(briefing_id=data["briefing"])
        if data.get("topic"):
            recommendations = recommendations.filter(briefing__topics__slug=data["topic"])
        return recommendations


class RecommendationStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=RecommendationStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the recommendation's new status"},
    )
    date = forms.DateField(
        label="Date of the change",
        help_text="For example, 2026-03-27.",
        initial=timezone.localdate,
        error_messages={
            "required": "Enter the date of the change",
            "invalid": "Enter the date of the change as YYYY-MM-DD, for example 2026-03-27",
        },
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Why the status changed, or what was done.",
    )
