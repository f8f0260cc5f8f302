"""Settings: the environment is read once, here, with defaults that make the embedded mode work."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SWITCHBOARD_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/ (embedded mode)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _field_encryption_keys() -> list[str]:
    """FIELD_ENCRYPTION_KEY (Fernet keys, comma-separated, newest first), else one kept in var/."""
    if os.environ.get("FIELD_ENCRYPTION_KEY"):
        return _env_list("FIELD_ENCRYPTION_KEY")
    path = VAR_DIR / "field_encryption_key"
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return [path.read_text().strip()]


FIELD_ENCRYPTION_KEYS = _field_encryption_keys()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "django_dramatiq",
    "social_django",
    "hub",
    "identity",
    "nodes",
    "flows",
]

MIDDLEWARE = [
    "hub.correlation.CorrelationIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hub.urls"
ASGI_APPLICATION = "hub.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hub" / "templates"],
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

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process worker write while the web threads read; IMMEDIATE avoids
    # "database is locked" upgrades inside transactions.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    # Each test run its own database, so two runs on one server (a developer's and CI's) never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Broker and channel layer ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
BROKER_URL = os.environ.get("BROKER_URL", "") or REDIS_URL
DRAMATIQ_NAMESPACE = os.environ.get("DRAMATIQ_NAMESPACE", "switchboard")
# Embedded mode: no external broker; a real Dramatiq worker runs inside the web process.
EMBEDDED = not BROKER_URL

_dramatiq_middleware = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
    "hub.broker.WorkerNiceness",
]
# Worker processes run at this niceness (0: as started), so the web tier on the same machine answers first.
WORKER_NICENESS = int(os.environ.get("WORKER_NICENESS", "10"))
if BROKER_URL.startswith("amqp"):
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker",
        "OPTIONS": {"url": BROKER_URL},
        "MIDDLEWARE": _dramatiq_middleware,
    }
elif BROKER_URL:
    DRAMATIQ_BROKER = {
        # Dramatiq's RedisBroker, with a doorbell that wakes idle workers at once (hub/broker.py).
        "BROKER": "hub.broker.DoorbellRedisBroker",
        "OPTIONS": {"url": BROKER_URL, "namespace": DRAMATIQ_NAMESPACE},
        "MIDDLEWARE": _dramatiq_middleware,
    }
else:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": _dramatiq_middleware,
    }
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
EMBEDDED_WORKER_THREADS = int(os.environ.get("EMBEDDED_WORKER_THREADS", "4"))

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{DRAMATIQ_NAMESPACE}:channels:"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "hub.channel_layers.EmbeddedChannelLayer"}}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": DRAMATIQ_NAMESPACE,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
# role → group names whose members hold it, e.g. {"admin": ["IT"], "builder": ["Ops", "Sales"]}.
ROLE_GROUPS: dict[str, list[str]] = json.loads(os.environ.get("ROLE_GROUPS") or "{}")
# The team that holds flows of people who belong to no team.
DEFAULT_TEAM = os.environ.get("DEFAULT_TEAM", "General")

# OpenID Connect sign-in: social-auth-app-django's generic backend, started by `POST /login/oidc/`,
# answered at `/complete/oidc/` (the redirect URI to register). Authorization code with PKCE; the
# endpoints and keys come from the issuer's discovery document. See identity/oidc.py for the pipeline.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_NAME = os.environ.get("OIDC_NAME", "single sign-on")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
# Local password sign-in (the embedded default, and break-glass admins); turn it off once OIDC works.
# It stays on while no provider is configured: turning it off then would lock everyone out.
PASSWORD_LOGIN = _env_bool("PASSWORD_LOGIN", True) or not OIDC_ISSUER
AUTHENTICATION_BACKENDS: list[str] = []
if OIDC_ISSUER:
    AUTHENTICATION_BACKENDS.append("social_core.backends.open_id_connect.OpenIdConnectAuth")
if PASSWORD_LOGIN:
    # Without it, a password POST authenticates nobody, and password sessions already open end.
    AUTHENTICATION_BACKENDS.append("django.contrib.auth.backends.ModelBackend")
SOCIAL_AUTH_OIDC_OIDC_ENDPOINT = OIDC_ISSUER
SOCIAL_AUTH_OIDC_KEY = os.environ.get("OIDC_CLIENT_ID", "")
SOCIAL_AUTH_OIDC_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
# Exactly the scopes asked for (`openid` always among them), not these plus the backend's defaults.
SOCIAL_AUTH_OIDC_SCOPE = list(
    dict.fromkeys(["openid", *os.environ.get("OIDC_SCOPES", "openid profile email").split()])
)
SOCIAL_AUTH_OIDC_IGNORE_DEFAULT_SCOPE = True
SOCIAL_AUTH_OIDC_USE_PKCE = True
# The backend reads this claim from the validated ID token (else UserInfo) and refuses an Entra ID
# "group overage" answer; a provider that leaves the claim out for someone in no group means no groups.
SOCIAL_AUTH_OIDC_GROUPS_KEY = OIDC_GROUPS_CLAIM
SOCIAL_AUTH_OIDC_GROUPS_MISSING_AS_EMPTY = True
# Behind a proxy that ends TLS, the redirect URI sent to the provider must still say https.
SOCIAL_AUTH_REDIRECT_IS_HTTPS = os.environ.get("PUBLIC_URL", "").startswith("https://")
SOCIAL_AUTH_REQUESTS_TIMEOUT = 10  # seconds, for discovery, keys, token and UserInfo requests
SOCIAL_AUTH_JSONFIELD_ENABLED = True
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_LOGIN_ERROR_URL = LOGIN_URL
SOCIAL_AUTH_INACTIVE_USER_URL = LOGIN_URL
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",  # details, and the groups claim
    "social_core.pipeline.social_auth.social_names",
    "social_core.pipeline.social_auth.social_uid",  # the ID token's `sub`
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",  # an identity that signed in before
    "identity.oidc.link_provisioned_person",  # else a person SCIM provisioned, or with the verified e-mail
    "identity.oidc.refuse_unwelcome",  # deactivated people and service accounts
    "social_core.pipeline.user.get_username",
    "social_core.pipeline.user.create_user",  # else someone new (no password, never a superuser)
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",  # keeps the ID token for sign-out's hint
    "identity.oidc.update_profile",
    "identity.oidc.sync_teams",  # memberships (so roles, by ROLE_GROUPS) follow the groups claim
)

# --- SCIM 2.0 provisioning (django-scim2, /scim/v2/; see identity/scim/) -----------------------------
# Identity providers authenticate with a bearer token that has the `scim` scope (`manage.py scimtoken`).
# django-scim2's settings, naming the classes identity/scim/ serves /scim/v2/ with.
SCIM_SERVICE_PROVIDER = {
    "USER_ADAPTER": "identity.scim.adapters.ScimUser",
    "GROUP_ADAPTER": "identity.scim.adapters.ScimGroup",
    "GROUP_MODEL": "identity.models.Team",
    "AUTH_CHECK_MIDDLEWARE": "identity.scim.auth.ScimBearerAuth",
    "BASE_LOCATION_GETTER": "identity.scim.views.base_location",
    "SCHEMAS_GETTER": "identity.scim.schemas.published_schemas",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A Switchboard API token with the `scim` scope (`python manage.py scimtoken`).",
            "primary": True,
        }
    ],
}

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "identity.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["identity.permissions.ScopedPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "hub.problems.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["hub.ratelimit.PerTokenThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "DESCRIPTION": "Flows, versions, approvals, runs and webhooks of the Switchboard automation hub.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "flows.models.RunStatus",
        "StepStatusEnum": "flows.models.StepStatus",
        "VersionStateEnum": "flows.models.VersionState",
        "FlowStateEnum": "flows.api.FLOW_STATES",
        "DecisionKindEnum": "flows.models.DecisionKind",
        "ConnectionKindEnum": "nodes.models.Connection.Kind",
        "RoleEnum": "identity.models.Role",
        "ScopeEnum": "identity.models.Scope",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hub.openapi.add_non_drf_paths",
    ],
}

# --- Flows and nodes ------------------------------------------------------------------------------
EGRESS_ALLOW = _env_list("EGRESS_ALLOW")
WEBHOOK_MAX_BODY_BYTES = int(os.environ.get("WEBHOOK_MAX_BODY_BYTES", str(1024 * 1024)))
# Threads per web process that store incoming webhooks (each holds a database connection).
WEBHOOK_THREADS = int(os.environ.get("WEBHOOK_THREADS", "16"))
# Requests per minute: per webhook trigger (unless the trigger sets its own) and per API token; 0 = none.
WEBHOOK_RATE_LIMIT_PER_MINUTE = int(os.environ.get("WEBHOOK_RATE_LIMIT_PER_MINUTE", "6000"))
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "1200"))
# A run left queued this long, or running with an expired lease, is sent again by the sweeper.
RUN_REQUEUE_AFTER_SECONDS = float(os.environ.get("RUN_REQUEUE_AFTER_SECONDS", "30"))
RUN_LEASE_SECONDS = float(os.environ.get("RUN_LEASE_SECONDS", "300"))
SWEEP_INTERVAL_SECONDS = float(os.environ.get("SWEEP_INTERVAL_SECONDS", "5"))
HTTP_DEFAULT_TIMEOUT_SECONDS = float(os.environ.get("HTTP_DEFAULT_TIMEOUT_SECONDS", "30"))
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")
# How many item keys `trigger.poll` remembers per flow (the newest are kept).
POLL_SEEN_LIMIT = int(os.environ.get("POLL_SEEN_LIMIT", "10000"))
# A Slack or Microsoft Teams incoming webhook told of every version submitted for approval; unset: none.
APPROVAL_CHAT_WEBHOOK_URL = os.environ.get("APPROVAL_CHAT_WEBHOOK_URL", "").strip()
EVENT_MAX_ATTEMPTS = int(os.environ.get("EVENT_MAX_ATTEMPTS", "10"))  # per delivery, and again per replay
EVENT_RETRY_BASE_SECONDS = float(os.environ.get("EVENT_RETRY_BASE_SECONDS", "5"))
EVENT_RETRY_MAX_SECONDS = float(os.environ.get("EVENT_RETRY_MAX_SECONDS", "3600"))
# Finished runs older than this many days are pruned hourly by the scheduler; unset keeps them forever.
RUN_RETENTION_DAYS: int | None = (
    int(os.environ["RUN_RETENTION_DAYS"]) if os.environ.get("RUN_RETENTION_DAYS") else None
)
# Audit entries older than this many days are pruned hourly (the chain stays verifiable); unset keeps them.
AUDIT_RETENTION_DAYS: int | None = (
    int(os.environ["AUDIT_RETENTION_DAYS"]) if os.environ.get("AUDIT_RETENTION_DAYS") else None
)
# Proxies (addresses, networks) whose X-Forwarded-For names the client in the audit log (hub/correlation.py).
TRUSTED_PROXIES = _env_list("TRUSTED_PROXIES")
# `GET /metrics` asks for `Authorization: Bearer <METRICS_TOKEN>`; unset, it answers loopback clients only.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# --- E-mail ---------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "switchboard@localhost")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = 30
else:
    # Embedded default: every message is written as a file under var/mail/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- Static files and the front end ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.exists() else []
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG  # pick up a rebuilt front end without a restart while developing

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging: every line carries the correlation id -----------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# Structured JSON lines where a log collector reads them (with a real broker: production); text locally.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if EMBEDDED else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "hub.correlation.CorrelationIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
        "json": {"()": "hub.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["correlation"],
            "formatter": LOG_FORMAT if LOG_FORMAT in {"text", "json"} else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # httpx logs full URLs (query strings may hold keys) at INFO; httpcore, headers at DEBUG.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
