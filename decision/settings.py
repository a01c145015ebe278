"""The one settings module, configured from environment variables.

Development defaults are safe to run locally (DEBUG on, SQLite next to the code). With
DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be given, or start-up stops with a message.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off, set SECRET_KEY to a long random string "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    SECRET_KEY = "development-only-key-never-used-when-debug-is-off"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, set it to the site's host names, "
        "comma-separated (for example ALLOWED_HOSTS=decide.example.com)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_permissions_policy",
    "axes",
    "reversion",  # history and revert of content
    "adminsortable2",  # drag-and-drop ordering in admin
    "django_tasks_db",  # the task queue in the database (lead notifications)
    "decision",
]

# Only admin shows messages, to signed-in staff: keep them in the session. The default (a
# signed cookie, falling back to the session) builds a cookie signer on every request.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# A form posted without its CSRF token gets the site's own page, with the way back.
CSRF_FAILURE_VIEW = "decision.errors.csrf_failure"

MIDDLEWARE = [
    "decision.health.probe_middleware",
    "decision.headers.security_headers",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages, not static files: whitenoise answers those above with its pre-compressed copies.
    # Django's gzip pads each response at random, which defeats BREACH-style guessing.
    "django.middleware.gzip.GZipMiddleware",
    "decision.headers.SitePolicyMiddleware",  # Django's CSP, built once
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "decision.errors.method_not_allowed_page",
    "decision.errors.admin_search_limit",
    # Last, so it sees the response of every view and can swap in the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "decision.urls"
WSGI_APPLICATION = "decision.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# A strict policy in every environment: nothing is allowed unless a page uses it, and nothing
# we serve relies on inline code or styles. Pages use our own scripts, stylesheets and images,
# and htmx (and admin's drag-and-drop ordering) fetch from the site itself; forms post to it.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    # Every script is a file of ours; a nonce would make each page unique and uncacheable.
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The site uses no powerful browser features: deny them all to every origin.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# Behind TLS in production: a proxy terminates HTTPS and says so in a header, whose name is
# configurable (e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO).
if not DEBUG:
    proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO")
    SECURE_PROXY_SSL_HEADER = (proxy_header, "https") if proxy_header else None
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    # Subdomains and the browsers' preload list bind the whole domain for a long time: the
    # operator opts in, the site does not decide it for them (`check --deploy` is told so).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# One structured line per event on stdout, for whatever collects container logs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "decision.log_format.JsonLineFormatter"}},
    "filters": {"client_errors": {"()": "decision.log_format.ClientErrorsAreWarnings"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["client_errors"],
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Sign-in throttling (django-axes) -------------------------------------------------------
# After AXES_FAILURE_LIMIT wrong passwords for one username from one client address, sign-in
# for that pair is refused for the cool-off, without checking the password, and answered with
# templates/admin/locked_out.html (status 429). Other addresses and other usernames are not
# affected, so an attacker cannot lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
# The lockout page promises a fixed wait: attempts during the pause (never checked) do not
# restart it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Not verbose: its start-up line would land on stdout, in front of `export_content`'s YAML.
AXES_VERBOSE = False
# The client address, for sign-in throttling and the limit on new results: REMOTE_ADDR,
# unless a proxy in front sets a header it can be trusted for (e.g.
# CLIENT_IP_HEADERS=HTTP_X_REAL_IP,REMOTE_ADDR). Only name a header the proxy always
# overwrites: anything else is chosen by the client, who could then pick a fresh address for
# every attempt. CLIENT_IP_PROXY_COUNT is the number of proxies the header's address list must
# show (django-ipware semantics; unset: no check). decision.limits.client_address reads them.
CLIENT_IP_HEADERS = tuple(env_list("CLIENT_IP_HEADERS", ["REMOTE_ADDR"]))
CLIENT_IP_PROXY_COUNT = (
    int(os.environ["CLIENT_IP_PROXY_COUNT"]) if os.environ.get("CLIENT_IP_PROXY_COUNT") else None
)
AXES_CLIENT_IP_CALLABLE = "decision.limits.client_address"
# Each client may create this many new results (finishing the wizard with new answers) per
# window; more get a 429 page. Repeating answers that already have a result is free.
RESULTS_PER_CLIENT = int(os.environ.get("RESULTS_PER_CLIENT", "20"))
RESULTS_WINDOW_SECONDS = int(os.environ.get("RESULTS_WINDOW_SECONDS", "3600"))
# Sign-in records (attempts, failures, successful sign-ins with their addresses) are kept this
# many days; `manage.py purge_login_attempts` deletes older ones (run it daily).
AXES_LOG_RETENTION_DAYS = int(os.environ.get("AXES_LOG_RETENTION_DAYS", "30"))

# How long a process trusts the content version it last read (one query) before reading it
# again: an edit made in another process shows within this time; the editing process shows
# it at once.
CONTENT_RECHECK_SECONDS = float(os.environ.get("CONTENT_RECHECK_SECONDS", "1"))

# Fixture files larger than this are refused unread by load_content.
CONTENT_MAX_FILE_BYTES = int(os.environ.get("CONTENT_MAX_FILE_BYTES", 2 * 1024 * 1024))

# --- Background tasks (django.tasks) ------------------------------------------------------
# Lead notifications are sent by a task. The database backend (django-tasks-db) keeps them in
# a table that `manage.py db_worker` works through; TASKS_BACKEND=immediate runs each task in
# the request that enqueued it (the tests, and a site without a worker).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND]
    }
}

# --- Email ----------------------------------------------------------------------------------
# Where a new lead's notification goes; no address: leads are kept, and no email is sent.
# In development it goes to a local name, so the console shows each notification.
LEAD_NOTIFY_EMAIL = os.environ.get("LEAD_NOTIFY_EMAIL", "sales@localhost" if DEBUG else "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "decision-wizard@localhost")
# SMTP from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS; in
# development (DEBUG) emails are printed on the console instead. EMAIL_BACKEND overrides both.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 20,
    }

# --- Leads and votes --------------------------------------------------------------------------
# Leads, and the comments left with votes, are kept this many days; `manage.py purge_leads`
# deletes older leads and clears older comments (run daily; a CronJob in deploy/kubernetes).
LEAD_RETENTION_DAYS = int(os.environ.get("LEAD_RETENTION_DAYS", "180"))
# A form sent sooner than this after it was shown is a script's, and silently dropped.
LEAD_MIN_FILL_SECONDS = float(os.environ.get("LEAD_MIN_FILL_SECONDS", "3"))
# Each client (decision.limits.client_address) may send this many forms (leads and votes
# each) per window; more get a 429 page.
FORMS_PER_CLIENT = int(os.environ.get("FORMS_PER_CLIENT", "5"))
FORMS_WINDOW_SECONDS = int(os.environ.get("FORMS_WINDOW_SECONDS", "3600"))

# --- Analytics ------------------------------------------------------------------------------
# Counts per comparison, content version, day and event; nothing about the visitor is kept.
# Each process adds counts up in memory and writes them in one statement when the oldest is
# ANALYTICS_FLUSH_SECONDS old or ANALYTICS_FLUSH_SIZE keys are waiting (and when it exits).
ANALYTICS_ENABLED = env_bool("ANALYTICS_ENABLED", True)
ANALYTICS_FLUSH_SECONDS = float(os.environ.get("ANALYTICS_FLUSH_SECONDS", "10"))
ANALYTICS_FLUSH_SIZE = int(os.environ.get("ANALYTICS_FLUSH_SIZE", "500"))
