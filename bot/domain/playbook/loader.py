"""Load a playbook directory: parse, validate, cross-check, fingerprint.

Every problem is reported as a :class:`PlaybookIssue` naming the file, the line and what to
change; loading collects all of them before failing so a manager fixes everything in one go.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.playbook import checks
from bot.domain.playbook.model import (
    FILES,
    LEGACY_CADENCE_ID,
    OPTIONAL_FILES,
    Cadence,
    Economics,
    Icp,
    Manifest,
    Objections,
    Playbook,
    Qualification,
    Reasons,
    Scripts,
)
from bot.domain.problems import N_, Problem

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class PlaybookIssue:
    """One problem of a playbook: where it is and what to change, translatable.

    ``template`` is a Portuguese message marked with ``N_`` and ``params`` fill it in (codes,
    numbers and what the manager typed, as :mod:`bot.domain.problems` explains); ``at`` is the
    dotted key inside the file that the message is about, shown before it as it is. ``str(issue)``
    is the Portuguese line ``file:line: message``; :meth:`text` is the same line in a language.
    """

    file: str
    line: int | None
    template: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    at: str = ""

    @classmethod
    def of(cls, file: str, line: int | None, problem: Problem, *, at: str = "") -> PlaybookIssue:
        """An issue that says what a domain :class:`Problem` says (a bad CNAE, a bad UF)."""
        return cls(file, line, problem.template, dict(problem.params), at)

    @property
    def message(self) -> str:
        """What to change, in Portuguese (without the file and line)."""
        return self._message(_as_is)

    def text(self, gettext: Callable[[str], str]) -> str:
        """``file:line: message`` with the message translated by ``gettext``."""
        return f"{self._where()}: {self._message(gettext)}"

    def __str__(self) -> str:
        return self.text(_as_is)

    def _where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def _message(self, gettext: Callable[[str], str]) -> str:
        message = gettext(self.template) % self.params
        return f"{self.at}: {message}" if self.at else message


def _as_is(message: str) -> str:
    return message


#: A message that is not ours to translate (a library's own words); never marked with ``N_``.
AS_GIVEN = "%(detail)s"


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

    def alias(self, file: str, old: Path_, new: Path_) -> None:
        """Lines known under ``old`` (and below it) are found under ``new`` too: a file read in
        an older layout and moved into the current one still names its own lines."""
        for (name, path), line in list(self._lines.items()):
            if name == file and path[: len(old)] == old:
                self.add(file, (*new, *path[len(old) :]), line)

    def line(self, file: str, path: Path_) -> int | None:
        while True:
            found = self._lines.get((file, path))
            if found is not None or not path:
                return found
            path = path[:-1]

    def issue(self, file: str, path: Path_, template: str, /, **params: object) -> PlaybookIssue:
        """An issue about the key at ``path`` in ``file``: ``template % params`` (see :class:`PlaybookIssue`)."""
        return PlaybookIssue(file, self.line(file, path), template, params)

    def problem(self, file: str, path: Path_, problem: Problem) -> PlaybookIssue:
        return PlaybookIssue.of(file, self.line(file, path), problem)


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
                        N_("a chave '%(key)s' aparece duas vezes; apague ou renomeie uma delas"),
                        {"key": key},
                    )
                )
            seen.add(key)
            locator.add(file, (*path, key), key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), file, locator, issues)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), file, locator, issues)


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (a playbook loads ten times faster: every command that
reads one starts sooner); the pure-Python one otherwise."""


