"""Typed settings, read from the environment with the prefix ``APP_`` (and an optional ``.env``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import EmailStr, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "dev-secret-not-for-production"  # noqa: S105 - refused in production below


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    """Every setting of the site; the README lists them with their defaults."""

    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env", extra="ignore")

    env: Environment = Environment.development
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    database_url: str = f"sqlite:///{PROJECT_DIR / 'var' / 'reperes.sqlite3'}"
    content_dir: Path = PROJECT_DIR / "content"
    var_dir: Path = PROJECT_DIR / "var"
    site_name: str = "Repères CPAS"
    organisation_name: str = "Centre d'information jeunesse de démonstration"
    organisation_url: str = "https://example.org/"
    base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    workers: int = Field(default=1, ge=1)
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    # Rate limits on public posting, per hour, per address and per e-mail.
    posting_limit_per_hour: int = Field(default=5, ge=1)
    # E-mail: SMTP when smtp_host is set, otherwise messages are written to var/outbox/.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: EmailStr = "reperes-cpas@example.org"
    # Erase askers' e-mail addresses this many months after their thread's last activity.
    email_retention_months: int = Field(default=12, ge=1)
    # Questions: a thread with no activity for this many days is closed to replies.
    thread_close_days: int = Field(default=90, ge=1)
    # Deleted messages are erased for good this many days after their deletion.
    purge_after_days: int = Field(default=30, ge=1)
    # A question form sent faster than this (seconds after it was shown) is refused as a robot's.
    min_fill_seconds: float = Field(default=3, ge=0)
    # Told to askers: professionals usually answer within this many working days.
    usual_answer_days: int = Field(default=3, ge=1)
    # "Je m'en occupe" lapses after this many minutes without an answer.
    claim_minutes: int = Field(default=120, ge=5)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env is Environment.production:
            secret = self.secret_key.get_secret_value()
            if secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ValueError(
                    "APP_SECRET_KEY doit être défini en production "
                    "(au moins 32 caractères, différent de la valeur de développement)"
                )
        return self

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry Secure when the public site is served over https."""
        return self.base_url.startswith("https://")

    @property
    def outbox_dir(self) -> Path:
        return self.var_dir / "outbox"
