"""Browser tests check the page with Playwright's waiting ``expect`` (issue 13): an ``assert``
on a one-shot read of the page (``locator.is_visible()``, ``locator.count()``,
``locator.input_value()``, ``page.title()``, ...) reads it once, at once, and passes or fails by
the race between the test and the browser (CI failed on ``assert summary.get_by_text(...).count()``
right after a click); ``expect(locator).to_be_visible()``, ``to_have_count``, ``to_have_value``,
``expect(page).to_have_title`` wait for the page to get there. Likewise an accessibility check
straight after a click checks whatever is there at that instant."""

import ast
import itertools
from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parents[1]
# Playwright's reads of the page as it is at this instant, each with a waiting `expect` twin.
ONE_SHOT_READS = {
    "count",
    "is_visible",
    "is_hidden",
    "is_checked",
    "is_enabled",
    "is_disabled",
    "is_editable",
    "inner_text",
    "inner_html",
    "text_content",
    "input_value",
    "get_attribute",
    "all_text_contents",
    "all_inner_texts",
    "title",
}


def browser_test_files():
    for folder in ("browser", "production"):
        yield from (BROWSER_TESTS / folder).rglob("*.py")


# Names the ORM shares with Playwright: a read only when called on a locator or a page.
SHARED_WITH_THE_ORM = {"count"}


def reads_the_page(call):
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return False
    if call.func.attr not in ONE_SHOT_READS:
        return False
    if call.func.attr not in SHARED_WITH_THE_ORM:
        return True
    receiver = ast.unparse(call.func.value)
    return "get_by_" in receiver or "locator" in receiver or receiver.startswith("page")


def one_shot_asserts(source):
    """The line of each ``assert`` whose condition calls one of ``ONE_SHOT_READS``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert) and any(map(reads_the_page, ast.walk(node.test))):
            yield node.lineno


# Actions whose effect (often a new page) arrives after Playwright returns.
ACTIONS = {"click", "press", "check", "select_option", "set_checked", "dblclick"}


def acts(statement):
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Attribute)
        and statement.value.func.attr in ACTIONS
    )


def checks_accessibility(statement):
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and ast.unparse(statement.value.func) == "assert_accessible"
    )


def unwaited_checks(source):
    """The line of each ``assert_accessible`` straight after a click (or another action): the
    check must wait for what the action does (``wait_for_url``, ``expect``) or it checks the
    page before, or the empty document in between (CI failed on that)."""
    for node in ast.walk(ast.parse(source)):
        for body in (getattr(node, field, None) for field in ("body", "orelse", "finalbody")):
            if not isinstance(body, list):
                continue
            for before, statement in itertools.pairwise(body):
                if acts(before) and checks_accessibility(statement):
                    yield statement.lineno


def findings(finder):
    """``path:line`` of every place in the browser tests that ``finder`` finds."""
    return [
        f"{path.relative_to(BROWSER_TESTS)}:{line}"
        for path in browser_test_files()
        for line in finder(path.read_text())
    ]


def test_there_are_browser_tests_to_check():
    assert len(list(browser_test_files())) > 10


def test_the_check_finds_one_shot_reads_written_over_several_lines():
    source = (
        'assert (\n    "x"\n    in page.get_by_label("Name").input_value()\n)\nassert 1 == 1\n'
    )
    assert list(one_shot_asserts(source)) == [1]


def test_the_check_tells_a_locator_count_from_a_queryset_count():
    source = (
        'assert summary.get_by_text("Select").count()\n'
        "assert Registration.objects.filter(user=user).count() == 1\n"
    )
    assert list(one_shot_asserts(source)) == [1]


def test_no_browser_test_asserts_a_one_shot_read_of_the_page():
    assert findings(one_shot_asserts) == []


def test_the_check_finds_an_accessibility_check_straight_after_a_click():
    source = (
        'page.get_by_role("link", name="Search").click()\n'
        "assert_accessible(page)\n"
        'page.get_by_role("button", name="Go").click()\n'
        'page.wait_for_url(re.compile(r"/search/$"))\n'
        "assert_accessible(page)\n"
    )
    assert list(unwaited_checks(source)) == [2]


def test_no_browser_test_checks_a_page_before_waiting_for_the_click():
    assert findings(unwaited_checks) == []
