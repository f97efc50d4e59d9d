app_name = "practice_library"

urlpatterns = []
