"""Settings, read from the environment and ``.env`` (see ``.env.example``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain import numbers
from bot.domain.regions import DEFAULT_ZONE
from bot.resources import bundled_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = Field(default="", description="Token from @BotFather.")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL; point it at a self-hosted telegram-bot-api server.",
    )
    telegram_api_file_url: str = Field(default="https://api.telegram.org/file/bot")
    database_url: str = Field(default="sqlite:///cadencia.db")
    playbook_dir: Path = Field(default_factory=lambda: bundled_dir("playbook"))
    templates_dir: Path = Field(default_factory=lambda: bundled_dir("templates"))
    cadencia_admins: str = Field(default="", description="Comma-separated Telegram user ids of the first managers.")
    default_timezone: str = DEFAULT_ZONE
    default_uf: str = "SP"
    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 30)
    manager_invite_ttl_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="how long a manager invite (named for one username) is valid"
    )
    webhook_url: str = Field(default="", description="public https:// address Telegram posts updates to")
    webhook_secret: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    health_listen: str = "127.0.0.1"
    health_port: int = Field(default=0, ge=0, le=65535, description="0: no health server")
    registry_dir: Path = Field(
        default=Path("registry"), description="where `cadencia registry load` keeps the open CNPJ registry"
    )
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(default="text", description="text lines, or one JSON object a line")
    retention_months: int = Field(
        default=0, ge=0, le=1200, description="erase the contact data of leads lost this many months ago; 0: off"
    )

    cnpj_lookup_url: str = Field(
        default="",
        description="BrasilAPI / minha-receita compatible CNPJ lookup (GET {url}/{cnpj}); without a loaded registry",
    )
    cnpj_lookup_timeout: float = Field(default=3.0, gt=0, le=30, description="seconds to wait for one CNPJ lookup")
    cnpj_lookup_per_minute: int = Field(default=30, ge=1, le=6000, description="CNPJ lookups a minute, at most")
    cnpj_lookup_cache_hours: float = Field(default=24.0, ge=0, le=24 * 90, description="how long a lookup is reused")

    @field_validator("cnpj_lookup_url")
    @classmethod
    def _lookup_url_is_http(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"CNPJ_LOOKUP_URL must start with http:// or https://, got {value[:40]!r}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "DEFAULT_TIMEZONE must be an IANA time zone such as America/Sao_Paulo or America/Manaus, "
                f"got {value[:40]!r}"
            ) from None
        return value

    @field_validator("cadencia_admins")
    @classmethod
    def _admins_are_ids(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if numbers.read_int(part.removeprefix("-"), 1, numbers.TELEGRAM_ID_MAX) is None:
                raise ValueError(
                    f"CADENCIA_ADMINS must list numeric Telegram user ids, got {part!r}. Ask @userinfobot for yours."
                )
        return value

    @property
    def webhook_secret_token(self) -> str:
        """The secret Telegram sends with every webhook call: WEBHOOK_SECRET, or one derived from
        the bot token (stable across restarts, as secret as the token)."""
        if self.webhook_secret:
            return self.webhook_secret
        return hashlib.sha256(f"cadencia-webhook:{self.telegram_bot_token}".encode()).hexdigest()

    @property
    def admin_ids(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.cadencia_admins.split(",") if p.strip())
