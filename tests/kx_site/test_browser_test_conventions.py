"""Browser tests check the page with Playwright's waiting ``expect`` (issue 13): ``assert
locator.is_visible()`` reads the page once, at once, and fails or passes by the race between the
test and the browser; ``expect(locator).to_be_visible()`` waits for the page to get there."""

import re
from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parents[1]
ONE_SHOT_CHECK = re.compile(
    r"assert\s+(not\s+)?[^\n]*\.(is_visible|is_hidden|is_checked|is_enabled|inner_text|"
    r"text_content)\(\)"
)


def browser_test_files():
    for folder in ("browser", "production"):
        yield from (BROWSER_TESTS / folder).rglob("*.py")


def test_there_are_browser_tests_to_check():
    assert len(list(browser_test_files())) > 10


def test_no_browser_test_asserts_a_one_shot_read_of_the_page():
    found = [
        f"{path.relative_to(BROWSER_TESTS)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in browser_test_files()
        for text in [path.read_text()]
        for match in ONE_SHOT_CHECK.finditer(text)
    ]

    assert found == []
