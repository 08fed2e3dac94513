"""The funnel table: which stage moves are legal, how, and what each needs."""

from __future__ import annotations

import pytest

from bot.domain import funnel
from bot.domain.funnel import MoveRefused, Refusal, Way
from bot.domain.playbook.loader import load_playbook
from bot.domain.playbook.model import Playbook
from bot.domain.scoring import IcpResult, KnockoutHit
from bot.domain.vocabulary import CLOSED_STAGES, SalesModel, Stage, Tier
from bot.resources import bundled_dir

S, W = Stage, Way

#: Written out by hand from the product's rules (not copied from the module), so the table is
#: checked against what the funnel is meant to be: (from, to, way) → why refused (None: legal).
CASES: list[tuple[Stage, Stage, Way, Refusal | None]] = [
    # starting the cadence
    (S.NEW, S.PROSPECTING, W.START, None),
    (S.NEW, S.PROSPECTING, W.HAND, Refusal.WRONG_WAY),
    (S.CONNECTED, S.PROSPECTING, W.START, Refusal.NOT_IN_FUNNEL),  # never backwards
    (S.PROSPECTING, S.PROSPECTING, W.START, Refusal.WRONG_WAY),  # a paused cadence resumes instead
    # touches of the cadence
    (S.PROSPECTING, S.CONNECTED, W.TOUCH, None),
    (S.PROSPECTING, S.PROSPECTING, W.TOUCH, None),
    (S.CONNECTED, S.CONNECTED, W.TOUCH, None),
    (S.NEW, S.CONNECTED, W.TOUCH, Refusal.NOT_IN_FUNNEL),
    (S.MEETING_BOOKED, S.MEETING_BOOKED, W.TOUCH, Refusal.WRONG_WAY),  # the cadence stopped there
    (S.PROSPECTING, S.CONNECTED, W.HAND, Refusal.WRONG_WAY),
    # booking a meeting
    (S.PROSPECTING, S.MEETING_BOOKED, W.BOOKING, None),
    (S.CONNECTED, S.MEETING_BOOKED, W.BOOKING, None),
    (S.PROSPECTING, S.MEETING_BOOKED, W.TOUCH, None),
    (S.MEETING_BOOKED, S.MEETING_BOOKED, W.BOOKING, None),  # a new date (reschedule, no-show)
    (S.NEW, S.MEETING_BOOKED, W.BOOKING, Refusal.NOT_IN_FUNNEL),
    (S.MEETING_HELD, S.MEETING_BOOKED, W.BOOKING, Refusal.NOT_IN_FUNNEL),
    (S.PROPOSAL_SENT, S.PROPOSAL_SENT, W.BOOKING, Refusal.WRONG_WAY),
    (S.CONNECTED, S.MEETING_BOOKED, W.HAND, Refusal.WRONG_WAY),
    # meeting held needs a scheduled meeting
    (S.MEETING_BOOKED, S.MEETING_HELD, W.MEETING, None),
    (S.MEETING_BOOKED, S.MEETING_HELD, W.HAND, Refusal.WRONG_WAY),
    (S.CONNECTED, S.MEETING_HELD, W.MEETING, Refusal.NOT_IN_FUNNEL),
    # proposal sent needs a held meeting; won needs a held meeting or a proposal
    (S.MEETING_HELD, S.PROPOSAL_SENT, W.HAND, None),
    (S.MEETING_BOOKED, S.PROPOSAL_SENT, W.HAND, Refusal.NOT_IN_FUNNEL),
    (S.MEETING_HELD, S.WON, W.HAND, None),
    (S.PROPOSAL_SENT, S.WON, W.HAND, None),
    (S.NEW, S.WON, W.HAND, Refusal.NOT_IN_FUNNEL),
    (S.PROSPECTING, S.WON, W.HAND, Refusal.NOT_IN_FUNNEL),
    (S.MEETING_BOOKED, S.WON, W.HAND, Refusal.NOT_IN_FUNNEL),
    (S.PROPOSAL_SENT, S.MEETING_HELD, W.MEETING, Refusal.NOT_IN_FUNNEL),
    # closed stages move nowhere
    (S.WON, S.LOST, W.HAND, Refusal.CLOSED),
    (S.LOST, S.NEW, W.HAND, Refusal.CLOSED),
    (S.LOST, S.PROSPECTING, W.START, Refusal.CLOSED),
    (S.WON, S.WON, W.HAND, Refusal.CLOSED),
    # nothing goes back to new
    (S.PROSPECTING, S.NEW, W.HAND, Refusal.NOT_IN_FUNNEL),
]


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(bundled_dir("playbook"))


