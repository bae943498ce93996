"""Maillage settings, read from the environment (12-factor).

Defaults suit development and the demo (SQLite file in the repository, DEBUG on).
With DEBUG=0 the settings are production-grade: `manage.py check --deploy` passes.
"""

import json
import os
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from maillage.core.journaux import format_des_journaux

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG=0.")
    SECRET_KEY = "django-insecure-maillage-dev-only-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Demo accounts are only ever created when this is on, and never with DEBUG=0.
MAILLAGE_DEMO = env_bool("MAILLAGE_DEMO", False) and DEBUG

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    # django-ninja as an app: its Swagger UI assets are served as static files (no CDN; see templates/ninja/).
    "ninja",
    "maillage.core",
    "maillage.comptes",
    "maillage.territoires",
    "maillage.structures",
    "maillage.financements",
    "maillage.diagnostic",
    "maillage.observatoire",
    "maillage.fiches",
    "maillage.schema",
    "maillage.reseau",
    "maillage.accueil",
    # Fabricated data (demo, national set): after the domain apps it imports.
    "maillage.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "maillage.core.middleware.PermissionsPolicyMiddleware",
    "maillage.core.middleware.RefusOctetNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After OTPMiddleware: holds a logged-in but unverified session on the code or enrolment step.
    "maillage.comptes.middleware.DeuxFacteursMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as its documentation asks: it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maillage.urls"
WSGI_APPLICATION = "maillage.wsgi.application"
ASGI_APPLICATION = "maillage.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maillage" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "maillage.core.context_processors.plateforme",
                "maillage.accueil.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'maillage.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked": WAL lets readers run beside one writer, a
    # transaction takes the write lock when it begins (IMMEDIATE: no failed read-to-write upgrade) and waits for
    # it up to `timeout` seconds (docs/exploitation.md).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("SQLITE_TIMEOUT", "20")),
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "maillage",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        # A Redis that stops answering fails a request (and the readiness probe) in seconds instead of hanging it.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }

# --- Background work --------------------------------------------------------
# Django's tasks API (django-tasks backport). `MAILLAGE_TACHES=base` stores tasks in the database and a worker runs
# them (`manage.py db_worker`); `immediate` runs them inside the request (the demo, the tests, a single machine
# without worker). Default: immediate with DEBUG, database otherwise.
MAILLAGE_TACHES = os.environ.get("MAILLAGE_TACHES", "immediate" if DEBUG else "base")
if MAILLAGE_TACHES not in {"immediate", "base"}:
    raise ImproperlyConfigured("MAILLAGE_TACHES vaut « immediate » ou « base ».")
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if MAILLAGE_TACHES == "immediate"
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    },
    # The database backend under its own name, so that tests and tools can enqueue for a worker explicitly.
    "base": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}
