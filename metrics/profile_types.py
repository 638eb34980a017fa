"""Member profile types inferred from behaviour: the rules, and why each member got one.

The six motivation types of the practice (see docs/profile-types.md), plus ``new`` for
members with too little history to judge. This module is pure: it turns the signals of
one member over a rolling window (:class:`Signals`, computed from the daily rollups by
:mod:`metrics.signals`) into a :class:`Verdict` (a type and the reasons for it, in
words and figures), and decides when a published type may change (:func:`label_settle`).

Rules are tried in a fixed order and the first that matches wins; every threshold lives
in ``settings.CERCLE_PROFILE_TYPE_RULES`` (defaults in :data:`DEFAULT_RULES`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class ProfileType(models.TextChoices):
    ENTHUSIAST = "enthusiast", _("Enthusiast")
    SHOW_OFF = "show_off", _("Show-off")
    SHY = "shy", _("Shy")
    INDIFFERENT = "indifferent", _("Indifferent")
    JADED = "jaded", _("Jaded")
    PRAGMATIC = "pragmatic", _("Pragmatic")
    NEW = "new", _("New")


#: How engaged each type is, for :func:`label_settle`: a change to a higher rank is
#: published at once, a change to a lower one only once it has held for a while.
ENGAGEMENT_RANK = {
    ProfileType.INDIFFERENT: 0,
    ProfileType.JADED: 1,
    ProfileType.SHY: 2,
    ProfileType.PRAGMATIC: 3,
    ProfileType.SHOW_OFF: 4,
    ProfileType.ENTHUSIAST: 5,
}

DEFAULT_RULES = {
    # Fewer days than this since joining (the organisation, or the community): "new".
    "new_tenure_days": 14,
    # Jaded: wrote at least this many posts or replies before the recent part of the
    # window (the last 21 days of 90, metrics.signals.RECENT_DAYS), and the daily pace
    # of actions since is at most this fraction of the pace before.
    "jaded_min_past_writes": 2,
    "jaded_max_trend": 0.3,
    # Indifferent: active on fewer days than this in the window with fewer actions of
    # any kind (writes, reactions, kudos, votes) than "indifferent_max_actions"; or
    # wrote nothing and read fewer posts than "shy_min_reads".
    "indifferent_max_active_days": 8,
    "indifferent_max_actions": 4,
    # Show-off: at least this many posts of their own (questions aside), most of what
    # they write is such posts, and they receive at least this many reactions per
    # reaction they give.
    "show_off_min_posts": 6,
    "show_off_min_own_share": 0.6,
    "show_off_min_received_per_given": 2.0,
    # Shy: reads at least this many posts and writes at most this share of what they
    # read (and never more than "shy_max_writes").
    "shy_min_reads": 20,
    "shy_max_write_per_read": 0.03,
    "shy_max_writes": 2,
    # Enthusiast: replies to others and gives (reactions, kudos) at least this much,
    # and replies make at least this share of what they write.
    "enthusiast_min_replies": 6,
    "enthusiast_min_given": 8,
    "enthusiast_min_reply_share": 0.45,
    # A change towards less engagement is published only after the new type has come
    # out of this many weekly evaluations in a row.
    "downgrade_weeks": 3,
}


def rules() -> dict:
    return {**DEFAULT_RULES, **getattr(settings, "CERCLE_PROFILE_TYPE_RULES", {})}


@dataclass(frozen=True)
class Signals:
    """What one member did over the window (90 days by default), in one scope.

    ``recent_actions`` counts actions in the last 30 days and ``past_actions`` in the
    60 before ("actions" are everything but reading and visiting); ``recent_writes``
    and ``past_writes`` the same for posts and replies to others.
    """

    tenure_days: int
    active_days: int = 0
    reads: int = 0
    visits: int = 0
    posts: int = 0
    questions: int = 0
    replies_to_others: int = 0
    replies_received: int = 0
    reactions_given: int = 0
    reactions_received: int = 0
    kudos_given: int = 0
    kudos_received: int = 0
    answers_accepted: int = 0
    votes: int = 0
    communities_joined: int = 0
    communities_active: int = 0
    recent_actions: int = 0
    past_actions: int = 0
    recent_writes: int = 0
    past_writes: int = 0
    window_days: int = 90
    recent_days: int = 30

    @property
    def own_posts(self) -> int:
        return self.posts + self.questions

    @property
    def writes(self) -> int:
        return self.own_posts + self.replies_to_others

    @property
    def given(self) -> int:
        return self.reactions_given + self.kudos_given

    @property
    def actions(self) -> int:
        return self.writes + self.given + self.votes

    @property
    def trend(self) -> float | None:
        """Daily pace of actions in the recent part of the window over the pace before."""
        if not self.past_actions:
            return None
        past_days = self.window_days - self.recent_days
        return (self.recent_actions / self.recent_days) / (self.past_actions / past_days)


def _days(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def _wrote(n: int) -> str:
    return ngettext("wrote %(n)d post or reply", "wrote %(n)d posts or replies", n) % {"n": n}


#: How each reason reads, in the language of whoever reads it (reasons are stored as a
#: code and its figures, and put into words when they are shown).
REASON_TEXTS = {
    "new": lambda p: (
        ngettext(
            "joined %(days)d day ago: too little history to judge",
            "joined %(days)d days ago: too little history to judge",
            p["days"],
        )
        % p
    ),
    "rarely_there": lambda p: (
        _("active on %(days)s, read %(reads)d posts, %(actions)d contributions")
        % {**p, "days": _days(p["days"])}
    ),
    "joined_many": lambda p: _("joined %(joined)d communities, active in %(active)d") % p,
    "declined_from": lambda p: (
        _(
            "%(past)d contributions in the %(past_days)d days before the last "
            "%(recent_days)d, %(recent)d since"
        )
        % p
    ),
    "pace_down": lambda p: _("pace down to %(pct)d%% of what it was") % p,
    "own_posts": lambda p: (
        _("wrote %(posts)d posts of their own and %(replies)d replies to others") % p
    ),
    "reactions_balance": lambda p: _("received %(received)d reactions, gave %(given)d") % p,
    "reads_writes": lambda p: (
        _("read %(reads)d posts, %(wrote)s") % {"reads": p["reads"], "wrote": _wrote(p["writes"])}
    ),
    "reads_top_quarter": lambda p: _("reads put them in the top quarter"),
    "reads_bottom_quarter": lambda p: _("reads put them in the bottom quarter"),
    "gives": lambda p: (
        _("replied %(replies)d times to others, gave %(given)d reactions and kudos") % p
    ),
    "broad": lambda p: _("active in %(active)d communities") % p,
    "serves_them": lambda p: (
        _("contributes when it serves them: %(questions)d questions, %(writes)d writes") % p
    ),
    "answers_accepted": lambda p: _("%(accepted)d of their answers accepted") % p,
    "active_days": lambda p: _("active on %(days)s") % {"days": _days(p["days"])},
}


def reason_text(reason) -> str:
    """One stored reason in words, in the active language: ``[code, figures]`` (or
    plain text, as it is shown)."""
    if isinstance(reason, str):
        return reason
    code, figures = reason
    return str(REASON_TEXTS[code](figures))


def reasons_text(reasons) -> list[str]:
    return [reason_text(reason) for reason in reasons]


@dataclass(frozen=True)
class Verdict:
    """A type and its reasons: ``(code, figures)`` pairs, put into words by
    :func:`reason_text` when shown (:attr:`texts`, :attr:`explanation`)."""

    type: str
    reasons: tuple[tuple[str, dict], ...] = field(default_factory=tuple)

    @property
    def texts(self) -> list[str]:
        return reasons_text(self.reasons)

    @property
    def explanation(self) -> str:
        return "; ".join(self.texts)


class Population:
    """Where a member stands among the others classified with them (for the reasons)."""

    def __init__(self, signals: Iterable[Signals]):
        self._reads = sorted(s.reads for s in signals)

    def reads_quarter(self, reads: int) -> tuple[str, dict] | None:
        if len(self._reads) < 4 or not reads:
            return None
        rank = bisect.bisect_left(self._reads, reads) / len(self._reads)
        if rank >= 0.75:
            return ("reads_top_quarter", {})
        if rank < 0.25:
            return ("reads_bottom_quarter", {})
        return None


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def classify(
    signals: Signals, population: Population | None = None, *, thresholds: dict | None = None
) -> Verdict:
    """The type of one member and why, by the first rule of docs/profile-types.md that
    fits. ``thresholds``: :func:`rules`, when the caller classifies many members."""
    r = thresholds or rules()
    s = signals

    if s.tenure_days < r["new_tenure_days"]:
        return Verdict(ProfileType.NEW, (("new", {"days": s.tenure_days}),))

    trend = s.trend
    if (
        s.past_writes >= r["jaded_min_past_writes"]
        and trend is not None
        and trend <= r["jaded_max_trend"]
    ):
        return Verdict(
            ProfileType.JADED,
            (
                (
                    "declined_from",
                    {
                        "past": s.past_actions,
                        "recent": s.recent_actions,
                        "past_days": s.window_days - s.recent_days,
                        "recent_days": s.recent_days,
                    },
                ),
                ("pace_down", {"pct": round(trend * 100)}),
            ),
        )

    rarely_there = (
        s.active_days < r["indifferent_max_active_days"]
        and s.actions < r["indifferent_max_actions"]
    )
    if rarely_there or (s.writes == 0 and s.reads < r["shy_min_reads"]):
        reasons = [
            ("rarely_there", {"days": s.active_days, "reads": s.reads, "actions": s.actions})
        ]
        if s.communities_joined > max(1, s.communities_active):
            reasons.append(
                ("joined_many", {"joined": s.communities_joined, "active": s.communities_active})
            )
        return Verdict(ProfileType.INDIFFERENT, tuple(reasons))

    # Their own posts, not questions: asking is how pragmatic members take part.
    own_share = _share(s.posts, s.writes)
    received_per_given = s.reactions_received / max(1, s.reactions_given)
    if (
        s.posts >= r["show_off_min_posts"]
        and own_share >= r["show_off_min_own_share"]
        and received_per_given >= r["show_off_min_received_per_given"]
    ):
        return Verdict(
            ProfileType.SHOW_OFF,
            (
                ("own_posts", {"posts": s.posts, "replies": s.replies_to_others}),
                (
                    "reactions_balance",
                    {"received": s.reactions_received, "given": s.reactions_given},
                ),
            ),
        )

    if (
        s.reads >= r["shy_min_reads"]
        and s.writes <= r["shy_max_writes"]
        and _share(s.writes, s.reads) <= r["shy_max_write_per_read"]
    ):
        reasons = [("reads_writes", {"reads": s.reads, "writes": s.writes})]
        quarter = population.reads_quarter(s.reads) if population else None
        if quarter:
            reasons.append(quarter)
        return Verdict(ProfileType.SHY, tuple(reasons))

    if (
        s.replies_to_others >= r["enthusiast_min_replies"]
        and s.given >= r["enthusiast_min_given"]
        and _share(s.replies_to_others, s.writes) >= r["enthusiast_min_reply_share"]
    ):
        reasons = [("gives", {"replies": s.replies_to_others, "given": s.given})]
        if s.communities_active > 1:
            reasons.append(("broad", {"active": s.communities_active}))
        return Verdict(ProfileType.ENTHUSIAST, tuple(reasons))

    reasons = [("serves_them", {"questions": s.questions, "writes": s.writes})]
    if s.answers_accepted:
        reasons.append(("answers_accepted", {"accepted": s.answers_accepted}))
    reasons.append(("active_days", {"days": s.active_days}))
    return Verdict(ProfileType.PRAGMATIC, tuple(reasons))


def label_settle(published: str | None, evaluations: Sequence[str]) -> str:
    """The type to publish, given the one published so far and the weekly raw types.

    ``evaluations`` are the raw types of the latest weekly evaluations, oldest first,
    the current one last. A move towards more engagement (or out of ``new``, or a first
    label) is published at once; a move towards less only once the last
    ``downgrade_weeks`` evaluations all agree on it, so that one quiet week does not
    flip an enthusiast to indifferent.
    """
    current = evaluations[-1]
    if published is None or published == ProfileType.NEW or current == published:
        return current
    if current == ProfileType.NEW:
        return current
    if ENGAGEMENT_RANK[ProfileType(current)] >= ENGAGEMENT_RANK[ProfileType(published)]:
        return current
    needed = rules()["downgrade_weeks"]
    recent = evaluations[-needed:]
    if len(recent) >= needed and all(label == current for label in recent):
        return current
    return published
