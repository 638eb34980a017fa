from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import health
from profiles import views as profile_views

admin.site.site_header = format_lazy(_("{name} administration"), name=settings.SITE_NAME)
admin.site.site_title = format_lazy(_("{name} admin"), name=settings.SITE_NAME)
admin.site.index_title = _("Community management")

# Under /api/, unknown URLs and server errors answer JSON like the rest of the API.
handler404 = "config.api.handlers.page_not_found"
handler500 = "config.api.handlers.server_error"

urlpatterns = [
    path("", profile_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("", include("profiles.urls")),
    path("", include("communities.urls")),
    path("", include("notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
