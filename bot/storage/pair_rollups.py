"""Roll-ups per (campaign, lead) for the report of the whole history, where it counts
*distinct* leads:

- ``stage_pairs``: the highest funnel rank the pair moved to (``lost`` and unknown stages are
  no rung) and whether it moved to ``proposal_sent`` / ``won`` — the funnel;
- ``reach_pairs``: whether a decision maker / an influencer was reached and whether the
  contact intends to buy within 45 / 90 days — the advanced ratios ("X ÷ SQL").

Why: distinct counts of periods cannot be added up, but the whole history is one period and its
counts are one row per (campaign, lead) here. Reading these rows in index order costs a fraction
of grouping every stage change (3.2M at 5M touches: 1.4 s of CPU) or every answered touch by
lead. A report with a start, or one rep's or one playbook version's, still reads its rows.

Kept by **database triggers** (migration 0017): every write of a stage change (or of a touch
carrying a contact role or an intent) counts its pair anew from the pair's own rows — one seek
by lead, a handful of rows — so inserts, answers recorded later
(:func:`bot.services.cadence.record_answer`), a corrected campaign
(:func:`bot.storage.leads.move_history_to_campaign`) and deletes all stay right. On PostgreSQL
the trigger first locks the lead's row, so two transactions writing about one lead count its
pair one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from bot.domain.vocabulary import OPEN_STAGES, ContactRole, PurchaseIntent, Stage

FUNNEL: tuple[Stage, ...] = (*OPEN_STAGES, Stage.WON)


def _rank(column: str) -> str:
    whens = " ".join(f"WHEN '{stage.value}' THEN {rank}" for rank, stage in enumerate(FUNNEL))
    return f"CASE {column} {whens} END"


def _flag(condition: str) -> str:
    return f"max(CASE WHEN {condition} THEN 1 ELSE 0 END)"


@dataclass(frozen=True, slots=True)
class PairRollup:
    """One roll-up: ``table`` (campaign, lead_id, ``columns``) counted from ``source``."""

    name: str
    table: str
    source: str
    columns: tuple[str, ...]
    values: tuple[str, ...]
    """The aggregates of the source rows of a pair, one per column."""
    rows: str
    """The source rows that count (a condition on them)."""
    having: str
    """When a pair gets a row at all."""
    keyed: tuple[str, ...]
    """The source columns whose change changes the pair's row."""
    counts_when: str | None = None
    """A condition on ``ROW`` (``NEW`` / ``OLD``) without which an inserted or deleted source
    row changes no pair (the trigger does not fire)."""

    def _when(self, row: str, dialect: str) -> str:
        if self.counts_when is None:
            return ""
        condition = self.counts_when.replace("ROW.", f"{row}.")
        return f" WHEN {condition}" if dialect == "sqlite" else f" WHEN ({condition})"

    def _summary(self, campaign: str, lead: str) -> str:
        where = f"campaign = {campaign} AND lead_id = {lead} AND ({self.rows})"
        return (
            f"SELECT {campaign}, {lead}, {', '.join(self.values)} FROM {self.source} "
            f"WHERE {where} GROUP BY lead_id HAVING {self.having}"
        )

    def _recount(self, campaign: str, lead: str, dialect: str) -> str:
        return (
            f"DELETE FROM {self.table} WHERE campaign = {campaign} AND lead_id = {lead};\n"
            f"INSERT INTO {self.table} (campaign, lead_id, {', '.join(self.columns)}) "
            f"{self._summary(campaign, lead)};\n"
        )

    @property
    def triggers(self) -> tuple[str, str, str]:
        return (f"{self.table}_insert", f"{self.table}_update", f"{self.table}_delete")

    def create_triggers(self, connection: Connection) -> None:
        dialect = connection.dialect.name
        keyed = ", ".join(("campaign", "lead_id", *self.keyed))
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ("campaign", "lead_id", *self.keyed))
        insert, update, delete = self.triggers
        if dialect == "sqlite":
            changed = changed.replace("IS DISTINCT FROM", "IS NOT")
            statements = [
                f"CREATE TRIGGER {insert} AFTER INSERT ON {self.source}{self._when('NEW', dialect)} BEGIN\n"
                f"{self._recount('NEW.campaign', 'NEW.lead_id', dialect)}END",
                f"CREATE TRIGGER {update} AFTER UPDATE OF {keyed} ON {self.source} WHEN {changed} BEGIN\n"
                f"{self._recount('OLD.campaign', 'OLD.lead_id', dialect)}"
                f"{self._recount('NEW.campaign', 'NEW.lead_id', dialect)}END",
                f"CREATE TRIGGER {delete} AFTER DELETE ON {self.source}{self._when('OLD', dialect)} BEGIN\n"
                f"{self._recount('OLD.campaign', 'OLD.lead_id', dialect)}END",
            ]
        else:
            statements = [
                f"CREATE FUNCTION {self.table}_recount(c text, l integer) RETURNS void AS $$\n"
                "BEGIN\n"
                "  PERFORM 1 FROM leads WHERE id = l FOR NO KEY UPDATE;\n"
                f"{self._recount('c', 'l', dialect)}"
                "END\n"
                "$$ LANGUAGE plpgsql",
                f"CREATE FUNCTION {self.table}_changed() RETURNS trigger AS $$\n"
                "BEGIN\n"
                f"  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n"
                f"    PERFORM {self.table}_recount(OLD.campaign, OLD.lead_id);\n"
                "  END IF;\n"
                f"  IF TG_OP IN ('UPDATE', 'INSERT') THEN\n"
                f"    PERFORM {self.table}_recount(NEW.campaign, NEW.lead_id);\n"
                "  END IF;\n"
                "  RETURN NULL;\n"
                "END\n"
                "$$ LANGUAGE plpgsql",
                f"CREATE TRIGGER {insert} AFTER INSERT ON {self.source} "
                f"FOR EACH ROW{self._when('NEW', dialect)} EXECUTE FUNCTION {self.table}_changed()",
                f"CREATE TRIGGER {update} AFTER UPDATE OF {keyed} ON {self.source} "
                f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {self.table}_changed()",
                f"CREATE TRIGGER {delete} AFTER DELETE ON {self.source} "
                f"FOR EACH ROW{self._when('OLD', dialect)} EXECUTE FUNCTION {self.table}_changed()",
            ]
        for statement in statements:
            connection.exec_driver_sql(statement)

    def drop_triggers(self, connection: Connection) -> None:
        postgres = connection.dialect.name != "sqlite"
        for name in self.triggers:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {self.source}" if postgres else ""))
        if postgres:
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {self.table}_changed()")
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {self.table}_recount(text, integer)")

    def rebuild(self, connection: Connection) -> None:
        """Count every pair anew (the migration's backfill; the bench after a bulk load)."""
        connection.execute(text(f"DELETE FROM {self.table}"))
        connection.execute(
            text(
                f"INSERT INTO {self.table} (campaign, lead_id, {', '.join(self.columns)}) "
                f"SELECT campaign, lead_id, {', '.join(self.values)} FROM {self.source} "
                f"WHERE {self.rows} GROUP BY campaign, lead_id HAVING {self.having}"
            )
        )


