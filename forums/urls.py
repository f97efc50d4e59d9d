from django.urls import path

from . import views

app_name = "forums"

urlpatterns = [
    path("", views.index, name="index"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("members/<slug:handle>/", views.member, name="member"),
    path("mentions/", views.mention_suggestions, name="mention_suggestions"),
    path("threads/<int:thread_id>/", views.thread, name="thread"),
    path("threads/<int:thread_id>/reply/", views.reply, name="reply"),
    path("threads/<int:thread_id>/watch/", views.thread_watch, name="thread_watch"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:post_id>/flag/", views.post_flag, name="post_flag"),
    path("posts/<int:post_id>/useful/", views.post_useful, name="post_useful"),
    path("posts/<int:post_id>/answer/", views.post_answer, name="post_answer"),
    path("<slug:slug>/", views.category, name="category"),
    path("<slug:slug>/new/", views.thread_new, name="thread_new"),
    path("<slug:slug>/watch/", views.category_watch, name="category_watch"),
]
