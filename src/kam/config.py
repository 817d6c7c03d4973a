"""Read kam's settings from ``KAM_*`` environment variables.

Every variable is parsed here, and a bad value stops start-up with a message that names it,
so that a typo in a deployment fails loudly instead of running with a default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import platformdirs

# Every variable kam reads; .env.example and the README list the same ones.
VARIABLES = (
    "KAM_DATA_DIR",
    "KAM_DATABASE_URL",
    "KAM_SECRET_KEY",
    "KAM_DEBUG",
    "KAM_ALLOWED_HOSTS",
    "KAM_CSRF_TRUSTED_ORIGINS",
    "KAM_BROKER_URL",
    "KAM_TIME_ZONE",
    "KAM_LOG_LEVEL",
    "KAM_HTTPS",
    "KAM_HSTS_SECONDS",
    "KAM_HSTS_INCLUDE_SUBDOMAINS",
    "KAM_HSTS_PRELOAD",
    "KAM_PROXY_COUNT",
    "KAM_LOGIN_FAILURE_LIMIT",
    "KAM_LOGIN_COOLOFF_MINUTES",
    "KAM_JOB_HEARTBEAT_TIMEOUT",
    "KAM_FILES_DIR",
    "KAM_ATTACHMENT_MAX_MB",
    "KAM_SITE_URL",
    "KAM_EMAIL_HOST",
    "KAM_EMAIL_PORT",
    "KAM_EMAIL_HOST_USER",
    "KAM_EMAIL_HOST_PASSWORD",
    "KAM_EMAIL_USE_TLS",
    "KAM_EMAIL_FROM",
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


class ConfigError(Exception):
    """A KAM_* variable has a value kam cannot use."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


@dataclass(frozen=True)
class Config:
    """The parsed environment."""

    data_dir: Path
    database: dict
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    broker_url: str
    time_zone: str
    log_level: str
    https: bool = False
    hsts_seconds: int = 31_536_000
    hsts_include_subdomains: bool = True
    hsts_preload: bool = True
    proxy_count: int = 0
    login_failure_limit: int = 5
    login_cooloff_minutes: int = 15
    job_heartbeat_timeout: float = 120.0
    # Where uploaded files (plan attachments) are kept: Django's default file storage.
    files_dir: Path | None = None
    attachment_max_mb: int = 20
    # Links in e-mails (the weekly digest) start with it.
    site_url: str = "http://127.0.0.1:8000"
    # SMTP for e-mail; no host: e-mails are written to the console (Django's console backend).
    email_host: str = ""
    email_port: int = 587
    email_host_user: str = ""
    email_host_password: str = ""
    email_use_tls: bool = True
    email_from: str = "kam <kam@localhost>"


