"""The apps depend on ``kx_site``, never the reverse (docs/architecture.md): ``kx_site`` imports
no app; each app plugs its parts into ``kx_site``'s registries. The one exception is the
settings' import of the search engine's client options, inside ``if SEARCH_URL:``."""

import re
from pathlib import Path

import kx_site

APPS = ("accounts", "events", "briefings", "practice_library", "forums", "search")
IMPORTS_AN_APP = re.compile(rf"^\s*(from|import)\s+({'|'.join(APPS)})\b", re.MULTILINE)
ALLOWED = {(Path("settings/base.py"), "search")}


def test_kx_site_imports_no_app():
    root = Path(kx_site.__file__).parent
    offenders = [
        f"{path.relative_to(root)}: {match.group(0).strip()}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for match in IMPORTS_AN_APP.finditer(path.read_text())
        if (path.relative_to(root), match.group(2)) not in ALLOWED
    ]
    assert offenders == []
