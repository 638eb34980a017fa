"""Browser views for communities and conversations.

Thin by design: a form parses the request, a selector reads (already scoped by the one
visibility rule), a service writes. A service's :class:`config.errors.DomainError` is
shown to the member as a form error or a message, never as a 500. A community the
member may not see answers 404 on every page (secret communities do not exist for
non-members); a refused action answers 403.

htmx requests (``HX-Request``) get the fragment they swap in place of the full page:
reactions, poll, RSVP, comments, the markdown preview and directory results.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from communities import forms
from communities.files import attachment_response, stored_file_response
from communities.markdown import render_markdown
from communities.models import Comment, Community, Membership, Post, Rsvp
from communities.permissions import can_moderate
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
    community_stream,
    event_attendance,
    moderation_queue,
    poll_results,
    post_get_for,
    post_list,
    reaction_summary_attach,
)
from communities.services.comments import (
    answer_accept,
    answer_unaccept,
    comment_create,
    comment_delete,
    comment_hide,
    comment_restore,
    comment_update,
)
from communities.services.communities import community_create, community_update
from communities.services.elections import election_vote
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
from communities.services.posts import (
    post_create,
    post_delete,
    post_hide,
    post_read,
    post_restore,
    post_update,
)
from communities.services.reactions import reaction_toggle
from config.errors import DomainError, NotFound
from config.errors import PermissionDenied as DomainPermissionDenied

STREAM_PAGE_SIZE = 20
DIRECTORY_PAGE_SIZE = 30


# --- Plumbing -------------------------------------------------------------------------


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _fragment_or_redirect(
    request: HttpRequest, *, fragment, redirect_to: str, error=None, notice=None
) -> HttpResponse:
    """Answer an in-page action: htmx gets the updated fragment (``fragment()``, which
    shows the error or notice itself); a plain form post gets them as messages and a
    redirect back to the page."""
    if is_htmx(request):
        return fragment()
    if error:
        messages.error(request, error)
    if notice:
        messages.success(request, notice)
    return redirect(redirect_to)


def _safe_back(request: HttpRequest, fallback: str) -> str:
    """Where to send the member after an action: ``next``, else the page they came from."""
    for candidate in (request.POST.get("next"), request.headers.get("Referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


def member_view(view):
    """Log-in required, and the domain's lookup refusals become HTTP answers: NotFound ->
    404, PermissionDenied -> 403. Any other refusal that a view did not handle itself is
    shown as a message on the page the member came from, never as a 500."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        except DomainPermissionDenied as error:
            if request.method == "POST" and not is_htmx(request):
                messages.error(request, error.message)
                return redirect(_safe_back(request, reverse("communities:directory")))
            raise HttpPermissionDenied(error.message) from error
        except DomainError as error:
            if is_htmx(request):
                return render(
                    request,
                    "communities/partials/error.html",
                    {"message": error.message},
                    status=error.status_code,
                )
            messages.error(request, error.message)
            return redirect(_safe_back(request, reverse("communities:directory")))

    return wrapper


def _role_context(request: HttpRequest, community: Community) -> dict:
    """What the member may do in ``community``, from the annotations of
    ``community_get_for`` (no extra query)."""
    user = request.user
    role = getattr(community, "my_role", None)
    is_member = bool(getattr(community, "is_member", False))
    return {
        "community": community,
        "is_member": is_member,
        "my_role": role,
        "can_manage": user.is_superuser or (is_member and role in Membership.MANAGING_ROLES),
        "can_moderate": user.is_superuser or (is_member and role in Membership.MODERATING_ROLES),
        "can_read": is_member
        or user.is_superuser
        or community.visibility == Community.Visibility.PUBLIC,
    }


def _render_tab(request, template: str, community: Community, tab: str, context: dict):
    context = {**_role_context(request, community), "tab": tab, **context}
    return render(request, "communities/community_page.html", {**context, "tab_template": template})


# --- Directory and community pages ------------------------------------------------------


@member_view
def community_directory(request: HttpRequest) -> HttpResponse:
    """All the communities the member may know exist, with search and filters."""
    form = forms.CommunityDirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    communities = community_list(
        user=request.user,
        search=filters.get("q") or None,
        mine=bool(filters.get("mine")),
        visibility=filters.get("visibility") or None,
        topic=filters.get("topic") or None,
    )
    page = Paginator(communities, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "communities": page.object_list}
    if is_htmx(request) and request.headers.get("HX-Target") == "directory-results":
        return render(request, "communities/partials/directory_results.html", context)
    return render(request, "communities/directory.html", context)


