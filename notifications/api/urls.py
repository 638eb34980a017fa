from notifications.api import announcements, conversations, notifications

urlpatterns = [
    *notifications.urlpatterns,
    *conversations.urlpatterns,
    *announcements.urlpatterns,
]