def _read_yaml(directory: Path, file: str, locator: Locator, issues: list[PlaybookIssue]) -> tuple[Any, str] | None:
    path = directory / file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issues.append(PlaybookIssue(file, None, N_("arquivo não encontrado; crie-o a partir do playbook padrão")))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(
            PlaybookIssue(file, None, N_("não consegui ler o arquivo (%(detail)s); salve-o em UTF-8"), {"detail": exc})
        )
        return None
    try:
        try:
            node = yaml.compose(text, Loader=_FAST_LOADER)
            data = yaml.load(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:  # read again by the pure-Python parser, whose words the problem quotes
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        issues.append(
            PlaybookIssue(
                file,
                line,
                N_("YAML inválido: %(detail)s; confira a indentação e as aspas"),
                {"detail": exc.problem or exc},
            )
        )
        return None
    except yaml.YAMLError as exc:
        issues.append(PlaybookIssue(file, None, N_("YAML inválido: %(detail)s"), {"detail": exc}))
        return None
    if node is not None:
        _walk(node, (), file, locator, issues)
    if not isinstance(data, dict):
        issues.append(PlaybookIssue(file, 1, N_("o arquivo deve ser um mapa de chaves (chave: valor)")))
        return None
    return data, text


_PYDANTIC_MESSAGES = {
    "extra_forbidden": N_("chave desconhecida '%(key)s'; confira a grafia ou apague-a"),
    "missing": N_("falta a chave obrigatória '%(key)s'"),
    "string_type": N_("deve ser um texto; ponha o valor entre aspas"),
    "int_type": N_("deve ser um número inteiro"),
    "int_parsing": N_("deve ser um número inteiro"),
    "decimal_parsing": N_("deve ser um número, com ponto nos decimais, como 2.5"),
    "decimal_type": N_("deve ser um número, com ponto nos decimais, como 2.5"),
    "greater_than_equal": N_("deve ser no mínimo %(ge)s"),
    "less_than_equal": N_("deve ser no máximo %(le)s"),
    "string_pattern_mismatch": N_("formato inválido '%(input)s': use letras minúsculas, números e _ (até 32)"),
    "string_too_short": N_("não pode ficar vazio"),
    "string_too_long": N_("texto longo demais (máximo %(max_length)s caracteres)"),
    "too_short": N_("precisa de pelo menos %(min_length)s item(ns)"),
    "too_long": N_("aceita no máximo %(max_length)s item(ns)"),
    "literal_error": N_("valor '%(input)s' inválido; use um destes: %(expected)s"),
    "enum": N_("valor '%(input)s' inválido; use um destes: %(expected)s"),
    "dict_type": N_("deve ser um mapa (chave: valor)"),
    "list_type": N_("deve ser uma lista (itens começando com -)"),
    "model_type": N_("deve ser um mapa (chave: valor)"),
}


def _describe(error: Any, file: str, line: int | None) -> PlaybookIssue:
    """A pydantic error as an issue: our template for its type, else pydantic's own words."""
    kind = error["type"]
    loc = error["loc"]
    at = ".".join(str(p) for p in loc)
    params: dict[str, object] = {
        **dict(error.get("ctx") or {}),
        "key": loc[-1] if loc else "",
        "input": str(error.get("input"))[:60],
    }
    problem = (error.get("ctx") or {}).get("error")
    if kind == "value_error" and isinstance(problem, Problem):  # a domain reader's words (money, a term)
        return PlaybookIssue(file, line, problem.template, dict(problem.params), at)
    template = _PYDANTIC_MESSAGES.get(kind)
    if template:
        try:
            template % params
        except (KeyError, TypeError, ValueError):
            template = None
    if template is None:
        return PlaybookIssue(file, line, AS_GIVEN, {"detail": error["msg"]}, at)
    return PlaybookIssue(file, line, template, params, at)


def _validate(model: type[Any], data: Any, file: str, locator: Locator, issues: list[PlaybookIssue]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            if error["type"] == "union_tag_invalid" or (loc and loc[-1] in ("int", "str", "list[str]", "list[int]")):
                loc = tuple(p for p in loc if p not in ("int", "str", "list[str]", "list[int]"))
            error = {**error, "loc": loc}
            issues.append(_describe(error, file, locator.line(file, loc)))
        return None


def _only_comments(path: Path) -> bool:
    """Whether ``path`` holds nothing but comments and blank lines (unreadable files are read, to say why)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return all(not line.strip() or line.lstrip().startswith("#") for line in lines)


def _one_cadence_as_list(data: dict[str, Any], locator: Locator) -> dict[str, Any]:
    """An old ``cadence.yaml`` (``steps:`` at the top, one cadence) read as a list of one
    cadence, :data:`LEGACY_CADENCE_ID`, so existing playbooks keep loading unchanged."""
    if "steps" not in data or "cadences" in data:
        return data
    rest = {key: value for key, value in data.items() if key != "steps"}
    locator.alias("cadence.yaml", ("steps",), ("cadences", 0, "steps"))
    legacy = {"id": LEGACY_CADENCE_ID, "title": "Padrão", "steps": data["steps"]}
    return {"cadences": [legacy], **rest}


def fingerprint(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_playbook(directory: Path | str, *, extra_checks: Sequence[ExtraCheck] = ()) -> Playbook:
    """Load and check the playbook in ``directory``; raise :class:`PlaybookError` if unusable."""
    directory = Path(directory)
    if not directory.is_dir():
        raise PlaybookError(
            [PlaybookIssue(str(directory), None, N_("pasta do playbook não encontrada; confira PLAYBOOK_DIR"))]
        )
    locator = Locator()
    issues: list[PlaybookIssue] = []
    parsed: dict[str, Any] = {}
    sources: dict[str, str] = {}
    present = [
        *FILES.items(),
        # An optional file left out, or with every line commented out, is as if absent.
        *((f, m) for f, m in OPTIONAL_FILES.items() if (directory / f).exists() and not _only_comments(directory / f)),
    ]
    for file, model in present:
        read = _read_yaml(directory, file, locator, issues)
        if read is None:
            continue
        data, text = read
        sources[file] = text
        if file == "cadence.yaml":
            data = _one_cadence_as_list(data, locator)
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
    economics: Economics | None = parsed.get("economics.yaml")
    playbook = Playbook(
        manifest=manifest,
        icp=icp,
        cadence=cadence,
        scripts=scripts.scripts,
        objections=objections.objections,
        reasons=reasons,
        qualification=qualification,
        economics=economics,
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
