"""The manager report's charts as PNG bytes (matplotlib): the funnel and the rep leaderboard.

Words come from the reader's catalog (pt-BR or English) and numbers are formatted as in the
report's text (:mod:`bot.render.reports`); the title names the report's period in its zone.
matplotlib is imported on the first chart only (it takes a while), with the Agg backend: no
display, safe in a worker thread.
"""

from __future__ import annotations

import io
from typing import Any

from bot.domain.labels import label
from bot.i18n import gettext_for
from bot.render.reports import integer, percent, period_text


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(plt: Any, figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _title(report: Any, words: str, language: str) -> str:
    return f"{words} — {period_text(report.filter, report.zone, language)}"


def funnel_chart(report: Any, language: str = "pt") -> bytes:
    """A horizontal funnel: companies at each stage, with the step conversion."""
    plt = _pyplot()
    _ = gettext_for(language)
    steps = report.funnel
    labels = [label("stage", s.stage, _) for s in steps][::-1]
    values = [s.reached for s in steps][::-1]
    figure, axes = plt.subplots(figsize=(7, 4))
    bars = axes.barh(labels, values, color="#2b7bb9")
    top = max(values) if any(values) else 1
    for bar, step in zip(bars, steps[::-1], strict=True):
        value = integer(step.reached, language)
        if step.conversion is not None:
            value += f"  ({percent(step.conversion, language)})"
        axes.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, value, va="center", fontsize=9)
    axes.set_xlim(0, top * 1.3)
    axes.set_title(_title(report, _("Funil"), language))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(plt, figure)


def leaderboard_chart(report: Any, language: str = "pt", *, top: int = 15) -> bytes:
    """SQL booked and touches per rep, best first."""
    plt = _pyplot()
    _ = gettext_for(language)
    reps = report.adoption.reps[:top][::-1]
    names = [r.name[:20] for r in reps] or ["—"]
    figure, axes = plt.subplots(figsize=(7, max(2.5, 0.4 * len(names) + 1)))
    axes.barh(names, [r.sql for r in reps] or [0], color="#e07b39", label="SQL")
    for index, r in enumerate(reps):
        touches = _("%(n)s toques") % {"n": integer(r.touches, language)}
        axes.text(r.sql, index, f" {r.sql} SQL · {touches}", va="center", fontsize=8)
    axes.set_xlim(0, max([r.sql for r in reps] + [1]) * 1.6)
    axes.set_title(_title(report, _("Ranking de vendedores"), language))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(plt, figure)


def economics_chart(report: Any, language: str = "pt", playbook: Any | None = None) -> bytes:
    """CAC and LTV per segment, side by side (R$); a figure without a value is drawn as "—"."""
    from bot.render.economics import economics_values

    plt = _pyplot()
    _ = gettext_for(language)
    values = economics_values(report, language, playbook, _)
    ue = values["ue"]
    segments = list(ue.segments) if ue is not None else []
    names = [values["slice_name"](s)[:20] for s in segments] or ["—"]
    figure, axes = plt.subplots(figsize=(7, 4))
    width = 0.38
    top = 1.0
    for offset, attribute, color in ((-width / 2, "cac", "#e07b39"), (width / 2, "ltv", "#2b7bb9")):
        figures = [getattr(s, attribute) for s in segments]
        heights = [float(f.value) / 100 if f.value is not None else 0.0 for f in figures]
        top = max([top, *heights])
        positions = [i + offset for i in range(len(figures))]
        axes.bar(positions, heights, width, color=color, label=attribute.upper())
        for x, f, h in zip(positions, figures, heights, strict=True):
            axes.text(x, h, values["fig"](f), ha="center", va="bottom", fontsize=7)
    axes.set_xticks(range(len(names)), names)
    axes.set_ylim(0, top * 1.25)
    axes.legend(loc="upper left", fontsize=8)
    axes.set_title(_title(report, _("CAC e LTV por segmento"), language))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(plt, figure)
