"""Configuration, read from the environment.

`HANDOVER_ENV` selects the profile: `production` (the default, fail-closed),
`development` (what `make run` uses) or `testing`.
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-not-secret"


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants "postgresql".
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


class Config:
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{BASE_DIR / 'instance' / 'handover.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024
    APP_TIMEZONE = os.environ.get("APP_TIMEZONE", "Asia/Shanghai")
    #: the address owners type in, printed on letters (notices): never the host a request came in on
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}

    # Sessions: server-side records (accounts.LoginSession) behind a signed cookie.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    STAFF_SESSION_HOURS = 10  # one working day
    OWNER_SESSION_HOURS = 24 * 7
    PERMANENT_SESSION_LIFETIME = timedelta(hours=24 * 7)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    API_TOKEN_HOURS = 12
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default; memory-hard

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: failed sign-ins (page and API together) per account, and per client address; successful
    #: sign-ins never count, so a site behind one router or proxy is not locked out
    SIGNIN_ACCOUNT_FAILURE_LIMIT = os.environ.get("SIGNIN_ACCOUNT_FAILURE_LIMIT", "10 per 15 minutes")
    SIGNIN_ADDRESS_FAILURE_LIMIT = os.environ.get("SIGNIN_ADDRESS_FAILURE_LIMIT", "60 per 5 minutes")
    #: failed activations and password resets by code (pages and API together) per phone number,
    #: and per client address
    ACTIVATION_PHONE_FAILURE_LIMIT = os.environ.get("ACTIVATION_PHONE_FAILURE_LIMIT", "5 per hour")
    ACTIVATION_ADDRESS_FAILURE_LIMIT = os.environ.get("ACTIVATION_ADDRESS_FAILURE_LIMIT", "30 per hour")
    #: how many reverse proxies stand in front of the app (0: none). Only with a proxy is
    #: X-Forwarded-For believed, and only as many hops as configured here.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    # flask-smorest: OpenAPI document generated from the request/response schemas.
    API_TITLE = "Handover API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    UNITS_PER_PAGE = 50

    # Background jobs: "thread" (an in-process worker, the embedded default) or "rq" (Redis).
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "thread")
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    JOB_RQ_QUEUE = os.environ.get("JOB_RQ_QUEUE", "handover")
    JOB_WORKERS = int(os.environ.get("JOB_WORKERS", "1"))
    #: a running job writes a heartbeat this often; one silent for JOB_STALE_AFTER_SECONDS is marked
    #: failed by the sweeper (job pages, the jobs API and `flask jobs sweep` run it)
    JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "10"))
    JOB_STALE_AFTER_SECONDS = int(os.environ.get("JOB_STALE_AFTER_SECONDS", "60"))
    #: a job still waiting after this long was lost with its queue (a restarted process)
    JOB_QUEUED_STALE_AFTER_SECONDS = int(os.environ.get("JOB_QUEUED_STALE_AFTER_SECONDS", str(6 * 3600)))
    #: result files of finished jobs are removed after this many days
    JOB_FILES_MAX_AGE_DAYS = float(os.environ.get("JOB_FILES_MAX_AGE_DAYS", "7"))
    #: the pages and API sweep at most this often per process
    JOB_SWEEP_INTERVAL_SECONDS = int(os.environ.get("JOB_SWEEP_INTERVAL_SECONDS", "30"))
    #: exports up to this many rows are served at once; larger ones become background jobs
    LEDGER_SYNC_MAX_ROWS = int(os.environ.get("LEDGER_SYNC_MAX_ROWS", "2000"))
    #: key tags drawn inside the request at most; more become a background job
    KEY_TAGS_SYNC_MAX = int(os.environ.get("KEY_TAGS_SYNC_MAX", "240"))
    #: seconds the defect dashboard keeps its figures in a worker (0: count on every view)
    DEFECT_COUNTS_TTL = float(os.environ.get("DEFECT_COUNTS_TTL", "30"))
    #: a TrueType (.ttf/.ttc) CJK font embedded in PDFs; found among installed fonts when unset
    PDF_FONT_PATH = os.environ.get("PDF_FONT_PATH")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False  # the dev server speaks plain http


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret"
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_ENABLED = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes for tests only


PROFILES = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}


def load_config() -> type[Config]:
    return PROFILES[os.environ.get("HANDOVER_ENV", "production")]
