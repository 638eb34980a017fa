"""Test settings: fast hashing, eager Celery, in-memory email, whatever DATABASE_URL says."""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, REDIS_URL, env

DEBUG = False
SECRET_KEY = "cercle-tests"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = CELERY_BROKER_URL
ACCOUNT_RATE_LIMITS = False
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test starts from an empty cache (tests/conftest.py clears it); Redis still carries
# the channel layer and the broker when REDIS_URL is set.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if REDIS_URL:
    # Tests running in parallel against one Redis must not read each other's messages.
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = env(  # noqa: F405
        "CHANNEL_LAYER_PREFIX", default="cercle-test"
    )
