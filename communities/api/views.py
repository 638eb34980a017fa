"""The communities API: thin views that parse, call a selector or a service, serialize.

Who may see what is decided by the selectors (one visibility rule: a secret community
answers 404 to non-members everywhere); who may do what by the services. Their domain
errors become HTTP answers in :mod:`config.api.exceptions`.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from communities import permissions
from communities.api import serializers as s
from communities.api.filters import PostFilter
from communities.files import attachment_response, stored_file_response
from communities.models import (
    Comment,
    Community,
    Election,
    Flag,
    Invitation,
    Membership,
    Post,
    Topic,
)
from communities.selectors.communities import (
    community_get_for,
    community_list,
    community_members,
    elections_for,
    invitations_for,
    membership_requests_pending,
)
from communities.selectors.posts import (
    attachment_get_for,
    comment_get_for,
    comments_for,
    event_attendance,
    moderation_queue,
    poll_results,
    post_get_for,
    post_list,
    reaction_summary_attach,
    topic_list,
)
from communities.services.comments import (
    answer_accept,
    answer_unaccept,
    comment_create,
    comment_delete,
    comment_update,
)
from communities.services.communities import community_create, community_update
from communities.services.elections import election_close, election_open, election_vote
from communities.services.events import rsvp_set
from communities.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
)
from communities.services.memberships import (
    membership_ban,
    membership_join,
    membership_leave,
    membership_request,
    membership_request_approve,
    membership_request_decline,
    membership_role_change,
    membership_unban,
)
from communities.services.moderation import flag_create, flag_resolve
from communities.services.polls import poll_vote
from communities.services.posts import post_create, post_delete, post_read, post_update
from communities.services.reactions import reaction_toggle
from config.api.pagination import StreamPagination
from config.api.parsers import DepthLimitedJSONParser, StrictMultiPartParser
from config.api.strict import validated
from config.errors import NotFound, PermissionDenied, ValidationError
from notifications.selectors.announcements import acknowledged_attach, posts_with_acknowledged

UPLOAD_PARSERS = [DepthLimitedJSONParser, StrictMultiPartParser]
NOT_FOUND = OpenApiResponse(description="Unknown, or secret to the asking member.")
NO_CONTENT = OpenApiResponse(description="Done.")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _lazy("The request is too large.")
    default_code = "request_too_large"


class CommunitiesAPIView(GenericAPIView):
    """Base of the views here: a request over Django's upload limits answers a JSON 413
    like every other API error, rather than Django's HTML 400 page."""

    def handle_exception(self, exc):
        if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
            exc = RequestTooLarge()
        return super().handle_exception(exc)


def _validated(serializer_class, data, **context) -> dict:
    return validated(serializer_class, data, context=context)


# Lookups. Communities and posts come from their selectors; comments and memberships are
# looked up under a post or a community that did, so a secret one stays invisible. ------


def _community(request, slug: str) -> Community:
    return community_get_for(user=request.user, slug=slug)


def _post(request, post_id: int) -> Post:
    return post_get_for(user=request.user, post_id=post_id)


def _comment(request, comment_id: int) -> Comment:
    """The comment, when its post is readable by the asking member (NotFound otherwise)."""
    return comment_get_for(user=request.user, comment_id=comment_id)


# Ids in URLs are digits of any length; the database takes 64-bit integers.
ID_MAX = 2**63 - 1


def _post_detail(request, post: Post) -> dict:
    """A post with what only its own page shows: poll results, event attendance, and
    whether the asking member acknowledged it (an announcement that asks for it)."""
    acknowledged_attach(post, user=request.user)
    poll = getattr(post, "poll", None) if post.kind == Post.Kind.POLL else None
    event = getattr(post, "event", None) if post.kind == Post.Kind.EVENT else None
    context = {
        "poll_results": poll_results(poll=poll) if poll is not None else None,
        "attendance": event_attendance(event=event) if event is not None else None,
    }
    return s.PostDetailOutputSerializer(post, context=context).data


