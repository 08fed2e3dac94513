"""Where the default playbook and templates are, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """``playbook`` or ``templates``: the checkout's top-level folder, else the wheel's copy.

    A checkout is recognised by its ``pyproject.toml`` beside the package, so an unrelated
    ``playbook`` folder in site-packages is never picked up.
    """
    root = _PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / name).is_dir():
        return root / name
    return _PACKAGE / "_bundled" / name
