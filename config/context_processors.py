from django.conf import settings


def site(request):
    """The product name and the languages offered by the switcher, for every template."""
    return {"SITE_NAME": settings.SITE_NAME}