@pytest.mark.parametrize(("source", "target", "way", "why"), CASES)
def test_the_moves_table(source: Stage, target: Stage, way: Way, why: Refusal | None) -> None:
    assert funnel.refusal(source, target, way) is why


LOSS_CASES = [
    (S.NEW, W.HAND, "fora_do_icp", None),
    (S.NEW, W.HAND, "preco", Refusal.LOSS_REASON),  # a proposal-stage reason
    (S.PROSPECTING, W.TOUCH, "sem_resposta", None),
    (S.CONNECTED, W.TOUCH, "sem_resposta", None),  # the cadence ran out on a connected lead
    (S.CONNECTED, W.TOUCH, "sem_dor", None),
    (S.MEETING_BOOKED, W.HAND, "sem_resposta", Refusal.LOSS_REASON),  # not where the cadence runs
    (S.MEETING_BOOKED, W.HAND, "no_show_sem_remarcar", None),
    (S.MEETING_HELD, W.HAND, "fora_do_icp", Refusal.LOSS_REASON),
    (S.PROPOSAL_SENT, W.HAND, "preco", None),
    (S.PROPOSAL_SENT, W.HAND, None, Refusal.LOSS_REASON),
    (S.PROPOSAL_SENT, W.HAND, "", Refusal.LOSS_REASON),
    (S.PROPOSAL_SENT, W.HAND, "no_such_reason", Refusal.LOSS_REASON),
    (S.MEETING_HELD, W.TOUCH, "sem_fit", Refusal.WRONG_WAY),
    (S.NEW, W.TOUCH, "fora_do_icp", Refusal.WRONG_WAY),
]


@pytest.mark.parametrize(("source", "way", "reason", "why"), LOSS_CASES)
def test_lost_needs_a_reason_valid_for_the_stage(
    playbook: Playbook, source: Stage, way: Way, reason: str | None, why: Refusal | None
) -> None:
    valid = funnel.loss_reasons(playbook, source)
    assert funnel.refusal(source, Stage.LOST, way, reason=reason, valid_reasons=valid) is why


def test_without_valid_reasons_only_the_move_is_checked() -> None:
    """Asked before the rep picks a reason (to refuse at the first press)."""
    assert funnel.refusal(S.PROPOSAL_SENT, S.LOST, W.HAND) is None
    assert funnel.refusal(S.WON, S.LOST, W.HAND) is Refusal.CLOSED


def test_check_raises_one_error_that_says_what_was_refused() -> None:
    with pytest.raises(MoveRefused) as refused:
        funnel.check(S.NEW, S.WON, W.HAND, lead_id=7)
    error = refused.value
    assert (error.source, error.target, error.way, error.why, error.lead_id) == (
        S.NEW,
        S.WON,
        W.HAND,
        Refusal.NOT_IN_FUNNEL,
        7,
    )
    assert str(error) == "lead 7: new → won by hand refused (not_in_funnel)"
    funnel.check(S.MEETING_HELD, S.WON, W.HAND)  # legal: no error


