from datetime import timedelta

from django import forms
from django.urls import reverse
from django.utils import timezone

from .models import Flag, ForumMember, WatchLevel

BODY_HINT = (
    "You can use Markdown: **bold**, _italic_, > quotes, - lists and [links](https://…). "
    "Mention a member with @ and their handle. Never include anything that could identify an "
    "offender or a victim."
)
CONFIRM_LABEL = (
    "I have checked: nothing in my post identifies an offender, a victim or anyone else"
)


class PostingForm(forms.Form):
    """A form whose text the personal-data guard checks; ``findings`` are shown when it trips.

    ``unknown_mentions`` are @names that match no member: the writer is told once, and the
    names are carried in ``mentions_checked`` so that posting again posts the text as typed.
    """

    confirm_personal_data = forms.BooleanField(label=CONFIRM_LABEL, required=False)
    mentions_checked = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
    findings = ()
    unknown_mentions = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The progressive-enhancement script offers members' names from here as you type "@".
        self.fields["body"].widget.attrs["data-mention-url"] = reverse(
            "forums:mention_suggestions"
        )

    def checked_mentions(self) -> set[str]:
        return set(self.cleaned_data.get("mentions_checked", "").lower().split())

    def warn_unknown_mentions(self, unknown):
        """Show the warning, and remember the names so that the next submission posts."""
        self.unknown_mentions = unknown
        checked = self.checked_mentions() | {handle.lower() for handle in unknown}
        data = self.data.copy()
        data[self.add_prefix("mentions_checked")] = " ".join(sorted(checked))
        self.data = data

    def show_findings(self, findings):
        self.findings = findings
        self.add_error(
            "body",
            "Your post may contain personal data. Remove it, or confirm that it identifies "
            "nobody: a moderator will then check it before others can read it.",
        )


class ThreadForm(PostingForm):
    title = forms.CharField(
        max_length=150,
        error_messages={
            "required": "Enter a title",
            "max_length": "Title must be 150 characters or fewer",
        },
    )
    body = forms.CharField(
        label="Your post",
        help_text=BODY_HINT,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": "Enter your post",
            "max_length": "Your post must be 20,000 characters or fewer",
        },
    )
    field_order = ["title", "body", "confirm_personal_data"]


class ReplyForm(PostingForm):
    body = forms.CharField(
        label="Your reply",
        help_text=BODY_HINT,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your reply",
            "max_length": "Your reply must be 20,000 characters or fewer",
        },
    )
    field_order = ["body", "confirm_personal_data"]


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you flagging this post?",
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are flagging this post"},
    )
    detail = forms.CharField(
        label="Anything the moderators should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep it to 500 characters or fewer"},
    )


class WatchForm(forms.Form):
    level = forms.ChoiceField(
        label="Notifications",
        choices=WatchLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you want to be notified"},
    )


class PreferencesForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label="When should we email you about forum notifications?",
        choices=ForumMember.EmailFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select when we should email you"},
    )


# Moderators' forms, in the Wagtail admin.


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (kept in the audit log)", required=False, max_length=300
    )


class EditOutForm(forms.Form):
    body = forms.CharField(label="Post text", widget=forms.Textarea(attrs={"rows": 10}))
    reason = forms.CharField(
        label="Why you edited it (kept in the audit log)",
        max_length=300,
        error_messages={"required": "Enter why you edited this post"},
    )


class SuspendForm(forms.Form):
    days = forms.IntegerField(
        label="Suspend for how many days?",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "Enter the number of days",
            "min_value": "Suspend for at least 1 day",
            "max_value": "Suspend for 365 days or fewer",
            "invalid": "Enter the number of days as a number, like 7",
        },
    )
    reason = forms.CharField(
        label="Reason (kept in the audit log)",
        max_length=300,
        error_messages={"required": "Enter why you are suspending this member"},
    )

    def until(self):
        return timezone.now() + timedelta(days=self.cleaned_data["days"])


class CategoryChoiceForm(forms.Form):
    category = forms.ModelChoiceField(
        label="Category",
        queryset=None,
        error_messages={"required": "Select a category"},
    )
    reason = forms.CharField(
        label="Reason (kept in the audit log)", required=False, max_length=300
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
