"""Bad input on the sign-up form gives a clear error and creates nothing."""

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Enter your first name"),
        ({"last_name": ""}, "last_name", "Enter your last name"),
        ({"job_title": ""}, "job_title", "Enter your role"),
        ({"email": ""}, "email", "This field is required"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"password2": PASSWORD + "x"}, "password2", "You must type the same password"),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        (
            {"password1": "password1234", "password2": "password1234"},
            "password1",
            "too common",
        ),
        (
            {"password1": "83749201938475", "password2": "83749201938475"},
            "password1",
            "entirely numeric",
        ),
    ],
)
def test_bad_input_gives_a_clear_error_and_creates_nothing(signup, fields, field, message):
    email = fields.pop("email", "pat.jones@kent.police.uk")

    response = signup(email, **fields)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors.get(field, [])), errors
    # The GOV.UK field component says what to do instead of Django's "This field is required".
    shown = {"This field is required": "Enter email"}.get(message, message)
    assert shown in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.exists()
    assert mail.outbox == []