STAGE_PAIRS = PairRollup(
    name="funnel",
    table="stage_pairs",
    source="stage_changes",
    columns=("top", "proposal", "won"),
    values=(
        f"max({_rank('to_stage')})",
        _flag(f"to_stage = '{Stage.PROPOSAL_SENT.value}'"),
        _flag(f"to_stage = '{Stage.WON.value}'"),
    ),
    rows=f"to_stage <> '{Stage.LOST.value}'",
    having=f"max({_rank('to_stage')}) IS NOT NULL",
    keyed=("to_stage",),
)

#: Exactly the condition of the partial indexes ``ix_touches_reached*`` (models.TOUCH_REACHED_WHERE).
_ANSWERED = "contact_role IS NOT NULL OR intent IS NOT NULL"
REACH_PAIRS = PairRollup(
    name="reached",
    table="reach_pairs",
    source="touches",
    columns=("decision_maker", "influencer", "intent_45d", "intent_90d"),
    values=(
        _flag(f"contact_role = '{ContactRole.DECISION_MAKER.value}'"),
        _flag(f"contact_role = '{ContactRole.INFLUENCER.value}'"),
        _flag(f"intent = '{PurchaseIntent.WITHIN_45_DAYS.value}'"),
        _flag(f"intent IN ('{PurchaseIntent.WITHIN_45_DAYS.value}', '{PurchaseIntent.WITHIN_90_DAYS.value}')"),
    ),
    rows=_ANSWERED,
    having="count(*) > 0",
    keyed=("contact_role", "intent"),
    counts_when="ROW.contact_role IS NOT NULL OR ROW.intent IS NOT NULL",
)

ROLLUPS = (STAGE_PAIRS, REACH_PAIRS)


def create_triggers(connection: Connection) -> None:
    for rollup in ROLLUPS:
        rollup.create_triggers(connection)


def drop_triggers(connection: Connection) -> None:
    for rollup in ROLLUPS:
        rollup.drop_triggers(connection)


def rebuild(connection: Connection) -> None:
    for rollup in ROLLUPS:
        rollup.rebuild(connection)


__all__ = [
    "FUNNEL",
    "REACH_PAIRS",
    "ROLLUPS",
    "STAGE_PAIRS",
    "PairRollup",
    "create_triggers",
    "drop_triggers",
    "rebuild",
]
