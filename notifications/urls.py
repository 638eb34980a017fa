"""Browser pages of notifications, conversations and announcements (one namespace)."""

from notifications.views import announcements, centre, conversations, preferences, unsubscribe

app_name = "notifications"

urlpatterns = [
    *centre.urlpatterns,
    *preferences.urlpatterns,
    *conversations.urlpatterns,
    *announcements.urlpatterns,
    *unsubscribe.urlpatterns,
]
