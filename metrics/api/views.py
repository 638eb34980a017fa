"""The metrics API: participation figures and profile types for community managers, and
each member's own activity summary.

Who may see what: a community's figures and its members' types are for its managers
(owners and community managers) and superusers; organisation-wide ones for superusers.
A member never sees a profile type, their own included: what they get is their own
activity (:class:`ActivityMeView`). A community that the asking member may not see
(secret), or that does not exist, answers 404 naming ``community``; a member asking for
managers' data 403.

``CERCLE_PROFILE_TYPES=false`` turns labelling off: ``by=profile_type`` answers 400 on
``by`` and participation falls back to plain figures; a member's profile type answers
404 (there is no such resource while labelling is off), with code
``profile_types_disabled``.
"""

from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.response import Response

from communities.api.views import ID_MAX, CommunitiesAPIView, _validated
from communities.models import Community, Membership
from communities.permissions import can_manage
from communities.selectors.communities import community_get_for
from config.errors import NotFound, PermissionDenied, ValidationError
from metrics.api import serializers as s
from metrics.participation import (
    Period,
    activity_summary,
    participation_by_type,
    participation_plain,
    profile_type_state,
)
from metrics.profile_labels import (
    OverrideRefused,
    ProfileTypesDisabled,
    profile_type_override,
    profile_types_enabled,
)
from metrics.profile_types import ProfileType, reasons_text
from profiles.models import User


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=s.ErrorOutputSerializer, description=description)


BAD_INPUT = _error("Invalid input: the field in error is named, with its messages.")
FORBIDDEN = _error("Managers' data: the asking member does not manage this scope.")
NOT_FOUND = _error("Unknown community (or secret to the asking member), or unknown member.")


def _scope(request, slug: str | None, *, refused: str) -> Community | None:
    """The community at ``slug`` (None: the organisation) when the asking member may see
    its managers' data; NotFound (on ``community``) or PermissionDenied otherwise."""
    user = request.user
    if not slug:
        if not user.is_superuser:
            raise PermissionDenied(
                _("Organisation-wide figures are for superusers: name a community you manage.")
            )
        return None
    try:
        community = community_get_for(user=user, slug=slug)
    except NotFound:
        message = _("No community “%(slug)s” that you can see.") % {"slug": slug}
        raise NotFound(message, field_errors={"community": [message]}) from None
    if not can_manage(user, community):
        raise PermissionDenied(refused)
    return community


def _period(period: Period) -> dict:
    return {"first": period.first, "last": period.last, "name": period.name}


# Participation ---------------------------------------------------------------------------

PARTICIPATION = PolymorphicProxySerializer(
    component_name="Participation",
    serializers=[s.ParticipationByTypeSerializer, s.ParticipationPlainSerializer],
    resource_type_field_name=None,
)


