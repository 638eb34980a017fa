"""Browser pages for people: directory, profiles, follows, kudos, badges, leaderboards."""

from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("people/", views.people_directory, name="directory"),
    path("people/experts/", views.experts_search, name="experts"),
    path("people/me/edit/", views.profile_edit, name="edit"),
    path("people/me/topics/", views.topics_followed_view, name="topics"),
    path("people/<int:user_id>/", views.profile_detail, name="detail"),
    path("people/<int:user_id>/avatar/", views.profile_avatar, name="avatar"),
    path("people/<int:user_id>/timeline/", views.profile_timeline, name="timeline"),
    path("people/<int:user_id>/follow/", views.follow_toggle, name="follow"),
    path("people/<int:user_id>/kudos/", views.kudos_give_view, name="kudos"),
    path("topics/<str:name>/follow/", views.topic_follow_toggle, name="topic-follow"),
    path("badges/", views.badge_list, name="badges"),
    path("posts/<int:post_id>/experts/", views.post_experts, name="post-experts"),
    path(
        "communities/<slug:slug>/leaderboard/",
        views.community_leaderboard,
        name="leaderboard",
    ),
]
