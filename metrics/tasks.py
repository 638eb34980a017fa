"""Background work for metrics (Celery beat, ``CELERY_BEAT_SCHEDULE``): the participation
rollups catch up with the activity log (``metrics-rollups-update``), and members'
profile types are evaluated once a week (``metrics-profile-types-evaluate``)."""

from celery import shared_task

from metrics.models import RollupState
from metrics.profile_labels import evaluation_due, profile_labels_evaluate, profile_types_enabled
from metrics.rollups import rollups_update as rollups_fill


@shared_task
def rollups_update() -> dict[str, str]:
    """Fill every rollup up to the horizon (see :mod:`metrics.rollups`); returns how
    far each is filled, in ISO 8601. A run that fails leaves its rollup STARTED and the
    next run (15 minutes later by default) redoes the unfinished days."""
    return {name: moment.isoformat() for name, moment in rollups_fill().items()}


@shared_task
def profile_types_evaluate() -> str | None:
    """Evaluate members' profile types for the last week the member rollups have
    counted whole (see :func:`metrics.profile_labels.evaluation_due`), once; returns the
    week evaluated, or None when there was nothing to do (already done, labelling
    turned off, or the rollups never filled)."""
    if not profile_types_enabled():
        return None
    state = RollupState.objects.filter(name=RollupState.Name.MEMBER_DAYS).first()
    if state is None:
        return None
    due = evaluation_due(filled_through=state.filled_through)
    if due is None:
        return None
    profile_labels_evaluate(as_of=due)
    return due.isoformat()
