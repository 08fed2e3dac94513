"""The bot's company directory and market are the registry loaded under ``REGISTRY_DIR``."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.registry.loader import load
from bot.services.company_directory import build_directory
from bot.wiring import build_registry
from tests.registry.test_registry_load import acme_dump


def test_a_month_loaded_while_the_bot_runs_is_the_directory_without_a_restart(tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url="sqlite://", telegram_bot_token="123:TEST", registry_dir=tmp_path / "registry"
    )
    registry = build_registry(settings)
    directory = build_directory(settings, registry=registry)
    assert registry is not None and directory is not None
    assert (registry.month(), directory.month(), directory.lookup("11222333000181")) == (None, None, None)

    load(str(acme_dump().write(tmp_path / "2026-11")), tmp_path / "registry")

    assert directory.month() == "2026-11"
    found = directory.lookup("11.222.333/0001-81")
    assert found is not None and found.legal_name == "AÇÚCAR E CIA COMÉRCIO LTDA"