# A running job writes a sign of life every MAILLAGE_TRAVAUX_BATTEMENT seconds; silent for 6 times that, its worker is
# taken as stopped and `manage.py reprendre_travaux` (cron, every minute) queues it again, at most
# MAILLAGE_TRAVAUX_TENTATIVES starts in all (core.travaux).
MAILLAGE_TRAVAUX_BATTEMENT = float(os.environ.get("MAILLAGE_TRAVAUX_BATTEMENT", "10"))
MAILLAGE_TRAVAUX_TENTATIVES = int(os.environ.get("MAILLAGE_TRAVAUX_TENTATIVES", "3"))

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "comptes.Utilisateur"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "accueil:espace"
LOGOUT_REDIRECT_URL = "accueil:accueil"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Throttled login (django-axes, thresholds in maillage/comptes/verrouillage.py): for 15 minutes, lock an e-mail
# from one address after 5 failures, an e-mail from any address after 20, an address for any e-mail after 50.
# Failures during a lock do not extend it; a new password lifts it.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
VERROUILLAGE_LIMITE_COMPTE = int(os.environ.get("VERROUILLAGE_LIMITE_COMPTE", "20"))
VERROUILLAGE_LIMITE_ADRESSE = int(os.environ.get("VERROUILLAGE_LIMITE_ADRESSE", "50"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_HANDLER = "maillage.comptes.verrouillage.VerrouillageParSeuils"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "comptes/verrouille.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None
AXES_VERBOSE = False

# Two-factor authentication (django-otp): required for pilote and admin accounts in production, optional for others.
# The one clock (maillage.core.horloge): empty = the real date; an ISO date pins "today" (demo, tests).
# The demo tells the story of autumn 2016 (the departmental day of 29/09/2016 just held, the next workshop ahead).
MAILLAGE_AUJOURDHUI = os.environ.get("MAILLAGE_AUJOURDHUI", "2016-10-15" if MAILLAGE_DEMO else "")
MAILLAGE_2FA_OBLIGATOIRE = env_bool("MAILLAGE_2FA_OBLIGATOIRE", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("MAILLAGE_NOM", "Maillage")
# Each wrong code doubles the wait before the next attempt (1 s, 2 s, 4 s…), per device.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Retention of journals (`manage.py purger_journaux`, docs/donnees-personnelles.md). Audit entries: 0 = kept.
MAILLAGE_RETENTION_CONNEXIONS_JOURS = int(os.environ.get("MAILLAGE_RETENTION_CONNEXIONS_JOURS", "365"))
MAILLAGE_RETENTION_AUDIT_JOURS = int(os.environ.get("MAILLAGE_RETENTION_AUDIT_JOURS", str(6 * 365)))
MAILLAGE_RETENTION_CHARGEMENTS_JOURS = int(os.environ.get("MAILLAGE_RETENTION_CHARGEMENTS_JOURS", "365"))

# Audit trail (django-auditlog): who, when, what on every registered model.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- E-mail ---------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Maillage <ne-pas-repondre@maillage.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Throttling of public forms (django-ratelimit, on the shared cache): the header holding the client's address
# behind a reverse proxy that does not set REMOTE_ADDR (e.g. HTTP_X_REAL_IP); empty: REMOTE_ADDR.
if os.environ.get("RATELIMIT_IP_META_KEY"):
    RATELIMIT_IP_META_KEY = os.environ["RATELIMIT_IP_META_KEY"]
# Rates of the public forms' throttling by group (maillage.reseau.freins), as JSON: {"inscription": "20/h"}.
RESEAU_FREINS = json.loads(os.environ.get("RESEAU_FREINS") or "{}")
# Absolute address of the site, for the links of e-mails written outside a request (background work).
MAILLAGE_URL = os.environ.get("MAILLAGE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Locale ---------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["maillage.formats"]

# --- Static files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "maillage" / "static",
    # Leaflet from the xstatic-leaflet PyPI package: no CDN, nothing copied by hand.
    ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development the files are served from the finders, without collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded documents and produced reports on S3-compatible object storage (django-storages) when a bucket is set;
# the local MEDIA_ROOT otherwise. Files are private: they are always served through a view that checks the rights
# (maillage.core.telechargements), never by a bucket URL (docs/exploitation.md, « Stockage objet »).
MAILLAGE_S3_BUCKET = os.environ.get("MAILLAGE_S3_BUCKET", "")
if MAILLAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "maillage.core.stockage_objet.StockageObjetPrive",
        "OPTIONS": {
            "bucket_name": MAILLAGE_S3_BUCKET,
            "endpoint_url": os.environ.get("MAILLAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MAILLAGE_S3_REGION") or None,
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID…, instance role).
            "access_key": os.environ.get("MAILLAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("MAILLAGE_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("MAILLAGE_S3_PREFIXE", ""),
            # "path" for most S3-compatible servers (MinIO, Garage, test server); empty: the provider's default.
            "addressing_style": os.environ.get("MAILLAGE_S3_ADRESSAGE") or None,
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own policy: private
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }

# --- White label ----------------------------------------------------------
MAILLAGE_PLATEFORME = {
    "nom": os.environ.get("MAILLAGE_NOM", "Maillage"),
    "sous_titre": os.environ.get("MAILLAGE_SOUS_TITRE", "Pilotage de l'animation de la vie sociale"),
    "organisme": os.environ.get("MAILLAGE_ORGANISME", "Caf du Val-de-Marne"),
    "organisme_url": os.environ.get("MAILLAGE_ORGANISME_URL", ""),
    # Path under STATIC_URL, or an absolute URL served by the Caf itself.
    "logo": os.environ.get("MAILLAGE_LOGO", "maillage/img/logo.svg"),
    "couleur_primaire": os.environ.get("MAILLAGE_COULEUR", "#0b5c8a"),
    "departement_defaut": os.environ.get("MAILLAGE_DEPARTEMENT", "94"),
    "contact": os.environ.get("MAILLAGE_CONTACT", ""),
    # AGPL-3.0 section 13: users of the service are offered its source.
    "source_url": os.environ.get("MAILLAGE_SOURCE_URL", ""),
    # Legal pages (mentions légales, accessibilité, données personnelles): who publishes, hosts, answers.
    "editeur_adresse": os.environ.get("MAILLAGE_EDITEUR_ADRESSE", ""),
    "directeur_publication": os.environ.get(
        "MAILLAGE_DIRECTEUR_PUBLICATION", "le directeur ou la directrice de l'organisme éditeur"
    ),
    "hebergeur": os.environ.get("MAILLAGE_HEBERGEUR", ""),
    "hebergeur_adresse": os.environ.get("MAILLAGE_HEBERGEUR_ADRESSE", ""),
    "dpo_contact": os.environ.get("MAILLAGE_DPO_CONTACT", ""),
    # Date of the accessibility statement (ISO); to update after each audit or major change.
    "accessibilite_date": os.environ.get("MAILLAGE_ACCESSIBILITE_DATE", "2026-12-02"),
    "accessibilite_contact": os.environ.get("MAILLAGE_ACCESSIBILITE_CONTACT", ""),
}

# --- Security -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page uses, refused to the site and any frame (maillage.core.middleware).
PERMISSIONS_POLICY = {
    fonction: []
    for fonction in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer", "microphone",
        "midi", "payment", "usb", "serial", "bluetooth", "hid", "xr-spatial-tracking", "browsing-topics",
    )
}  # fmt: skip
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy, let it redirect and tell us the scheme.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer probes each server in plain HTTP: its probes are not redirected.
    SECURE_REDIRECT_EXEMPT = [r"^sante/$", r"^pret/$"]
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_SSL_REDIRECT:
        # The proxy redirects to HTTPS itself: say so to `check --deploy`.
        SILENCED_SYSTEM_CHECKS = ["security.W008"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# A background tile layer only when a Caf configures one (none by default).
MAILLAGE_TUILES_URL = os.environ.get("MAILLAGE_TUILES_URL", "")
MAILLAGE_TUILES_ATTRIBUTION = os.environ.get("MAILLAGE_TUILES_ATTRIBUTION", "")
if MAILLAGE_TUILES_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(MAILLAGE_TUILES_URL.replace("{s}", "a"))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# --- Logging: everything to stdout ------------------------------------------
# LOG_FORMAT=json (production, DEBUG=0): one JSON object per line with the request's context, and one access line
# per request (maillage/core/journaux.py, docs/exploitation.md « Journaux »). Otherwise readable text.
try:
    LOG_FORMAT = format_des_journaux(os.environ.get("LOG_FORMAT"), debug=DEBUG)
except ValueError as erreur:
    raise ImproperlyConfigured(str(erreur)) from None
if LOG_FORMAT == "json":
    MIDDLEWARE.insert(0, "maillage.core.journaux.JournalRequetesMiddleware")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "simple": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
        "json": {"()": "maillage.core.journaux.FormateurJSON"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "simple",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_MAX_LIMIT = 1000
