"""Demo content for `seed_demo`."""


def ensure_demo_briefings():
    """Add the demo briefings if they are missing. Safe to run again."""
