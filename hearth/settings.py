"""Hearth settings, read from the environment only.

With nothing set, Hearth runs on SQLite (WAL mode) under ./var/, sends e-mail to the
console and keeps its cache in memory: one command, no servers. Every default is safe for a
single machine; production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and friends.
"""

import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
env = environ.Env()

VAR_DIR = Path(env.str("HEARTH_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    """The SECRET_KEY from the environment, else one generated once and kept in var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("HEARTH_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env.str("HEARTH_SITE_NAME", default="Hearth")
# The address members reach the site at, for links in e-mails.
HEARTH_BASE_URL = env.str("HEARTH_BASE_URL", default="http://127.0.0.1:8000")
# Days after the first answer before an asker is reminded to accept one.
HEARTH_ACCEPT_REMINDER_DAYS = env.int("HEARTH_ACCEPT_REMINDER_DAYS", default=3)
# How often open pages ask for the unread count, in seconds.
HEARTH_NOTIFICATION_POLL_SECONDS = env.int("HEARTH_NOTIFICATION_POLL_SECONDS", default=30)
# Similar questions ranked by meaning too: a sentence-transformers model folder on this
# machine (needs the `semantic` extra; never downloaded). Empty: ranked by words only.
HEARTH_SEMANTIC_MODEL_PATH = env.str("HEARTH_SEMANTIC_MODEL_PATH", default="")
# The name stored with each vector; by default the model folder's name.
HEARTH_SEMANTIC_MODEL_NAME = env.str("HEARTH_SEMANTIC_MODEL_NAME", default="")
# Hours after opening a suggested question within which posting from the same composer
# still counts as asking anyway; after that, it counts as a deflection.
HEARTH_DEFLECTION_WINDOW_HOURS = env.int("HEARTH_DEFLECTION_WINDOW_HOURS", default=24)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "hearth.core",
    "hearth.accounts",
    "hearth.notifications",
    "hearth.community",
    "hearth.search",
    "hearth.ideas",
    "hearth.moderation",
    "hearth.integrations",
    "hearth.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hearth.api.errors.ApiMethodNotAllowedMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hearth.core.middleware.VisitDayMiddleware",
    "hearth.core.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "hearth.urls"
WSGI_APPLICATION = "hearth.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hearth.core.context_processors.site",
                "hearth.notifications.context_processors.notifications",
            ],
        },
    },
    # Jinja2 renders only the rows of the busiest lists (hearth/jinja2/), where the Django
    # template language's per-variable cost adds up to milliseconds a page.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "hearth.core.jinja.environment"},
    },
]

# Database: SQLite in WAL mode under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hearth.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                " PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
    if str(DATABASES["default"]["NAME"]).startswith(str(VAR_DIR)):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("HEARTH_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Member"

# Argon2 first: new passwords are hashed with it; older hashes upgrade on log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Suspended and banned members can neither log in nor keep a session.
AUTHENTICATION_BACKENDS = ["hearth.accounts.backends.MemberBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "community:home"
LOGOUT_REDIRECT_URL = "community:home"

# Cache (and so API rate limits): Redis when REDIS_URL is set, else memory in each process.
if os.environ.get("CACHE_URL") or not os.environ.get("REDIS_URL"):
    CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://hearth")}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "hearth",
        }
    }

# Topic views: 1 writes each view to the database at once. A busy community with Redis can
# count them in the cache and write them this many at a time (fewer writes and row locks on hot
# topics; lists then read the counts not yet written from the cache, one round trip a page).
# With memory in each process, views waiting there would be lost at every restart.
HEARTH_VIEW_COUNT_BATCH = env.int("HEARTH_VIEW_COUNT_BATCH", default=1)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Hearth <community@localhost>")

