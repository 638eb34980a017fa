"""Routes of the profiles and recognition API, included under /api/v1/ by config.api.urls."""

from django.urls import path

from profiles.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/avatar/", views.MeAvatarView.as_view(), name="me-avatar"),
    path("profiles/", views.ProfileListView.as_view(), name="profile-list"),
    path("profiles/<int:user_id>/", views.ProfileDetailView.as_view(), name="profile-detail"),
    path(
        "profiles/<int:user_id>/avatar/", views.ProfileAvatarView.as_view(), name="profile-avatar"
    ),
    path(
        "profiles/<int:user_id>/follow/", views.ProfileFollowView.as_view(), name="profile-follow"
    ),
    path(
        "profiles/<int:user_id>/followers/",
        views.ProfileFollowersView.as_view(),
        name="profile-followers",
    ),
    path(
        "profiles/<int:user_id>/following/",
        views.ProfileFollowingView.as_view(),
        name="profile-following",
    ),
    path(
        "profiles/<int:user_id>/connection/",
        views.ConnectionView.as_view(),
        name="profile-connection",
    ),
    path("profiles/<int:user_id>/timeline/", views.TimelineView.as_view(), name="profile-timeline"),
    path("topics/<str:name>/follow/", views.TopicFollowView.as_view(), name="topic-follow"),
    path("kudos/", views.KudosListView.as_view(), name="kudos-list"),
    path("badges/", views.BadgeListView.as_view(), name="badge-list"),
    path("badges/<slug:code>/holders/", views.BadgeHoldersView.as_view(), name="badge-holders"),
    path("experts/", views.ExpertsView.as_view(), name="experts"),
    path(
        "people-you-may-know/",
        views.PeopleYouMayKnowView.as_view(),
        name="people-you-may-know",
    ),
    path(
        "communities/<slug:slug>/leaderboard/",
        views.LeaderboardView.as_view(),
        name="community-leaderboard",
    ),
]
