"""Admin for community managers and support: announcements with their acknowledgement
reports, notification and email logs, conversations (superusers only)."""

from notifications.admin import announcements, conversations, support  # noqa: F401
