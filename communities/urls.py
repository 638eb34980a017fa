"""Browser pages for communities and conversations (server-rendered, htmx-enhanced)."""

from django.urls import path

from communities import views

app_name = "communities"

urlpatterns = [
    # Communities
    path("communities/", views.community_directory, name="directory"),
    path("communities/new/", views.community_create_view, name="create"),
    path("communities/invitations/", views.invitation_list, name="invitations"),
    path(
        "communities/invitations/<int:invitation_id>/<str:answer>/",
        views.invitation_answer,
        name="invitation-answer",
    ),
    path("communities/preview/", views.markdown_preview, name="preview"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path(
        "attachments/<int:attachment_id>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment-thumbnail",
    ),
    path("communities/<slug:slug>/", views.community_stream_view, name="detail"),
    path("communities/<slug:slug>/cover/", views.community_cover, name="cover"),
    path("communities/<slug:slug>/members/", views.community_members_view, name="members"),
    path("communities/<slug:slug>/about/", views.community_about, name="about"),
    path("communities/<slug:slug>/events/", views.community_events, name="events"),
    path("communities/<slug:slug>/subgroups/", views.community_subgroups, name="subgroups"),
    path("communities/<slug:slug>/edit/", views.community_edit, name="edit"),
    path("communities/<slug:slug>/join/", views.community_join, name="join"),
    path("communities/<slug:slug>/request/", views.community_request, name="request"),
    path("communities/<slug:slug>/leave/", views.community_leave, name="leave"),
    path("communities/<slug:slug>/invite/", views.community_invite, name="invite"),
    path(
        "communities/<slug:slug>/requests/<int:membership_id>/<str:decision>/",
        views.membership_request_decide,
        name="request-decide",
    ),
    path(
        "communities/<slug:slug>/members/<int:membership_id>/role/",
        views.member_role,
        name="member-role",
    ),
    path(
        "communities/<slug:slug>/members/<int:user_id>/ban/",
        views.member_ban,
        name="member-ban",
    ),
    path(
        "communities/<slug:slug>/members/<int:user_id>/unban/",
        views.member_unban,
        name="member-unban",
    ),
    path("communities/<slug:slug>/post/", views.post_compose, name="compose"),
    path(
        "communities/<slug:slug>/elections/<int:election_id>/vote/",
        views.election_vote_view,
        name="election-vote",
    ),
    # Conversations
    path("posts/<int:post_id>/", views.post_detail, name="post"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:post_id>/delete/", views.post_delete_view, name="post-delete"),
    path("posts/<int:post_id>/react/", views.post_react, name="post-react"),
    path("posts/<int:post_id>/vote/", views.poll_vote_view, name="poll-vote"),
    path("posts/<int:post_id>/rsvp/", views.rsvp_view, name="rsvp"),
    path("posts/<int:post_id>/comments/", views.comment_create_view, name="comment-create"),
    path("posts/<int:post_id>/answer/", views.answer_view, name="answer"),
    path("posts/<int:post_id>/flag/", views.post_flag, name="post-flag"),
    path(
        "posts/<int:post_id>/moderate/<str:action>/",
        views.post_moderate,
        name="post-moderate",
    ),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete_view, name="comment-delete"),
    path("comments/<int:comment_id>/react/", views.comment_react, name="comment-react"),
    path("comments/<int:comment_id>/flag/", views.comment_flag, name="comment-flag"),
    path(
        "comments/<int:comment_id>/moderate/<str:action>/",
        views.comment_moderate,
        name="comment-moderate",
    ),
    # Moderation
    path("moderation/", views.moderation_queue_view, name="moderation"),
    path(
        "moderation/flags/<int:flag_id>/resolve/",
        views.flag_resolve_view,
        name="flag-resolve",
    ),
]
