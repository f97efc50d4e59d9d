"""The apps depend on ``kx_site``, never the reverse: ``kx_site`` imports nothing from
``accounts`` (see docs/architecture.md)."""

import re
from pathlib import Path

import kx_site

IMPORTS_ACCOUNTS = re.compile(r"^\s*(from|import)\s+accounts\b", re.MULTILINE)
# The demo command loads every app's demo data; its own move is separate work (issue 13).
NOT_YET = {Path("management/commands/seed_demo.py")}


def test_kx_site_imports_nothing_from_accounts():
    root = Path(kx_site.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and path.relative_to(root) not in NOT_YET
        and IMPORTS_ACCOUNTS.search(path.read_text())
    ]
    assert offenders == []
