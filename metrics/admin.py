import csv
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from communities.admin import managed_community_ids
from communities.models import Community
from metrics import dashboards
from metrics.models import (
    Activity,
    CommunityDay,
    MemberDay,
    ProfileLabel,
    ProfileTypeWeek,
    RollupState,
)
from metrics.participation import (
    NAMED_PERIODS,
    PeriodInvalid,
    participation_by_type,
    period_parse,
)
from metrics.profile_labels import profile_types_enabled
from metrics.profile_types import ProfileType, reasons_text
from metrics.selectors import rollups_lag


class ReadOnlyAdmin(admin.ModelAdmin):
    """Tables written by the metrics app alone: the append-only activity log, and the
    rollups, written by their fill only (:mod:`metrics.rollups`)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """Read-only: the activity log is append-only."""

    list_display = [
        "created_at",
        "actor",
        "verb",
        "subject",
        "community",
        "object_type",
        "object_id",
    ]
    list_filter = ["verb", "community"]
    list_select_related = ["actor", "subject", "community"]
    date_hierarchy = "created_at"
    search_fields = ["actor__email", "actor__display_name"]


class RollupLagWarningMixin:
    """Lists of rollups warn, above the rows, when a rollup is behind the log."""

    def changelist_view(self, request, extra_context=None):
        for lag in rollups_lag():
            if lag.is_lagging:
                messages.warning(
                    request,
                    _(
                        "The %(rollup)s rollup is %(lag)s behind the activity log "
                        "(counted through %(through)s UTC): check that the Celery beat "
                        "task metrics.tasks.rollups_update runs."
                    )
                    % {
                        "rollup": lag.label,
                        "lag": timesince(lag.counted_through),
                        "through": f"{lag.counted_through:%Y-%m-%d %H:%M}",
                    },
                )
        return super().changelist_view(request, extra_context)


@admin.register(MemberDay)
class MemberDayAdmin(RollupLagWarningMixin, ReadOnlyAdmin):
    list_display = [
        "day",
        "user",
        "community",
        "posts",
        "comments",
        "replies_to_others",
        "replies_received",
        "reactions_given",
        "kudos_received",
        "reads",
        "visits",
    ]
    list_filter = ["community"]
    list_select_related = ["user", "community"]
    date_hierarchy = "day"
    search_fields = ["user__email", "user__display_name"]


@admin.register(CommunityDay)
class CommunityDayAdmin(RollupLagWarningMixin, ReadOnlyAdmin):
    list_display = [
        "day",
        "community",
        "active_members",
        "new_members",
        "content",
        "median_first_reply_seconds",
    ]
    list_filter = ["community"]
    list_select_related = ["community"]
    date_hierarchy = "day"


@admin.register(RollupState)
class RollupStateAdmin(RollupLagWarningMixin, ReadOnlyAdmin):
    list_display = ["name", "status", "filled_through", "lag", "started_at", "finished_at"]

    @admin.display(description=gettext_lazy("behind by"))
    def lag(self, obj):
        return timesince(obj.filled_through)


# ---------------------------------------------------------------------------------------
# Participation dashboards: one per community a manager runs, one for the organisation
# ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One figure of a dashboard table: ``value`` goes to the CSV, ``text`` to the page,
    ``url`` opens the people behind it."""

    value: object
    text: str = ""
    url: str = ""
    #: Prose (a description, an action, names) that wraps; figures stay on one line.
    wrap: bool = False

    def __post_init__(self):
        if not self.text:
            self.text = "" if self.value is None else str(self.value)


@dataclass
class Table:
    name: str
    title: str
    header: list[str]
    rows: list[list[Cell]]
    note: str = ""
    csv_url: str = ""


def _percent(value: float | None) -> str:
    if value is None:
        return ""
    return f"{formats.number_format(value * 100, 1, use_l10n=True)} %"


def _hidden_cell() -> Cell:
    return Cell(
        None,
        text=_("fewer than %(count)d") % {"count": dashboards.min_group()},
    )


def _count_cell(value: int | None, url: str = "") -> Cell:
    if value is None:
        return _hidden_cell()
    return Cell(value, url=url if value else "")


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return response