@member_view
def community_stream_view(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    context: dict = {"page": None, "posts": [], "composer": None}
    roles = _role_context(request, community)
    if roles["can_read"]:
        posts = community_stream(user=request.user, community=community)
        page = Paginator(posts, STREAM_PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        # The page's posts with their reaction summary (one query for the whole page).
        context["posts"] = reaction_summary_attach(page.object_list, user=request.user)
    if roles["is_member"] and not community.is_archived:
        context["composer"] = forms.PostForm(can_announce=roles["can_manage"])
    return _render_tab(request, "communities/tabs/stream.html", community, "stream", context)


@member_view
def community_members_view(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    roles = _role_context(request, community)
    context: dict = {"members": None, "pending": None, "invite_form": None}
    try:
        context["members"] = list(community_members(user=request.user, community=community))
    except DomainPermissionDenied as error:
        context["members_refused"] = error.message
    if roles["can_manage"]:
        context["pending"] = list(
            membership_requests_pending(user=request.user, community=community)
        )
        context["role_choices"] = Membership.Role.choices
    if roles["is_member"]:
        context["invite_form"] = forms.InviteForm()
    return _render_tab(request, "communities/tabs/members.html", community, "members", context)


@member_view
def community_about(request: HttpRequest, slug: str) -> HttpResponse:
    """Description, rules of entry and the elections (open ones and their history)."""
    community = community_get_for(user=request.user, slug=slug)
    context: dict = {"request_form": forms.JoinRequestForm(), "elections": None}
    if _role_context(request, community)["can_read"]:
        context["elections"] = elections_for(user=request.user, community=community)[:10]
        context["now"] = timezone.now()
    return _render_tab(request, "communities/tabs/about.html", community, "about", context)


@require_POST
@member_view
def election_vote_view(request: HttpRequest, slug: str, election_id: int) -> HttpResponse:
    """A member's secret ballot; the tally is shown once the election is closed."""
    community = community_get_for(user=request.user, slug=slug)
    election = elections_for(user=request.user, community=community).filter(pk=election_id).first()
    if election is None:
        raise Http404
    form = forms.ElectionVoteForm(request.POST, election=election)
    if not form.is_valid():
        messages.error(request, _("Choose a candidate to vote."))
    else:
        try:
            election_vote(
                voter=request.user, election=election, candidate=form.cleaned_data["candidate"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your vote is recorded. It stays secret."))
    return redirect(
        reverse("communities:about", args=[community.slug]) + f"#election-{election.pk}"
    )


@member_view
def community_events(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    roles = _role_context(request, community)
    events = None
    if roles["can_read"]:
        events = post_list(user=request.user, community=community, kind=Post.Kind.EVENT)
        events = events.select_related("event").order_by("-event__starts_at")[:50]
    return _render_tab(
        request, "communities/tabs/events.html", community, "events", {"events": events}
    )


@member_view
def community_subgroups(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    subgroups = community_list(user=request.user).filter(parent=community)
    return _render_tab(
        request,
        "communities/tabs/subgroups.html",
        community,
        "subgroups",
        {"subgroups": subgroups},
    )


def _parent_choices(user):
    return community_list(user=user, mine=True)


@member_view
def community_create_view(request: HttpRequest) -> HttpResponse:
    parents = _parent_choices(request.user)
    form = forms.CommunityForm(request.POST or None, request.FILES or None, parents=parents)
    initial_parent = request.GET.get("parent")
    if request.method == "GET" and initial_parent:
        form.initial["parent"] = parents.filter(slug=initial_parent).first()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = community_create(
                creator=request.user,
                name=data["name"],
                description=data["description"],
                visibility=data["visibility"],
                join_policy=data["join_policy"],
                slug=data["slug"] or None,
                parent=data["parent"],
                cover_image=data["cover_image"],
            )
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("Community “%(name)s” created.") % {"name": community.name})
            return redirect("communities:detail", slug=community.slug)
    return render(
        request,
        "communities/community_form.html",
        {"form": form, "creating": True},
        status=form_status(form),
    )


def form_status(form) -> int:
    """Re-shown forms with errors answer 400 (the page is still a full page)."""
    return 400 if form.is_bound and form.errors else 200


@member_view
def community_edit(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    roles = _role_context(request, community)
    if not roles["can_manage"]:
        raise HttpPermissionDenied(_("Only the community's managers can change it."))
    # Keep the current parent selectable even if the manager is not a member of it.
    parents = (
        community_list(user=request.user)
        .filter(Q(is_member=True) | Q(pk=community.parent_id))
        .exclude(pk=community.pk)
    )
    initial = {
        "name": community.name,
        "slug": community.slug,
        "description": community.description,
        "visibility": community.visibility,
        "join_policy": community.join_policy,
        "parent": community.parent_id,
        "is_archived": community.is_archived,
    }
    form = forms.CommunityEditForm(
        request.POST or None, request.FILES or None, initial=initial, parents=parents
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "description": data["description"],
            "visibility": data["visibility"],
            "join_policy": data["join_policy"],
            "parent": data["parent"],
            "is_archived": data["is_archived"],
        }
        if data["slug"] and data["slug"] != community.slug:
            fields["slug"] = data["slug"]
        if data["cover_image"]:
            fields["cover_image"] = data["cover_image"]
        try:
            community = community_update(actor=request.user, community=community, **fields)
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("communities:about", slug=community.slug)
    return render(
        request,
        "communities/community_form.html",
        {**roles, "form": form, "creating": False},
        status=form_status(form),
    )


# --- Joining, leaving, inviting -------------------------------------------------------------


@require_POST
@member_view
def community_join(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    try:
        membership_join(user=request.user, community=community)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("communities:about", slug=community.slug)
    messages.success(request, _("Welcome to %(name)s!") % {"name": community.name})
    return redirect("communities:detail", slug=community.slug)


@require_POST
@member_view
def community_request(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    form = forms.JoinRequestForm(request.POST)
    if form.is_valid():
        try:
            membership_request(
                user=request.user, community=community, message=form.cleaned_data["message"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Your request to join %(name)s was sent to its managers.")
                % {"name": community.name},
            )
    else:
        messages.error(request, " ".join(form.errors.get("message", [])))
    return redirect("communities:about", slug=community.slug)


@require_POST
@member_view
def community_leave(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    try:
        membership_leave(user=request.user, community=community)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("communities:about", slug=community.slug)
    messages.success(request, _("You left %(name)s.") % {"name": community.name})
    if community.visibility == Community.Visibility.SECRET:
        return redirect("communities:directory")
    return redirect("communities:about", slug=community.slug)


@require_POST
@member_view
def community_invite(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        try:
            invitations = invitation_create(
                inviter=request.user, community=community, emails=form.cleaned_data["emails"]
            )
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            count = len(invitations)
            if count:
                messages.success(
                    request,
                    ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count)
                    % {"count": count},
                )
            else:
                messages.info(request, _("Everyone on the list is already a member or invited."))
            return redirect("communities:members", slug=community.slug)
    for error in [*form.non_field_errors(), *form.errors.get("emails", [])]:
        messages.error(request, error)
    return redirect("communities:members", slug=community.slug)


@member_view
def invitation_list(request: HttpRequest) -> HttpResponse:
    invitations = invitations_for(user=request.user)
    return render(request, "communities/invitations.html", {"invitations": invitations})


@require_POST
@member_view
def invitation_answer(request: HttpRequest, invitation_id: int, answer: str) -> HttpResponse:
    invitation = invitations_for(user=request.user).filter(pk=invitation_id).first()
    if invitation is None or answer not in ("accept", "decline"):
        raise Http404
    if answer == "accept":
        invitation_accept(user=request.user, invitation=invitation)
        messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.community.name})
        return redirect("communities:detail", slug=invitation.community.slug)
    invitation_decline(user=request.user, invitation=invitation)
    messages.info(request, _("Invitation declined."))
    return redirect("communities:invitations")


@require_POST
@member_view
def membership_request_decide(
    request: HttpRequest, slug: str, membership_id: int, decision: str
) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    membership = (
        membership_requests_pending(user=request.user, community=community)
        .filter(pk=membership_id)
        .select_related("user")
        .first()
    )
    if membership is None or decision not in ("approve", "decline"):
        raise Http404
    name = str(membership.user)
    if decision == "approve":
        membership_request_approve(actor=request.user, membership=membership)
        messages.success(request, _("%(name)s is now a member.") % {"name": name})
    else:
        membership_request_decline(actor=request.user, membership=membership)
        messages.info(request, _("Request from %(name)s declined.") % {"name": name})
    return redirect("communities:members", slug=community.slug)


@require_POST
@member_view
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    membership = (
        community_members(user=request.user, community=community)
        .filter(pk=membership_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    form = forms.RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
    else:
        try:
            membership_role_change(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {
                    "name": membership.user,
                    "role": Membership.Role(form.cleaned_data["role"]).label,
                },
            )
    return redirect("communities:members", slug=community.slug)


def _membership_of(community: Community, user_id: int) -> Membership:
    membership = (
        Membership.objects.filter(community=community, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


@require_POST
@member_view
def member_ban(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    membership = _membership_of(community, user_id)
    try:
        membership_ban(actor=request.user, membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s is banned from the community.") % {"name": membership.user}
        )
    return redirect(_safe_back(request, reverse("communities:members", args=[community.slug])))


@require_POST
@member_view
def member_unban(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    community = community_get_for(user=request.user, slug=slug)
    membership = _membership_of(community, user_id)
    try:
        membership_unban(actor=request.user, membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is no longer banned.") % {"name": membership.user})
    return redirect(_safe_back(request, reverse("communities:members", args=[community.slug])))


# --- Composer and markdown preview -----------------------------------------------------


@member_view
def post_compose(request: HttpRequest, slug: str) -> HttpResponse:
    """The composer as a page of its own (the stream tab embeds the same form)."""
    community = community_get_for(user=request.user, slug=slug)
    roles = _role_context(request, community)
    form = forms.PostForm(
        request.POST or None,
        request.FILES or None,
        can_announce=roles["can_manage"],
        initial={"kind": request.GET.get("kind", Post.Kind.DISCUSSION)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = post_create(
                author=request.user,
                community=community,
                title=data["title"],
                body=data["body"],
                kind=data["kind"],
                poll=form.poll_data(),
                event=form.event_data(),
                attachments=data["attachments"],
                requires_acknowledgement=form.acknowledgement_required(),
            )
        except DomainError as error:
            forms.add_domain_error(form, error, forms.PostForm.FIELD_MAP)
        else:
            messages.success(request, _("Your post is published."))
            stream = reverse("communities:detail", args=[community.slug])
            return redirect(f"{stream}#post-{post.pk}")
    return render(
        request,
        "communities/compose.html",
        {**roles, "form": form},
        status=form_status(form),
    )


@require_POST
@member_view
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The composer's live preview: the same rendering and sanitising as a saved post."""
    form = forms.MarkdownPreviewForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    return render(
        request, "communities/partials/preview.html", {"html": render_markdown(body), "body": body}
    )


# --- Post page ------------------------------------------------------------------------


def _post_for(request: HttpRequest, post_id: int) -> Post:
    return post_get_for(user=request.user, post_id=post_id)


def _post_context(request: HttpRequest, post: Post) -> dict:
    user = request.user
    moderator = can_moderate(user, post.community)
    context = {
        "post": post,
        "community": post.community,
        "can_moderate": moderator,
        "is_author": post.author_id == user.pk,
        "can_accept": post.kind == Post.Kind.QUESTION and (post.author_id == user.pk or moderator),
    }
    return context


def _poll_context(request: HttpRequest, post: Post, **extra) -> dict:
    poll = post.poll
    return {
        "post": post,
        "poll": poll,
        "results": poll_results(poll=poll),
        "has_voted": poll.ballots.filter(voter=request.user).exists(),
        "poll_closed": poll.closes_at is not None and poll.closes_at <= timezone.now(),
        **extra,
    }


def _event_context(request: HttpRequest, post: Post, **extra) -> dict:
    event = post.event
    attendance = event_attendance(event=event)
    my_rsvp = event.rsvps.filter(user=request.user).first()
    return {
        "post": post,
        "event": event,
        "attendance": attendance,
        "my_rsvp": my_rsvp,
        "answers": Rsvp.Answer.choices,
        **extra,
    }


@member_view
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    """A post with its comments; opening it counts as a read for the activity log."""
    post = _post_for(request, post_id)
    post_read(user=request.user, post=post)
    context = _post_context(request, post)
    context["comments"] = comments_for(user=request.user, post=post)
    context["comment_form"] = forms.CommentForm()
    if post.kind == Post.Kind.POLL and hasattr(post, "poll"):
        context.update(_poll_context(request, post))
    if post.kind == Post.Kind.EVENT and hasattr(post, "event"):
        context.update(_event_context(request, post))
    return render(request, "communities/post_detail.html", context)


@member_view
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_for(request, post_id)
    if post.author_id != request.user.pk:
        raise HttpPermissionDenied(_("Only the author can edit a post."))
    form = forms.PostEditForm(
        request.POST or None, initial={"title": post.title, "body": post.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            post_update(
                actor=request.user,
                post=post,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("Post updated."))
            return redirect("communities:post", post_id=post.pk)
    return render(
        request,
        "communities/post_edit.html",
        {"form": form, "post": post},
        status=form_status(form),
    )


@member_view
def post_delete_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_for(request, post_id)
    if request.method == "POST":
        slug = post.community.slug
        try:
            post_delete(actor=request.user, post=post)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("communities:post", post_id=post.pk)
        messages.success(request, _("Post deleted."))
        return redirect("communities:detail", slug=slug)
    return render(request, "communities/confirm_delete.html", {"object": post, "post": post})


def _reactions_response(
    request: HttpRequest, target, url: str, *, scope: str, error: str | None
) -> HttpResponse:
    """The reaction buttons of one post or comment, as the page shows them (same ids, so
    htmx keeps the keyboard focus on the pressed button)."""
    return render(
        request,
        "communities/partials/reactions.html",
        {"target": target, "react_url": url, "scope": scope, "error": error},
    )


@require_POST
@member_view
def post_react(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_for(request, post_id)
    form = forms.ReactionForm(request.POST)
    error = None
    if form.is_valid():
        try:
            reaction_toggle(user=request.user, kind=form.cleaned_data["kind"], post=post)
        except DomainError as refusal:
            error = refusal.message
    else:
        error = _("This reaction does not exist.")
    return _fragment_or_redirect(
        request,
        redirect_to=reverse("communities:post", args=[post.pk]),
        error=error,
        fragment=lambda: _reactions_response(
            request,
            _post_for(request, post_id),
            reverse("communities:post-react", args=[post.pk]),
            scope="post",
            error=error,
        ),
    )


def _comment_for(request: HttpRequest, comment_id: int) -> tuple[Comment, Post]:
    """A comment on a post the member may read (else 404), with its post."""
    comment = comment_get_for(user=request.user, comment_id=comment_id)
    return comment, comment.post


def _comment_in_thread(request: HttpRequest, post: Post, comment_id: int) -> Comment | None:
    for comment in comments_for(user=request.user, post=post):
        if comment.pk == comment_id:
            return comment
        for reply in comment.replies.all():
            if reply.pk == comment_id:
                return reply
    return None


@require_POST
@member_view
def comment_react(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, post = _comment_for(request, comment_id)
    form = forms.ReactionForm(request.POST)
    error = None
    if form.is_valid():
        try:
            reaction_toggle(user=request.user, kind=form.cleaned_data["kind"], comment=comment)
        except DomainError as refusal:
            error = refusal.message
    else:
        error = _("This reaction does not exist.")
    return _fragment_or_redirect(
        request,
        redirect_to=reverse("communities:post", args=[post.pk]) + f"#comment-{comment.pk}",
        error=error,
        fragment=lambda: _reactions_response(
            request,
            _comment_in_thread(request, post, comment.pk) or comment,
            reverse("communities:comment-react", args=[comment.pk]),
            scope="comment",
            error=error,
        ),
    )


@require_POST
@member_view
def poll_vote_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_for(request, post_id)
    if post.kind != Post.Kind.POLL:
        raise Http404
    poll = post.poll
    form = forms.PollVoteForm(request.POST, poll=poll)
    error = notice = None
    if form.is_valid():
        try:
            poll_vote(voter=request.user, poll=poll, option_ids=form.cleaned_data["options"])
        except DomainError as refusal:
            error = refusal.message
        else:
            notice = _("Thank you, your vote is counted.")
    else:
        error = " ".join(str(message) for message in form.errors.get("options", [])) or _(
            "Choose an option to vote."
        )
    return _fragment_or_redirect(
        request,
        redirect_to=reverse("communities:post", args=[post.pk]),
        error=error,
        notice=notice,
        fragment=lambda: render(
            request,
            "communities/partials/poll.html",
            _poll_context(request, post, error=error, notice=notice),
        ),
    )


@require_POST
@member_view
def rsvp_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_for(request, post_id)
    if post.kind != Post.Kind.EVENT:
        raise Http404
    form = forms.RsvpForm(request.POST)
    error = notice = None
    if form.is_valid():
        try:
            rsvp = rsvp_set(user=request.user, event=post.event, answer=form.cleaned_data["answer"])
        except DomainError as refusal:
            error = refusal.message
        else:
            if rsvp.is_waitlisted:
                notice = _("The event is full: you are on the waiting list.")
            else:
                notice = _("Your answer is saved: %(answer)s.") % {
                    "answer": rsvp.get_answer_display()
                }
    else:
        error = _("Choose going, maybe or not going.")
    return _fragment_or_redirect(
        request,
        redirect_to=reverse("communities:post", args=[post.pk]),
        error=error,
        notice=notice,
        fragment=lambda: render(
            request,
            "communities/partials/event.html",
            _event_context(request, post, error=error, notice=notice),
        ),
    )


@require_POST
@member_view
def answer_view(request: HttpRequest, post_id: int) -> HttpResponse:
    """Accept a comment as the answer to a question (``comment``), or take it back."""
    post = _post_for(request, post_id)
    comment_id = request.POST.get("comment")
    if comment_id:
        comment = (
            _comment_in_thread(request, post, int(comment_id)) if comment_id.isdigit() else None
        )
        if comment is None:
            raise Http404
        answer_accept(actor=request.user, post=post, comment=comment)
        messages.success(request, _("Answer accepted."))
        anchor = f"#comment-{comment.pk}"
    else:
        answer_unaccept(actor=request.user, post=post)
        messages.info(request, _("The answer is no longer marked as accepted."))
        anchor = "#comments"
    return redirect(reverse("communities:post", args=[post.pk]) + anchor)


# --- Comments ---------------------------------------------------------------------------


def _comments_response(request, post: Post, form=None, status: int = 200) -> HttpResponse:
    context = _post_context(request, post)
    context["comments"] = comments_for(user=request.user, post=post)
    context["comment_form"] = form or forms.CommentForm()
    return render(request, "communities/partials/comments.html", context, status=status)


@require_POST
@member_view
def comment_create_view(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _post_for(request, post_id)
    form = forms.CommentForm(request.POST, request.FILES)
    comment = None
    if form.is_valid():
        parent = None
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = _comment_in_thread(request, post, parent_id)
            if parent is None:
                form.add_error(None, _("The comment you reply to no longer exists."))
        if not form.errors:
            try:
                comment = comment_create(
                    author=request.user,
                    post=post,
                    body=form.cleaned_data["body"],
                    parent=parent,
                    attachments=form.cleaned_data["attachments"],
                )
            except DomainError as error:
                forms.add_domain_error(form, error, forms.CommentForm.FIELD_MAP)
    if is_htmx(request):
        post = _post_for(request, post_id)
        if comment is None:
            return _comments_response(request, post, form, status=400)
        return _comments_response(request, post)
    if comment is None:
        for message in [*form.non_field_errors(), *form.errors.get("body", [])]:
            messages.error(request, message)
        for message in form.errors.get("attachments", []):
            messages.error(request, message)
        return redirect(reverse("communities:post", args=[post.pk]) + "#comment-form")
    messages.success(request, _("Comment published."))
    return redirect(reverse("communities:post", args=[post.pk]) + f"#comment-{comment.pk}")


@member_view
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, post = _comment_for(request, comment_id)
    if comment.author_id != request.user.pk or comment.is_deleted:
        raise HttpPermissionDenied(_("Only the author can edit a comment."))
    form = forms.CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comment_update(actor=request.user, comment=comment, body=form.cleaned_data["body"])
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("Comment updated."))
            return redirect(reverse("communities:post", args=[post.pk]) + f"#comment-{comment.pk}")
    return render(
        request,
        "communities/comment_edit.html",
        {"form": form, "comment": comment, "post": post},
        status=form_status(form),
    )


@member_view
def comment_delete_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, post = _comment_for(request, comment_id)
    if request.method == "POST":
        try:
            comment_delete(actor=request.user, comment=comment)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Comment deleted."))
        return redirect(reverse("communities:post", args=[post.pk]) + "#comments")
    return render(
        request,
        "communities/confirm_delete.html",
        {"object": comment, "post": post, "comment": comment},
    )


# --- Flags and moderation -------------------------------------------------------------


def _flag_page(request: HttpRequest, post: Post, comment: Comment | None) -> HttpResponse:
    form = forms.FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_create(
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                post=None if comment else post,
                comment=comment,
            )
        except DomainError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you. The moderators will review your report."))
            return redirect("communities:post", post_id=post.pk)
    return render(
        request,
        "communities/flag_form.html",
        {"form": form, "post": post, "comment": comment},
        status=form_status(form),
    )


@member_view
def post_flag(request: HttpRequest, post_id: int) -> HttpResponse:
    return _flag_page(request, _post_for(request, post_id), None)


@member_view
def comment_flag(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment, post = _comment_for(request, comment_id)
    return _flag_page(request, post, comment)


MODERATION_NOTICES = {
    "hide": _lazy("The content is hidden."),
    "restore": _lazy("The content is visible again."),
    "dismiss": _lazy("The report is dismissed."),
}


@require_POST
@member_view
def post_moderate(request: HttpRequest, post_id: int, action: str) -> HttpResponse:
    """A moderator hides a post (or shows it again) without waiting for a report."""
    post = _post_for(request, post_id)
    if action not in ("hide", "restore"):
        raise Http404
    (post_hide if action == "hide" else post_restore)(actor=request.user, post=post)
    messages.success(request, str(MODERATION_NOTICES[action]))
    return redirect("communities:post", post_id=post.pk)


@require_POST
@member_view
def comment_moderate(request: HttpRequest, comment_id: int, action: str) -> HttpResponse:
    """A moderator hides a comment (others then see a placeholder) or shows it again."""
    comment, post = _comment_for(request, comment_id)
    if action not in ("hide", "restore"):
        raise Http404
    (comment_hide if action == "hide" else comment_restore)(actor=request.user, comment=comment)
    messages.success(request, str(MODERATION_NOTICES[action]))
    return redirect(reverse("communities:post", args=[post.pk]) + f"#comment-{comment.pk}")


@member_view
def moderation_queue_view(request: HttpRequest) -> HttpResponse:
    """Open reports in the communities the member moderates, oldest concerns first."""
    flags = moderation_queue(user=request.user)
    slug = request.GET.get("community")
    community = None
    if slug:
        community = community_get_for(user=request.user, slug=slug)
        flags = moderation_queue(user=request.user, community=community)
    return render(
        request,
        "communities/moderation.html",
        {
            "flags": flags,
            "filter_community": community,
            "actions": forms.FlagResolveForm.base_fields["action"].choices,
        },
    )


@require_POST
@member_view
def flag_resolve_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = moderation_queue(user=request.user).filter(pk=flag_id).first()
    if flag is None:
        messages.info(request, _("This report was already handled."))
        return redirect("communities:moderation")
    form = forms.FlagResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose hide, restore or dismiss."))
        return redirect("communities:moderation")
    action = form.cleaned_data["action"]
    flag_resolve(actor=request.user, flag=flag, action=action)
    messages.success(request, str(MODERATION_NOTICES[action]))
    return redirect(_safe_back(request, reverse("communities:moderation")))


@member_view
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """An attachment's file, for those who may read what it is attached to (else 404)."""
    return attachment_response(attachment_get_for(user=request.user, attachment_id=attachment_id))


@member_view
def attachment_thumbnail(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = attachment_get_for(user=request.user, attachment_id=attachment_id)
    return attachment_response(attachment, thumbnail=True)


@member_view
def community_cover(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's cover image, for those who may see the community (else 404)."""
    community = community_get_for(user=request.user, slug=slug)
    return stored_file_response(
        community.cover_image, content_type=None, download_name=f"{community.slug}-cover"
    )