def test_the_table_only_moves_forward_and_closed_stages_move_nowhere() -> None:
    order = list(Stage)
    for move in funnel.moves():
        if move.ways == {Way.REOPEN}:  # the one way back: a lost lead reopened (issue 12)
            assert move.source is S.LOST and move.target not in CLOSED_STAGES
            continue
        assert move.source not in CLOSED_STAGES
        assert move.target is S.LOST or order.index(move.target) > order.index(move.source), move
        assert move.target is not funnel.ENTRY
        assert move.ways
    for stage in CLOSED_STAGES:
        assert all(not funnel.allows(stage, way) for way in Way if way is not Way.REOPEN)
        assert funnel.allows(stage, Way.REOPEN) is (stage is S.LOST)
        assert all((S.WON, target) in funnel.forbidden() for target in Stage if target is not S.WON)


def test_every_open_stage_can_be_lost_by_hand_and_reached_from_new() -> None:
    reachable = {funnel.ENTRY}
    frontier = [funnel.ENTRY]
    while frontier:
        stage = frontier.pop()
        for move in funnel.moves():
            if move.source is stage and move.target not in reachable:
                reachable.add(move.target)
                frontier.append(move.target)
    assert reachable == set(Stage)
    for stage in Stage:
        if stage not in CLOSED_STAGES:
            assert S.LOST in funnel.targets(stage, W.HAND), stage


def test_forbidden_is_every_pair_not_in_the_table() -> None:
    pairs = funnel.forbidden()
    assert len(pairs) == 8 * 7 - len(funnel.MOVES)
    assert (S.NEW, S.WON) in pairs and (S.MEETING_HELD, S.WON) not in pairs
    for source, target in pairs:
        assert all(funnel.refusal(source, target, way) is not None for way in Way)


@pytest.mark.parametrize(
    ("stage", "way", "targets", "allows"),
    [
        (S.NEW, W.HAND, [S.LOST], True),
        (S.NEW, W.START, [S.PROSPECTING], True),
        (S.PROSPECTING, W.START, [], False),
        (S.MEETING_HELD, W.HAND, [S.PROPOSAL_SENT, S.WON, S.LOST], True),
        (S.PROPOSAL_SENT, W.HAND, [S.WON, S.LOST], True),
        (S.MEETING_BOOKED, W.BOOKING, [], True),
        (S.MEETING_HELD, W.BOOKING, [], False),
        (S.WON, W.HAND, [], False),
    ],
)
def test_targets_and_allows_drive_the_cards(stage: Stage, way: Way, targets: list[Stage], allows: bool) -> None:
    assert funnel.targets(stage, way) == targets
    assert funnel.allows(stage, way) is allows


def _result(tier: Tier, *, knocked_out: bool = False) -> IcpResult:
    hits = (KnockoutHit("ie_inativa", "Inscrição estadual inativa"),) if knocked_out else ()
    return IcpResult(
        score=10, potential=10, tier=tier, sales_model=SalesModel.SELF_SERVICE, sales_model_why="", criteria=(),
        knockouts=hits,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("tier", "knocked_out", "asks"),
    [
        (Tier.A, False, False),
        (Tier.B, False, False),
        (Tier.C, False, False),
        (Tier.D, False, True),
        (Tier.A, True, True),
        (Tier.D, True, True),
    ],
)
def test_fit_before_effort(tier: Tier, knocked_out: bool, asks: bool) -> None:
    assert funnel.needs_fit_confirmation(_result(tier, knocked_out=knocked_out)) is asks


def test_the_docstring_table_is_the_table() -> None:
    """The module docstring is the reference readers use: it must say exactly what MOVES does."""
    assert funnel.__doc__ is not None
    values = {stage.value for stage in Stage}
    rows = {}
    for line in funnel.__doc__.splitlines():
        words = line.split()
        if len(words) >= 3 and words[0] in values and words[1] in values:
            ways_text = line[len(line) - len(line.lstrip()) :].split(None, 2)[2].split("  ")[0]
            rows[(Stage(words[0]), Stage(words[1]))] = frozenset(Way(w.strip()) for w in ways_text.split(","))
    assert rows == dict(funnel.MOVES)
