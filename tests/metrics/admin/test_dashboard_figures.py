"""The figures a manager reads on a community dashboard, each opening the people behind
it, and the same tables as CSV."""

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def dashboard(alpha, **query):
    url = reverse("admin:metrics_dashboard_community", args=[alpha.community.pk])
    return url, query


def csv_rows(client, url, **query):
    response = client.get(url, {"format": "csv", **query})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response, list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def cm_client(client, cm, alpha, beta):
    client.force_login(cm)
    return client


def _table(client, alpha, name):
    url, _ = dashboard(alpha)
    response, rows = csv_rows(client, url, table=name)
    return response, {row[0]: row[1:] for row in rows[1:]}, rows[0]


def test_active_members_dau_wau_mau_and_stickiness(cm_client, alpha):
    response, rows, header = _table(cm_client, alpha, "activity")
    assert header == ["measure", "value", "what it counts"]
    # 4 member-days over the 28 days up to 7 December; Alice and Bob this week;
    # Chloe too over the month.
    assert rows["DAU"][0] == str(round(4 / 28, 1))
    assert rows["WAU"][0] == "2"
    assert rows["MAU"][0] == "3"
    assert float(rows["Stickiness"][0]) == pytest.approx(4 / 28 / 3, abs=1e-4)
    assert 'filename="alpha-guild-activity-2026-12-08.csv"' in response["Content-Disposition"]


def test_participation_inequality_against_90_9_1(cm_client, alpha):
    _, rows, header = _table(cm_client, alpha, "inequality")
    assert header[:4] == ["group", "members", "share", "rule of thumb"]
    # Six members: Alice started posts, Bob only commented, the rest read or did nothing.
    assert rows["Creators"][:3] == ["1", "0.1667", "0.01"]
    assert rows["Contributors"][:3] == ["1", "0.1667", "0.09"]
    assert rows["Readers"][:3] == ["4", "0.6667", "0.9"]


def test_participation_by_profile_type(cm_client, alpha):
    _, rows, header = _table(cm_client, alpha, "types")
    assert header == [
        "profile type",
        "members",
        "share",
        "active share",
        "content produced",
        "replies given",
        "posts read",
    ]
    assert rows["Enthusiast"][:5] == ["1", "0.25", "1.0", "1", "0"]
    assert rows["Pragmatic"][:5] == ["1", "0.25", "1.0", "1", "1"]
    assert rows["Shy"][:5] == ["1", "0.25", "0.0", "0", "0"]
    assert rows["Show-off"][0] == "0"


def test_type_transitions_month_over_month(cm_client, alpha):
    _, rows, header = _table(cm_client, alpha, "transitions")
    columns = header[1:]
    matrix = {
        (before, now): int(count)
        for before, counts in rows.items()
        for now, count in zip(columns, counts, strict=True)
        if count != "0"
    }
    assert matrix == {
        ("New", "Enthusiast"): 1,
        ("Shy", "Pragmatic"): 1,
        ("Shy", "Shy"): 1,
        ("Indifferent", "Jaded"): 1,
    }


def test_one_suggested_action_per_type_with_its_people(cm_client, alpha):
    _, rows, header = _table(cm_client, alpha, "actions")
    assert header == ["profile type", "members", "suggested action", "people"]
    assert len(rows) == 7
    assert rows["Enthusiast"][0] == "1"
    assert "something to lead" in rows["Enthusiast"][1]
    assert rows["Enthusiast"][2] == "Alice Alpha"
    assert rows["Jaded"][2] == "Dan Alpha"
    assert "personal conversation" in rows["Jaded"][1]
    assert rows["Show-off"] == [
        "0",
        rows["Show-off"][1],
        "",
    ]


def test_week_by_week_activity_and_types(cm_client, alpha):
    _, weeks, header = _table(cm_client, alpha, "weeks")
    assert header[:3] == ["week ending", "active members", "content"]
    # Weeks end on 7 December: Alice (twice) and Bob in the last one.
    assert weeks["2026-12-07"][:2] == ["2", "3"]
    assert weeks["2026-11-23"][:2] == ["1", "0"]
    _, trend, header = _table(cm_client, alpha, "trend")
    shy = header.index("Shy") - 1
    assert trend["2026-11-08"][shy] == "2"
    assert trend["2026-12-06"][shy] == "1"


