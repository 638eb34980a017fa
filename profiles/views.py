"""Browser views for people: home, directory, profiles, follows, kudos, badges, leaderboards.

Thin, like the communities views: a form parses, a selector reads (already scoped to what
the viewer may see), a service writes; a refusal (:class:`config.errors.DomainError`) is
shown on the form or as a message, never as a 500. A member's contributions and
communities are filtered by the VIEWER's visibility, so a profile never leaks a secret
community. Reputation and leaderboards are shown only while public recognition is on
(``CERCLE_PUBLIC_RECOGNITION``).
"""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.files import stored_file_response
from communities.forms import add_domain_error
from communities.selectors import community_list_for_member, post_stream_for
from communities.selectors.communities import community_get_for
from communities.selectors.posts import post_get_for
from communities.views import _render_tab, form_status, is_htmx, member_view
from config.errors import DomainError
from metrics.participation import activity_summary, period_parse
from profiles import forms
from profiles.models import Badge, BadgeAward, Kudos, TopicFollow, User
from profiles.recognition.kudos import kudos_give
from profiles.recognition.reputation import leaderboard, reputation_for
from profiles.recognition.selectors import kudos_list
from profiles.recognition.timeline import contribution_timeline
from profiles.selectors import (
    connection_path,
    experts_for,
    people_you_may_know,
    profile_communities,
    profile_contributions,
    profile_get,
    profile_list,
    topics_followed,
)
from profiles.services import (
    follow_create,
    follow_delete,
    topic_follow,
    topic_unfollow,
    user_avatar_remove,
    user_avatar_set,
    user_profile_update,
)

PEOPLE_PAGE_SIZE = 24


def home(request):
    """The member's home: their communities and the latest conversations they may read."""
    if not request.user.is_authenticated:
        return render(request, "home_anonymous.html")
    context = {
        "my_communities": community_list_for_member(user=request.user),
        "stream": post_stream_for(user=request.user)[:20],
    }
    return render(request, "home.html", context)


# --- Helpers ----------------------------------------------------------------------------


def _local_time(user: User) -> datetime | None:
    try:
        return timezone.now().astimezone(ZoneInfo(user.time_zone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _kudos_form(request: HttpRequest, *, data=None, initial=None) -> forms.KudosForm:
    return forms.KudosForm(
        data,
        initial=initial,
        recipients=User.objects.filter(is_active=True).exclude(pk=request.user.pk),
        communities=community_list_for_member(user=request.user),
    )


def _kudos_received(viewer, user: User, limit: int = 10) -> list[Kudos]:
    """Kudos ``user`` received, not hidden, and not shared in a community the viewer may
    not read (the same rule as the timeline)."""
    received = list(kudos_list(viewer=viewer, recipient_id=user.pk)[:limit])
    for kudos in received:
        kudos.value_label = forms.kudos_value_label(kudos.value)
    return received


def _badges_of(user: User) -> list[BadgeAward]:
    return list(
        BadgeAward.objects.filter(user=user)
        .select_related("badge")
        .order_by("badge__name", "level")
    )


def _reputation(user: User, *, is_me: bool):
    """The score and its breakdown: public while public recognition is on; otherwise
    shown to the member alone, so they still understand it."""
    if not (settings.CERCLE_PUBLIC_RECOGNITION or is_me):
        return None
    return reputation_for(user=user)


# --- Directory and experts ----------------------------------------------------------------


@member_view
def people_directory(request: HttpRequest) -> HttpResponse:
    """Everyone in the organisation, searchable by name and filtered by department,
    skill, interest and location; plus people the member may want to know."""
    form = forms.PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = profile_list(
        viewer=request.user,
        search=filters.get("q") or None,
        department=filters.get("department") or None,
        skill=filters.get("skill") or None,
        interest=filters.get("interest") or None,
        location=filters.get("location") or None,
    )
    page = Paginator(people, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "people": page.object_list}
    if is_htmx(request) and request.headers.get("HX-Target") == "people-results":
        return render(request, "profiles/partials/people_results.html", context)
    context["suggestions"] = people_you_may_know(viewer=request.user, limit=5)
    return render(request, "profiles/directory.html", context)


@member_view
def experts_search(request: HttpRequest) -> HttpResponse:
    """Expert finder: members ranked for a topic by declared skills, accepted answers and
    kudos mentioning it."""
    form = forms.ExpertSearchForm(request.GET or None)
    experts = None
    following = False
    if form.is_valid():
        topic = form.cleaned_data["topic"]
        experts = experts_for(viewer=request.user, topic=topic, limit=20)
        following = TopicFollow.objects.filter(
            user=request.user, topic__name__iexact=topic
        ).exists()
    return render(
        request,
        "profiles/experts.html",
        {"form": form, "experts": experts, "following": following},
        status=form_status(form),
    )


@member_view
def post_experts(request: HttpRequest, post_id: int) -> HttpResponse:
    """ "People who may know": the experts for a question the member may read (a fragment
    loaded by the question page, or a small page of its own without JavaScript)."""
    post = post_get_for(user=request.user, post_id=post_id)
    experts = [
        expert
        for expert in experts_for(viewer=request.user, post=post, limit=6)
        if expert[0].pk != post.author_id
    ][:5]
    template = (
        "profiles/partials/post_experts.html" if is_htmx(request) else "profiles/post_experts.html"
    )
    return render(request, template, {"post": post, "experts": experts})


# --- Profile page -------------------------------------------------------------------------

#: The periods of "Your activity" on a member's own profile.
OWN_ACTIVITY_PERIODS = ("4w", "13w")


def _own_activity(user: User) -> list[dict]:
    """What the member gave and received over the last 4 and 13 weeks, for their own
    profile only (never a profile type): one row per figure, one column per period."""
    today = timezone.now().date()
    summaries = [
        activity_summary(user_id=user.pk, period=period_parse(name, today=today))
        for name in OWN_ACTIVITY_PERIODS
    ]
    rows = [
        ("given", "posts", _("Posts (questions included)")),
        ("given", "replies_to_others", _("Replies to colleagues")),
        ("given", "reactions", _("Reactions given")),
        ("given", "kudos", _("Kudos given")),
        ("given", "answers_accepted", _("Your answers accepted")),
        ("received", "replies", _("Replies received")),
        ("received", "reactions", _("Reactions received")),
        ("received", "kudos", _("Kudos received")),
        ("received", "accepted_answers", _("Answers you accepted")),
    ]
    table = []
    for side, name, label in rows:
        values = [getattr(summary, side)[name] for summary in summaries]
        table.append({"side": side, "label": label, "values": values})
    reads = [summary.reads for summary in summaries]
    table.append({"side": "reads", "label": _("Posts read"), "values": reads})
    return table


def _profile_context(request: HttpRequest, person: User, kudos_form=None) -> dict:

    viewer = request.user
    is_me = viewer.pk == person.pk
    return {
        "person": person,
        "is_me": is_me,
        "local_time": _local_time(person),
        "communities": list(profile_communities(viewer=viewer, user=person)),
        "contributions": [
            _contribution_row(item)
            for item in profile_contributions(viewer=viewer, user=person, limit=10)
        ],
        "badges": _badges_of(person),
        "kudos_received": _kudos_received(viewer, person),
        "reputation": _reputation(person, is_me=is_me),
        "public_recognition": settings.CERCLE_PUBLIC_RECOGNITION,
        "path": None if is_me else connection_path(viewer=viewer, target=person),
        "is_following": bool(getattr(person, "is_followed", False)),
        "follower_count": getattr(person, "follower_count", 0),
        "kudos_form": None
        if is_me
        else (kudos_form or _kudos_form(request, initial={"recipients": [person.pk]})),
        "own_activity": _own_activity(person) if is_me else None,
    }


@member_view
def profile_detail(request: HttpRequest, user_id: int) -> HttpResponse:

    person = profile_get(viewer=request.user, user_id=user_id)
    return render(request, "profiles/profile.html", _profile_context(request, person))


@member_view
def profile_avatar(request: HttpRequest, user_id: int) -> HttpResponse:
    """A member's photo, for logged-in colleagues (404 when there is none)."""
    person = profile_get(viewer=request.user, user_id=user_id)
    return stored_file_response(person.avatar, content_type=None, download_name=f"avatar-{user_id}")


@member_view
def profile_timeline(request: HttpRequest, user_id: int) -> HttpResponse:
    """Contribution history: posts, accepted answers, kudos and badges, newest first."""
    person = profile_get(viewer=request.user, user_id=user_id)
    items = [
        _timeline_row(item)
        for item in contribution_timeline(viewer=request.user, user=person, limit=50)
    ]
    return render(
        request,
        "profiles/timeline.html",
        {"person": person, "items": items, "is_me": person.pk == request.user.pk},
    )


@member_view
def profile_edit(request: HttpRequest) -> HttpResponse:
    """The member edits their own profile; the photo is checked and resized by the service.
    Everything is saved together or not at all."""
    user = request.user
    initial = {
        "display_name": user.display_name,
        "job_title": user.job_title,
        "department": user.department,
        "location": user.location,
        "time_zone": user.time_zone,
        "bio": user.bio,
        "skills": ", ".join(skill.name for skill in user.skills.all()),
        "interests": ", ".join(interest.name for interest in user.interests.all()),
        "languages": ", ".join(user.languages or []),
        "show_in_leaderboards": user.show_in_leaderboards,
    }
    form = forms.ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            name: data[name]
            for name in (
                "display_name",
                "job_title",
                "department",
                "location",
                "time_zone",
                "bio",
                "languages",
                "skills",
                "interests",
                "show_in_leaderboards",
            )
        }
        try:
            with transaction.atomic():
                user_profile_update(user=user, **changes)
                if data["avatar"]:
                    user_avatar_set(user=user, upload=data["avatar"])
                elif data["remove_avatar"] and user.avatar:
                    user_avatar_remove(user=user)
        except DomainError as error:
            user.refresh_from_db()
            add_domain_error(form, error, {"upload": "avatar"})
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profiles:detail", user_id=user.pk)
    return render(request, "profiles/profile_edit.html", {"form": form}, status=form_status(form))


# --- Follows ----------------------------------------------------------------------------


@require_POST
@member_view
def follow_toggle(request: HttpRequest, user_id: int) -> HttpResponse:
    """Follow or unfollow a colleague (``action`` = follow | unfollow). htmx swaps the
    button in place; without JavaScript the member is sent back to the profile."""
    person = profile_get(viewer=request.user, user_id=user_id)
    action = request.POST.get("action")
    if action not in ("follow", "unfollow"):
        raise Http404
    error = notice = None
    try:
        if action == "follow":
            follow_create(follower=request.user, followed=person)
            notice = _("You now follow %(name)s.") % {"name": person}
        else:
            follow_delete(follower=request.user, followed=person)
            notice = _("You no longer follow %(name)s.") % {"name": person}
    except DomainError as refusal:
        error = refusal.message
    if is_htmx(request):
        person = profile_get(viewer=request.user, user_id=user_id)
        return render(
            request,
            "profiles/partials/follow_button.html",
            {
                "person": person,
                "is_following": person.is_followed,
                "follower_count": person.follower_count,
                "error": error,
                "notice": notice,
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("profiles:detail", user_id=person.pk)


@require_POST
@member_view
def topic_follow_toggle(request: HttpRequest, name: str) -> HttpResponse:
    """Follow or unfollow a #topic (``action`` = follow | unfollow)."""
    action = request.POST.get("action")
    if action not in ("follow", "unfollow"):
        raise Http404
    error = None
    try:
        if action == "follow":
            topic_follow(user=request.user, topic_name=name)
        else:
            topic_unfollow(user=request.user, topic_name=name)
    except DomainError as refusal:
        error = refusal.message
    following = TopicFollow.objects.filter(user=request.user, topic__name__iexact=name).exists()
    if is_htmx(request):
        return render(
            request,
            "profiles/partials/topic_follow.html",
            {"topic_name": name, "following": following, "error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    elif following:
        messages.success(request, _("You now follow #%(topic)s.") % {"topic": name})
    else:
        messages.success(request, _("You no longer follow #%(topic)s.") % {"topic": name})
    return redirect(reverse("communities:directory") + f"?topic={name}")


@member_view
def topics_followed_view(request: HttpRequest) -> HttpResponse:
    """The topics the member follows, with a way to follow a new one."""
    topics = topics_followed(user=request.user)
    return render(request, "profiles/topics.html", {"topics": topics})


# --- Kudos -------------------------------------------------------------------------------


@member_view
def kudos_give_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Give kudos to this colleague (and others at once). The daily cap, "not to
    yourself" and sharing rules are the service's; its refusal is shown on the form."""
    person = profile_get(viewer=request.user, user_id=user_id)
    if request.method != "POST":
        form = _kudos_form(request, initial={"recipients": [person.pk]})
        return render(request, "profiles/kudos_form.html", {"person": person, "kudos_form": form})
    form = _kudos_form(request, data=request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            kudos_give(
                giver=request.user,
                recipients=list(data["recipients"]),
                value=data["value"],
                message=data["message"],
                community=data["community"],
            )
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status_code
        else:
            names = ", ".join(str(recipient) for recipient in data["recipients"])
            notice = _("Kudos sent to %(names)s. Thank you for recognising them!") % {
                "names": names
            }
            if is_htmx(request):
                return render(
                    request,
                    "profiles/partials/kudos_form.html",
                    {
                        "person": person,
                        "kudos_form": _kudos_form(request, initial={"recipients": [person.pk]}),
                        "notice": notice,
                    },
                )
            messages.success(request, notice)
            return redirect(reverse("profiles:detail", args=[person.pk]) + "#kudos")
    else:
        status = 400
    template = (
        "profiles/partials/kudos_form.html" if is_htmx(request) else "profiles/kudos_form.html"
    )
    return render(request, template, {"person": person, "kudos_form": form}, status=status)


# --- Badges and leaderboards --------------------------------------------------------------


@member_view
def badge_list(request: HttpRequest) -> HttpResponse:
    """Every badge, what earns it, and who holds it (active members, highest level)."""
    awards = BadgeAward.objects.filter(user__is_active=True).select_related("user")
    badges = Badge.objects.order_by("name").prefetch_related(
        Prefetch("awards", queryset=awards.order_by("-level", "user__display_name"))
    )
    rows = []
    for badge in badges:
        holders: dict[int, BadgeAward] = {}
        for award in badge.awards.all():
            holders.setdefault(award.user_id, award)
        rows.append({"badge": badge, "holders": list(holders.values())})
    return render(request, "profiles/badges.html", {"rows": rows})


@member_view
def community_leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's top contributors by reputation; explains why it is hidden when it
    is (public recognition off, too few members, or content the member may not read)."""
    community = community_get_for(user=request.user, slug=slug)
    board = leaderboard(viewer=request.user, community=community)
    return _render_tab(
        request,
        "profiles/leaderboard_tab.html",
        community,
        "leaderboard",
        {"entries": board["entries"], "hidden_reason": board["reason"]},
    )


# --- Display rows -------------------------------------------------------------------------


def _contribution_row(item) -> dict:
    """A profile contribution (a selector Contribution) as the templates show it."""
    labels = {
        "post": _("Post"),
        "comment": _("Reply"),
        "accepted_answer": _("Accepted answer"),
    }
    url = reverse("communities:post", args=[item.post.pk])
    if item.comment is not None:
        url += f"#comment-{item.comment.pk}"
    return {
        "kind": item.kind,
        "label": labels.get(item.kind, item.kind),
        "title": item.post.title,
        "url": url,
        "when": item.created_at,
        "community": item.post.community.name,
    }


def _timeline_row(item: dict) -> dict:
    """A timeline item (``{"kind", "at", "object", "community"}``) for the templates."""
    kind, target = item["kind"], item["object"]
    row = {
        "kind": kind,
        "when": item["at"],
        "community": item["community"].name if item["community"] else "",
        "url": "",
    }
    if kind == "post":
        row.update(
            label=_("Post"), title=target.title, url=reverse("communities:post", args=[target.pk])
        )
    elif kind == "accepted_answer":
        row.update(
            label=_("Accepted answer"),
            title=target.post.title,
            url=reverse("communities:post", args=[target.post_id]) + f"#comment-{target.pk}",
        )
    elif kind == "kudos_received":
        row.update(
            label=_("Kudos received"),
            title=_("%(value)s from %(giver)s: %(message)s")
            % {
                "value": forms.kudos_value_label(target.value),
                "giver": target.giver,
                "message": target.message,
            },
        )
    elif kind == "kudos_given":
        row.update(
            label=_("Kudos given"),
            title=_("%(value)s to %(names)s: %(message)s")
            % {
                "value": forms.kudos_value_label(target.value),
                "names": ", ".join(str(person) for person in target.recipients.all()),
                "message": target.message,
            },
        )
    elif kind == "badge":
        title = str(target.badge.name)
        if target.level > 1:
            title = _("%(badge)s, level %(level)d") % {"badge": title, "level": target.level}
        row.update(
            label=_("Badge"),
            title=title,
            url=reverse("profiles:badges") + f"#badge-{target.badge.code}",
        )
    else:
        row.update(label=kind, title=str(target))
    return row