class DashboardScope:
    """A dashboard's scope: a community (one the user may manage) or the organisation."""

    def __init__(self, community=None):
        self.community = community
        self.community_id = community.pk if community is not None else None

    @property
    def name(self) -> str:
        return self.community.name if self.community else str(_("Organisation"))

    @property
    def slug(self) -> str:
        return self.community.slug if self.community else "organisation"

    @property
    def url_dashboard(self) -> str:
        return self.url("dashboard")

    def url(self, view: str, **query) -> str:
        if self.community is None:
            path_ = reverse(f"admin:metrics_{view}_organisation")
        else:
            path_ = reverse(f"admin:metrics_{view}_community", args=[self.community_id])
        query = {key: value for key, value in query.items() if value is not None}
        return f"{path_}?{urlencode(query)}" if query else path_


@admin.register(ProfileTypeWeek)
class DashboardAdmin(admin.ModelAdmin):
    """The participation dashboards of community managers (the admin entry of the weekly
    figures by profile type): the list of the dashboards the user may open, each
    dashboard, the people behind every figure and the CSV export of every table.

    Managers (see :mod:`communities.admin`) open the dashboards of the communities they
    manage; superusers every community's and the organisation's. Any other community
    answers 404, the organisation's dashboard 403.
    """

    PEOPLE_PER_PAGE = 100

    # -- permissions -------------------------------------------------------------------

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(managed_community_ids(request))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def scope_for(self, request, community_id: int | None) -> DashboardScope:
        if community_id is None:
            if not request.user.is_superuser:
                raise DjangoPermissionDenied
            return DashboardScope()
        if not (request.user.is_superuser or community_id in managed_community_ids(request)):
            raise Http404(_("This object does not exist."))
        community = Community.objects.filter(pk=community_id).first()
        if community is None:
            raise Http404(_("This object does not exist."))
        return DashboardScope(community)

    # -- URLs --------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.dashboard_list_view), name="metrics_profiletypeweek_changelist"),
            path(
                "organisation/",
                view(self.dashboard_view),
                name="metrics_dashboard_organisation",
            ),
            path(
                "community/<int:community_id>/",
                view(self.dashboard_view),
                name="metrics_dashboard_community",
            ),
            path(
                "organisation/people/",
                view(self.people_view),
                name="metrics_people_organisation",
            ),
            path(
                "community/<int:community_id>/people/",
                view(self.people_view),
                name="metrics_people_community",
            ),
        ]

    def _context(self, request, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "has_view_permission": True,
            **context,
        }

    def _period(self, request):
        """The period asked for, or the default one with the reason it was refused."""
        today = timezone.now().date()
        try:
            return period_parse(request.GET.get("period"), today=today), None
        except PeriodInvalid as error:
            return period_parse(None, today=today), str(error)

    @staticmethod
    def _as_of(period) -> date:
        """The last whole UTC day of the period (today is still being counted)."""
        yesterday = timezone.now().date() - timedelta(days=1)
        return min(period.last, yesterday)

    # -- the list of dashboards ----------------------------------------------------------

    def dashboard_list_view(self, request):
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        if request.user.is_superuser:
            communities = Community.objects.all()
        else:
            communities = Community.objects.filter(pk__in=managed_community_ids(request))
        scopes = [DashboardScope(community) for community in communities.order_by("name")]
        if request.user.is_superuser:
            scopes.insert(0, DashboardScope())
        return TemplateResponse(
            request,
            "admin/metrics/dashboard_list.html",
            self._context(request, title=_("Participation dashboards"), scopes=scopes),
        )

    # -- one dashboard -------------------------------------------------------------------

    def dashboard_view(self, request, community_id=None):
        scope = self.scope_for(request, community_id)
        period, period_error = self._period(request)
        as_of = self._as_of(period)
        tables, charts = self._tables(scope, period, as_of)
        export = request.GET.get("format")
        if export == "csv" and period_error:
            return HttpResponseBadRequest(period_error, content_type="text/plain; charset=utf-8")
        if export == "csv":
            wanted = request.GET.get("table", "")
            table = next((table for table in tables if table.name == wanted), None)
            if table is None:
                return HttpResponseBadRequest(
                    _("Unknown table %(table)s: choose one of %(tables)s.")
                    % {"table": wanted, "tables": ", ".join(table.name for table in tables)},
                    content_type="text/plain; charset=utf-8",
                )
            return _csv_response(
                f"{scope.slug}-{table.name}-{period.last:%Y-%m-%d}.csv",
                table.header,
                ([cell.value for cell in row] for row in table.rows),
            )
        if period_error:
            messages.error(request, period_error)
        context = self._context(
            request,
            title=_("Participation: %(scope)s") % {"scope": scope.name},
            scope=scope,
            period=period,
            period_value=request.GET.get("period", period.name),
            named_periods=list(NAMED_PERIODS),
            as_of=as_of,
            tables={table.name: table for table in tables},
            charts=charts,
            profile_types=profile_types_enabled(),
        )
        return TemplateResponse(request, "admin/metrics/dashboard.html", context)

    def _tables(self, scope: DashboardScope, period, as_of: date):
        """Every table of the dashboard (the page and the CSV exports read these) and
        the series the charts draw."""
        community_id = scope.community_id
        query = {"period": period.name}

        def csv_url(name):
            return scope.url("dashboard", format="csv", table=name, **query)

        def people(**filters):
            return scope.url("people", **query, **filters)

        activity = dashboards.activity(community_id=community_id, first=period.first, as_of=as_of)
        tables = [
            Table(
                name="activity",
                title=_("Active members"),
                header=[_("measure"), _("value"), _("what it counts")],
                rows=[
                    [
                        Cell(_("DAU")),
                        Cell(
                            activity.dau,
                            text=formats.number_format(activity.dau, 1, use_l10n=True),
                            url=people(active=1),
                        ),
                        Cell(
                            _("members active a day, on average over the last 28 days"), wrap=True
                        ),
                    ],
                    [
                        Cell(_("WAU")),
                        _count_cell(activity.wau, people(active=7)),
                        Cell(_("members active in the last 7 days"), wrap=True),
                    ],
                    [
                        Cell(_("MAU")),
                        _count_cell(activity.mau, people(active=28)),
                        Cell(_("members active in the last 28 days"), wrap=True),
                    ],
                    [
                        Cell(_("Stickiness")),
                        Cell(activity.stickiness, text=_percent(activity.stickiness)),
                        Cell(_("DAU / MAU: how often the month's members come back"), wrap=True),
                    ],
                ],
                note=_(
                    "Low stickiness with a high MAU: people come for one thing and leave; "
                    "give them a reason to come back (a digest, a weekly thread)."
                ),
            ),
            Table(
                name="weeks",
                title=_("Week by week"),
                header=[
                    _("week ending"),
                    _("active members"),
                    _("content"),
                    _("replies to others"),
                    _("reactions"),
                ],
                rows=[
                    [
                        Cell(week["week"].isoformat()),
                        Cell(week["active"]),
                        Cell(week["content"]),
                        Cell(week["replies"]),
                        Cell(week["reactions"]),
                    ]
                    for week in activity.weeks
                ],
            ),
        ]
        inequality = dashboards.inequality(community_id=community_id, as_of=as_of)
        tables.append(
            Table(
                name="inequality",
                title=_("Participation inequality over %(days)d days") % {"days": inequality.days},
                header=[_("group"), _("members"), _("share"), _("rule of thumb"), _("who")],
                rows=[
                    [
                        Cell(group.label),
                        _count_cell(group.members, people(group=group.group)),
                        Cell(group.share, text=_percent(group.share))
                        if not group.hidden
                        else _hidden_cell(),
                        Cell(group.rule_of_thumb, text=_percent(group.rule_of_thumb)),
                        Cell(group.description, wrap=True),
                    ]
                    for group in inequality.groups
                ],
                note=_(
                    "Against the 90-9-1 rule of thumb: more creators than 1 %% is a lively "
                    "community; most readers are observers, invite the shy ones personally. "
                    "%(members)d members in the scope."
                )
                % {"members": inequality.members},
            )
        )
        charts = {
            "days": {
                "labels": [row["day"].isoformat() for row in activity.days],
                "datasets": [
                    {
                        "label": str(_("active members")),
                        "data": [row["active"] for row in activity.days],
                    },
                    {"label": str(_("content")), "data": [row["content"] for row in activity.days]},
                ],
            }
        }
        if profile_types_enabled():
            tables.extend(self._type_tables(scope, period, people, charts))
        for table in tables:
            table.csv_url = csv_url(table.name)
        return tables, charts

    def _type_tables(self, scope, period, people, charts):
        community_id = scope.community_id
        participation = participation_by_type(community_id=community_id, period=period)
        week = participation.evaluated_on
        latest_overall = dashboards.evaluations(
            community_id=community_id, last=timezone.now().date(), limit=1
        )
        latest = bool(latest_overall) and latest_overall[0] == week
        rows = []
        for row in participation.types:
            if row.hidden:
                rows.append([Cell(row.label), *[_hidden_cell() for _index in range(6)]])
                continue
            rows.append(
                [
                    Cell(row.label),
                    _count_cell(row.members, people(type=row.type)),
                    Cell(row.share, text=_percent(row.share)),
                    Cell(
                        row.active_share,
                        text=_percent(row.active_share),
                        url=people(type=row.type, did="active") if row.active_share else "",
                    ),
                    _count_cell(row.content, people(type=row.type, did="content")),
                    _count_cell(row.replies_to_others, people(type=row.type, did="replies")),
                    Cell(row.reads),
                ]
            )
        tables = [
            Table(
                name="types",
                title=_("Participation by profile type"),
                header=[
                    _("profile type"),
                    _("members"),
                    _("share"),
                    _("active share"),
                    _("content produced"),
                    _("replies given"),
                    _("posts read"),
                ],
                rows=rows,
                note=(
                    _("Types as evaluated on %(week)s; what they produced over the period.")
                    % {"week": week.isoformat()}
                    if week
                    else _("No evaluation in this period yet.")
                ),
            )
        ]
        weeks = sorted({entry["week"] for row in participation.types for entry in row.weeks})
        members = {
            (row.type, entry["week"]): entry["members"]
            for row in participation.types
            for entry in row.weeks
        }
        visible = [row for row in participation.types if not row.hidden]
        tables.append(
            Table(
                name="trend",
                title=_("Members by profile type, week by week"),
                header=[_("week ending"), *[row.label for row in visible]],
                rows=[
                    [
                        Cell(day.isoformat()),
                        *[Cell(members.get((row.type, day))) for row in visible],
                    ]
                    for day in weeks
                ],
            )
        )
        charts["trend"] = {
            "labels": [day.isoformat() for day in weeks],
            "datasets": [
                {"label": row.label, "data": [members.get((row.type, day)) for day in weeks]}
                for row in visible
            ],
        }

        transitions = dashboards.transitions(community_id=community_id, last=period.last)
        matrix = []
        for row in transitions.rows:
            cells = []
            for (now, _label), count in zip(transitions.types, row["cells"], strict=True):
                url = people(**{"from": row["type"], "to": now})
                cells.append(_count_cell(count, url))
            matrix.append([Cell(row["label"]), *cells])
        tables.append(
            Table(
                name="transitions",
                title=_("Type transitions month over month"),
                header=[_("before → now"), *[label for _type, label in transitions.types]],
                rows=matrix,
                note=(
                    _("Published types on %(earlier)s (rows) and on %(latest)s (columns).")
                    % {
                        "earlier": transitions.earlier.isoformat(),
                        "latest": transitions.latest.isoformat(),
                    }
                    if transitions.earlier
                    else _("Transitions need two evaluations four weeks apart.")
                ),
            )
        )

        actions = dashboards.suggested_actions(community_id=community_id, week=week, latest=latest)
        tables.append(
            Table(
                name="actions",
                title=_("What each type needs from you"),
                header=[_("profile type"), _("members"), _("suggested action"), _("people")],
                rows=[
                    [
                        Cell(action.label),
                        _count_cell(action.members, people(type=action.type)),
                        Cell(action.action, wrap=True),
                        Cell(
                            "; ".join(
                                person.display_name or person.email for person in action.people
                            ),
                            url=people(type=action.type) if action.people else "",
                            wrap=True,
                        ),
                    ]
                    for action in actions
                ],
            )
        )
        return tables

    # -- the people behind a figure ------------------------------------------------------

    def people_view(self, request, community_id=None):
        scope = self.scope_for(request, community_id)
        period, period_error = self._period(request)
        as_of = self._as_of(period)
        try:
            title, queryset, labelled = self._people(scope, period, as_of, request.GET)
        except PeopleFilterInvalid as error:
            context = self._context(
                request, title=_("People"), scope=scope, period=period, error=str(error)
            )
            return TemplateResponse(request, "admin/metrics/people.html", context, status=400)
        header = [_("name"), _("email")]
        if labelled:
            header += [_("profile type"), _("since"), _("why")]
        paginator = Paginator(queryset, self.PEOPLE_PER_PAGE)
        count = paginator.count
        hidden = dashboards._hidden(count, scope.community_id)

        def row_of(item):
            if not labelled:
                return [item.display_name, item.email]
            type_label = ProfileType(item.effective_type).label
            return [
                item.user.display_name,
                item.user.email,
                str(type_label),
                item.since.isoformat(),
                "; ".join(reasons_text(item.reasons)),
            ]

        if request.GET.get("format") == "csv":
            if period_error:
                return HttpResponseBadRequest(
                    period_error, content_type="text/plain; charset=utf-8"
                )
            rows = [] if hidden else (row_of(item) for item in queryset.iterator())
            return _csv_response(f"{scope.slug}-people-{period.last:%Y-%m-%d}.csv", header, rows)
        if period_error:
            messages.error(request, period_error)
        page = None if hidden else paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query["format"] = "csv"
        context = self._context(
            request,
            title=title,
            scope=scope,
            period=period,
            count=count,
            hidden=hidden,
            min_group=dashboards.min_group(),
            header=header,
            page=page,
            rows=[row_of(item) for item in page] if page else [],
            csv_url=f"{request.path}?{query.urlencode()}",
            dashboard_url=scope.url("dashboard", period=period.name),
        )
        return TemplateResponse(request, "admin/metrics/people.html", context)

    def _people(self, scope, period, as_of, params):
        """(title, queryset, whether it is a queryset of labels) for the filters of the
        people page: ``active`` (1, 7 or 28 days), ``group`` (an inequality group),
        ``type`` (with ``did``), or ``from`` and ``to`` (a transition)."""
        community_id = scope.community_id
        by_name = ("display_name", "id")
        if "active" in params:
            days = {"1": 1, "7": 7, "28": 28}.get(params["active"])
            if days is None:
                raise PeopleFilterInvalid(_("active is 1, 7 or 28 (days)."))
            queryset = dashboards.active_people(community_id=community_id, as_of=as_of, days=days)
            title = ngettext(
                "Active on %(day)s", "Active in the %(days)d days up to %(day)s", days
            ) % {"days": days, "day": as_of.isoformat()}
            return title, queryset.order_by(*by_name), False
        if "group" in params:
            group = params["group"]
            if group not in dashboards.Group.ALL:
                raise PeopleFilterInvalid(
                    _("group is one of %(groups)s.") % {"groups": ", ".join(dashboards.Group.ALL)}
                )
            queryset = dashboards.group_people(community_id=community_id, as_of=as_of, group=group)
            return str(dashboards.Group.LABELS[group]), queryset.order_by(*by_name), False
        if not profile_types_enabled():
            raise PeopleFilterInvalid(_("Profile types are turned off for the organisation."))
        types = ProfileType.values
        if "type" in params:
            type = params["type"]
            did = params.get("did") or None
            if type not in types:
                raise PeopleFilterInvalid(_("Unknown profile type %(type)s.") % {"type": type})
            if did is not None and did not in dashboards.DID:
                raise PeopleFilterInvalid(
                    _("did is one of %(values)s.") % {"values": ", ".join(dashboards.DID)}
                )
            weeks = dashboards.evaluations(community_id=community_id, last=timezone.now().date())
            in_period = [week for week in weeks if period.contains(week)]
            week = in_period[0] if in_period else None
            if week is None:
                return str(ProfileType(type).label), ProfileLabel.objects.none(), True
            queryset = dashboards.type_people(
                community_id=community_id,
                week=week,
                latest=week == weeks[0],
                type=type,
                did=did,
                since=period.first,
            )
            title = f"{ProfileType(type).label} ({week.isoformat()})"
            if did:
                title = f"{title}: {dict(self.DID_LABELS)[did]}"
            return title, queryset.order_by("user__display_name", "user_id"), True
        if "to" in params:
            before, now = params.get("from", ""), params["to"]
            if now not in types or (before and before not in types):
                raise PeopleFilterInvalid(_("from and to are profile types."))
            queryset = dashboards.transition_people(
                community_id=community_id, last=period.last, before=before, now=now
            )
            title = _("From %(before)s to %(now)s") % {
                "before": ProfileType(before).label if before else _("Not evaluated then"),
                "now": ProfileType(now).label,
            }
            return title, queryset.order_by(*by_name), False
        raise PeopleFilterInvalid(_("Say whose list: active, group, type, or from and to."))

    DID_LABELS = (
        ("active", gettext_lazy("active in the week evaluated")),
        ("content", gettext_lazy("wrote in the period")),
        ("replies", gettext_lazy("replied to others in the period")),
    )


class PeopleFilterInvalid(ValueError):
    """The people page was asked for a list it does not know; the message says why."""
