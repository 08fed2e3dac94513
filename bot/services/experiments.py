"""A/B results: script variants against each other, and playbook versions against the previous.

For each pair of arms and each rate that matters (reply, meeting booked) we compute the
difference of proportions with Newcombe's hybrid score interval (method 10 of Newcombe, 1998:
Wilson intervals of each arm, combined), which behaves well with small counts and rates near 0
where the textbook Wald interval does not. The verdict is plain Portuguese:

- "B agenda mais reuniões (95% de confiança)" when the interval excludes zero *and* each arm
  has at least :data:`MIN_ARM_TOUCHES` touches (small samples never crown a winner);
- otherwise "dados insuficientes: faltam cerca de N toques", N from the usual sample-size formula
  for two proportions (two-sided 5 %, power 80 %) at the observed rates (or a minimum
  detectable lift when the rates are equal), or "sem diferença clara …" once that size is
  reached and the interval still spans zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import NormalDist

from bot.domain.metrics import REPLY_OUTCOMES
from bot.domain.problems import N_
from bot.domain.vocabulary import Outcome

CONFIDENCE = 0.95
POWER = 0.80
MIN_ARM_TOUCHES = 30
"""Below this many touches in an arm, a result is inconclusive whatever the interval says."""

#: The verdict's sentences (Portuguese, translated where shown: :meth:`RateComparison.verdict_in`).
WINS = {
    "meetings": N_("%(arm)s agenda mais reuniões (%(confidence)s de confiança)"),
    "replies": N_("%(arm)s recebe mais respostas (%(confidence)s de confiança)"),
}
NO_CLEAR_DIFFERENCE = {
    "meetings": N_("sem diferença clara em reuniões entre %(a)s e %(b)s"),
    "replies": N_("sem diferença clara em respostas entre %(a)s e %(b)s"),
}
NOT_ENOUGH_DATA = N_("dados insuficientes: faltam cerca de %(touches)s toques")
REPLIES_THEN_MEETINGS = N_("%(replies)s; reuniões: %(meetings)s")
ONE_ARM = N_("só uma variante com dados")


def _same(message: str) -> str:
    return message


def z_value(confidence: float = CONFIDENCE) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson_interval(successes: int, n: int, z: float | None = None) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there is no data."""
    if n <= 0:
        return 0.0, 1.0
    z = z_value() if z is None else z
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(
    x_a: int, n_a: int, x_b: int, n_b: int, z: float | None = None
) -> tuple[float, float, float]:
    """(difference, low, high) for p_B − p_A, Newcombe's hybrid score interval."""
    z = z_value() if z is None else z
    p_a = x_a / n_a if n_a else 0.0
    p_b = x_b / n_b if n_b else 0.0
    l_a, u_a = wilson_interval(x_a, n_a, z)
    l_b, u_b = wilson_interval(x_b, n_b, z)
    diff = p_b - p_a
    low = diff - math.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2)
    high = diff + math.sqrt((u_b - p_b) ** 2 + (p_a - l_a) ** 2)
    return diff, low, high


