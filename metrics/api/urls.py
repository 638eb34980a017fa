from django.urls import path

from metrics.api import views

urlpatterns = [
    path("participation/", views.ParticipationView.as_view(), name="metrics-participation"),
    path(
        "members/<int:user_id>/profile-type/",
        views.MemberProfileTypeView.as_view(),
        name="metrics-member-profile-type",
    ),
    path("activity/me/", views.ActivityMeView.as_view(), name="metrics-activity-me"),
]
