"""Broken copies of the bundled playbook, one per stage of the check (a playbook that does not
parse is not cross-checked, so the problems of each stage need their own copy)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.resources import bundled_dir

#: Portuguese words that must not remain in a message shown to an English reader.
PORTUGUESE_WORDS = ("deve", "chave", "arquivo", "falta", "faixa", "não", "roteiro", "somam", "aparece")


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def broken_playbooks(root: Path) -> dict[str, Path]:
    """Three copies: ``parse`` (an unknown key, a duplicate key), ``checks`` (a weight sum, an
    overlapping band, a missing script) and ``yaml`` (invalid YAML)."""
    copies = {}
    for name in ("parse", "checks", "yaml"):
        copies[name] = root / name
        shutil.copytree(bundled_dir("playbook"), copies[name])
    parse = copies["parse"]
    _edit(parse, "cadence.yaml", "no_response_reason:", "notas: x\nno_response_reason:")
    (parse / "playbook.yaml").write_text(
        (parse / "playbook.yaml").read_text(encoding="utf-8") + "\nname: De novo\n", encoding="utf-8"
    )
    checks = copies["checks"]
    _edit(checks, "icp.yaml", "weight: 25", "weight: 26")
    _edit(checks, "icp.yaml", "{min: 10, max: 49,", "{min: 5, max: 49,")
    _edit(checks, "cadence.yaml", "script: ligacao_abertura", "script: ligacao_inexistente")
    _edit(copies["yaml"], "reasons.yaml", "loss:", "loss: [unclosed\nloss:")
    return copies
