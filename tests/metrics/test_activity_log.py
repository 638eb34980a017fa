"""The activity log: visits once per member and UTC day, recorded by a cheap middleware."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from metrics.middleware import VisitMiddleware
from metrics.models import Activity
from metrics.services import visit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    # Primary keys come back after a rolled-back test: yesterday's cache must not answer.
    cache.clear()
    yield
    cache.clear()


def visits(user=None):
    rows = Activity.objects.filter(verb=Activity.Verb.VISITED)
    return list(rows.filter(actor=user) if user else rows)


def test_visit_is_recorded_once_per_day():
    member, colleague = UserFactory(), UserFactory()
    visit_record(user=member)
    visit_record(user=member)
    visit_record(user=colleague)
    assert len(visits(member)) == 1 and len(visits()) == 2
    row = visits(member)[0]
    assert (row.community, row.object_type, row.object_id) == (None, "", None)


def test_a_new_utc_day_counts_again():
    member = UserFactory()
    visit_record(user=member)
    Activity.objects.filter(verb=Activity.Verb.VISITED).update(created_at="2020-03-01T23:59:00Z")
    visit_record(user=member)
    assert len(visits(member)) == 2


def test_anonymous_visits_are_not_recorded():
    visit_record(user=AnonymousUser())
    assert visits() == []


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_middleware_records_the_first_request_of_the_day_only(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    member = UserFactory()
    middleware = VisitMiddleware(lambda request: HttpResponse("ok"))
    with django_capture_on_commit_callbacks(execute=True):
        response = middleware(request_as(member))
    assert response.content == b"ok"
    assert len(visits(member)) == 1
    # Later requests that day cost no query at all.
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        django_assert_num_queries(0),
    ):
        middleware(request_as(member))
    assert callbacks == [] and len(visits(member)) == 1


def test_middleware_ignores_anonymous_requests(django_capture_on_commit_callbacks):
    middleware = VisitMiddleware(lambda request: HttpResponse("ok"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        middleware(request_as(AnonymousUser()))
    assert callbacks == [] and visits() == []


def test_middleware_sees_users_authenticated_by_the_view(django_capture_on_commit_callbacks):
    member = UserFactory()

    def api_view(request):
        request.user = member  # what DRF token authentication does to the request
        return HttpResponse("ok")

    request = RequestFactory().get("/api/v1/")
    request.user = AnonymousUser()
    with django_capture_on_commit_callbacks(execute=True):
        VisitMiddleware(api_view)(request)
    assert len(visits(member)) == 1


def test_rolled_back_visit_leaves_no_row(django_capture_on_commit_callbacks):
    member = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        VisitMiddleware(lambda request: HttpResponse("ok"))(request_as(member))
        raise RuntimeError
    assert callbacks == [] and visits() == []


def test_middleware_runs_after_authentication(settings):
    middleware = list(settings.MIDDLEWARE)
    assert middleware.index("metrics.middleware.VisitMiddleware") == (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )
