"""The import contract (the domain is pure, layers point inwards) and the size of modules."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import pkgutil
import shutil
import subprocess
import sys
import typing
from pathlib import Path

from sqlmodel import SQLModel

import bot.domain
import bot.storage

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("telegram", "sqlmodel", "sqlalchemy", "apscheduler", "jinja2", "duckdb")


def test_importing_the_whole_domain_loads_no_adapter_library() -> None:
    modules = [m.name for m in pkgutil.walk_packages(bot.domain.__path__, "bot.domain.")]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    )
    leaks = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert not leaks, f"bot.domain pulls in {leaks}"
    assert len(modules) >= 8


def test_import_linter_contracts_hold() -> None:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert executable, "import-linter is a dev dependency"
    result = subprocess.run([executable], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


MAX_LINES = 400
LONG_MARKER = "Long because"


def test_no_module_is_long_without_a_stated_reason() -> None:
    unexplained = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative:
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n")
        docstring = ast.get_docstring(ast.parse(source)) or ""
        if lines > MAX_LINES and LONG_MARKER not in docstring:
            unexplained.append(f"{relative} ({lines} lines)")
    assert not unexplained, (
        f"over {MAX_LINES} lines without '{LONG_MARKER} ...' in the module docstring "
        f"(split it, or say why it is one concern): {unexplained}"
    )
def _used_by_tg() -> set[tuple[str, str]]:
    """``(module, name)`` of every ``bot.services`` function or class ``bot/tg`` refers to."""
    used: set[tuple[str, str]] = set()
    for path in sorted((ROOT / "bot" / "tg").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "bot.services":
                aliases.update({a.asname or a.name: f"bot.services.{a.name}" for a in node.names})
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.services."):
                used.update((node.module or "", a.name) for a in node.names)
            elif isinstance(node, ast.Import):
                named = [a for a in node.names if a.asname and a.name.startswith("bot.services.")]
                aliases.update({a.asname or "": a.name for a in named})
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                used.add((aliases[node.value.id], node.attr))
    return used


def _storage_types_in(hint: object, seen: set[object]) -> set[str]:
    """Names of the storage rows (SQLModel classes) and other storage types in ``hint``, through
    unions, generics and the fields of the ``bot.services`` dataclasses it names."""
    if isinstance(hint, list | tuple):  # the parameters of a Callable
        return set().union(*(_storage_types_in(h, seen) for h in hint))
    if hint in seen:
        return set()
    seen.add(hint)
    found: set[str] = set()
    for arg in typing.get_args(hint):
        found |= _storage_types_in(arg, seen)
    origin = typing.get_origin(hint)
    if origin is not None:
        return found
    module = getattr(hint, "__module__", "") or ""
    if isinstance(hint, type) and (
        issubclass(hint, SQLModel) or module.startswith("bot.storage")
    ):
        found.add(f"{module}.{hint.__qualname__}")
    elif module.startswith("bot.services") and dataclasses.is_dataclass(hint) and isinstance(hint, type):
        for field_hint in typing.get_type_hints(hint, localns=_NAMES).values():
            found |= _storage_types_in(field_hint, seen)
    return found


def _storage_names() -> dict[str, object]:
    names: dict[str, object] = {}
    for info in pkgutil.iter_modules(bot.storage.__path__, "bot.storage."):
        module = importlib.import_module(info.name)
        names.update({k: v for k, v in vars(module).items() if isinstance(v, type)})
    return names


_NAMES: dict[str, object] = {}


def test_no_service_the_adapter_calls_hands_it_a_storage_row() -> None:
    """``bot/tg`` sees read models: no service function or record it uses is typed with a row."""
    _NAMES.update(_storage_names())
    used = _used_by_tg()
    leaks: dict[str, set[str]] = {}
    checked = 0
    for module_name, name in sorted(used):
        target = getattr(importlib.import_module(module_name), name, None)
        if inspect.isfunction(target):
            hint = typing.get_type_hints(target, localns=_NAMES).get("return")
        elif isinstance(target, type) and dataclasses.is_dataclass(target):
            hint = target
        else:
            continue
        checked += 1
        if found := _storage_types_in(hint, set()):
            leaks[f"{module_name}.{name}"] = found
    assert not leaks, f"services hand bot/tg storage types: {leaks}"
    assert checked >= 40  # the scan found the adapter's calls
