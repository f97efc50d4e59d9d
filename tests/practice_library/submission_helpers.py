"""Answering the "Share a practice" question pages in tests, as a browser would post them."""

from practice_library.forms import SUBMISSION_STEPS

START_URL = "/library/submit/"
CHECK_URL = "/library/submit/check/"

ANSWERS = {
    "title": "Joint PDP reviews",
    "summary": "Police and probation review potentially dangerous persons together.",
    "does_it_work": "promising",
    "evidence_stage": "evaluated_locally",
    "topics": ["potentially-dangerous-persons-pdps", "mappa"],
    "focus": "Risk management",
    "target_group": "",
    "partners": "Local authority",
    "region": "South East",
    "scale": "local",
    "start_date": "1/4/2024",
    "end_date": "",
    "aim": "",
    "intended_outcome": "",
    "description": "A monthly meeting reviews every PDP nominal.",
    "evaluation": "",
    "resources_and_cost": "",
    "contact_name": "Pat Submitter",
    "contact_email": "pat.submitter@kent.police.uk",
}


def step_url(slug):
    return f"/library/submit/{slug}/"


def step_data(slug, **overrides):
    """The answers of one question page, from ``ANSWERS`` with ``overrides``."""
    [step] = [step for step in SUBMISSION_STEPS if step.slug == slug]
    answers = {**ANSWERS, **overrides}
    return {name: answers[name] for name in step.form_fields()}


def answer_every_question(client, attachments=(), **overrides):
    """Post every question page in order (files on the attachments page), ending on check
    answers; returns the last response."""
    response = None
    for step in SUBMISSION_STEPS:
        if step.form_class is None:
            for upload in attachments:
                response = client.post(step_url(step.slug), {"action": "upload", "file": upload})
                assert response.status_code == 302, response.content.decode()
            response = client.post(step_url(step.slug), {"action": "continue"})
        else:
            response = client.post(step_url(step.slug), step_data(step.slug, **overrides))
        assert response.status_code == 302, response.content.decode()
    assert response["Location"] == CHECK_URL
    return response
