"""A/B statistics against published and hand-computed values."""

from __future__ import annotations

import math

import pytest

from bot.services.experiments import (
    Arm,
    compare,
    experiments_from_counts,
    newcombe_interval,
    touches_per_arm,
    wilson_interval,
)


def test_wilson_matches_newcombe_1998() -> None:
    # Newcombe (1998a), Table I: 81/263 → 0.2553–0.3662; 0/10 → 0–0.2775.
    assert wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_by_hand() -> None:
    # 5/20, z = 1.96: centre (0.25 + 1.9208/20) / 1.19208,
    # half-width 1.96·√(0.009375 + 0.0024010) / 1.19208
    z = 1.96
    centre = (0.25 + z * z / 40) / (1 + z * z / 20)
    half = z * math.sqrt(0.25 * 0.75 / 20 + z * z / 1600) / (1 + z * z / 20)
    assert wilson_interval(5, 20, z) == pytest.approx((centre - half, centre + half))
    assert wilson_interval(5, 20, z) == pytest.approx((0.1119, 0.4687), abs=1e-4)


def test_newcombe_difference_matches_the_paper() -> None:
    # Newcombe (1998b), method 10: 56/70 − 48/80 → 0.0524 to 0.3339; 9/10 − 3/10 → 0.1705 to 0.8090.
    diff, low, high = newcombe_interval(48, 80, 56, 70)
    assert diff == pytest.approx(0.2)
    assert (low, high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert newcombe_interval(3, 10, 9, 10)[1:] == pytest.approx((0.1705, 0.8090), abs=1e-4)


def test_sample_size_by_hand() -> None:
    # 10 % vs 15 %, two-sided 5 %, power 80 %: Fleiss without continuity correction → 686.
    assert touches_per_arm(0.10, 0.15) == 686


def test_a_clear_winner_is_named() -> None:
    a, b = Arm("A", 1000, 150, 50), Arm("B", 1000, 190, 90)
    result = compare(a, b, "meetings")
    assert result.significant and result.winner is b
    assert result.verdict == "B agenda mais reuniões (95% de confiança)"
    assert compare(b, a, "meetings").verdict == "B agenda mais reuniões (95% de confiança)"
    assert compare(a, b, "replies").verdict == "B recebe mais respostas (95% de confiança)"


def test_small_samples_are_inconclusive_even_when_the_interval_excludes_zero() -> None:
    a, b = Arm("A", 10, 0, 0), Arm("B", 10, 9, 9)
    assert newcombe_interval(0, 10, 9, 10)[1] > 0
    result = compare(a, b, "meetings")
    assert not result.significant and result.winner is None
    assert result.verdict.startswith("dados insuficientes: faltam cerca de ")
    assert result.more_touches_needed >= 40  # at least 30 per arm


def test_needed_touches_follow_the_power_estimate() -> None:
    a, b = Arm("A", 200, 40, 20), Arm("B", 200, 46, 30)  # 10 % vs 15 %: 686 per arm needed
    result = compare(a, b, "meetings")
    assert not result.significant
    assert result.more_touches_needed == 980  # (686 − 200) × 2 = 972, rounded up to tens
    assert result.verdict == "dados insuficientes: faltam cerca de 980 toques"


def test_enough_data_and_no_difference() -> None:
    a, b = Arm("A", 5000, 900, 500), Arm("B", 5000, 905, 502)
    assert compare(a, b, "meetings").verdict == "sem diferença clara em reuniões entre A e B"


def test_experiments_from_counts() -> None:
    rows = [
        ("call", "A", "1.0", "no_answer", 900),
        ("call", "A", "1.0", "meeting_booked", 50),
        ("call", "B", "1.1", "no_answer", 860),
        ("call", "B", "1.1", "meeting_booked", 90),
        ("call", "B", "1.1", "skipped", 500),  # skips are not attempts
        ("mail", "A", "1.0", "replied", 3),
        ("solo", "A", "1.1", "replied", 3),
    ]
    found = experiments_from_counts(rows)
    assert [(e.kind, e.subject) for e in found] == [("script", "call"), ("playbook", "playbook")]
    call = found[0]
    assert [(a.name, a.touches, a.meetings, a.replies) for a in call.arms] == [
        ("A", 950, 50, 50),
        ("B", 950, 90, 90),
    ]
    assert call.verdict == "B agenda mais reuniões (95% de confiança)"
    versions = found[1]
    assert [a.name for a in versions.arms] == ["1.0", "1.1"]
