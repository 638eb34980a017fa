"""Settings shared by every environment.

Everything is read from environment variables with safe local defaults, so that a
checkout with no environment runs on the embedded stack: SQLite, the in-memory
channel layer, Celery in eager mode and the console email backend.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="cercle-local-development-only-not-a-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_NAME = env("CERCLE_SITE_NAME", default="Cercle")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "allauth.headless",
    "profiles",
    "communities",
    "notifications",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "metrics.middleware.VisitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.api.middleware.HeadlessJSONDepthMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's psycopg 3 pool: several times the throughput of a connection per request.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "pool", {"min_size": 2, "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10)}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

CHANNEL_LAYER_CAPACITY = env.int("CHANNEL_LAYER_CAPACITY", default=5000)
CHANNEL_LAYER_GROUP_EXPIRY = env.int("CHANNEL_LAYER_GROUP_EXPIRY", default=86400)

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub: each process subscribes once per group and hands an event to
            # its sockets itself (3 to 5 times faster than RedisChannelLayer at 1,000
            # sockets, docs/benchmarks.md). A socket whose events were lost (it stopped
            # reading, or the subscription reconnected) is told to resync, and the loss
            # is logged at WARNING: see config.channel_layers.
            "BACKEND": "config.channel_layers.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL}],
                # Messages a socket may have waiting before new ones are dropped: room
                # for a burst of events while a socket replays what it missed.
                "capacity": CHANNEL_LAYER_CAPACITY,
                "prefix": env("CHANNEL_LAYER_PREFIX", default="cercle"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cercle",
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            # Channels' in-memory layer, logging the messages it drops at capacity.
            "BACKEND": "config.channel_layers.InMemoryChannelLayer",
            "CONFIG": {
                "capacity": CHANNEL_LAYER_CAPACITY,
                "group_expiry": CHANNEL_LAYER_GROUP_EXPIRY,
            },
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Elections close on time even when nobody opens the community page.
    "communities-close-due-elections": {
        "task": "communities.tasks.elections_close_due",
        "schedule": env.float("CERCLE_ELECTIONS_CLOSE_EVERY_SECONDS", default=300.0),
    },
    # Elected roles go back to the previous role when the term ends.
    "communities-end-due-terms": {
        "task": "communities.tasks.election_terms_end_due",
        "schedule": 3600.0,
    },
    # Badges earned before a rule existed, or missed by a lost task, are awarded nightly.
    "profiles-badges-backfill": {
        "task": "profiles.tasks.badges_backfill",
        "schedule": env.float("CERCLE_BADGES_BACKFILL_EVERY_SECONDS", default=86400.0),
    },
    # Members attending an event hear of it before it starts.
    "notifications-event-reminders": {
        "task": "notifications.tasks.event_reminders_send_due",
        "schedule": 300.0,
    },
    # What stayed unread while a member was away is emailed, batched per member.
    "notifications-emails": {
        "task": "notifications.tasks.notification_emails_send_due",
        "schedule": 60.0,
    },
    # Daily and weekly digests go out at CERCLE_DIGEST_HOUR in each member's time zone.
    "notifications-digests": {
        "task": "notifications.tasks.digests_send_due",
        "schedule": 3600.0,
    },
    # Personal live events older than CERCLE_STREAM_RETENTION_DAYS are no longer replayed.
    "notifications-stream-events-purge": {
        "task": "notifications.tasks.stream_events_purge",
        "schedule": 86400.0,
    },
    # Notifications past CERCLE_NOTIFICATION_(READ_)RETENTION_DAYS are deleted.
    "notifications-purge": {
        "task": "notifications.tasks.notifications_purge",
        "schedule": 86400.0,
    },
    # The participation rollups (member and community days) catch up with the log.
    "metrics-rollups-update": {
        "task": "metrics.tasks.rollups_update",
        "schedule": env.float("CERCLE_ROLLUP_EVERY_SECONDS", default=900.0),
    },
    # Members' profile types, once a week, for the week the rollups have filled.
    "metrics-profile-types-evaluate": {
        "task": "metrics.tasks.profile_types_evaluate",
        "schedule": 6 * 3600.0,
    },
}

# --- Email -------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cercle <cercle@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Accounts ----------------------------------------------------------------------
AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Company email domains allowed to sign up (comma list). Empty: anyone may sign up.
CERCLE_SIGNUP_DOMAINS = [
    domain.strip().lower().lstrip("@")
    for domain in env.list("CERCLE_SIGNUP_DOMAINS", default=[])
    if domain.strip()
]

ACCOUNT_ADAPTER = "profiles.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "profiles.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "profiles.forms.SignupExtraForm"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
}

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# With optional verification (the local default) members may not have verified their
# address yet; MFA must still be available to every one of them.
MFA_ALLOW_UNVERIFIED_EMAIL = ACCOUNT_EMAIL_VERIFICATION != "mandatory"
MFA_TOTP_ISSUER = SITE_NAME

HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_ONLY = False
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.sessions.SessionTokenStrategy"
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/accounts/confirm-email/{key}/",
    "account_reset_password_from_key": "/accounts/password/reset/key/{key}/",
    "account_signup": "/accounts/signup/",
}

# Single sign-on: providers come from the environment (no code) or from the admin
# (Social applications). OIDC: a JSON list of {"id", "name", "client_id", "secret",
# "server_url"}. SAML: a JSON list of allauth SAML app configurations.
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": app["id"],
                "name": app.get("name", app["id"]),
                "client_id": app["client_id"],
                "secret": app.get("secret", ""),
                "settings": {"server_url": app["server_url"]},
            }
            for app in env.json("CERCLE_OIDC_PROVIDERS", default=[])
        ],
        "OAUTH_PKCE_ENABLED": True,
    },
    "saml": {"APPS": env.json("CERCLE_SAML_PROVIDERS", default=[])},
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ONLY = False

# --- Communities and conversations ---------------------------------------------------
CERCLE_REACTION_KINDS = env.list(
    "CERCLE_REACTION_KINDS", default=["like", "celebrate", "insightful", "helpful", "support"]
)
CERCLE_POST_BODY_MAX_LENGTH = env.int("CERCLE_POST_BODY_MAX_LENGTH", default=20_000)
CERCLE_COMMENT_BODY_MAX_LENGTH = env.int("CERCLE_COMMENT_BODY_MAX_LENGTH", default=5_000)
CERCLE_ATTACHMENT_MAX_BYTES = env.int("CERCLE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
CERCLE_ATTACHMENT_CONTENT_TYPES = env.list(
    "CERCLE_ATTACHMENT_CONTENT_TYPES",
    default=[
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    ],
)
CERCLE_THUMBNAIL_SIZE = (480, 480)
# After this many of a member's posts or comments are hidden by moderators in one
# community, the moderation queue suggests a ban.
CERCLE_BAN_SUGGESTION_THRESHOLD = env.int("CERCLE_BAN_SUGGESTION_THRESHOLD", default=3)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Profiles and recognition -------------------------------------------------------
CERCLE_AVATAR_MAX_BYTES = env.int("CERCLE_AVATAR_MAX_BYTES", default=5 * 1024 * 1024)
CERCLE_AVATAR_SIZE = (256, 256)
CERCLE_KUDOS_VALUES = env.list(
    "CERCLE_KUDOS_VALUES",
    default=["helpful", "teamwork", "innovation", "customer_first", "leadership", "thank_you"],
)
# How many colleagues one member may praise per day (each recipient counts).
CERCLE_KUDOS_DAILY_CAP = env.int("CERCLE_KUDOS_DAILY_CAP", default=10)
# Organisation-wide switch: off hides leaderboards and reputation scores everywhere
# (for countries and works councils that require it). Badges and kudos stay.
CERCLE_PUBLIC_RECOGNITION = env.bool("CERCLE_PUBLIC_RECOGNITION", default=True)
CERCLE_LEADERBOARD_SIZE = 10
CERCLE_LEADERBOARD_MIN_MEMBERS = 5
# Reputation points for reactions received are capped per day, so volume alone does not pay.
CERCLE_REPUTATION_REACTIONS_DAILY_CAP = env.int("CERCLE_REPUTATION_REACTIONS_DAILY_CAP", default=5)

# --- Notifications -------------------------------------------------------------------
# A notification still unread this long, while its member was not active, is emailed.
CERCLE_NOTIFICATION_EMAIL_DELAY_MINUTES = env.int(
    "CERCLE_NOTIFICATION_EMAIL_DELAY_MINUTES", default=10
)
# Notifications read more than this many days ago are deleted (daily)...
CERCLE_NOTIFICATION_READ_RETENTION_DAYS = env.int(
    "CERCLE_NOTIFICATION_READ_RETENTION_DAYS", default=180
)
# ...and so is any notification, read or not, without activity for this many days.
CERCLE_NOTIFICATION_RETENTION_DAYS = env.int("CERCLE_NOTIFICATION_RETENTION_DAYS", default=365)
# Digests are sent at this local hour (weekly ones on Mondays).
CERCLE_DIGEST_HOUR = env.int("CERCLE_DIGEST_HOUR", default=8)
# No digest for members who have not been seen for this many days.
CERCLE_DIGEST_INACTIVE_DAYS = env.int("CERCLE_DIGEST_INACTIVE_DAYS", default=180)
# Members who answered yes (or maybe) hear of an event this long before it starts.
CERCLE_EVENT_REMINDER_MINUTES = env.int("CERCLE_EVENT_REMINDER_MINUTES", default=60)
# Direct conversations: people per conversation (the author included), message length.
CERCLE_CONVERSATION_MAX_PEOPLE = env.int("CERCLE_CONVERSATION_MAX_PEOPLE", default=20)
CERCLE_MESSAGE_MAX_LENGTH = env.int("CERCLE_MESSAGE_MAX_LENGTH", default=5_000)
# A manager may remind the members who have not acknowledged an announcement once per period.
CERCLE_ANNOUNCEMENT_REMINDER_HOURS = env.int("CERCLE_ANNOUNCEMENT_REMINDER_HOURS", default=24)
# Personal live events are kept this long for clients that reconnect (older: resync).
CERCLE_STREAM_RETENTION_DAYS = env.int("CERCLE_STREAM_RETENTION_DAYS", default=7)
# A client that missed more personal events than this is told to resync instead.
CERCLE_STREAM_REPLAY_LIMIT = env.int("CERCLE_STREAM_REPLAY_LIMIT", default=1000)
# Idle sockets get a heartbeat frame this often, so that proxies do not cut them.
CERCLE_STREAM_HEARTBEAT_SECONDS = env.float("CERCLE_STREAM_HEARTBEAT_SECONDS", default=25.0)
# Posts (and public communities) one socket may follow besides its member's communities.
CERCLE_STREAM_MAX_SUBSCRIPTIONS = env.int("CERCLE_STREAM_MAX_SUBSCRIPTIONS", default=50)
# Open sockets check their credentials again this often: a session that expired, or that
# a password change or a bulk deactivation ended, closes its sockets (logging out and
# deactivating close them at once).
CERCLE_STREAM_REVALIDATE_SECONDS = env.float("CERCLE_STREAM_REVALIDATE_SECONDS", default=300.0)

# --- Metrics -----------------------------------------------------------------------
# The rollups stop this long before now, so that actions still committing are not missed.
CERCLE_ROLLUP_SETTLE_MINUTES = env.int("CERCLE_ROLLUP_SETTLE_MINUTES", default=10)
# On PostgreSQL they also stop this long before the oldest open transaction began.
CERCLE_ROLLUP_TRANSACTION_MARGIN_SECONDS = env.int(
    "CERCLE_ROLLUP_TRANSACTION_MARGIN_SECONDS", default=60
)
# A community day's median time to first reply counts replies within this many days.
CERCLE_ROLLUP_FIRST_REPLY_WINDOW_DAYS = env.int("CERCLE_ROLLUP_FIRST_REPLY_WINDOW_DAYS", default=7)
# /healthz and the admin warn when a rollup is filled less recently than this.
CERCLE_ROLLUP_MAX_LAG_HOURS = env.float("CERCLE_ROLLUP_MAX_LAG_HOURS", default=24.0)
# Profile types (docs/profile-types.md): false turns labelling off for the whole
# organisation, leaving plain participation figures; the rules' thresholds (a JSON
# object overriding metrics.profile_types.DEFAULT_RULES).
CERCLE_PROFILE_TYPES = env.bool("CERCLE_PROFILE_TYPES", default=True)
CERCLE_PROFILE_TYPE_RULES = env.json("CERCLE_PROFILE_TYPE_RULES", default={})
# Organisation-wide breakdowns never show a group of fewer people than this.
CERCLE_METRICS_MIN_GROUP = env.int("CERCLE_METRICS_MIN_GROUP", default=5)

# --- API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.DefaultPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "DEFAULT_METADATA_CLASS": "config.api.metadata.APIMetadata",
    # JSON bodies; the views that take uploads add multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="2000/hour"),
        "anon": env("API_THROTTLE_ANON", default="100/hour"),
    },
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cercle API",
    "DESCRIPTION": (
        "The REST API of Cercle, the enterprise social network. Mobile clients log in "
        "at /_allauth/app/v1/auth/login and send the session token they receive in the "
        "X-Session-Token header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # A required text field may not be blank: say so (minLength 1) in the schema.
    "ENFORCE_NON_BLANK_FIELDS": True,
    "ENUM_NAME_OVERRIDES": {
        "PostKindEnum": "communities.models.Post.Kind",
        "ReactionKindEnum": CERCLE_REACTION_KINDS,
    },
}

# --- Internationalisation ----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Logging -----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}
