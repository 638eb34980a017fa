"""Browser pages of direct conversations: my conversations (with search), starting one,
reading and replying (htmx appends without a reload, and polls for new messages),
leaving a group and adding people to it.

A conversation exists only for its active participants: anyone else, staff and
superusers included, gets 404. Opening a conversation marks it read.
"""

from functools import wraps
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from communities.forms import add_domain_error
from config.errors import DomainError, NotFound
from notifications import conversation_forms as forms
from notifications.models import Conversation
from notifications.selectors.conversations import (
    conversation_candidates,
    conversation_get_for,
    conversation_name,
    conversations_for,
    messages_for,
    people_by_ids,
)
from notifications.services.conversations import (
    conversation_leave,
    conversation_participants_add,
    conversation_read,
    conversation_start,
    message_send,
)

LIST_PAGE_SIZE = 30
MESSAGES_SHOWN = 50
ID_MAX = 2**63 - 1
IDS_READ = 500


def _render(request: HttpRequest, template: str, context: dict, status: int = 200):
    """Render with times shown in the member's own time zone (UTC when unknown)."""
    try:
        zone = ZoneInfo(getattr(request.user, "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    with timezone.override(zone):
        return render(request, template, context, status=status)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _form_status(form) -> int:
    """Forms shown again with errors answer 400 (still a full page)."""
    return 400 if form.is_bound and form.errors else 200


def participant_view(view):
    """Log-in required; a conversation the member does not take part in (NotFound from
    the selectors and services) answers 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error

    return wrapper


def _ids(values) -> list[int]:
    """The positive integers among ``values`` (query or form strings), in order, once;
    no more than ``IDS_READ`` of them (far above any conversation's size, so that the
    service still names the cap)."""
    ids: dict[int, None] = {}
    for value in values[:IDS_READ]:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number <= ID_MAX:
            ids[number] = None
    return list(ids)


def _picker_people(request: HttpRequest, source, *, exclude=()) -> tuple[list, list, str]:
    """The people a picker shows: those already chosen (``participants`` and ``to`` in
    ``source``) then those found by ``find``, the asking member and ``exclude`` left
    out. Returns (chosen, found, find)."""
    excluded = set(exclude)
    chosen_ids = [
        pk
        for pk in _ids([*source.getlist("participants"), *source.getlist("to")])
        if pk not in excluded
    ]
    chosen = people_by_ids(user=request.user, ids=chosen_ids)
    find = (source.get("find") or "").strip()[:100]
    shown = {person.pk for person in chosen} | excluded
    found = [
        person
        for person in conversation_candidates(user=request.user, search=find)
        if person.pk not in shown
    ]
    return chosen, found, find


# --- My conversations -------------------------------------------------------------------


@require_GET
@participant_view
def conversation_list(request: HttpRequest) -> HttpResponse:
    """My conversations, latest activity first, with search and unread markers."""
    form = forms.ConversationSearchForm(request.GET or None)
    search = form.cleaned_data.get("q") if form.is_valid() else ""
    page = Paginator(conversations_for(user=request.user, search=search), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for conversation in page:
        conversation.name = conversation_name(conversation, viewer=request.user)
    context = {"form": form, "page": page, "conversations": list(page), "search": search}
    template = (
        "notifications/conversations/partials/list_results.html"
        if _is_htmx(request) and request.headers.get("HX-Target") == "conversation-results"
        else "notifications/conversations/list.html"
    )
    return _render(request, template, context)


@participant_view
def conversation_new(request: HttpRequest) -> HttpResponse:
    """Start a conversation: choose colleagues (``?to=<id>`` preselects; a POST with
    ``action=search`` looks colleagues up by ``find`` and shows the form again, keeping
    what was chosen and written), a title for a group, and the first message."""
    source = request.POST if request.method == "POST" else request.GET
    sending = request.method == "POST" and request.POST.get("action") != "search"
    chosen, found, find = _picker_people(request, source)
    initial = {
        "participants": [person.pk for person in chosen],
        "title": source.get("title", ""),
        "body": source.get("body", ""),
    }
    form = forms.ConversationStartForm(
        request.POST if sending else None, people=[*chosen, *found], initial=initial
    )
    if sending and form.is_valid():
        data = form.cleaned_data
        try:
            started = conversation_start(
                creator=request.user,
                participant_ids=data["participants"],
                title=data["title"],
                body=data["body"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your message is sent."))
            url = reverse("notifications:conversation", args=[started.conversation.pk])
            return redirect(f"{url}#message-{started.message.pk}")
    context = {
        "form": form,
        "find": find,
        "found_count": len(found),
        "searched": bool(find),
        "max_people": settings.CERCLE_CONVERSATION_MAX_PEOPLE,
    }
    return _render(
        request, "notifications/conversations/new.html", context, status=_form_status(form)
    )


# --- One conversation ------------------------------------------------------------------


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    conversation = conversation_get_for(user=request.user, conversation_id=conversation_id)
    conversation.name = conversation_name(conversation, viewer=request.user)
    return conversation


def _is_unread(conversation: Conversation) -> bool:
    read_at = conversation.my_last_read_at
    return conversation.unread_count > 0 or (
        conversation.last_message_at is not None
        and (read_at is None or read_at < conversation.last_message_at)
    )


def _mark_new(message_list, conversation: Conversation, user) -> list:
    """Flag (``is_new``) the messages by others that ``user`` had not read when the
    conversation was looked up."""
    read_at = conversation.my_last_read_at
    for message in message_list:
        message.is_new = message.author_id != user.pk and (
            read_at is None or message.created_at > read_at
        )
    return message_list


def _page_context(request, conversation: Conversation, *, before: int | None = None, form=None):
    """The latest messages (or those before the message ``before``), oldest first."""
    shown = messages_for(user=request.user, conversation=conversation)
    if before is not None:
        shown = shown.filter(pk__lt=before)
    latest = list(shown.order_by("-id")[: MESSAGES_SHOWN + 1])
    earlier = latest[MESSAGES_SHOWN:]
    latest = latest[:MESSAGES_SHOWN][::-1]
    return {
        "conversation": conversation,
        "participants": [m.user for m in conversation.active_participants],
        "message_list": _mark_new(latest, conversation, request.user),
        "earlier_before": latest[0].pk if earlier and latest else None,
        "last_id": latest[-1].pk if latest else 0,
        "form": form or forms.MessageForm(),
        "is_older_page": before is not None,
    }


def _last_id(request, conversation: Conversation) -> int:
    last = messages_for(user=request.user, conversation=conversation).order_by("-id").first()
    return last.pk if last else 0


@require_GET
@participant_view
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """A conversation: its messages (the latest ones; ``?before=<message id>`` shows
    earlier ones), its people, the reply form. Opening it marks it read."""
    conversation = _conversation(request, conversation_id)
    before = _ids([request.GET.get("before")])
    context = _page_context(request, conversation, before=before[0] if before else None)
    if _is_unread(conversation):
        conversation_read(user=request.user, conversation=conversation)
    return _render(request, "notifications/conversations/detail.html", context)


def _appended(request, conversation: Conversation, new_messages, *, form=None) -> HttpResponse:
    """What htmx appends to the message list: the new messages, with a fresh reply form
    (when ``form`` is given) and the poller asking for messages after the last one."""
    last_id = new_messages[-1].pk if new_messages else _last_id(request, conversation)
    return _render(
        request,
        "notifications/conversations/partials/appended.html",
        {
            "conversation": conversation,
            "message_list": _mark_new(new_messages, conversation, request.user),
            "form": form,
            "last_id": last_id,
            "autofocus": True,
        },
    )


@participant_view
def conversation_messages(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """POST: reply. htmx appends the message in place (errors come back in the form);
    without htmx, the page reloads at the message. GET ``?after=<message id>`` (the
    page's poller): the newer messages, marking them read."""
    conversation = _conversation(request, conversation_id)
    if request.method == "GET":
        url = reverse("notifications:conversation", args=[conversation.pk])
        if not _is_htmx(request):
            return redirect(url)
        after = _ids([request.GET.get("after")])
        shown = messages_for(user=request.user, conversation=conversation)
        newer = list(shown.filter(pk__gt=after[0] if after else 0).order_by("id")[:MESSAGES_SHOWN])
        if not newer:
            return HttpResponse(status=204)
        if any(message.author_id != request.user.pk for message in newer):
            conversation_read(user=request.user, conversation=conversation)
        return _appended(request, conversation, newer)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    form = forms.MessageForm(request.POST)
    message = None
    if form.is_valid():
        try:
            message = message_send(
                author=request.user, conversation=conversation, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            add_domain_error(form, error)
    if _is_htmx(request):
        if message is None:
            response = _render(
                request,
                "notifications/conversations/partials/reply_form.html",
                {"conversation": conversation, "form": form},
                status=400,
            )
            response["HX-Retarget"] = "#reply-form"
            response["HX-Reswap"] = "outerHTML"
            return response
        after = _ids([request.POST.get("after")])
        newer = list(
            messages_for(user=request.user, conversation=conversation)
            .filter(pk__gt=after[0] if after else message.pk - 1)
            .order_by("id")[:MESSAGES_SHOWN]
        )
        return _appended(request, conversation, newer, form=forms.MessageForm())
    if message is None:
        context = _page_context(request, conversation, form=form)
        return _render(request, "notifications/conversations/detail.html", context, status=400)
    url = reverse("notifications:conversation", args=[conversation.pk])
    return redirect(f"{url}#message-{message.pk}")


@require_POST
@participant_view
def conversation_leave_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Leave a group conversation; a 1:1 cannot be left (an error message)."""
    conversation = _conversation(request, conversation_id)
    try:
        conversation_leave(user=request.user, conversation=conversation)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("notifications:conversation", conversation.pk)
    messages.success(request, _("You left “%(name)s”.") % {"name": conversation.name})
    return redirect("notifications:conversations")


@participant_view
def conversation_people(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Add colleagues to a group conversation (its participants may, within the cap)."""
    conversation = _conversation(request, conversation_id)
    if not conversation.is_group:
        raise Http404(_("Only a group conversation takes more people."))
    present = [membership.user_id for membership in conversation.active_participants]
    source = request.POST if request.method == "POST" else request.GET
    sending = request.method == "POST" and request.POST.get("action") != "search"
    chosen, found, find = _picker_people(request, source, exclude=present)
    form = forms.ParticipantsAddForm(
        request.POST if sending else None,
        people=[*chosen, *found],
        initial={"participants": [person.pk for person in chosen]},
    )
    if sending and form.is_valid():
        try:
            added = conversation_participants_add(
                actor=request.user,
                conversation=conversation,
                participant_ids=form.cleaned_data["participants"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)d person added.", "%(count)d people added.", len(added))
                % {"count": len(added)},
            )
            return redirect("notifications:conversation", conversation.pk)
    context = {
        "conversation": conversation,
        "participants": [m.user for m in conversation.active_participants],
        "form": form,
        "find": find,
        "found_count": len(found),
        "searched": bool(find),
        "max_people": settings.CERCLE_CONVERSATION_MAX_PEOPLE,
    }
    return _render(
        request, "notifications/conversations/people.html", context, status=_form_status(form)
    )


urlpatterns = [
    path("conversations/", conversation_list, name="conversations"),
    path("conversations/new/", conversation_new, name="conversation-new"),
    path("conversations/<int:conversation_id>/", conversation_detail, name="conversation"),
    path(
        "conversations/<int:conversation_id>/messages/",
        conversation_messages,
        name="conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/leave/",
        conversation_leave_view,
        name="conversation-leave",
    ),
    path(
        "conversations/<int:conversation_id>/people/",
        conversation_people,
        name="conversation-people",
    ),
]
