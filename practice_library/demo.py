"""Demo content for `seed_demo`."""


def ensure_demo_practices():
    """Add the demo practices if they are missing. Safe to run again."""
