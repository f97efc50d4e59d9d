from django import forms

from .models import Organisation


class PersonalDetailsForm(forms.Form):
    """Name and role: asked at sign-up and changed on the account page."""

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Enter your last name"},
    )
    job_title = forms.CharField(
        label="Your role",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={"required": "Enter your role"},
    )


class SignupDetailsForm(PersonalDetailsForm):
    """Extra fields on allauth's sign-up form."""

    field_order = ["first_name", "last_name", "email", "job_title", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "job_title"
        ].help_text = "For example, MOSOVO detective constable or probation officer."

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.job_title = self.cleaned_data["job_title"]
        user.save(update_fields=["first_name", "last_name", "job_title"])


ProfileForm = PersonalDetailsForm


class VerificationRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True),
        empty_label="Choose your organisation",
        error_messages={"required": "Choose your organisation"},
    )
    job_title = forms.CharField(
        label="Your role",
        max_length=200,
        error_messages={"required": "Enter your role"},
    )
    reason = forms.CharField(
        label="Why do you need practitioner access?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Say what your work involves, and who at your organisation can confirm it.",
        error_messages={"required": "Enter why you need practitioner access"},
    )


class ChooseOrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose which organisation you belong to"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ReconfirmForm(forms.Form):
    still_member = forms.BooleanField(
        label="I still work for this organisation",
        error_messages={"required": "Confirm that you still work for this organisation"},
    )
    job_title = forms.CharField(
        label="Your role", max_length=200, error_messages={"required": "Enter your role"}
    )