def test_every_number_links_to_the_people_behind_it(cm_client, alpha):
    url, _ = dashboard(alpha)
    page = cm_client.get(url).content.decode()
    people = reverse("admin:metrics_people_community", args=[alpha.community.pk])
    for query in (
        "period=13w&amp;active=7",
        "period=13w&amp;group=creators",
        "period=13w&amp;type=enthusiast",
        "period=13w&amp;type=pragmatic&amp;did=replies",
        "period=13w&amp;from=shy&amp;to=pragmatic",
    ):
        assert f'href="{people}?{query}"' in page, query
    for table in ("activity", "weeks", "inequality", "types", "trend", "transitions", "actions"):
        assert f"format=csv&amp;table={table}" in page, table
    assert 'id="chart-days"' in page and 'id="chart-trend-data"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"active": "7"}, ["Alice Alpha", "Bob Alpha"]),
        ({"active": "28"}, ["Alice Alpha", "Bob Alpha", "Chloe Alpha"]),
        ({"group": "creators"}, ["Alice Alpha"]),
        ({"group": "contributors"}, ["Bob Alpha"]),
        ({"group": "readers"}, ["Carla CM", "Chloe Alpha", "Dan Alpha", "Olga Owner"]),
        ({"type": "shy"}, ["Chloe Alpha"]),
        ({"type": "enthusiast", "did": "content"}, ["Alice Alpha"]),
        ({"type": "shy", "did": "active"}, []),
        ({"from": "shy", "to": "pragmatic"}, ["Bob Alpha"]),
        ({"from": "", "to": "enthusiast"}, []),
        ({"from": "new", "to": "enthusiast"}, ["Alice Alpha"]),
    ],
)
def test_the_people_behind_a_number(cm_client, alpha, query, names):
    url = reverse("admin:metrics_people_community", args=[alpha.community.pk])
    response = cm_client.get(url, query)
    assert response.status_code == 200
    assert [row[0] for row in response.context["rows"]] == names
    _, rows = csv_rows(cm_client, url, **query)
    assert [row[0] for row in rows[1:]] == names


def test_the_people_of_a_type_say_why(cm_client, alpha):
    url = reverse("admin:metrics_people_community", args=[alpha.community.pk])
    _, rows = csv_rows(cm_client, url, type="jaded")
    assert rows == [
        ["name", "email", "profile type", "since", "why"],
        ["Dan Alpha", "dan@acme.example", "Jaded", "2026-12-06", "a reason"],
    ]


def test_a_managers_override_moves_the_member_to_the_type_set(cm_client, cm, alpha):
    from metrics.profile_labels import profile_type_override

    profile_type_override(
        author=cm, user=alpha.dan, community=alpha.community, type="shy", reason="on leave"
    )
    url = reverse("admin:metrics_people_community", args=[alpha.community.pk])
    assert [row[0] for row in cm_client.get(url, {"type": "shy"}).context["rows"]] == [
        "Chloe Alpha",
        "Dan Alpha",
    ]
    _, rows, _header = _table(cm_client, alpha, "types")
    assert rows["Shy"][0] == "2"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"type": "grumpy"},
        {"group": "lurkers"},
        {"active": "3"},
        {"to": "nobody"},
        {"type": "shy", "did": "sang"},
    ],
)
def test_a_list_the_page_does_not_know_is_a_clear_400(cm_client, alpha, query):
    url = reverse("admin:metrics_people_community", args=[alpha.community.pk])
    response = cm_client.get(url, query)
    assert response.status_code == 400
    assert 'class="errornote"' in response.content.decode()


def test_a_bad_period_says_why_on_the_page(cm_client, alpha):
    url, _ = dashboard(alpha)
    response = cm_client.get(url, {"period": "3 months"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Use 4w, 13w, 26w, 52w, or a range of days" in page
    # and the default period is shown instead
    assert "Alice Alpha" in page


def test_a_period_range_narrows_the_figures(cm_client, alpha):
    url, _ = dashboard(alpha)
    _, rows = csv_rows(cm_client, url, table="types", period="2026-11-01..2026-11-30")
    by_type = {row[0]: row[1:] for row in rows[1:]}
    # the last evaluation in November is the 8th: two shy members then
    assert by_type["Shy"][0] == "2"
    assert by_type["New"][0] == "1"


def test_an_unknown_table_is_a_400(cm_client, alpha):
    url, _ = dashboard(alpha)
    response = cm_client.get(url, {"format": "csv", "table": "secrets"})
    assert response.status_code == 400
    assert "activity" in response.content.decode()


def test_the_dashboard_reads_in_french(cm_client, alpha):
    url, _ = dashboard(alpha)
    page = cm_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Participation par type de profil" in page
    assert "Exporter en CSV" in page
    assert "Proposez-leur quelque chose à animer" in page


def test_an_export_over_a_bad_period_is_a_400_that_says_why(cm_client, alpha):
    url, _ = dashboard(alpha)
    response = cm_client.get(url, {"format": "csv", "table": "types", "period": "2026-13-01..x"})
    assert response.status_code == 400
    assert "Use 4w, 13w, 26w, 52w" in response.content.decode()
    people = reverse("admin:metrics_people_community", args=[alpha.community.pk])
    response = cm_client.get(people, {"format": "csv", "type": "shy", "period": "1y"})
    assert response.status_code == 400
