"""The bot's own messages, from ``templates/`` (Jinja2, HTML autoescape, StrictUndefined).

Templates are written in Portuguese and wrap words in ``_()``; English users get the catalog's
translation. Each rendered message is checked against Telegram's length limit and cut
cleanly (never mid-tag) if a very long value made it too long.
"""

from __future__ import annotations

import html
import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import jinja2

from bot.i18n import gettext_for, number

MESSAGE_LIMIT = 4096


class MessageRenderer:
    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # Read once per process (a restart picks up edits): no file check on every message.
            auto_reload=False,
        )
        self._env.filters["num"] = lambda value, lang="pt": number(value, lang)
        self._static: dict[tuple[str, str, tuple[tuple[str, Hashable], ...]], str] = {}

    def render(self, name: str, language: str, **values: Any) -> str:
        template = self._env.get_template(name)
        _ = gettext_for(language)
        text = template.render(_=_, lang=language, **values).strip()
        text = re.sub(r"\n{3,}", "\n\n", text)
        return fit(text)

    def render_static(self, name: str, language: str, **values: Hashable) -> str:
        """:meth:`render` for a message that depends only on a few plain values (the help):
        rendered once per language and values, then reused."""
        key = (name, language, tuple(sorted(values.items())))
        text = self._static.get(key)
        if text is None:
            text = self._static[key] = self.render(name, language, **values)
        return text

    def check(self) -> list[str]:
        """Names of templates that fail to compile (used at start-up)."""
        broken = []
        for name in self._env.list_templates(extensions=["html"]):
            try:
                self._env.get_template(name)
            except jinja2.TemplateError as exc:
                broken.append(f"{name}: {exc}")
        return broken


_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut an HTML message to Telegram's limit at a line boundary, closing any tag left open."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    for line in text.split("\n"):
        if size + len(line) + 1 > limit - 80:
            break
        kept.append(line)
        size += len(line) + 1
    cut = "\n".join(kept)
    open_tags: list[str] = []
    for match in _TAG.finditer(cut):
        closing, name = match.group(1), match.group(2)
        if closing and open_tags and open_tags[-1] == name:
            open_tags.pop()
        elif not closing:
            open_tags.append(name)
    return cut + "\n…" + "".join(f"</{name}>" for name in reversed(open_tags))


def escape(text: str) -> str:
    return html.escape(text, quote=False)