def touches_per_arm(
    p_a: float, p_b: float, *, confidence: float = CONFIDENCE, power: float = POWER
) -> int:
    """Touches each arm needs to detect p_a vs p_b (two-sided test of two proportions).

    When the observed rates are (nearly) equal the target is a minimum detectable difference:
    a 25 % relative lift on the pooled rate, and never less than one percentage point.
    """
    pooled = max((p_a + p_b) / 2, 0.02)
    delta = max(abs(p_b - p_a), 0.25 * pooled, 0.01)
    p1 = min(max(pooled - delta / 2, 0.0), 1.0)
    p2 = min(max(pooled + delta / 2, 0.0), 1.0)
    z_a = z_value(confidence)
    z_b = NormalDist().inv_cdf(power)
    mean = (p1 + p2) / 2
    numerator = (
        z_a * math.sqrt(2 * mean * (1 - mean)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    ) ** 2
    return math.ceil(numerator / (delta * delta))


def _round_up(n: int, step: int = 10) -> int:
    return int(math.ceil(n / step) * step)


@dataclass(frozen=True, slots=True)
class Arm:
    """One side of a comparison: a script variant or a playbook version."""

    name: str
    touches: int
    """Attempts: touches not skipped."""
    replies: int
    meetings: int

    @property
    def reply_rate(self) -> float | None:
        return self.replies / self.touches if self.touches else None

    @property
    def meeting_rate(self) -> float | None:
        return self.meetings / self.touches if self.touches else None

    def successes(self, metric: str) -> int:
        return self.meetings if metric == "meetings" else self.replies


@dataclass(frozen=True, slots=True)
class RateComparison:
    """``b`` against ``a`` on one rate: p_B − p_A and its interval."""

    metric: str  # "meetings" | "replies"
    a: Arm
    b: Arm
    difference: float
    low: float
    high: float
    significant: bool
    more_touches_needed: int
    """0 when the sample is large enough to conclude."""

    @property
    def winner(self) -> Arm | None:
        if not self.significant:
            return None
        return self.b if self.difference > 0 else self.a

    @property
    def verdict(self) -> str:
        return self.verdict_in(_same)

    def verdict_in(self, _: Callable[[str], str]) -> str:
        """The verdict in the reader's language (``_``: the gettext of that language)."""
        if self.winner is not None:
            return _(WINS[self.metric]) % {"arm": self.winner.name, "confidence": f"{CONFIDENCE:.0%}"}
        if self.more_touches_needed > 0:
            return _(NOT_ENOUGH_DATA) % {"touches": self.more_touches_needed}
        return _(NO_CLEAR_DIFFERENCE[self.metric]) % {"a": self.a.name, "b": self.b.name}


def compare(a: Arm, b: Arm, metric: str, *, confidence: float = CONFIDENCE) -> RateComparison:
    z = z_value(confidence)
    x_a, x_b = a.successes(metric), b.successes(metric)
    diff, low, high = newcombe_interval(x_a, a.touches, x_b, b.touches, z)
    big_enough = min(a.touches, b.touches) >= MIN_ARM_TOUCHES
    significant = big_enough and (low > 0 or high < 0)
    needed = 0
    if not significant:
        p_a = x_a / a.touches if a.touches else 0.0
        p_b = x_b / b.touches if b.touches else 0.0
        per_arm = max(touches_per_arm(p_a, p_b, confidence=confidence), MIN_ARM_TOUCHES)
        needed = max(0, per_arm - a.touches) + max(0, per_arm - b.touches)
        needed = _round_up(needed) if needed else 0
    return RateComparison(metric, a, b, diff, low, high, significant, needed)


@dataclass(frozen=True, slots=True)
class Experiment:
    """Every arm of one test and each challenger compared with the baseline."""

    kind: str  # "script" | "playbook"
    subject: str  # the script id, or "playbook"
    arms: tuple[Arm, ...]
    comparisons: tuple[tuple[RateComparison, RateComparison], ...] = field(default=())
    """(meetings, replies) for each challenger against the baseline (or previous version)."""

    @property
    def verdict(self) -> str:
        return self.verdict_in(_same)

    def verdict_in(self, _: Callable[[str], str]) -> str:
        """The headline: meetings first (what an SQL is), replies when meetings are unclear."""
        lines = []
        for meetings, replies in self.comparisons:
            text = meetings.verdict_in(_)
            if meetings.winner is None and replies.winner is not None:
                text = _(REPLIES_THEN_MEETINGS) % {"replies": replies.verdict_in(_), "meetings": text}
            prefix = f"{meetings.b.name} × {meetings.a.name}: " if len(self.comparisons) > 1 else ""
            lines.append(prefix + text)
        return "\n".join(lines) or _(ONE_ARM)


def _natural(text: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def experiments_from_counts(
    rows: Iterable[tuple[str | None, str | None, str | None, str, int]],
    *,
    confidence: float = CONFIDENCE,
) -> list[Experiment]:
    """Build every experiment from aggregated counts.

    ``rows``: (script_id, variant, playbook_version, outcome, touches). Skipped touches are not
    attempts and are ignored.
    """
    per_variant: dict[str, dict[str, list[int]]] = {}
    per_version: dict[str, list[int]] = {}
    for script_id, variant, version, outcome, touches in rows:
        if outcome == Outcome.SKIPPED:
            continue
        replied = touches if outcome in REPLY_OUTCOMES else 0
        booked = touches if outcome == Outcome.MEETING_BOOKED else 0
        if script_id and variant:
            counts = per_variant.setdefault(script_id, {}).setdefault(variant, [0, 0, 0])
            counts[0] += touches
            counts[1] += replied
            counts[2] += booked
        if version:
            totals = per_version.setdefault(version, [0, 0, 0])
            totals[0] += touches
            totals[1] += replied
            totals[2] += booked

    experiments: list[Experiment] = []
    for script_id in sorted(per_variant):
        variants = per_variant[script_id]
        if len(variants) < 2:
            continue
        arms = tuple(Arm(name, *variants[name]) for name in sorted(variants))
        baseline = arms[0]
        comparisons = tuple(
            (
                compare(baseline, arm, "meetings", confidence=confidence),
                compare(baseline, arm, "replies", confidence=confidence),
            )
            for arm in arms[1:]
        )
        experiments.append(Experiment("script", script_id, arms, comparisons))
    if len(per_version) >= 2:
        arms = tuple(Arm(v, *per_version[v]) for v in sorted(per_version, key=_natural))
        comparisons = tuple(
            (
                compare(previous, arm, "meetings", confidence=confidence),
                compare(previous, arm, "replies", confidence=confidence),
            )
            for previous, arm in pairwise(arms)
        )
        experiments.append(Experiment("playbook", "playbook", arms, comparisons))
    return experiments
