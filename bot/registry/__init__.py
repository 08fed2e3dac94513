"""The open CNPJ registry, loaded into Parquet files under ``REGISTRY_DIR`` and read with DuckDB.

A storage-like layer: ``bot.cli`` loads it and ``bot.wiring`` opens it and hands it to the
services as a :class:`bot.domain.registry.RegistryStore`; the chat adapter never imports it.
DuckDB is imported only when a load runs or a query is asked, so the CLI starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.registry.store import ParquetRegistry


def open_store(directory: Path) -> ParquetRegistry | None:
    """The registry loaded in ``directory``, or ``None`` when nothing was ever loaded there."""
    from bot.registry.loader import POINTER
    from bot.registry.store import ParquetRegistry

    if not (Path(directory) / POINTER).exists():
        return None
    return ParquetRegistry(Path(directory))
