"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a journey visits is checked with axe for WCAG 2.2 A and AA violations.
"""

import os
import re
from email import message_from_bytes
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from accounts.demo import current_totp_code
from accounts.models import User

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    # Details of the violations only (axe-playwright-python's default, which options given here
    # replace): collecting every passing node's details took most of each check's time.
    "resultTypes": ["violations"],
}
PASSWORD = "correct-horse-battery-42"
# A journey runs against the live server, so it needs committed data: a transactional test
# that starts from the migrated data. The Makefile runs journeys in a pytest process of their
# own: on PostgreSQL, Django's serialized rollback did not restore that data for journeys that
# followed ordinary database tests in the same process.
browser_journey = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def outbox(settings, tmp_path):
    """The development outbox: the file email backend writing to a folder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    return Outbox(settings.EMAIL_FILE_PATH)


class Outbox:
    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self):
        if not self.folder.exists():
            return []
        found = []
        for path in sorted(self.folder.iterdir(), key=lambda p: p.stat().st_mtime):
            # The file backend writes several messages to one file, separated by a rule.
            for chunk in path.read_bytes().split(b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(message_from_bytes(chunk.strip() + b"\n"))
        return found

    def to(self, address):
        return [m for m in self.messages() if address in m["To"]]

    def last_link(self, address, pattern=r"http://\S+"):
        message = self.to(address)[-1]
        body = message.get_payload(decode=True).decode()
        return re.findall(pattern, body)[-1]


@pytest.fixture
def site_url(live_server):
    return live_server.url


@pytest.fixture
def new_page(browser, site_url):
    contexts = []

    def make(javascript=True, viewport=None):
        options = {"viewport": viewport} if viewport else {}
        context = browser.new_context(base_url=site_url, java_script_enabled=javascript, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if not javascript:
            # axe is JavaScript: it checks a copy of the no-JS page in a page of its own.
            axe_context = browser.new_context(base_url=site_url)
            contexts.append(axe_context)
            page.axe_page = axe_context.new_page()
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def assert_accessible(page):
    """No axe violations of WCAG 2.2 A/AA on the page, once it has loaded.

    A click that follows a link returns before the next page has arrived: checked then, axe saw
    the empty document the browser shows while the response streams in (CI failed on
    ``<html><head></head><body></body></html>``: no title, no language). So wait for the page to
    load and carry its language and title; a journey also waits for what its click does before
    calling this (``tests/kx_site/test_browser_test_conventions.py``).
    """
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"\S"))
    expect(page).to_have_title(re.compile(r"\S"))
    checked = page
    axe_page = getattr(page, "axe_page", None)
    if axe_page is not None:
        origin = re.match(r"https?://[^/]+", page.url).group(0)
        html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S)
        html = html.replace("<head>", f'<head><base href="{origin}/">', 1)
        axe_page.set_content(html, wait_until="load")
        checked = axe_page
    results = Axe().run(checked, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def make_user(email, *, password=PASSWORD, **fields):
    user = User.objects.create_user(email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(page, email, password=PASSWORD, totp_secret=None):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    if totp_secret:
        page.get_by_label(re.compile("code", re.I)).fill(current_totp_code(totp_secret))
        page.get_by_role("button", name=re.compile("Sign in|Verify|Continue", re.I)).click()


def make_page(slug, *, audience="public", kinds=(), marking="official", text="Body text."):
    import json

    from kx_site.models import HomePage, StandardPage

    page = StandardPage(
        title=f"Page {slug}",
        slug=slug,
        summary=f"Summary of {slug}",
        audience=audience,
        restricted_to_kinds=list(kinds),
        marking=marking,
        body=json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"}]),
    )
    HomePage.objects.get().add_child(instance=page)
    return page