class ParticipationView(CommunitiesAPIView):
    """Participation in a community (its managers) or in the organisation (superusers)
    over a period: by profile type (``by=profile_type``, from the weekly figures; small
    groups hidden organisation-wide) or plain (``by=none``, from the daily rollups)."""

    @extend_schema(
        parameters=[s.ParticipationQuerySerializer],
        responses={200: PARTICIPATION, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request):
        query = _validated(s.ParticipationQuerySerializer, request.query_params)
        labelling = profile_types_enabled()
        by = query.get("by") or (
            s.ParticipationQuerySerializer.BY_PROFILE_TYPE
            if labelling
            else s.ParticipationQuerySerializer.BY_NONE
        )
        if by == s.ParticipationQuerySerializer.BY_PROFILE_TYPE and not labelling:
            message = _(
                "Profile types are turned off in this organisation: use by=none for plain "
                "participation figures."
            )
            raise ValidationError(message, field_errors={"by": [message]})
        community = _scope(
            request,
            query.get("community"),
            refused=_("Only the community's managers see its participation figures."),
        )
        community_id = community.pk if community is not None else None
        slug = community.slug if community is not None else None
        period = query["period"]
        if by == s.ParticipationQuerySerializer.BY_PROFILE_TYPE:
            result = participation_by_type(community_id=community_id, period=period)
            data = s.ParticipationByTypeSerializer(
                {
                    "by": by,
                    "community": slug,
                    "period": _period(period),
                    "evaluated_on": result.evaluated_on,
                    "members": result.members,
                    "types": [asdict(row) for row in result.types],
                }
            ).data
        else:
            result = participation_plain(community_id=community_id, period=period)
            data = s.ParticipationPlainSerializer(
                {
                    "by": by,
                    "community": slug,
                    "period": _period(period),
                    "active_members": result.active_members,
                    "content": result.content,
                    "new_members": result.new_members,
                    "weeks": result.weeks,
                }
            ).data
        return Response(data)


# A member's profile type ----------------------------------------------------------------


def _member(community: Community | None, user_id: int, asker) -> User:
    """The member judged: in a community, one of its active members (superusers may
    also look at former ones, whose labels remain)."""
    message = _("No such member in this community.") if community else _("No such member.")
    if user_id > ID_MAX:
        raise NotFound(message)
    if community is not None and not asker.is_superuser:
        membership = (
            Membership.objects.select_related("user")
            .filter(community=community, user_id=user_id, status=Membership.Status.ACTIVE)
            .first()
        )
        if membership is None:
            raise NotFound(message)
        return membership.user
    member = User.objects.filter(pk=user_id).first()
    if member is None:
        raise NotFound(message)
    return member


def _labelling_on() -> None:
    if not profile_types_enabled():
        raise NotFound(
            _("Profile types are turned off in this organisation."),
            code="profile_types_disabled",
        )


def _profile_type_data(member: User, community: Community | None) -> dict:
    state = profile_type_state(
        user_id=member.pk, community_id=community.pk if community is not None else None
    )
    label, override = state.label, state.override
    return s.ProfileTypeOutputSerializer(
        {
            "member": {"id": member.pk, "display_name": str(member)},
            "community": community.slug if community is not None else None,
            "type": state.type,
            "label": str(ProfileType(state.type).label) if state.type else None,
            "computed_type": label.computed_type if label else None,
            "since": label.since if label else None,
            "evaluated_on": label.week if label else None,
            "reasons": reasons_text(label.reasons) if label else [],
            "history": [{"week": row.week, "type": row.type} for row in state.history],
            "override": None
            if override is None
            else {
                "type": override.type,
                "reason": override.reason,
                "author": str(override.author) if override.author else None,
                "created_at": override.created_at,
            },
        }
    ).data


class MemberProfileTypeView(CommunitiesAPIView):
    """A member's profile type in a community (``community``; its managers, the member
    being one of its members) or organisation-wide (superusers): the type managers see,
    what the rules computed, since when, why, the last weeks and the open override.
    POST sets an override with a reason."""

    def _lookup(self, request, user_id: int) -> tuple[Community | None, User]:
        query = _validated(s.ProfileTypeQuerySerializer, request.query_params)
        community = _scope(
            request,
            query.get("community"),
            refused=_("Only the community's managers see its members' profile types."),
        )
        member = _member(community, user_id, request.user)
        _labelling_on()
        return community, member

    @extend_schema(
        parameters=[s.ProfileTypeQuerySerializer],
        responses={
            200: s.ProfileTypeOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request, user_id):
        community, member = self._lookup(request, user_id)
        return Response(_profile_type_data(member, community))

    @extend_schema(
        parameters=[s.ProfileTypeQuerySerializer],
        request=s.ProfileTypeOverrideInputSerializer,
        responses={
            201: s.ProfileTypeOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, user_id):
        community, member = self._lookup(request, user_id)
        data = _validated(s.ProfileTypeOverrideInputSerializer, request.data)
        try:
            profile_type_override(
                author=request.user,
                user=member,
                community=community,
                type=data["type"],
                reason=data["reason"],
            )
        except OverrideRefused as refused:
            raise ValidationError(
                refused.message, field_errors={refused.field: [refused.message]}
            ) from None
        except ProfileTypesDisabled:
            _labelling_on()
            raise
        return Response(_profile_type_data(member, community), status=status.HTTP_201_CREATED)


# The asking member's own activity --------------------------------------------------------


class ActivityMeView(CommunitiesAPIView):
    """What the asking member gave and received over a period, with their reads and
    visits week by week. Any member, about themselves only; never a profile type."""

    @extend_schema(
        parameters=[s.PeriodQuerySerializer],
        responses={200: s.ActivitySummarySerializer, 400: BAD_INPUT},
    )
    def get(self, request):
        query = _validated(s.PeriodQuerySerializer, request.query_params)
        summary = activity_summary(user_id=request.user.pk, period=query["period"])
        return Response(
            s.ActivitySummarySerializer(
                {
                    "period": _period(summary.period),
                    "given": summary.given,
                    "received": summary.received,
                    "reads": summary.reads,
                    "visits": summary.visits,
                    "active_days": summary.active_days,
                    "weeks": summary.weeks,
                }
            ).data
        )