def parse_bool(variable: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(variable, f"expected true or false, got {raw!r}")


def parse_int(variable: str, raw: str, *, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(variable, f"expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(variable, f"expected a number from {low} to {high}, got {value}")
    return value


def _or_default(environ: Mapping[str, str], variable: str, default: str) -> str:
    return environ.get(variable, "").strip() or default


def parse_seconds(variable: str, raw: str) -> float:
    try:
        seconds = float(raw.strip())
    except ValueError:
        raise ConfigError(variable, f"expected a number of seconds, got {raw!r}") from None
    if not 0 < seconds < 86400:
        raise ConfigError(variable, f"expected more than 0 and less than a day, got {raw!r}")
    return seconds


def parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("kam", appauthor=False))


def parse_database(variable: str, raw: str, data_dir: Path) -> dict:
    url = raw.strip() or f"sqlite:///{data_dir / 'kam.sqlite3'}"
    try:
        database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as error:  # dj_database_url raises bare exceptions for unknown schemes
        raise ConfigError(variable, f"cannot use {url!r}: {error}") from error
    engine = database.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        # WAL lets the web app read while an import writes; the timeout makes a writer wait
        # for a lock instead of failing at once; IMMEDIATE avoids upgrade deadlocks.
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif engine != "django.db.backends.postgresql":
        raise ConfigError(
            variable, f"only sqlite:/// and postgres:// URLs are supported, got {url!r}"
        )
    return database


def load_secret_key(raw: str | None, data_dir: Path) -> str:
    """The given key, or one generated once and kept in the data directory."""
    if raw:
        if len(raw) < 32:
            raise ConfigError("KAM_SECRET_KEY", "must be at least 32 characters long")
        return raw
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Created private: the key signs sessions and password-reset links.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def load(environ: Mapping[str, str]) -> Config:
    """Parse the environment into a Config, or raise ConfigError naming the bad variable."""
    raw_dir = environ.get("KAM_DATA_DIR", "").strip()
    data_dir = Path(raw_dir).expanduser() if raw_dir else default_data_dir()
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError("KAM_DATA_DIR", f"{data_dir} exists and is not a directory")

    time_zone = environ.get("KAM_TIME_ZONE", "UTC").strip() or "UTC"
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError("KAM_TIME_ZONE", f"unknown time zone {time_zone!r}") from error

    log_level = environ.get("KAM_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if log_level not in _LOG_LEVELS:
        raise ConfigError("KAM_LOG_LEVEL", f"expected one of {sorted(_LOG_LEVELS)}")

    broker_url = environ.get("KAM_BROKER_URL", "").strip()
    if broker_url and not broker_url.startswith(("redis://", "rediss://", "amqp://")):
        raise ConfigError(
            "KAM_BROKER_URL", f"expected a redis:// or amqp:// URL, got {broker_url!r}"
        )

    origins = parse_list(environ.get("KAM_CSRF_TRUSTED_ORIGINS", ""))
    for origin in origins:
        if not origin.startswith(("http://", "https://")):
            raise ConfigError("KAM_CSRF_TRUSTED_ORIGINS", f"{origin!r} must start with http(s)://")

    site_url = environ.get("KAM_SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
    if not site_url.startswith(("http://", "https://")):
        raise ConfigError("KAM_SITE_URL", f"{site_url!r} must start with http(s)://")

    return Config(
        site_url=site_url,
        email_host=environ.get("KAM_EMAIL_HOST", "").strip(),
        email_port=parse_int(
            "KAM_EMAIL_PORT", _or_default(environ, "KAM_EMAIL_PORT", "587"), low=1, high=65535
        ),
        email_host_user=environ.get("KAM_EMAIL_HOST_USER", "").strip(),
        email_host_password=environ.get("KAM_EMAIL_HOST_PASSWORD", ""),
        email_use_tls=parse_bool("KAM_EMAIL_USE_TLS", environ.get("KAM_EMAIL_USE_TLS", "true")),
        email_from=environ.get("KAM_EMAIL_FROM", "").strip() or "kam <kam@localhost>",
        data_dir=data_dir,
        database=parse_database("KAM_DATABASE_URL", environ.get("KAM_DATABASE_URL", ""), data_dir),
        secret_key=load_secret_key(environ.get("KAM_SECRET_KEY", "").strip(), data_dir),
        debug=parse_bool("KAM_DEBUG", environ.get("KAM_DEBUG", "false")),
        allowed_hosts=parse_list(environ.get("KAM_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")),
        csrf_trusted_origins=origins,
        broker_url=broker_url,
        time_zone=time_zone,
        log_level=log_level,
        https=parse_bool("KAM_HTTPS", environ.get("KAM_HTTPS", "false")),
        hsts_seconds=parse_int(
            "KAM_HSTS_SECONDS",
            _or_default(environ, "KAM_HSTS_SECONDS", "31536000"),
            low=0,
            high=10**9,
        ),
        hsts_include_subdomains=parse_bool(
            "KAM_HSTS_INCLUDE_SUBDOMAINS", environ.get("KAM_HSTS_INCLUDE_SUBDOMAINS", "true")
        ),
        hsts_preload=parse_bool("KAM_HSTS_PRELOAD", environ.get("KAM_HSTS_PRELOAD", "true")),
        proxy_count=parse_int(
            "KAM_PROXY_COUNT", _or_default(environ, "KAM_PROXY_COUNT", "0"), low=0, high=10
        ),
        # Ten is the most the issue allows; a lower limit only costs a user a wait.
        login_failure_limit=parse_int(
            "KAM_LOGIN_FAILURE_LIMIT",
            _or_default(environ, "KAM_LOGIN_FAILURE_LIMIT", "5"),
            low=1,
            high=10,
        ),
        login_cooloff_minutes=parse_int(
            "KAM_LOGIN_COOLOFF_MINUTES",
            _or_default(environ, "KAM_LOGIN_COOLOFF_MINUTES", "15"),
            low=1,
            high=7 * 24 * 60,
        ),
        job_heartbeat_timeout=parse_seconds(
            "KAM_JOB_HEARTBEAT_TIMEOUT", environ.get("KAM_JOB_HEARTBEAT_TIMEOUT", "120")
        ),
        files_dir=Path(environ["KAM_FILES_DIR"].strip()).expanduser()
        if environ.get("KAM_FILES_DIR", "").strip()
        else data_dir / "files",
        attachment_max_mb=parse_int(
            "KAM_ATTACHMENT_MAX_MB",
            _or_default(environ, "KAM_ATTACHMENT_MAX_MB", "20"),
            low=1,
            high=2048,
        ),
    )
