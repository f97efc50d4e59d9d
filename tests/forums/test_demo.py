import pytest

from accounts.demo import ensure_demo_accounts
from accounts.models import User
from forums.demo import ensure_demo_forums
from forums.models import Flag, ForumCategory, Post, Thread
from forums.selectors import visible_categories

pytestmark = pytest.mark.django_db


def test_demo_forums_are_seeded_once_with_agency_only_spaces_and_a_pending_flag():
    ensure_demo_accounts()
    ensure_demo_forums()
    ensure_demo_forums()

    assert ForumCategory.objects.count() == 4
    assert Thread.objects.count() == 4
    assert Post.objects.filter(status=Post.Status.VISIBLE).count() == 9
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 1
    authors = Post.objects.values_list("author__organisation__name", flat=True).distinct()
    assert len(set(authors)) >= 5
    police = User.objects.get(email="pc.jones@kent.police.uk")
    probation = User.objects.get(email="probation.officer@justice.gov.uk")
    assert "police-public-protection" in visible_categories(police).values_list("slug", flat=True)
    assert "police-public-protection" not in visible_categories(probation).values_list(
        "slug", flat=True
    )
