"""Background work for notifications, queued by services on commit or by Celery beat.

Tasks take ids and plain values, never ORM instances.
"""

from notifications.tasks.email import *  # noqa: F403
from notifications.tasks.retention import *  # noqa: F403
from notifications.tasks.sources import *  # noqa: F403
from notifications.tasks.stream import *  # noqa: F403
