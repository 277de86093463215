"""solhost settings: one file, every deployment choice read from the environment.

Defaults give a working local demo (SQLite under var/, mail written to files under
var/mail/). Production sets SOLHOST_SECRET_KEY, SOLHOST_BASE_URL (https), DATABASE_URL
and REDIS_URL.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("SOLHOST_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The environment's key, or a random one kept in var/ so local sessions survive restarts."""
    if key := os.environ.get("SOLHOST_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SOLHOST_DEBUG", False)

BASE_URL = os.environ.get("SOLHOST_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
SECURE_SITE = _base.scheme == "https"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SOLHOST_ALLOWED_HOSTS", f"{_base.hostname},localhost,127.0.0.1").split(
        ","
    )
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

# The region this installation serves (its slug in the Region table).
SOLHOST_REGION = os.environ.get("SOLHOST_REGION", "merri-bek")

INSTALLED_APPS = [
    "solhost.core",
    "solhost.identity",
    "solhost.region",
    "solhost.partners",
    "solhost.energy",
    "solhost.qualification",
    "solhost.metering",
    "solhost.ledger",
    "solhost.contributions",
    "solhost.distribution",
    "solhost.governance",
    "solhost.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Serves the API docs' Swagger UI from our own static files instead of a CDN.
    "ninja",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "solhost.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "solhost.urls"
WSGI_APPLICATION = "solhost.wsgi.application"

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
                "solhost.region.context_processors.region",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'solhost.sqlite3'}",
        conn_max_age=int(os.environ.get("SOLHOST_DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if redis_url := REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"

# django-allauth: residents sign in with their email address, which must be verified.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    # Failed logins per IP and per account; allauth blocks further attempts with HTTP 429.
    "login_failed": os.environ.get("SOLHOST_LOGIN_FAILED_LIMIT", "10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False

EMAIL_BACKEND = os.environ.get(
    "SOLHOST_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("SOLHOST_FROM_EMAIL", "Merri-bek Tech <hello@example.org>")
if email_host := os.environ.get("SOLHOST_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = email_host
    EMAIL_PORT = int(os.environ.get("SOLHOST_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("SOLHOST_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("SOLHOST_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = True

LANGUAGE_CODE = "en-au"
TIME_ZONE = "Australia/Melbourne"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Without collectstatic (tests, a first run) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE_SITE
CSRF_COOKIE_SECURE = SECURE_SITE
SECURE_SSL_REDIRECT = SECURE_SITE and _env_bool("SOLHOST_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE_SITE else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env_bool("SOLHOST_BEHIND_PROXY", False) else None
)

# Strict policy: no inline script or style, nothing from another origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Background and scheduled jobs. Every job is also a management command that is safe to re-run.
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "name": "solhost",
    "immediate": False,
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(VAR_DIR / "huey.sqlite3")},
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SOLHOST_LOG_LEVEL", "WARNING")},
}