def _membership(community: Community, user_id: int) -> Membership:
    if user_id > ID_MAX:
        raise NotFound(_("This person is not a member of the community."))
    membership = (
        Membership.objects.select_related("user").filter(community=community, user_id=user_id)
    ).first()
    if membership is None:
        raise NotFound(_("This person is not a member of the community."))
    return membership


# Communities ----------------------------------------------------------------------------


class CommunityListView(CommunitiesAPIView):
    """The community directory, and creating a community."""

    parser_classes = UPLOAD_PARSERS
    queryset = Community.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.CommunityOutputSerializer

    @extend_schema(
        parameters=[s.CommunityListQuerySerializer],
        responses=s.CommunityOutputSerializer(many=True),
    )
    def get(self, request):
        filters = _validated(s.CommunityListQuerySerializer, request.query_params)
        communities = community_list(user=request.user, **filters)
        page = self.paginate_queryset(communities)
        return self.get_paginated_response(s.CommunityOutputSerializer(page, many=True).data)

    @extend_schema(
        request=s.CommunityCreateSerializer,
        responses={201: s.CommunityOutputSerializer},
    )
    def post(self, request):
        data = _validated(s.CommunityCreateSerializer, request.data, request=request)
        community = community_create(creator=request.user, **data)
        community = community_get_for(user=request.user, slug=community.slug)
        return Response(s.CommunityOutputSerializer(community).data, status=status.HTTP_201_CREATED)


