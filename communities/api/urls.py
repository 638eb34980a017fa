"""Routes of the communities API, included under /api/v1/ by config.api.urls."""

from django.urls import path

from communities.api import views

urlpatterns = [
    path(
        "attachments/<int:attachment_id>/",
        views.AttachmentFileView.as_view(),
        name="attachment-file",
    ),
    path(
        "attachments/<int:attachment_id>/thumbnail/",
        views.AttachmentThumbnailView.as_view(),
        name="attachment-thumbnail",
    ),
    path(
        "communities/<slug:slug>/cover/",
        views.CommunityCoverView.as_view(),
        name="community-cover",
    ),
    path("communities/", views.CommunityListView.as_view(), name="community-list"),
    path("communities/<slug:slug>/", views.CommunityDetailView.as_view(), name="community-detail"),
    path(
        "communities/<slug:slug>/members/",
        views.CommunityMemberListView.as_view(),
        name="community-members",
    ),
    path(
        "communities/<slug:slug>/members/<int:user_id>/role/",
        views.MemberRoleView.as_view(),
        name="community-member-role",
    ),
    path(
        "communities/<slug:slug>/members/<int:user_id>/ban/",
        views.MemberBanView.as_view(),
        name="community-member-ban",
    ),
    path("communities/<slug:slug>/join/", views.CommunityJoinView.as_view(), name="community-join"),
    path(
        "communities/<slug:slug>/leave/", views.CommunityLeaveView.as_view(), name="community-leave"
    ),
    path(
        "communities/<slug:slug>/request/",
        views.CommunityRequestView.as_view(),
        name="community-request",
    ),
    path(
        "communities/<slug:slug>/requests/",
        views.MembershipRequestListView.as_view(),
        name="community-requests",
    ),
    path(
        "communities/<slug:slug>/requests/<int:request_id>/approve/",
        views.MembershipRequestApproveView.as_view(),
        name="community-request-approve",
    ),
    path(
        "communities/<slug:slug>/requests/<int:request_id>/decline/",
        views.MembershipRequestDeclineView.as_view(),
        name="community-request-decline",
    ),
    path(
        "communities/<slug:slug>/invite/",
        views.CommunityInviteView.as_view(),
        name="community-invite",
    ),
    path(
        "communities/<slug:slug>/elections/",
        views.ElectionListView.as_view(),
        name="community-elections",
    ),
    path(
        "communities/<slug:slug>/elections/<int:election_id>/vote/",
        views.ElectionVoteView.as_view(),
        name="community-election-vote",
    ),
    path(
        "communities/<slug:slug>/elections/<int:election_id>/close/",
        views.ElectionCloseView.as_view(),
        name="community-election-close",
    ),
    path("invitations/", views.InvitationListView.as_view(), name="invitation-list"),
    path(
        "invitations/<int:invitation_id>/accept/",
        views.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline/",
        views.InvitationDeclineView.as_view(),
        name="invitation-decline",
    ),
    path("posts/", views.PostListView.as_view(), name="post-list"),
    path("posts/<int:post_id>/", views.PostDetailView.as_view(), name="post-detail"),
    path(
        "posts/<int:post_id>/comments/",
        views.PostCommentListView.as_view(),
        name="post-comments",
    ),
    path(
        "posts/<int:post_id>/reactions/",
        views.PostReactionView.as_view(),
        name="post-reactions",
    ),
    path("posts/<int:post_id>/poll/vote/", views.PollVoteView.as_view(), name="post-poll-vote"),
    path("posts/<int:post_id>/rsvp/", views.RsvpView.as_view(), name="post-rsvp"),
    path(
        "posts/<int:post_id>/accept-answer/",
        views.AcceptAnswerView.as_view(),
        name="post-accept-answer",
    ),
    path("posts/<int:post_id>/flag/", views.PostFlagView.as_view(), name="post-flag"),
    path("comments/<int:comment_id>/", views.CommentDetailView.as_view(), name="comment-detail"),
    path(
        "comments/<int:comment_id>/reactions/",
        views.CommentReactionView.as_view(),
        name="comment-reactions",
    ),
    path("comments/<int:comment_id>/flag/", views.CommentFlagView.as_view(), name="comment-flag"),
    path("moderation/flags/", views.ModerationQueueView.as_view(), name="moderation-flags"),
    path(
        "moderation/flags/<int:flag_id>/resolve/",
        views.FlagResolveView.as_view(),
        name="moderation-flag-resolve",
    ),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
]
