from wagtail import hooks
from wagtail.permissions import register_permission_policy

from accounts.permission_policies import StaffModelPermissionPolicy

from .admin_views import RecommendationViewSet
from .models import Recommendation

# Changing recommendations' statuses: the "change" permission on Recommendation, which the
# "Editors" and "Senior editors" groups hold (migration 0003), only with a second factor.
register_permission_policy(Recommendation, StaffModelPermissionPolicy(Recommendation))


@hooks.register("register_admin_viewset")
def register_recommendation_viewset():
    return RecommendationViewSet()