# Background tasks: "database" (default, run by `hearth worker`), "rq" (Redis queues at
# REDIS_URL, also run by `hearth worker`), or a backend's dotted path.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = env.str("HEARTH_TASKS_BACKEND", default="database")
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(_tasks_backend, _tasks_backend)}}
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["rq"]:
    if not os.environ.get("REDIS_URL"):
        raise ImproperlyConfigured("HEARTH_TASKS_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 600}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("HEARTH_TIME_ZONE", default="UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("HEARTH_STATIC_ROOT", default=str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("HEARTH_COLLECTED_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collected static files, WhiteNoise serves them straight from the apps.
WHITENOISE_USE_FINDERS = not env.bool("HEARTH_COLLECTED_STATIC", default=False)
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("HEARTH_MEDIA_ROOT", default=str(VAR_DIR / "media")))
HEARTH_SERVE_MEDIA = env.bool("HEARTH_SERVE_MEDIA", default=True)
AVATAR_MAX_BYTES = 2 * 1024 * 1024

# API rate limits, per client, e.g. "120/min".
HEARTH_API_RATE_ANONYMOUS = env.str("HEARTH_API_RATE_ANONYMOUS", default="120/min")
HEARTH_API_RATE_MEMBER = env.str("HEARTH_API_RATE_MEMBER", default="600/min")

# Moderation. What every post goes through before it is published (see hearth/community/
# checks.py): rate limits first, then screening. An empty list publishes everything.
HEARTH_POST_CHECKS = env.list(
    "HEARTH_POST_CHECKS",
    default=["hearth.moderation.checks.posting_limits", "hearth.moderation.checks.screening"],
)
# Rate limits, "N/period" (s, min, h, day) per member, address or account name. Defaults are
# at least as strict as Discourse's. Off only for tests and imports.
HEARTH_RATE_LIMITS_ENABLED = env.bool("HEARTH_RATE_LIMITS_ENABLED", default=True)
HEARTH_RATE_REPLY = env.str("HEARTH_RATE_REPLY", default="1/5s")
HEARTH_RATE_REPLY_NEW = env.str("HEARTH_RATE_REPLY_NEW", default="1/30s")
HEARTH_RATE_TOPIC = env.str("HEARTH_RATE_TOPIC", default="1/15s")
HEARTH_RATE_TOPIC_NEW = env.str("HEARTH_RATE_TOPIC_NEW", default="1/120s")
HEARTH_RATE_LOGIN_IP = env.str("HEARTH_RATE_LOGIN_IP", default="6/min")
# Failed log-ins to one account before it is locked for the rest of the period.
HEARTH_RATE_LOGIN_FAILURES = env.str("HEARTH_RATE_LOGIN_FAILURES", default="5/15min")
HEARTH_RATE_SIGNUP_IP = env.str("HEARTH_RATE_SIGNUP_IP", default="3/h")
HEARTH_RATE_FLAG = env.str("HEARTH_RATE_FLAG", default="20/day")
# The same text from one member again within this many seconds is refused.
HEARTH_DUPLICATE_POST_SECONDS = env.int("HEARTH_DUPLICATE_POST_SECONDS", default=300)
# Screening: a sentence scoring at least this (0-1, alt-profanity-check) holds the post.
HEARTH_SCREENING_THRESHOLD = env.float("HEARTH_SCREENING_THRESHOLD", default=0.9)
# More posts than this in the period from a member below trust level 2 is a burst: held.
HEARTH_SCREENING_BURST = env.str("HEARTH_SCREENING_BURST", default="6/10min")
# The same text posted this many times in a day (in different places) is held as spam.
HEARTH_SCREENING_REPEATS = env.int("HEARTH_SCREENING_REPEATS", default=3)
# A new member's (trust level 0) first this-many posts wait for a moderator. 0: off.
HEARTH_PREMODERATION_POSTS = env.int("HEARTH_PREMODERATION_POSTS", default=0)
# Flags: a post flagged by this much weight is hidden pending review; a flag weighs by its
# flagger's trust level (0..4); staff flags weigh the whole threshold.
HEARTH_FLAG_HIDE_WEIGHT = env.float("HEARTH_FLAG_HIDE_WEIGHT", default=3.0)
HEARTH_FLAG_WEIGHTS = env.list("HEARTH_FLAG_WEIGHTS", cast=float, default=[1.0, 1.0, 1.5, 2.0, 3.0])
# Trust levels: posts a day at each level (0 means no limit), and what reaching a level
# takes (counted by `hearth nightly`). JSON in HEARTH_TRUST_THRESHOLDS replaces the table.
HEARTH_TRUST_POSTS_PER_DAY = env.list(
    "HEARTH_TRUST_POSTS_PER_DAY", cast=int, default=[10, 50, 200, 1000, 0]
)
HEARTH_TRUST_THRESHOLDS = env.json(
    "HEARTH_TRUST_THRESHOLDS",
    default={
        "1": {"days_visited": 2, "posts_read": 30},
        "2": {
            "days_visited": 10,
            "posts_read": 100,
            "replies": 3,
            "likes_given": 1,
            "likes_received": 1,
        },
        "3": {
            "days_visited": 40,
            "posts_read": 500,
            "replies": 10,
            "likes_given": 20,
            "likes_received": 10,
            "accepted_answers": 1,
            "max_flags_upheld": 0,
        },
        "4": {
            "days_visited": 100,
            "posts_read": 2000,
            "replies": 50,
            "likes_given": 50,
            "likes_received": 50,
            "accepted_answers": 5,
            "max_flags_upheld": 0,
        },
    },
)
# Wiki posts: the trust level (0-4) from which members may edit other members' wiki posts
# (their authors and the moderators always may), as in Discourse.
HEARTH_TRUST_WIKI_EDIT_LEVEL = env.int("HEARTH_TRUST_WIKI_EDIT_LEVEL", default=1)

# Browsers get no framing, no sniffing, and cookies only over HTTPS when asked.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions are read from the cache (Redis in production) and written through to the database,
# so a signed-in page does not pay a database query for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("HEARTH_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("HEARTH_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("HEARTH_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HEARTH_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("HEARTH_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("HEARTH_BEHIND_PROXY", default=False) else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("HEARTH_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
