"""``User.last_seen_at``: every authenticated request (browser or API) keeps it fresh, at
most one write per member and minute, after the commit, never breaking the page."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from metrics.middleware import VisitMiddleware
from metrics.services import member_seen
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def request_as(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def seen_at(user):
    user.refresh_from_db()
    return user.last_seen_at


def ok(request):
    return HttpResponse("ok")


def test_a_request_records_when_the_member_was_seen(django_capture_on_commit_callbacks):
    member = UserFactory()
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = VisitMiddleware(ok)(request_as(member))

    assert response.content == b"ok"
    assert seen_at(member) == NOON


def test_at_most_one_write_per_member_and_minute(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    member, colleague = UserFactory(), UserFactory()
    middleware = VisitMiddleware(ok)
    with time_machine.travel(NOON, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            middleware(request_as(member))
        clock.shift(timedelta(seconds=59))
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            django_assert_num_queries(0),
        ):
            middleware(request_as(member))
        assert callbacks == []
        assert seen_at(member) == NOON

        clock.shift(timedelta(seconds=2))
        with django_capture_on_commit_callbacks(execute=True):
            middleware(request_as(member))
            middleware(request_as(colleague))
        assert seen_at(member) == NOON + timedelta(seconds=61)
        assert seen_at(colleague) == NOON + timedelta(seconds=61)


def test_a_member_authenticated_by_the_api_is_seen(django_capture_on_commit_callbacks):
    member = UserFactory()

    def api_view(request):
        request.user = member  # what DRF token authentication does to the request
        return HttpResponse("ok")

    request = RequestFactory().get("/api/v1/notifications/")
    request.user = AnonymousUser()
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        VisitMiddleware(api_view)(request)

    assert seen_at(member) == NOON


def test_a_browser_page_marks_the_member_seen(client, django_capture_on_commit_callbacks):
    member = UserFactory()
    client.force_login(member)
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.get("/")

    assert response.status_code == 200
    assert seen_at(member) == NOON


def test_an_api_request_marks_the_member_seen(
    member_api_client, user, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = member_api_client.get("/api/v1/me/")

    assert response.status_code == 200
    assert seen_at(user) == NOON


def test_anonymous_requests_mark_nobody(django_capture_on_commit_callbacks):
    member = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        VisitMiddleware(ok)(request_as(AnonymousUser()))
    assert callbacks == []
    assert seen_at(member) is None


def test_nothing_is_written_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    member = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        VisitMiddleware(ok)(request_as(member))
        raise RuntimeError
    assert callbacks == []
    assert seen_at(member) is None


def test_a_database_error_never_breaks_the_page_and_the_next_request_retries(
    django_capture_on_commit_callbacks, caplog
):
    member = UserFactory()
    middleware = VisitMiddleware(ok)
    with (
        mock.patch("metrics.middleware.member_seen", side_effect=DatabaseError("locked")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = middleware(request_as(member))

    assert response.status_code == 200 and response.content == b"ok"
    assert "Could not record when member" in caplog.text
    assert seen_at(member) is None
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        middleware(request_as(member))
    assert seen_at(member) == NOON


def test_member_seen_never_moves_back():
    member = UserFactory()
    member_seen(user_id=member.pk, at=NOON)
    member_seen(user_id=member.pk, at=NOON - timedelta(minutes=5))
    assert seen_at(member) == NOON
    member_seen(user_id=member.pk, at=NOON + timedelta(minutes=5))
    assert seen_at(member) == NOON + timedelta(minutes=5)
