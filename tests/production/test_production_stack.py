"""The production smoke test: a new member's journey through the real stack, in Chromium.

Sign up → the confirmation email arrives by SMTP → confirm → register for an event → the
confirmation with its calendar file arrives through the worker → a signed-out reader's kept
library page is retired when an editor publishes a practice in another process → that practice is
found by ``/api/search/`` through the engine once the worker has synced it → the
worker is stopped mid-queue and restarted, and no email is lost or doubled → ``/readyz`` reports
each part.
"""

import json
import re
import time

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

from .conftest import wait_for

EMAIL = "smoke.officer@kent.police.uk"
PASSWORD = "correct-horse-battery-42"
EVENT = "National ARMS conference"
# Enough that the worker is still busy when it is stopped after the first one arrives.
QUEUED_EMAILS = 200


def test_a_new_member_through_the_production_stack(stack):
    from playwright.sync_api import expect, sync_playwright

    stages = {}
    started = time.monotonic()

    def stage(name):
        nonlocal started
        stages[name] = round(time.monotonic() - started, 1)
        started = time.monotonic()

    status, body = stack.get("/readyz")
    ready = json.loads(body)
    assert status == 200, ready
    assert ready["checks"]["database"]["status"] == "ok"
    assert ready["checks"]["cache"]["status"] == "ok"
    assert ready["checks"]["search"]["status"] == "ok"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The proxy's certificate is self-signed for the run.
        context = browser.new_context(base_url=stack.url, ignore_https_errors=True)
        page = context.new_page()
        page.set_default_timeout(30_000)

        page.goto("/accounts/signup/")
        page.get_by_label("First name").fill("Sam")
        page.get_by_label("Last name").fill("Smoke")
        page.get_by_label("Email address").fill(EMAIL)
        page.get_by_label("Your role").fill("MOSOVO detective sergeant")
        page.get_by_label("Create a password").fill(PASSWORD)
        page.get_by_label("Confirm your password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Create|Sign up", re.I)).click()
        page.wait_for_url("**/accounts/confirm-email/")
        stage("sign up")

        [confirmation] = stack.mailbox.wait_for(EMAIL, "onfirm")
        body = confirmation.get_payload(decode=True).decode()
        link = re.findall(r"https?://\S+/accounts/confirm-email/\S+", body)[-1]
        assert link.startswith(stack.url), link
        page.goto(link)
        page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
        stage("confirmation email by SMTP")

        page.goto("/accounts/login/")
        if "/accounts/login/" in page.url:
            page.get_by_label("Email address").fill(EMAIL)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
        page.goto("/events/")
        page.get_by_role("link", name=EVENT).click()
        page.get_by_role("button", name=re.compile(r"^Register")).click()
        page.get_by_role("button", name="Register", exact=True).click()
        page.wait_for_url("**/my-events/")
        expect(page.get_by_text(re.compile("Your place is confirmed"))).to_be_visible()
        stage("register")

        # A speaker's photo: checked by the app, sent by nginx from the media folder.
        page.goto("/events/")
        page.get_by_role("link", name=EVENT).click()
        photos = page.locator("img[src^='/media/images/']")
        if photos.count():
            photo = context.request.get(photos.first.get_attribute("src"))
            assert photo.status == 200
            assert photo.headers["content-type"].startswith("image/")
            assert len(photo.body()) > 100

        [confirmed] = stack.mailbox.wait_for(EMAIL, EVENT)
        calendars = [
            part for part in confirmed.walk() if part.get_content_type() == "text/calendar"
        ]
        assert len(calendars) == 1
        calendar = calendars[0].get_payload(decode=True).decode()
        assert "BEGIN:VEVENT" in calendar
        assert EVENT in calendar.replace("\r\n ", "")
        stage("registration email with calendar file, through the worker")

        # Signed-out readers get the library from the page cache... Each of the two gunicorn
        # workers keeps its own copy (the "pages" cache is process-local), so of three fetches
        # at least two reach one worker, and the later of them is served from its cache.
        fetches = [stack.fetch("/library/") for _ in range(3)]
        assert [status for status, _headers, _body in fetches] == [200, 200, 200]
        assert "hit" in [headers["X-KX-Page-Cache"] for _status, headers, _body in fetches[1:]]
        assert all(b"Lanternfish" not in body for _status, _headers, body in fetches)

        stack.shell(PUBLISH_PRACTICE)

        def found_by_engine():
            response = context.request.get("/api/search/?q=lanternfish")
            if response.status != 200:
                return None
            answer = response.json()
            titles = [result["title"] for result in answer["results"]]
            return answer["source"] == "engine" and "Lanternfish home visits" in titles

        wait_for(found_by_engine, timeout=90, what="the engine to find the new practice")
        stage("published practice found by the engine")

        # ...until content changes, in any process: the library (drawn from the engine) shows the
        # practice the shell published as soon as the worker has sent it to the engine.
        status, _, body = stack.fetch("/library/")
        assert status == 200
        assert b"Lanternfish home visits" in body
        stage("kept library page retired once the engine had the practice")
        context.close()
        browser.close()

    # The worker stops mid-queue (SIGTERM: it finishes the email in hand) and starts again.
    assert stack.stop("worker") == 0
    stack.shell(QUEUE_EMAILS)
    stack.start_worker()
    wait_for(
        lambda: stack.mailbox.to("queue@kx.example"),
        timeout=60,
        what="the first queued email",
        interval=0.05,
    )
    assert stack.stop("worker") == 0
    arrived_before_restart = len(stack.mailbox.to("queue@kx.example"))
    assert 0 < arrived_before_restart < QUEUED_EMAILS, "the worker was not stopped mid-queue"
    stack.start_worker()
    stack.mailbox.wait_for("queue@kx.example", count=QUEUED_EMAILS, timeout=180)
    time.sleep(2)  # anything doubled would have arrived by now
    subjects = sorted(m["Subject"] for m in stack.mailbox.to("queue@kx.example"))
    assert subjects == sorted(f"Queued {n:03d}" for n in range(QUEUED_EMAILS))
    print(  # noqa: T201 - reported in CI's log
        f"\n{arrived_before_restart} of {QUEUED_EMAILS} queued emails arrived before "
        "the worker was stopped"
    )
    stage("worker stopped mid-queue and restarted")

    status, body = stack.get("/readyz")
    ready = json.loads(body)
    assert status == 200, ready
    checks = ready["checks"]
    assert {name: checks[name]["status"] for name in ("database", "cache", "search", "tasks")} == {
        "database": "ok",
        "cache": "ok",
        "search": "ok",
        "tasks": "ok",
    }
    assert checks["scheduler"]["status"] in ("ok", "late"), checks["scheduler"]
    assert '"logger": "kx.request"' in stack.log("web") or "kx.request" in stack.log("web")
    print("production smoke stages (s):", stages)  # noqa: T201


PUBLISH_PRACTICE = """
from accounts.models import Organisation, User
from practice_library.models import PracticeIndexPage, PracticePage

index = PracticeIndexPage.objects.live().first()
editor = User.objects.get(email="senior.editor@kx.example")
practice = PracticePage(
    title="Lanternfish home visits",
    slug="lanternfish-home-visits",
    summary="Joint lanternfish visits by police and probation.",
    description="Plan the visit together and share the notes.",
    does_it_work="promising",
    evidence_stage="evaluated_locally",
    organisation=Organisation.objects.get(slug="kent-police"),
    contact_name="Alex Contact",
    contact_email="alex.contact@kent.police.uk",
    audience="public",
)
index.add_child(instance=practice)
practice.save_revision(user=editor).publish(user=editor)
"""

QUEUE_EMAILS = f"""
from kx_site.notifications import enqueue_email

for number in range({QUEUED_EMAILS}):
    enqueue_email(subject=f"Queued {{number:03d}}", body="Queued.", to="queue@kx.example")
"""