class CommunityDetailView(CommunitiesAPIView):
    """One community; its managers change its settings."""

    parser_classes = UPLOAD_PARSERS
    serializer_class = s.CommunityOutputSerializer

    @extend_schema(responses={200: s.CommunityOutputSerializer, 404: NOT_FOUND})
    def get(self, request, slug):
        return Response(s.CommunityOutputSerializer(_community(request, slug)).data)

    @extend_schema(
        request=s.CommunityUpdateSerializer,
        responses={200: s.CommunityOutputSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, slug):
        community = _community(request, slug)
        data = _validated(s.CommunityUpdateSerializer, request.data, request=request)
        community = community_update(actor=request.user, community=community, **data)
        community = community_get_for(user=request.user, slug=community.slug)
        return Response(s.CommunityOutputSerializer(community).data)


class CommunityMemberListView(CommunitiesAPIView):
    """Active members, owners first. Private and secret communities: members only."""

    queryset = Membership.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.MembershipOutputSerializer

    @extend_schema(responses=s.MembershipOutputSerializer(many=True))
    def get(self, request, slug):
        members = community_members(user=request.user, community=_community(request, slug))
        page = self.paginate_queryset(members)
        return self.get_paginated_response(s.MembershipOutputSerializer(page, many=True).data)


class CommunityJoinView(CommunitiesAPIView):
    """Join an open community (or accept a pending invitation to it)."""

    serializer_class = s.MembershipOutputSerializer

    @extend_schema(request=None, responses={200: s.MembershipOutputSerializer, 404: NOT_FOUND})
    def post(self, request, slug):
        membership = membership_join(user=request.user, community=_community(request, slug))
        return Response(s.MembershipOutputSerializer(membership).data)


class CommunityLeaveView(CommunitiesAPIView):
    """Leave a community (its last owner cannot)."""

    @extend_schema(request=None, responses={204: NO_CONTENT, 404: NOT_FOUND})
    def post(self, request, slug):
        membership_leave(user=request.user, community=_community(request, slug))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommunityRequestView(CommunitiesAPIView):
    """Ask to join a community whose managers approve new members."""

    serializer_class = s.MembershipRequestOutputSerializer

    @extend_schema(
        request=s.MembershipRequestInputSerializer,
        responses={201: s.MembershipRequestOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, slug):
        community = _community(request, slug)
        data = _validated(s.MembershipRequestInputSerializer, request.data)
        membership = membership_request(
            user=request.user, community=community, message=data.get("message", "")
        )
        return Response(
            s.MembershipRequestOutputSerializer(membership).data, status=status.HTTP_201_CREATED
        )


class MembershipRequestListView(CommunitiesAPIView):
    """Pending requests to join, for the community's managers."""

    queryset = Membership.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.MembershipRequestOutputSerializer

    @extend_schema(responses=s.MembershipRequestOutputSerializer(many=True))
    def get(self, request, slug):
        requests = membership_requests_pending(
            user=request.user, community=_community(request, slug)
        )
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(
            s.MembershipRequestOutputSerializer(page, many=True).data
        )


def _pending_request(request, slug: str, request_id: int) -> Membership:
    pending = membership_requests_pending(user=request.user, community=_community(request, slug))
    membership = pending.filter(pk=request_id).first()
    if membership is None:
        raise NotFound(_("This request does not exist or was already answered."))
    return membership


class MembershipRequestApproveView(CommunitiesAPIView):
    serializer_class = s.MembershipOutputSerializer

    @extend_schema(request=None, responses={200: s.MembershipOutputSerializer, 404: NOT_FOUND})
    def post(self, request, slug, request_id):
        """Approve a request to join: the member becomes active."""
        membership = membership_request_approve(
            actor=request.user, membership=_pending_request(request, slug, request_id)
        )
        return Response(s.MembershipOutputSerializer(membership).data)


class MembershipRequestDeclineView(CommunitiesAPIView):
    @extend_schema(request=None, responses={204: NO_CONTENT, 404: NOT_FOUND})
    def post(self, request, slug, request_id):
        """Decline a request to join."""
        membership_request_decline(
            actor=request.user, membership=_pending_request(request, slug, request_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommunityInviteView(CommunitiesAPIView):
    """Invite colleagues by email (referral: who invited whom is recorded)."""

    queryset = Invitation.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.InvitationOutputSerializer
    pagination_class = None  # answers the invitations it created, all of them

    @extend_schema(
        request=s.InviteInputSerializer,
        responses={201: s.InvitationOutputSerializer(many=True), 404: NOT_FOUND},
    )
    def post(self, request, slug):
        community = _community(request, slug)
        data = _validated(s.InviteInputSerializer, request.data)
        invitations = invitation_create(
            inviter=request.user, community=community, emails=data["emails"]
        )
        return Response(
            s.InvitationOutputSerializer(invitations, many=True).data,
            status=status.HTTP_201_CREATED,
        )


class MemberRoleView(CommunitiesAPIView):
    """Change a member's role (managers; only owners make owners)."""

    serializer_class = s.MembershipOutputSerializer

    @extend_schema(
        request=s.RoleChangeInputSerializer,
        responses={200: s.MembershipOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, slug, user_id):
        community = _community(request, slug)
        data = _validated(s.RoleChangeInputSerializer, request.data)
        membership = membership_role_change(
            actor=request.user, membership=_membership(community, user_id), role=data["role"]
        )
        return Response(s.MembershipOutputSerializer(membership).data)


class MemberBanView(CommunitiesAPIView):
    """Ban a member (POST) or lift the ban (DELETE)."""

    serializer_class = s.MembershipOutputSerializer

    @extend_schema(request=None, responses={200: s.MembershipOutputSerializer, 404: NOT_FOUND})
    def post(self, request, slug, user_id):
        community = _community(request, slug)
        membership = membership_ban(actor=request.user, membership=_membership(community, user_id))
        return Response(s.MembershipOutputSerializer(membership).data)

    @extend_schema(request=None, responses={200: s.MembershipOutputSerializer, 404: NOT_FOUND})
    def delete(self, request, slug, user_id):
        community = _community(request, slug)
        membership = membership_unban(
            actor=request.user, membership=_membership(community, user_id)
        )
        return Response(s.MembershipOutputSerializer(membership).data)


# Elections ------------------------------------------------------------------------------


def _election(request, community: Community, election_id: int):
    election = elections_for(user=request.user, community=community).filter(pk=election_id).first()
    if election is None:
        raise NotFound(_("This election does not exist."))
    return election


class ElectionListView(CommunitiesAPIView):
    """Elections of a community, open and past; managers open new ones."""

    queryset = Election.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.ElectionOutputSerializer

    @extend_schema(responses=s.ElectionOutputSerializer(many=True))
    def get(self, request, slug):
        elections = elections_for(user=request.user, community=_community(request, slug))
        page = self.paginate_queryset(elections)
        return self.get_paginated_response(s.ElectionOutputSerializer(page, many=True).data)

    @extend_schema(
        request=s.ElectionOpenInputSerializer,
        responses={201: s.ElectionOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, slug):
        community = _community(request, slug)
        data = _validated(s.ElectionOpenInputSerializer, request.data)
        election = election_open(actor=request.user, community=community, **data)
        election = _election(request, community, election.pk)
        return Response(s.ElectionOutputSerializer(election).data, status=status.HTTP_201_CREATED)


class ElectionVoteView(CommunitiesAPIView):
    """Vote once, secretly, for one candidate."""

    @extend_schema(
        request=s.ElectionVoteInputSerializer, responses={204: NO_CONTENT, 404: NOT_FOUND}
    )
    def post(self, request, slug, election_id):
        election = _election(request, _community(request, slug), election_id)
        data = _validated(s.ElectionVoteInputSerializer, request.data)
        candidate = next(
            (c for c in election.candidates.all() if c.pk == data["candidate_id"]), None
        )
        if candidate is None:
            message = _("This candidate does not stand in this election.")
            raise ValidationError(message, field_errors={"candidate_id": [message]})
        election_vote(voter=request.user, election=election, candidate=candidate)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ElectionCloseView(CommunitiesAPIView):
    """Close an election now (managers): the winner receives the role."""

    serializer_class = s.ElectionOutputSerializer

    @extend_schema(request=None, responses={200: s.ElectionOutputSerializer, 404: NOT_FOUND})
    def post(self, request, slug, election_id):
        community = _community(request, slug)
        election = _election(request, community, election_id)
        # election_close is also run by the scheduled task, so it takes no actor.
        if not permissions.can_manage(request.user, community):
            raise PermissionDenied(_("Only the community's managers can close an election."))
        election_close(election=election)
        return Response(s.ElectionOutputSerializer(_election(request, community, election.pk)).data)


# Invitations ----------------------------------------------------------------------------


def _my_invitation(request, invitation_id: int):
    invitation = invitations_for(user=request.user).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("This invitation does not exist or was already answered."))
    return invitation


class InvitationListView(CommunitiesAPIView):
    """The asking member's pending invitations."""

    queryset = Invitation.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.InvitationOutputSerializer

    @extend_schema(responses=s.InvitationOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(invitations_for(user=request.user))
        return self.get_paginated_response(s.InvitationOutputSerializer(page, many=True).data)


class InvitationAcceptView(CommunitiesAPIView):
    serializer_class = s.MembershipOutputSerializer

    @extend_schema(request=None, responses={200: s.MembershipOutputSerializer, 404: NOT_FOUND})
    def post(self, request, invitation_id):
        """Accept an invitation: become a member of the community."""
        membership = invitation_accept(
            user=request.user, invitation=_my_invitation(request, invitation_id)
        )
        return Response(s.MembershipOutputSerializer(membership).data)


class InvitationDeclineView(CommunitiesAPIView):
    @extend_schema(request=None, responses={204: NO_CONTENT, 404: NOT_FOUND})
    def post(self, request, invitation_id):
        """Decline an invitation."""
        invitation_decline(user=request.user, invitation=_my_invitation(request, invitation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Posts ----------------------------------------------------------------------------------


class PostListView(CommunitiesAPIView):
    """Readable posts, newest first (cursor pagination), and publishing a post."""

    queryset = Post.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.PostOutputSerializer
    pagination_class = StreamPagination
    filterset_class = PostFilter
    parser_classes = UPLOAD_PARSERS

    def get_queryset(self):
        return post_list(user=self.request.user)

    @extend_schema(responses=s.PostOutputSerializer(many=True))
    def get(self, request):
        posts = self.filter_queryset(self.get_queryset())
        # Whether the asking member acknowledged each one: a subquery, no extra query.
        posts = posts_with_acknowledged(posts, user=request.user)
        page = self.paginate_queryset(posts)
        # The reaction summary of the page's posts: one query, whatever the page size.
        page = reaction_summary_attach(page, user=request.user)
        return self.get_paginated_response(s.PostOutputSerializer(page, many=True).data)

    @extend_schema(
        request=s.PostCreateInputSerializer, responses={201: s.PostDetailOutputSerializer}
    )
    def post(self, request):
        data = _validated(s.PostCreateInputSerializer, request.data, request=request)
        post = post_create(author=request.user, **data)
        return Response(
            _post_detail(request, _post(request, post.pk)), status=status.HTTP_201_CREATED
        )


class PostDetailView(CommunitiesAPIView):
    """One post (reading it is recorded); its author edits it; author or moderators delete."""

    serializer_class = s.PostDetailOutputSerializer

    @extend_schema(responses={200: s.PostDetailOutputSerializer, 404: NOT_FOUND})
    def get(self, request, post_id):
        post = _post(request, post_id)
        post_read(user=request.user, post=post)
        return Response(_post_detail(request, post))

    @extend_schema(
        request=s.PostUpdateInputSerializer,
        responses={200: s.PostDetailOutputSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, post_id):
        post = _post(request, post_id)
        data = _validated(s.PostUpdateInputSerializer, request.data)
        post_update(actor=request.user, post=post, **data)
        return Response(_post_detail(request, _post(request, post_id)))

    @extend_schema(responses={204: NO_CONTENT, 404: NOT_FOUND})
    def delete(self, request, post_id):
        post_delete(actor=request.user, post=_post(request, post_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostCommentListView(CommunitiesAPIView):
    """Comments of a post, oldest first, each with its replies; adding a comment or reply."""

    queryset = Comment.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.CommentOutputSerializer
    parser_classes = UPLOAD_PARSERS

    @extend_schema(responses=s.CommentOutputSerializer(many=True))
    def get(self, request, post_id):
        post = _post(request, post_id)
        comments = comments_for(user=request.user, post=post)
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(s.CommentOutputSerializer(page, many=True).data)

    @extend_schema(
        request=s.CommentCreateInputSerializer,
        responses={201: s.CommentReplySerializer, 404: NOT_FOUND},
    )
    def post(self, request, post_id):
        post = _post(request, post_id)
        data = _validated(s.CommentCreateInputSerializer, request.data)
        parent = None
        if data.get("parent") is not None:
            parent = post.comments.filter(pk=data["parent"]).first()
            if parent is None:
                message = _("The comment you reply to does not exist on this post.")
                raise ValidationError(message, field_errors={"parent": [message]})
        comment = comment_create(
            author=request.user,
            post=post,
            body=data["body"],
            parent=parent,
            attachments=data["attachments"],
        )
        reaction_summary_attach([comment], user=request.user)
        return Response(s.CommentReplySerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(CommunitiesAPIView):
    """Its author edits or deletes a comment."""

    serializer_class = s.CommentReplySerializer

    @extend_schema(
        request=s.CommentUpdateInputSerializer,
        responses={200: s.CommentReplySerializer, 404: NOT_FOUND},
    )
    def patch(self, request, comment_id):
        comment = _comment(request, comment_id)
        data = _validated(s.CommentUpdateInputSerializer, request.data)
        comment = comment_update(actor=request.user, comment=comment, body=data["body"])
        reaction_summary_attach([comment], user=request.user)
        return Response(s.CommentReplySerializer(comment).data)

    @extend_schema(responses={204: NO_CONTENT, 404: NOT_FOUND})
    def delete(self, request, comment_id):
        comment_delete(actor=request.user, comment=_comment(request, comment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostReactionView(CommunitiesAPIView):
    """Toggle a reaction of one kind on a post."""

    serializer_class = s.ReactionOutputSerializer

    @extend_schema(
        request=s.ReactionInputSerializer,
        responses={200: s.ReactionOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, post_id):
        post = _post(request, post_id)
        kind = _validated(s.ReactionInputSerializer, request.data)["kind"]
        reacted = reaction_toggle(user=request.user, kind=kind, post=post)
        return Response({"kind": kind, "reacted": reacted})


class CommentReactionView(CommunitiesAPIView):
    """Toggle a reaction of one kind on a comment."""

    serializer_class = s.ReactionOutputSerializer

    @extend_schema(
        request=s.ReactionInputSerializer,
        responses={200: s.ReactionOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, comment_id):
        comment = _comment(request, comment_id)
        kind = _validated(s.ReactionInputSerializer, request.data)["kind"]
        reacted = reaction_toggle(user=request.user, kind=kind, comment=comment)
        return Response({"kind": kind, "reacted": reacted})


class PollVoteView(CommunitiesAPIView):
    """Vote in the poll of a post, once."""

    serializer_class = s.PollVoteOutputSerializer

    @extend_schema(
        request=s.PollVoteInputSerializer,
        responses={201: s.PollVoteOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, post_id):
        post = _post(request, post_id)
        poll = getattr(post, "poll", None) if post.kind == Post.Kind.POLL else None
        if poll is None:
            raise NotFound(_("This post has no poll."))
        data = _validated(s.PollVoteInputSerializer, request.data)
        poll_vote(voter=request.user, poll=poll, option_ids=data["option_ids"])
        return Response({"results": poll_results(poll=poll)}, status=status.HTTP_201_CREATED)


class RsvpView(CommunitiesAPIView):
    """Answer an event: yes, maybe or no. A “yes” to a full event joins the waiting list."""

    serializer_class = s.RsvpOutputSerializer

    @extend_schema(
        request=s.RsvpInputSerializer, responses={200: s.RsvpOutputSerializer, 404: NOT_FOUND}
    )
    def post(self, request, post_id):
        post = _post(request, post_id)
        event = getattr(post, "event", None) if post.kind == Post.Kind.EVENT else None
        if event is None:
            raise NotFound(_("This post is not an event."))
        data = _validated(s.RsvpInputSerializer, request.data)
        rsvp = rsvp_set(user=request.user, event=event, answer=data["answer"])
        if rsvp.is_waitlisted:
            detail = _("The event is full: you are on the waiting list.")
        else:
            detail = _("Your answer is saved.")
        return Response(
            {
                "answer": rsvp.answer,
                "is_waitlisted": rsvp.is_waitlisted,
                "detail": detail,
                "attendance": event_attendance(event=event),
            }
        )


class AcceptAnswerView(CommunitiesAPIView):
    """Mark a comment as the accepted answer to a question (POST) or withdraw it (DELETE)."""

    serializer_class = s.PostOutputSerializer

    @extend_schema(
        request=s.AcceptAnswerInputSerializer,
        responses={200: s.PostOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, post_id):
        post = _post(request, post_id)
        data = _validated(s.AcceptAnswerInputSerializer, request.data)
        comment = post.comments.filter(pk=data["comment_id"]).first()
        if comment is None:
            message = _("This comment does not exist on this post.")
            raise ValidationError(message, field_errors={"comment_id": [message]})
        answer_accept(actor=request.user, post=post, comment=comment)
        return Response(s.PostOutputSerializer(_post(request, post_id)).data)

    @extend_schema(request=None, responses={200: s.PostOutputSerializer, 404: NOT_FOUND})
    def delete(self, request, post_id):
        answer_unaccept(actor=request.user, post=_post(request, post_id))
        return Response(s.PostOutputSerializer(_post(request, post_id)).data)


# Moderation -----------------------------------------------------------------------------


class PostFlagView(CommunitiesAPIView):
    """Report a post to the community's moderators."""

    serializer_class = s.FlagOutputSerializer

    @extend_schema(
        request=s.FlagInputSerializer, responses={201: s.FlagOutputSerializer, 404: NOT_FOUND}
    )
    def post(self, request, post_id):
        post = _post(request, post_id)
        data = _validated(s.FlagInputSerializer, request.data)
        flag = flag_create(reporter=request.user, post=post, **data)
        return Response(s.FlagOutputSerializer(flag).data, status=status.HTTP_201_CREATED)


class CommentFlagView(CommunitiesAPIView):
    """Report a comment to the community's moderators."""

    serializer_class = s.FlagOutputSerializer

    @extend_schema(
        request=s.FlagInputSerializer, responses={201: s.FlagOutputSerializer, 404: NOT_FOUND}
    )
    def post(self, request, comment_id):
        comment = _comment(request, comment_id)
        data = _validated(s.FlagInputSerializer, request.data)
        flag = flag_create(reporter=request.user, comment=comment, **data)
        return Response(s.FlagOutputSerializer(flag).data, status=status.HTTP_201_CREATED)


class ModerationQueueView(CommunitiesAPIView):
    """Open reports in the communities the asking member moderates."""

    queryset = Flag.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.ModerationFlagSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("community", str, description="Only this community (its slug).")
        ],
        responses=s.ModerationFlagSerializer(many=True),
    )
    def get(self, request):
        slug = request.query_params.get("community")
        community = _community(request, slug) if slug else None
        flags = moderation_queue(user=request.user, community=community)
        page = self.paginate_queryset(flags)
        return self.get_paginated_response(s.ModerationFlagSerializer(page, many=True).data)


class FlagResolveView(CommunitiesAPIView):
    """Resolve a report: hide or restore the content, or dismiss the report."""

    serializer_class = s.FlagOutputSerializer

    @extend_schema(
        request=s.FlagResolveInputSerializer,
        responses={200: s.FlagOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, flag_id):
        flag = Flag.objects.select_related("community", "reporter").filter(pk=flag_id).first()
        if flag is None or not permissions.can_see(request.user, flag.community):
            raise NotFound(_("This report does not exist."))
        data = _validated(s.FlagResolveInputSerializer, request.data)
        flag = flag_resolve(actor=request.user, flag=flag, action=data["action"])
        return Response(s.FlagOutputSerializer(flag).data)


# Topics ---------------------------------------------------------------------------------


class TopicListView(CommunitiesAPIView):
    """#topics, searchable by name."""

    queryset = Topic.objects.none()  # for the schema; a selector answers requests
    serializer_class = s.TopicOutputSerializer

    @extend_schema(
        parameters=[s.TopicListQuerySerializer], responses=s.TopicOutputSerializer(many=True)
    )
    def get(self, request):
        search = _validated(s.TopicListQuerySerializer, request.query_params).get("search")
        page = self.paginate_queryset(topic_list(search=search, user=request.user))
        return self.get_paginated_response(s.TopicOutputSerializer(page, many=True).data)


# Files -----------------------------------------------------------------------------------

FILE_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.BINARY, description=_("The file, with its content type.")
)


class AttachmentFileView(CommunitiesAPIView):
    """Download an attachment (404 unless the member may read what it is attached to)."""

    @extend_schema(responses={(200, "*/*"): FILE_RESPONSE, 404: NOT_FOUND})
    def get(self, request, attachment_id):
        attachment = attachment_get_for(user=request.user, attachment_id=attachment_id)
        return attachment_response(attachment)


class AttachmentThumbnailView(CommunitiesAPIView):
    """Download the thumbnail of an image attachment."""

    @extend_schema(responses={(200, "*/*"): FILE_RESPONSE, 404: NOT_FOUND})
    def get(self, request, attachment_id):
        attachment = attachment_get_for(user=request.user, attachment_id=attachment_id)
        return attachment_response(attachment, thumbnail=True)


class CommunityCoverView(CommunitiesAPIView):
    """Download a community's cover image (404 unless the member may see the community)."""

    @extend_schema(responses={(200, "*/*"): FILE_RESPONSE, 404: NOT_FOUND})
    def get(self, request, slug):
        community = community_get_for(user=request.user, slug=slug)
        return stored_file_response(
            community.cover_image, content_type=None, download_name=f"{community.slug}-cover"
        )
