from django import forms

from .services import COMMENTS_MAX_LENGTH

OVERALL_CHOICES = [
    (1, "1 – Very poor"),
    (2, "2 – Poor"),
    (3, "3 – Average"),
    (4, "4 – Good"),
    (5, "5 – Excellent"),
]
PRACTICE_CHANGE_CHOICES = [
    (1, "1 – Not at all"),
    (2, "2 – A little"),
    (3, "3 – Somewhat"),
    (4, "4 – Quite a lot"),
    (5, "5 – A great deal"),
]
USEFULNESS_CHOICES = [
    (1, "1 – Not useful"),
    (2, "2 – A little useful"),
    (3, "3 – Fairly useful"),
    (4, "4 – Very useful"),
    (5, "5 – Extremely useful"),
]
# Radio value for "I did not go to this session": stored as no rating at all.
DID_NOT_GO = "none"


def _score(value):
    return None if value == DID_NOT_GO else int(value)


class FeedbackForm(forms.Form):
    """The feedback questions; one usefulness question per session the delegate can rate."""

    overall_rating = forms.TypedChoiceField(
        label="Overall, how would you rate the event?",
        choices=OVERALL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select an overall rating for the event."},
    )
    practice_change = forms.TypedChoiceField(
        label="Will this event change your practice?",
        choices=PRACTICE_CHANGE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how much the event will change your practice."},
    )
    comments = forms.CharField(
        label="Anything else you want to tell the organisers? (optional)",
        help_text="Organisers read comments without your name. Do not name offenders, victims "
        "or colleagues.",
        required=False,
        max_length=COMMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": f"Comments must be {COMMENTS_MAX_LENGTH} characters or fewer."
        },
    )

    def __init__(self, *args, sessions, response=None, **kwargs):
        data = args[0] if args else kwargs.get("data")
        if response is not None and data is None:
            kwargs["initial"] = self.initial_from(response, sessions)
        super().__init__(*args, **kwargs)
        self.session_names = []
        for session in sessions:
            name = f"session_{session.pk}"
            self.session_names.append(name)
            self.fields[name] = forms.TypedChoiceField(
                label=f"How useful was “{session.title}”?",
                choices=[*USEFULNESS_CHOICES, (DID_NOT_GO, "I did not go to this session")],
                coerce=_score,
                empty_value="",
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select how useful “{session.title}” was, or that you did "
                    "not go to it."
                },
            )
            self.fields[name].session = session
        # Sessions between the two ratings, in programme order, as the questions read best.
        self.order_fields(["overall_rating", *self.session_names, "practice_change", "comments"])

    @staticmethod
    def initial_from(response, sessions):
        rated = {rating.session_id: rating.usefulness for rating in response.session_ratings.all()}
        initial = {
            "overall_rating": response.overall_rating,
            "practice_change": response.practice_change,
            "comments": response.comments,
        }
        for session in sessions:
            initial[f"session_{session.pk}"] = rated.get(session.pk, DID_NOT_GO)
        return initial

    @property
    def session_fields(self):
        return [self[name] for name in self.session_names]

    def session_ratings(self):
        return {
            self.fields[name].session.pk: self.cleaned_data[name] for name in self.session_names
        }

    def add_service_error(self, error):
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)
