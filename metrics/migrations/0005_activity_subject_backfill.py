"""The backfill of ``Activity.subject`` (added by 0004) and of missing communities.

It fills, from the content tables, what today's services record (see the
table in :mod:`metrics.services`): first the community of rows that have none and whose
object belongs to one, then the subject of each verb that has one (never the actor).
A kudos to several colleagues becomes one row per recipient, as services now write it:
the existing row takes the first recipient, a copy (same actor, object and time) is
inserted for each other one. Set-based statements over ranges of ids, so that each
stays short on a large log; it runs on SQLite and PostgreSQL, and again without harm
(only rows without a subject are touched). The reverse keeps the data.
"""

from django.db import migrations, models
from django.db.models import Case, F, Max, Min, OuterRef, Subquery, When
from django.db.models.functions import NullIf

BATCH_SIZE = 10_000

# object_type -> (model, path to its community id).
COMMUNITY_OF = {
    "community": (("communities", "Community"), "pk"),
    "post": (("communities", "Post"), "community_id"),
    "comment": (("communities", "Comment"), "post__community_id"),
    "poll": (("communities", "Poll"), "post__community_id"),
    "event": (("communities", "Event"), "post__community_id"),
    "invitation": (("communities", "Invitation"), "community_id"),
    "election": (("communities", "Election"), "community_id"),
    "kudos": (("profiles", "Kudos"), "community_id"),
}

# (verb, object_type) -> (model, path to the member it was addressed to). Comments are
# apart: a reply is addressed to the parent comment's author, a comment to the post's.
SUBJECT_OF = {
    ("answer_accepted", "comment"): (("communities", "Comment"), "post__author_id"),
    ("reaction_created", "post"): (("communities", "Post"), "author_id"),
    ("reaction_created", "comment"): (("communities", "Comment"), "author_id"),
    ("post_read", "post"): (("communities", "Post"), "author_id"),
    ("poll_voted", "poll"): (("communities", "Poll"), "post__author_id"),
    ("rsvp", "event"): (("communities", "Event"), "post__author_id"),
    ("member_invited", "invitation"): (("communities", "Invitation"), "invitee_id"),
}


def _id_ranges(rows):
    bounds = rows.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for start in range(bounds["low"], bounds["high"] + 1, BATCH_SIZE):
        yield start, start + BATCH_SIZE


def _update_in_batches(rows, **values) -> None:
    for start, end in _id_ranges(rows):
        rows.filter(pk__gte=start, pk__lt=end).update(**values)


def _value_of(model, path, using):
    return Subquery(
        model.objects.using(using).filter(pk=OuterRef("object_id")).values(path)[:1]
    )


def _not_the_actor(expression):
    return NullIf(expression, F("actor_id"), output_field=models.BigIntegerField())


def _kudos_split(activities, kudos_model, connection) -> None:
    """One row per recipient of each kudos row without a subject: copies for all but
    the first recipient (not the giver), then the first recipient on the row itself."""
    recipients = kudos_model.recipients.through
    quote = connection.ops.quote_name
    table = quote(activities.model._meta.db_table)
    through = quote(recipients._meta.db_table)
    kudos_column = quote(recipients._meta.get_field("kudos").column)
    user_column = quote(recipients._meta.get_field("user").column)
    columns = "actor_id, verb, community_id, subject_id, object_type, object_id, created_at"
    rows = activities.filter(verb="kudos_given", object_type="kudos", subject__isnull=True)
    for start, end in _id_ranges(rows):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                f"SELECT a.actor_id, a.verb, a.community_id, r.{user_column}, a.object_type, "
                "a.object_id, a.created_at "
                f"FROM {table} a JOIN {through} r ON r.{kudos_column} = a.object_id "
                "WHERE a.verb = %s AND a.object_type = %s AND a.subject_id IS NULL "
                f"AND a.id >= %s AND a.id < %s AND r.{user_column} <> a.actor_id "
                f"AND r.{user_column} > (SELECT MIN(r2.{user_column}) FROM {through} r2 "
                f"WHERE r2.{kudos_column} = a.object_id AND r2.{user_column} <> a.actor_id) "
                f"ORDER BY a.id, r.{user_column}",
                ["kudos_given", "kudos", start, end],
            )
        first = (
            recipients.objects.using(connection.alias)
            .filter(kudos_id=OuterRef("object_id"))
            .exclude(user_id=OuterRef("actor_id"))
            .order_by("user_id")
            .values("user_id")[:1]
        )
        rows.filter(pk__gte=start, pk__lt=end).update(subject=Subquery(first))


def backfill_subjects_and_communities(apps, schema_editor) -> None:
    connection = schema_editor.connection
    using = connection.alias
    activities = apps.get_model("metrics", "Activity").objects.using(using)

    for object_type, (label, path) in COMMUNITY_OF.items():
        model = apps.get_model(*label)
        _update_in_batches(
            activities.filter(object_type=object_type, community__isnull=True),
            community=_value_of(model, path, using),
        )

    comment = apps.get_model("communities", "Comment")
    addressed = (
        comment.objects.using(using)
        .filter(pk=OuterRef("object_id"))
        .annotate(
            addressed=Case(
                When(parent__isnull=False, then=F("parent__author_id")),
                default=F("post__author_id"),
            )
        )
        .values("addressed")[:1]
    )
    _update_in_batches(
        activities.filter(verb="comment_created", object_type="comment", subject__isnull=True),
        subject=_not_the_actor(Subquery(addressed)),
    )
    for (verb, object_type), (label, path) in SUBJECT_OF.items():
        _update_in_batches(
            activities.filter(verb=verb, object_type=object_type, subject__isnull=True),
            subject=_not_the_actor(_value_of(apps.get_model(*label), path, using)),
        )
    _kudos_split(activities, apps.get_model("profiles", "Kudos"), connection)


class Migration(migrations.Migration):

    dependencies = [
        ("communities", "0004_notifications"),
        ("profiles", "0003_notifications"),
        ("metrics", "0004_activity_subject"),
    ]

    operations = [
        migrations.RunPython(
            backfill_subjects_and_communities, migrations.RunPython.noop, elidable=True
        ),
    ]
