import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.fixture
def signup(client, db):
    """Post allauth's real sign-up form; ``**fields`` override the valid defaults."""

    def post(email, **fields):
        data = {
            "first_name": "Pat",
            "last_name": "Jones",
            "job_title": "MOSOVO detective constable",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            **fields,
        }
        return client.post(reverse("account_signup"), data)

    return post


def _confirmation_path(address):
    """The path of the confirmation link in the last email sent to ``address``."""
    messages = [m for m in mail.outbox if address in m.to]
    assert messages, f"no email to {address}"
    match = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)


@pytest.fixture
def confirmation_path():
    return _confirmation_path


@pytest.fixture
def confirm_email(client):
    """Follow the confirmation link the way a person does: open it, then press the button."""

    def confirm(address):
        path = _confirmation_path(address)
        assert client.get(path).status_code == 200
        return client.post(path)

    return confirm
