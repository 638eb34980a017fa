"""Channel layer pieces that make a dropped live event visible in the logs.

A channel layer refuses a message for a channel that already holds ``capacity``
messages (a consumer that stopped reading). ``group_send`` does not fail then: Channels'
in-memory layer swallows the refusal and channels_redis logs it at INFO, below what
production logs show. A dropped event is not lost for good (personal events replay
from the database; see notifications.consumers), but it must be seen:

- :class:`InMemoryChannelLayer` logs each refused group message at WARNING;
- :class:`OverCapacityWarning` raises channels_redis's "over capacity" records to
  WARNING (installed on the ``channels_redis.core`` logger by ``LOGGING``).
"""

import asyncio
import logging

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

logger = logging.getLogger(__name__)


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    """Channels' in-memory layer, whose ``group_send`` logs (WARNING) the channels it
    could not deliver to because they were full."""

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        channels = list(self.groups.get(group, {}))
        results = await asyncio.gather(
            *(self.send(channel, message) for channel in channels), return_exceptions=True
        )
        full = 0
        for result in results:
            if isinstance(result, ChannelFull):
                full += 1
            elif isinstance(result, BaseException):
                raise result
        if full:
            logger.warning(
                "%s of %s channels over capacity in group %s: message dropped",
                full,
                len(channels),
                group,
            )


class OverCapacityWarning(logging.Filter):
    """Raises channels_redis's "channels over capacity" records from INFO to WARNING,
    so that a group message dropped at capacity shows in the production logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and "over capacity" in str(record.msg):
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return True
