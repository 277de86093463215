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
from django.core.exceptions import ImproperlyConfigured

from solhost.core.client_address import NO_PROXY, parse_trusted_proxies
from solhost.core.files import read_or_create

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
    key = read_or_create(VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(50).encode())
    return key.decode().strip()


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
# The longest request line (method, address, version) `solhost serve` reads, as gunicorn's
# limit_request_line: a longer one is answered 414 before Django sees it. The sign-in
# endpoint turns a request sent by POST into an address, and refuses one that long.
LONGEST_REQUEST_LINE = 8190

# The region this installation serves (its slug in the Region table).
SOLHOST_REGION = os.environ.get("SOLHOST_REGION", "merri-bek")
# The region's country, as the feeds for other networks name it (ISO 3166-1 alpha-2 code).
SOLHOST_COUNTRY_CODE = os.environ.get("SOLHOST_COUNTRY_CODE", "AU")
SOLHOST_COUNTRY_NAME = os.environ.get("SOLHOST_COUNTRY_NAME", "Australia")

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
    "solhost.winddown",
    "solhost.lores",
    "solhost.federation",
    "solhost.probes",
    "solhost.backups",
    "solhost.residents",
    "solhost.demo",
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
    "solhost.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "solhost.core.middleware.ContentSecurityPolicyMiddleware",
    "solhost.core.middleware.InputGuardMiddleware",
    # Static files answer here, already compressed; only pages go on to be gzipped.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compressed pages carry random padding (Django's BREACH mitigation) and CSRF tokens
    # are masked per response, so compression doesn't leak secrets in pages.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "solhost.core.middleware.PageCacheMiddleware",
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
                "solhost.partners.context_processors.steward",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'solhost.sqlite3'}",
        # Each server thread keeps its connection for ten minutes instead of opening one
        # per request, and checks it still works before a request uses it.
        conn_max_age=int(os.environ.get("SOLHOST_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests on SQLite: readers never wait for the writer (WAL), a writer
    # takes the lock when its transaction begins rather than failing halfway through
    # (IMMEDIATE), and waits up to 20 s for it instead of answering "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# "listing" holds what the public pages keep between requests (partners.listing_cache),
# apart from the sign-in limits in "default": a region's thousands of cards never push
# a limit out of a full cache.
if redis_url := REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        },
        "listing": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "listing",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "listing": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "listing",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        },
    }

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
ACCOUNT_FORMS = {
    "login": "solhost.identity.forms.RegionLoginForm",
    "signup": "solhost.identity.forms.RegionSignupForm",
    "change_password": "solhost.identity.forms.RegionChangePasswordForm",
    "reset_password_from_key": "solhost.identity.forms.RegionResetPasswordKeyForm",
}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# A username is the resident's name at the region's services (identity.usernames).
ACCOUNT_USERNAME_VALIDATORS = "solhost.identity.usernames.VALIDATORS"
# Names a service would take for its own people or for the system, not a resident's.
ACCOUNT_USERNAME_BLACKLIST = [
    "admin",
    "administrator",
    "root",
    "system",
    "steward",
    "support",
    "help",
    "postmaster",
    "abuse",
    "security",
    "noreply",
    "no-reply",
]
ACCOUNT_USERNAME_MIN_LENGTH = 2
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
# Confirming the address signs in the browser that signed up (allauth checks the sign-up is
# still pending in that session; a link opened anywhere else signs in no one), and takes it
# on to where it was going: a service that sent the resident to sign up
# (``prompt=create``) gets them back.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    # Wrong second-factor codes only (per account, so after the right password). Passwords
    # no longer count here: this lock would shut the owner out with anybody's five wrong
    # guesses, so solhost.identity.adapter skips it and login_limits slows down one
    # (account, address) pair instead, with the numbers in SOLHOST_LOGIN_LIMITS.
    "login_failed": "10/m/ip,5/5m/key",
    # Every post of the login form from one address (right or wrong): a flood guard, as each
    # check hashes a password. Beyond it allauth answers HTTP 429 for the rest of the minute.
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Sign-in limits (solhost.identity.login_limits, described in docs/steward.md). An
# (account, address) pair's first failures are free, then each failure makes the next
# attempt wait twice as long, up to the cap; an address gets a larger budget over a window.
SOLHOST_LOGIN_LIMITS = {
    "free_failures": int(os.environ.get("SOLHOST_LOGIN_FREE_FAILURES", "5")),
    "max_delay_seconds": int(os.environ.get("SOLHOST_LOGIN_MAX_DELAY_SECONDS", "900")),
    # A pair's failures are forgotten after this long without one (or at its next success).
    "pair_memory_seconds": 24 * 60 * 60,
    "address_failures": int(os.environ.get("SOLHOST_LOGIN_ADDRESS_FAILURES", "30")),
    "address_window_seconds": 15 * 60,
    # This many failures on one account within the window, from any addresses, email its owner.
    "burst_failures": int(os.environ.get("SOLHOST_LOGIN_BURST_FAILURES", "10")),
    "burst_window_seconds": 15 * 60,
    "alert_interval_seconds": 60 * 60,
}
ACCOUNT_ADAPTER = "solhost.identity.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
# Every security-key form the region shows (passkey sign-in and sign-up are off).
MFA_FORMS = {
    "add_webauthn": "solhost.identity.forms.AddWebAuthnForm",
    "authenticate_webauthn": "solhost.identity.forms.AuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "solhost.identity.forms.ReauthenticateWebAuthnForm",
}

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
# Only when every subdomain of the region's domain is served over HTTPS too (a browser then
# refuses plain HTTP on all of them for a year, or for good once preloaded).
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SOLHOST_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_bool("SOLHOST_HSTS_PRELOAD", False)
# Health probes come from the machine itself, over plain HTTP (see web.views.health).
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy, the proxy tells the scheme and the client's address; only the
# proxies named here are believed (see solhost/core/client_address.py).
BEHIND_PROXY = _env_bool("SOLHOST_BEHIND_PROXY", False)
SOLHOST_TRUSTED_PROXIES = (
    parse_trusted_proxies(os.environ.get("SOLHOST_TRUSTED_PROXIES", "127.0.0.1,::1"))
    if BEHIND_PROXY
    else NO_PROXY
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None

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

# --- Identity (issue 5): the region's OpenID Connect provider (django-oauth-toolkit) ---
import datetime as _datetime  # noqa: E402

from solhost.identity.signing_keys import load_key_ring  # noqa: E402

INSTALLED_APPS += ["oauth2_provider"]
PASSWORD_HASHERS += ["solhost.identity.hashers.RandomSecretHasher"]
OAUTH2_PROVIDER_APPLICATION_MODEL = "identity.ServiceClient"
OIDC_ID_TOKEN_SECONDS = int(os.environ.get("SOLHOST_OIDC_ID_TOKEN_SECONDS", "3600"))
# A service signs its resident out with the ID token it was given at sign-in, however long
# ago; a retired key reads those hints for as long as a refresh token lives (30 days), the
# longest a service holds anything of the region's that is still live.
OIDC_REFRESH_TOKEN_SECONDS = 60 * 60 * 24 * 30
OIDC_HINT_KEY_SECONDS = max(OIDC_ID_TOKEN_SECONDS, OIDC_REFRESH_TOKEN_SECONDS)
# Signing keys live under var/ (never in the repository); `solhost oidc-keys rotate` adds
# one that the JWKS publishes at once and that signs OIDC_KEY_NOTICE_SECONDS later, so
# services, and the region's other sites, have it first. Retired keys stay in the JWKS
# until the ID tokens they signed have expired, and read hints (above) until a later
# rotation deletes them. Every process follows the directory (identity.jwks.key_ring).
OIDC_KEY_DIR = Path(os.environ.get("SOLHOST_OIDC_KEY_DIR", VAR_DIR / "oidc-keys"))
OIDC_KEY_NOTICE_SECONDS = int(os.environ.get("SOLHOST_OIDC_KEY_NOTICE_SECONDS", "86400"))
# A daily job rotates once the signing key has signed this long (0: only by hand), so a
# key's exposure is bounded and a rotation is routine, not an emergency.
OIDC_KEY_ROTATE_DAYS = int(os.environ.get("SOLHOST_OIDC_KEY_ROTATE_DAYS", "90"))
# The JWKS's Cache-Control max-age; DOT also lets a cache serve it stale for as long again.
OIDC_JWKS_MAX_AGE_SECONDS = 3600
OIDC_JWKS_CACHED_SECONDS = 2 * OIDC_JWKS_MAX_AGE_SECONDS
if OIDC_KEY_NOTICE_SECONDS < OIDC_JWKS_CACHED_SECONDS:
    raise ImproperlyConfigured(
        f"SOLHOST_OIDC_KEY_NOTICE_SECONDS={OIDC_KEY_NOTICE_SECONDS}: a new key must be "
        f"published at least {OIDC_JWKS_CACHED_SECONDS} seconds before it signs, as long "
        "as services may keep the JWKS they fetched"
    )
_oidc_keys = load_key_ring(
    OIDC_KEY_DIR,
    now=_datetime.datetime.now(_datetime.UTC),
    keep=_datetime.timedelta(seconds=OIDC_ID_TOKEN_SECONDS),
    hints_keep=_datetime.timedelta(seconds=OIDC_HINT_KEY_SECONDS),
)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    # Only so DOT knows the provider signs RS256: what signs, and what the JWKS
    # publishes, is the directory's ring as it stands (identity.jwks).
    "OIDC_RSA_PRIVATE_KEY": _oidc_keys.active.pem,
    "OIDC_JWKS_MAX_AGE_SECONDS": OIDC_JWKS_MAX_AGE_SECONDS,
    # One issuer for the whole region; without SOLHOST_BASE_URL it follows the request's host.
    "OIDC_ISS_ENDPOINT": BASE_URL if "SOLHOST_BASE_URL" in os.environ else "",
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    # OpenID Connect Prompt Create 1.0: prompt=create sends a browser signed in to no one
    # to sign up, then back to the service's request.
    "OIDC_RP_INITIATED_REGISTRATION_ENABLED": True,
    "OIDC_RP_INITIATED_REGISTRATION_URL": "account_signup",
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post"],
    "OAUTH2_VALIDATOR_CLASS": "solhost.identity.oidc.RegionValidator",
    "OAUTH2_BACKEND_CLASS": "solhost.identity.oidc.RegionOAuthLibCore",
    "APPLICATION_ADMIN_CLASS": "solhost.identity.admin.ServiceClientAdmin",
    "ACCESS_TOKEN_ADMIN_CLASS": "solhost.sites.token_admin.AccessTokenAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "solhost.sites.token_admin.RefreshTokenAdmin",
    "GRANT_ADMIN_CLASS": "solhost.sites.token_admin.GrantAdmin",
    "ID_TOKEN_ADMIN_CLASS": "solhost.sites.token_admin.IDTokenAdmin",
    "CLIENT_SECRET_HASHER": "client_secret_sha256",
    "SCOPES": {
        "openid": "Sign you in with your regional account",
        "profile": "Your username and display name",
        "email": "Your email address and whether it is verified",
        "groups": "The co-ops you belong to and your role in each",
        "offline_access": "Stay connected while you are away (a refresh token)",
    },
    "DEFAULT_SCOPES": ["openid"],
    # Only S256 is accepted. Public clients (no secret) must use PKCE: RegionValidator
    # narrows this to them, as confidential servers such as Synapse may not send it.
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    # A production region sends codes over HTTPS only; a local demo also allows http.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if SECURE_SITE else ["https", "http"],
    # OAuth 2.0 security best current practice (RFC 9700): access tokens only in the
    # Authorization header, the issuer named in every authorization response (RFC 9207)
    # against mix-up attacks, and tokens stored hashed so a database leak can't replay them.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": OIDC_ID_TOKEN_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": OIDC_REFRESH_TOKEN_SECONDS,
    "ROTATE_REFRESH_TOKEN": True,
    # A refresh token used twice revokes its whole family: a stolen copy dies with the original.
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}

