"""The costs of a report's period and how a slice of the report gets its share of them.

- :func:`period_months`: the months a period's monthly costs count (each calendar month counts the
  share of its days in the period);
- :func:`shared_costs`: the team's and the tools' monthly costs over those months (every active
  member whose role or own cost ``economics.yaml`` gives; a manager only with a cost there; a
  member with no cost makes the costs "—", never smaller);
- :func:`slice_costs`: a campaign's, segment's or channel's part: the shared costs × its share of
  the team's touches, plus its lists (see :mod:`bot.services.unit_economics`).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from bot.domain import economics as e
from bot.domain.economics import Figure, Unit
from bot.domain.playbook.model import Economics
from bot.domain.vocabulary import Role
from bot.i18n import N_


def period_months(start: date, end: date) -> Decimal:
    """Months from ``start`` to ``end`` (exclusive): each calendar month counts the share of its
    days in the period (1 November to 1 December is 1; a week of November is 7/30)."""
    months = Decimal(0)
    day = start
    while day < end:
        days_in = calendar.monthrange(day.year, day.month)[1]
        month_end = date(day.year, day.month, days_in) + timedelta(days=1)
        stop = min(end, month_end)
        months += Decimal((stop - day).days) / days_in
        day = stop
    return months


def shared_costs(team: Iterable[tuple[int, str]], economics: Economics | None, months: Decimal | None) -> Figure:
    """The team's and the tools' costs over the period (lists apart), for the whole team."""
    if months is None:
        return Figure(Unit.CENTS, ("team_costs", "tools"), missing=N_("nenhuma atividade no período"))
    counted = _counted_team(team, economics)
    without_lists = economics.model_copy(update={"lists": []}) if economics is not None else None
    figure = e.period_costs(without_lists, counted, months)
    if figure.missing is not None and economics is not None and economics.lists and not _any_monthly(economics):
        return Figure(Unit.CENTS, figure.used, value=Decimal(0))  # only lists were given
    return figure


def _any_monthly(economics: Economics) -> bool:
    return bool(economics.team.roles or economics.team.reps or economics.tools)


def _counted_team(team: Iterable[tuple[int, str]], economics: Economics | None) -> list[tuple[int, str]]:
    """The members whose costs count: every rep, and a manager only with a cost in the file."""
    if economics is None:
        return list(team)
    own = {rep.telegram_id for rep in economics.team.reps}
    roles = {str(role) for role in economics.team.roles}
    return [
        (telegram_id, role)
        for telegram_id, role in team
        if role != Role.MANAGER.value or telegram_id in own or role in roles
    ]


def lists_by_campaign(economics: Economics | None) -> dict[str, int]:
    """What the lists bought cost, per campaign."""
    bought: dict[str, int] = defaultdict(int)
    for item in economics.lists if economics else []:
        bought[str(item.campaign)] += item.cost
    return dict(bought)


def slice_costs(shared: Figure, lists: Decimal, *, touches: int, team_touches: int, whole: bool = False) -> Figure:
    """A slice's costs: ``shared`` × its share of the team's touches (all of them when ``whole``), plus
    ``lists`` (what its own lists cost, or its share of all of them); the reason when the costs are
    unknown or cannot be shared (no touch in the period)."""
    used = ("team_costs", "tools", "lists", "touch_share")
    if shared.value is None:
        return Figure(Unit.CENTS, used, missing=shared.missing, params=shared.params)
    if team_touches == 0 and not whole:
        return Figure(Unit.CENTS, used, missing=N_("nenhum toque no período para repartir os custos"))
    share = Decimal(1) if whole else Decimal(touches) / team_touches
    return Figure(Unit.CENTS, used, value=(shared.value * share + lists).to_integral_value())


def share_of(cents: int, touches: int, team_touches: int) -> Decimal:
    """``cents`` × the share ``touches`` are of ``team_touches`` (zero without any touch)."""
    return Decimal(cents) * touches / team_touches if team_touches else Decimal(0)
