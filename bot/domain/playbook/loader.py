"""Load a playbook directory: parse, validate, cross-check, fingerprint.

Every problem is reported as a :class:`PlaybookIssue` naming the file, the line and what to
change; loading collects all of them before failing so a manager fixes everything in one go.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.playbook import checks
from bot.domain.playbook.model import (
    FILES,
    Cadence,
    Icp,
    Manifest,
    Objections,
    Playbook,
    Qualification,
    Reasons,
    Scripts,
)

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class PlaybookIssue:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class PlaybookError(Exception):
    """The playbook cannot be used; ``issues`` says every reason."""

    def __init__(self, issues: Sequence[PlaybookIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class Locator:
    """Maps a path inside a YAML file (keys and list indexes) to its line number."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, Path_], int] = {}

    def add(self, file: str, path: Path_, line: int) -> None:
        self._lines.setdefault((file, path), line)

    def line(self, file: str, path: Path_) -> int | None:
        while True:
            found = self._lines.get((file, path))
            if found is not None or not path:
                return found
            path = path[:-1]

    def issue(self, file: str, path: Path_, message: str) -> PlaybookIssue:
        return PlaybookIssue(file, self.line(file, path), message)


ExtraCheck = Callable[[Playbook, Locator], Iterable[PlaybookIssue]]


def _walk(node: yaml.Node, path: Path_, file: str, locator: Locator, issues: list[PlaybookIssue]) -> None:
    locator.add(file, path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                issues.append(
                    PlaybookIssue(
                        file,
                        key_node.start_mark.line + 1,
                        f"a chave '{key}' aparece duas vezes; apague ou renomeie uma delas",
                    )
                )
            seen.add(key)
            locator.add(file, (*path, key), key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), file, locator, issues)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), file, locator, issues)


def _read_yaml(directory: Path, file: str, locator: Locator, issues: list[PlaybookIssue]) -> tuple[Any, str] | None:
    path = directory / file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issues.append(PlaybookIssue(file, None, "arquivo não encontrado; crie-o a partir do playbook padrão"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(PlaybookIssue(file, None, f"não consegui ler o arquivo ({exc}); salve-o em UTF-8"))
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        issues.append(
            PlaybookIssue(file, line, f"YAML inválido: {exc.problem or exc}; confira a indentação e as aspas")
        )
        return None
    except yaml.YAMLError as exc:
        issues.append(PlaybookIssue(file, None, f"YAML inválido: {exc}"))
        return None
    if node is not None:
        _walk(node, (), file, locator, issues)
    if not isinstance(data, dict):
        issues.append(PlaybookIssue(file, 1, "o arquivo deve ser um mapa de chaves (chave: valor)"))
        return None
    return data, text


_PYDANTIC_MESSAGES = {
    "extra_forbidden": "chave desconhecida '{key}'; confira a grafia ou apague-a",
    "missing": "falta a chave obrigatória '{key}'",
    "string_type": "deve ser um texto; ponha o valor entre aspas",
    "int_type": "deve ser um número inteiro",
    "int_parsing": "deve ser um número inteiro",
    "greater_than_equal": "deve ser no mínimo {ge}",
    "less_than_equal": "deve ser no máximo {le}",
    "string_pattern_mismatch": "formato inválido '{input}': use letras minúsculas, números e _ (até 32)",
    "string_too_short": "não pode ficar vazio",
    "string_too_long": "texto longo demais (máximo {max_length} caracteres)",
    "too_short": "precisa de pelo menos {min_length} item(ns)",
    "too_long": "aceita no máximo {max_length} item(ns)",
    "literal_error": "valor '{input}' inválido; use um destes: {expected}",
    "enum": "valor '{input}' inválido; use um destes: {expected}",
    "dict_type": "deve ser um mapa (chave: valor)",
    "list_type": "deve ser uma lista (itens começando com -)",
    "model_type": "deve ser um mapa (chave: valor)",
}


def _describe(error: Any) -> str:
    kind = error["type"]
    loc = error["loc"]
    key = loc[-1] if loc else ""
    template = _PYDANTIC_MESSAGES.get(kind)
    ctx = dict(error.get("ctx") or {})
    if template:
        try:
            message = template.format(key=key, input=str(error.get("input"))[:60], **ctx)
        except (KeyError, IndexError):
            message = error["msg"]
    else:
        message = error["msg"]
    field = ".".join(str(p) for p in loc)
    return f"{field}: {message}" if field else message


def _validate(model: type[Any], data: Any, file: str, locator: Locator, issues: list[PlaybookIssue]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            if error["type"] == "union_tag_invalid" or (loc and loc[-1] in ("int", "str", "list[str]", "list[int]")):
                loc = tuple(p for p in loc if p not in ("int", "str", "list[str]", "list[int]"))
            error = {**error, "loc": loc}
            issues.append(locator.issue(file, loc, _describe(error)))
        return None


def fingerprint(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_playbook(directory: Path | str, *, extra_checks: Sequence[ExtraCheck] = ()) -> Playbook:
    """Load and check the playbook in ``directory``; raise :class:`PlaybookError` if unusable."""
    directory = Path(directory)
    if not directory.is_dir():
        raise PlaybookError(
            [PlaybookIssue(str(directory), None, "pasta do playbook não encontrada; confira PLAYBOOK_DIR")]
        )
    locator = Locator()
    issues: list[PlaybookIssue] = []
    parsed: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for file, model in FILES.items():
        read = _read_yaml(directory, file, locator, issues)
        if read is None:
            continue
        data, text = read
        sources[file] = text
        parsed[file] = _validate(model, data, file, locator, issues)
    if issues or any(v is None for v in parsed.values()):
        raise PlaybookError(issues)
    manifest: Manifest = parsed["playbook.yaml"]
    icp: Icp = parsed["icp.yaml"]
    cadence: Cadence = parsed["cadence.yaml"]
    scripts: Scripts = parsed["scripts.yaml"]
    objections: Objections = parsed["objections.yaml"]
    reasons: Reasons = parsed["reasons.yaml"]
    qualification: Qualification = parsed["qualification.yaml"]
    playbook = Playbook(
        manifest=manifest,
        icp=icp,
        cadence=cadence,
        scripts=scripts.scripts,
        objections=objections.objections,
        reasons=reasons,
        qualification=qualification,
        sources=sources,
    )
    issues.extend(checks.check_playbook(playbook, locator))
    if issues:
        raise PlaybookError(issues)
    for check in extra_checks:
        issues.extend(check(playbook, locator))
    if issues:
        raise PlaybookError(issues)
    return playbook.model_copy(update={"fingerprint": fingerprint(playbook.content())})