# LoRes nodes to read the region's mesh from (comma-separated addresses, e.g.
# http://node.local:8200); each is synced every 15 minutes. Empty: no scheduled sync.
SOLHOST_LORES_NODE_URLS = [
    url.strip() for url in os.environ.get("SOLHOST_LORES_NODE_URLS", "").split(",") if url.strip()
]

# --- Probes (solhost.probes, docs/status.md) ---
# Seconds one check of a service's address may take in all, redirects included.
SOLHOST_PROBE_TIMEOUT_SECONDS = float(os.environ.get("SOLHOST_PROBE_TIMEOUT_SECONDS", "10"))
# Hosts whose public address may be on a private or loopback network and still be probed
# (comma-separated, e.g. a split-horizon name). Without one, a public address that resolves
# inside a private network is not requested: only a local-network address is.
SOLHOST_PROBE_PRIVATE_HOSTS = frozenset(
    host.strip().lower()
    for host in os.environ.get("SOLHOST_PROBE_PRIVATE_HOSTS", "").split(",")
    if host.strip()
)

# Qualification (issue 3): evidence uploads and reminders.
SOLHOST_EVIDENCE_MAX_BYTES = int(
    os.environ.get("SOLHOST_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
)
# How many days before approved evidence expires its partner's admins are emailed.
SOLHOST_EVIDENCE_EXPIRY_NOTICE_DAYS = int(
    os.environ.get("SOLHOST_EVIDENCE_EXPIRY_NOTICE_DAYS", "30")
)

# --- Energy (issue 4): the largest telemetry file one upload may hold ---
ENERGY_UPLOAD_MAX_BYTES = int(os.environ.get("SOLHOST_ENERGY_UPLOAD_MAX_BYTES", 64 * 1024 * 1024))
# No request may be longer than the largest upload plus room for a form's other fields.
SOLHOST_MAX_REQUEST_BYTES = ENERGY_UPLOAD_MAX_BYTES + 1024 * 1024

# --- Backups (solhost.backups) ---
# Where `solhost backup` without a path and the nightly job write their dated archives, and
# how many of those they keep. Copy this folder off the machine: see docs/backups.md.
SOLHOST_BACKUP_DIR = Path(os.environ.get("SOLHOST_BACKUP_DIR", VAR_DIR / "backups"))
SOLHOST_BACKUP_KEEP = int(os.environ.get("SOLHOST_BACKUP_KEEP", "14"))

# --- Residents (solhost.residents): exports of a resident's data ---
# An export with more rows than this (active days, audit events, payments, months, sessions)
# is built in the background and its link emailed; a smaller one downloads at once.
SOLHOST_EXPORT_INLINE_ROWS = int(os.environ.get("SOLHOST_EXPORT_INLINE_ROWS", "20000"))
# Where background exports are kept until their link expires: outside MEDIA_ROOT, so
# backups never carry them and a restore cannot bring back an erased resident's data.
SOLHOST_EXPORT_DIR = Path(os.environ.get("SOLHOST_EXPORT_DIR", VAR_DIR / "exports"))
SOLHOST_EXPORT_LINK_DAYS = int(os.environ.get("SOLHOST_EXPORT_LINK_DAYS", "7"))
# The export sent before an erasure is attached up to this size, and linked above it.
SOLHOST_EXPORT_ATTACH_MAX_BYTES = int(
    os.environ.get("SOLHOST_EXPORT_ATTACH_MAX_BYTES", str(5 * 1024 * 1024))
)

# --- Sites (issue 19, docs/decisions/0012-sites.md, docs/sites.md) ---
import re as _re  # noqa: E402

INSTALLED_APPS += ["solhost.sites"]
# This installation's name among the region's sites; the primary is a site too. Empty: the
# region has one site, and nothing below changes anything.
SOLHOST_SITE = os.environ.get("SOLHOST_SITE", "").strip()
# A site other than the primary reads the region from a PostgreSQL hot standby and writes
# what its logins need to a small database of its own (the site store).
SOLHOST_SITE_REPLICA_URL = os.environ.get("SOLHOST_SITE_REPLICA_URL", "").strip()
SOLHOST_SITE_STORE_URL = os.environ.get("SOLHOST_SITE_STORE_URL", "").strip()
# The primary's web address (the site forwards its usage and audit events there), and
# optionally its database, for the region's writes made at this site while the link is up.
SOLHOST_SITE_PRIMARY_URL = os.environ.get("SOLHOST_SITE_PRIMARY_URL", "").strip().rstrip("/")
SOLHOST_SITE_PRIMARY_DATABASE_URL = os.environ.get("SOLHOST_SITE_PRIMARY_DATABASE_URL", "").strip()
# How long a site waits for the standby or the primary's database to answer a connection.
SOLHOST_SITE_CONNECT_TIMEOUT = int(os.environ.get("SOLHOST_SITE_CONNECT_TIMEOUT", "3"))
if SOLHOST_SITE and not _re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?", SOLHOST_SITE):
    raise ImproperlyConfigured(
        f"SOLHOST_SITE={SOLHOST_SITE!r}: a site's name is lower-case letters, digits and "
        "hyphens (at most 40), e.g. coburg-hub"
    )
if SOLHOST_SITE_REPLICA_URL:
    _missing = [
        name
        for name, value in (
            ("SOLHOST_SITE", SOLHOST_SITE),
            ("SOLHOST_SITE_STORE_URL", SOLHOST_SITE_STORE_URL),
            ("SOLHOST_SITE_PRIMARY_URL", SOLHOST_SITE_PRIMARY_URL),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"a site with SOLHOST_SITE_REPLICA_URL also needs {', '.join(_missing)}"
        )
    _site_databases = {
        "default": SOLHOST_SITE_STORE_URL,
        "region": SOLHOST_SITE_REPLICA_URL,
        "primary": SOLHOST_SITE_PRIMARY_DATABASE_URL,
    }
    DATABASES = {}
    for _alias, _url in _site_databases.items():
        if not _url:
            continue
        DATABASES[_alias] = dj_database_url.parse(
            _url,
            conn_max_age=int(os.environ.get("SOLHOST_DB_CONN_MAX_AGE", "600")),
            conn_health_checks=True,
        )
        if DATABASES[_alias]["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(
                f"a site's databases are PostgreSQL; {_alias} is {DATABASES[_alias]['ENGINE']}"
            )
        if _alias != "default":
            DATABASES[_alias]["OPTIONS"] = {"connect_timeout": SOLHOST_SITE_CONNECT_TIMEOUT}
    # The store: PostgreSQL holding only the site's own tables, with no foreign keys to
    # the region's tables, which it does not have.
    DATABASES["default"]["ENGINE"] = "solhost.sites.store"
    # Even a standby promoted by mistake takes no write from a site.
    DATABASES["region"]["OPTIONS"]["options"] = "-c default_transaction_read_only=on"
    DATABASE_ROUTERS = ["solhost.sites.routers.SiteRouter"]
    MIDDLEWARE = [*MIDDLEWARE, "solhost.sites.middleware.SiteWritesMiddleware"]
    if not REDIS_URL:
        # Sign-in limits shared by the site's worker processes, kept in its store.
        CACHES["default"] = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "solhost_site_cache",
        }
