"""Row streams for exports: what each exported table contains, read in short chunks.

Each table is read by one query, in id order, inside a :func:`~bot.storage.db.read_scope`:
a read-only snapshot that on SQLite takes no write lock (a deferred ``BEGIN`` in WAL mode), so
an export of a million rows never stalls the bot's writers, and every row of the export comes
from the same moment. Rows are fetched from the driver's cursor in chunks: memory stays flat.

Timestamps are rendered *in SQL* as local Brazil time text (``YYYY-MM-DD HH:MM:SS``,
America/Sao_Paulo, with its summer time of the years before 2019: on SQLite the offset comes
from :func:`~bot.storage.reporting.sqlite_to_local`) so the CSV writer never touches a Python
datetime. On SQLite a CSV export goes further (:func:`iter_csv_text`): SQLite packs each row
into one text with ``printf`` and Python only has to fix the few rows that need quotes, instead
of building 23 objects per row and formatting them again — what keeps a million-row CSV export
close to the ``sqlite3`` shell's own speed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Integer, Select, case, func, literal_column, select, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.storage.db import read_scope
from bot.storage.models import Lead, Meeting, Member, StageChange, Touch
from bot.storage.reporting import LOCAL_ZONE_NAME, ActivityFilter, sqlite_to_local


@dataclass(frozen=True, slots=True)
class ExportColumn:
    header: str
    kind: str
    """int | text | datetime | bool"""
    expression: Any


def _local_text(dialect: str, column: Any) -> Any:
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M:%S", column, sqlite_to_local(column))
    return func.to_char(
        func.timezone(LOCAL_ZONE_NAME, column), literal_column("'YYYY-MM-DD HH24:MI:SS'")
    )


def _rep_name(member: Any) -> Any:
    return func.coalesce(func.nullif(member.full_name, ""), member.first_name)


def table_columns(table: str, dialect: str) -> tuple[list[ExportColumn], Any, Any]:
    """(columns, the model whose id pages the rows, the select's FROM with joins)."""
    rep = aliased(Member)
    when = _local_text
    if table == "touches":
        lead = aliased(Lead)
        columns = [
            ExportColumn("id", "int", col(Touch.id)),
            ExportColumn("data_hora", "datetime", when(dialect, col(Touch.happened_at))),
            ExportColumn("vendedor_id", "int", col(Touch.rep_id)),
            ExportColumn("vendedor", "text", _rep_name(rep)),
            ExportColumn("lead_id", "int", col(Touch.lead_id)),
            ExportColumn("empresa", "text", lead.company),
            ExportColumn("campanha", "text", col(Touch.campaign)),
            ExportColumn("passo", "text", col(Touch.step_id)),
            ExportColumn("passo_numero", "int", col(Touch.step_number)),
            ExportColumn("tipo_passo", "text", col(Touch.step_kind)),
            ExportColumn("canal", "text", col(Touch.channel)),
            ExportColumn("roteiro", "text", col(Touch.script_id)),
            ExportColumn("variante", "text", col(Touch.variant)),
            ExportColumn("playbook_versao", "text", col(Touch.playbook_version)),
            ExportColumn("resultado", "text", col(Touch.outcome)),
            ExportColumn("papel_contato", "text", col(Touch.contact_role)),
            ExportColumn("objecao", "text", col(Touch.objection)),
            ExportColumn("motivo_perda", "text", col(Touch.loss_reason)),
            ExportColumn("intencao_compra", "text", col(Touch.intent)),
            ExportColumn("dor", "text", col(Touch.pain)),
            ExportColumn("orcamento", "text", col(Touch.budget)),
            ExportColumn("notas", "text", col(Touch.notes)),
            ExportColumn("registrado_em", "datetime", when(dialect, col(Touch.recorded_at))),
        ]
        source = Touch.__table__.outerjoin(rep, rep.id == col(Touch.rep_id)).outerjoin(  # type: ignore[attr-defined]
            lead, lead.id == col(Touch.lead_id)
        )
        return columns, Touch, source
    if table == "leads":
        columns = [
            ExportColumn("id", "int", col(Lead.id)),
            ExportColumn("empresa", "text", col(Lead.company)),
            ExportColumn("nome_fantasia", "text", col(Lead.trade_name)),
            ExportColumn("cnpj", "text", col(Lead.cnpj)),
            ExportColumn("cnae", "text", col(Lead.cnae)),
            ExportColumn("uf", "text", col(Lead.uf)),
            ExportColumn("cidade", "text", col(Lead.city)),
            ExportColumn("funcionarios_min", "int", col(Lead.headcount_low)),
            ExportColumn("funcionarios_max", "int", col(Lead.headcount_high)),
            ExportColumn("faturamento_min", "int", col(Lead.revenue_low)),
            ExportColumn("faturamento_max", "int", col(Lead.revenue_high)),
            ExportColumn("filiais", "int", col(Lead.branches)),
            ExportColumn("inscricao_estadual", "text", col(Lead.registration)),
            ExportColumn("score_financeiro", "int", col(Lead.financial_score)),
            ExportColumn("contato", "text", col(Lead.contact_name)),
            ExportColumn("cargo", "text", col(Lead.contact_role)),
            ExportColumn("telefone", "text", col(Lead.contact_phone)),
            ExportColumn("email", "text", col(Lead.contact_email)),
            ExportColumn("linkedin", "text", col(Lead.contact_linkedin)),
            ExportColumn("site", "text", col(Lead.website)),
            ExportColumn("campanha", "text", col(Lead.campaign)),
            ExportColumn("observacoes", "text", col(Lead.notes)),
            ExportColumn("origem", "text", col(Lead.source)),
            ExportColumn("etapa", "text", col(Lead.stage)),
            ExportColumn("icp_score", "int", col(Lead.icp_score)),
            ExportColumn("icp_potencial", "int", col(Lead.icp_potential)),
            ExportColumn("icp_tier", "text", col(Lead.icp_tier)),
            ExportColumn("modelo_vendas", "text", col(Lead.sales_model)),
            ExportColumn("eliminado", "bool", col(Lead.knocked_out)),
            ExportColumn("vendedor_id", "int", col(Lead.owner_id)),
            ExportColumn("vendedor", "text", _rep_name(rep)),
            ExportColumn("cadencia", "text", col(Lead.cadence_status)),
            ExportColumn("passo_atual", "text", col(Lead.current_step)),
            ExportColumn("motivo_perda", "text", col(Lead.loss_reason)),
            ExportColumn("criado_em", "datetime", when(dialect, col(Lead.created_at))),
        ]
        source = Lead.__table__.outerjoin(rep, rep.id == col(Lead.owner_id))  # type: ignore[attr-defined]
        return columns, Lead, source
    if table == "stage_changes":
        lead = aliased(Lead)
        columns = [
            ExportColumn("id", "int", col(StageChange.id)),
            ExportColumn("data_hora", "datetime", when(dialect, col(StageChange.at))),
            ExportColumn("lead_id", "int", col(StageChange.lead_id)),
            ExportColumn("empresa", "text", lead.company),
            ExportColumn("vendedor_id", "int", col(StageChange.rep_id)),
            ExportColumn("vendedor", "text", _rep_name(rep)),
            ExportColumn("campanha", "text", col(StageChange.campaign)),
            ExportColumn("de_etapa", "text", col(StageChange.from_stage)),
            ExportColumn("para_etapa", "text", col(StageChange.to_stage)),
            ExportColumn("motivo", "text", col(StageChange.reason)),
            ExportColumn("playbook_versao", "text", col(StageChange.playbook_version)),
        ]
        source = StageChange.__table__.outerjoin(rep, rep.id == col(StageChange.rep_id)).outerjoin(  # type: ignore[attr-defined]
            lead, lead.id == col(StageChange.lead_id)
        )
        return columns, StageChange, source
    if table == "meetings":
        lead = aliased(Lead)
        columns = [
            ExportColumn("id", "int", col(Meeting.id)),
            ExportColumn("inicio", "datetime", when(dialect, col(Meeting.starts_at))),
            ExportColumn("duracao_min", "int", col(Meeting.duration_minutes)),
            ExportColumn("lead_id", "int", col(Meeting.lead_id)),
            ExportColumn("empresa", "text", lead.company),
            ExportColumn("vendedor_id", "int", col(Meeting.rep_id)),
            ExportColumn("vendedor", "text", _rep_name(rep)),
            ExportColumn("campanha", "text", col(Meeting.campaign)),
            ExportColumn("status", "text", col(Meeting.status)),
            ExportColumn("motivo_no_show", "text", col(Meeting.no_show_reason)),
            ExportColumn("remarcada_para", "int", col(Meeting.rescheduled_to)),
            ExportColumn("toque_id", "int", col(Meeting.touch_id)),
            ExportColumn("marcada_em", "datetime", when(dialect, col(Meeting.created_at))),
            ExportColumn("resolvida_em", "datetime", when(dialect, col(Meeting.resolved_at))),
        ]
        source = Meeting.__table__.outerjoin(rep, rep.id == col(Meeting.rep_id)).outerjoin(  # type: ignore[attr-defined]
            lead, lead.id == col(Meeting.lead_id)
        )
        return columns, Meeting, source
    raise ValueError(f"unknown table {table!r}")


TABLES = ("touches", "leads", "stage_changes", "meetings")


def _conditions(table: str, model: Any, f: ActivityFilter) -> list[Any]:
    moment = {
        "touches": "happened_at",
        "leads": "created_at",
        "stage_changes": "at",
        "meetings": "starts_at",
    }[table]
    rep = "owner_id" if table == "leads" else "rep_id"
    conditions = []
    if f.start is not None:
        conditions.append(getattr(model, moment) >= f.start)
    if f.end is not None:
        conditions.append(getattr(model, moment) < f.end)
    if f.rep_id is not None:
        conditions.append(getattr(model, rep) == f.rep_id)
    if f.campaign is not None:
        conditions.append(model.campaign == f.campaign)
    if f.playbook_version is not None and table in ("touches", "stage_changes"):
        conditions.append(model.playbook_version == f.playbook_version)
    return conditions


def export_select(
    table: str, f: ActivityFilter, dialect: str
) -> tuple[list[ExportColumn], Select[Any]]:
    """The full (unpaged) SELECT of an export: also what the benchmark hands to ``sqlite3``."""
    columns, model, source = table_columns(table, dialect)
    statement = (
        select(*(c.expression.label(c.header) for c in columns))
        .select_from(source)
        .where(*_conditions(table, model, f))
        .order_by(model.id)
    )
    return columns, statement


PACK_SEPARATOR = "\x1f"
"""ASCII unit separator: what SQLite puts between the fields of a packed row."""


def packed_rows_select(table: str, f: ActivityFilter) -> Select[Any]:
    """SQLite: the rows of :func:`export_select`, each packed by SQLite into one text — fields
    as the ``csv`` module prints them (``NULL`` empty, booleans ``True``/``False``) separated by
    :data:`PACK_SEPARATOR` — so that Python receives one object per row, not one per field."""
    columns, model, source = table_columns(table, "sqlite")
    fields: list[Any] = []
    for column in columns:
        value = column.expression
        if column.kind == "bool":
            value = case(
                (value.is_(None), None),
                (type_coerce(value, Integer) != 0, "True"),
                else_="False",
            )
        fields.append(value)
    # One printf per row (NULL prints as nothing); chaining ``||`` would copy the growing text
    # once per field.
    packed = func.printf(PACK_SEPARATOR.join(["%s"] * len(fields)), *fields)
    return (
        select(packed.label("packed"))
        .select_from(source)
        .where(*_conditions(table, model, f))
        .order_by(model.id)
    )


def iter_csv_text(
    engine: Engine, table: str, f: ActivityFilter, *, delimiter: str, chunk_size: int = 20_000
) -> Iterator[tuple[str, int]]:
    """SQLite: the CSV of the export's rows as (text, rows) chunks, each line ending in CRLF.

    Exactly what ``csv.writer(delimiter=delimiter, lineterminator="\\r\\n")`` writes for the rows
    of :func:`iter_chunks`, several times faster: rows come packed from SQLite
    (:func:`packed_rows_select`); a packed row without a quote, the delimiter, CR or LF is its
    CSV line once the separators become delimiters (most rows), the others are split and
    written by :mod:`csv`. A row whose text holds the separator itself is read again as a tuple.
    All from one snapshot in a :func:`~bot.storage.db.read_scope` (no write lock).
    """
    columns, plain = export_select(table, f, "sqlite")
    model = table_columns(table, "sqlite")[1]
    separators = len(columns) - 1
    flags = _bool_columns(columns)
    buffer = io.StringIO()
    # The same line end as the export's: csv quotes a field holding any of its characters.
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    with read_scope(engine) as session:
        connection = session.connection()

        def csv_line(packed: str) -> str:
            fields: Sequence[Any] = packed.split(PACK_SEPARATOR)
            if len(fields) != len(columns):  # the separator is in the data: read the row itself
                row_id = int(packed.split(PACK_SEPARATOR, 1)[0])
                fields = _with_booleans(tuple(connection.execute(plain.where(model.id == row_id)).one()), flags)
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(fields)
            return buffer.getvalue()[:-2]

        result = connection.execute(packed_rows_select(table, f))
        cursor = result.cursor  # fetched from directly (see iter_chunks)
        try:
            while True:
                rows = cursor.fetchmany(chunk_size)
                if not rows:
                    return
                lines: list[str] = []
                append = lines.append
                clean = 0
                for (packed,) in rows:
                    if '"' in packed or delimiter in packed or "\n" in packed or "\r" in packed:
                        append(csv_line(packed))
                    else:
                        append(packed)
                        clean += 1
                text = "\r\n".join(lines)
                if text.count(PACK_SEPARATOR) == separators * clean:
                    # Only the separators printf put between fields: all become delimiters.
                    text = text.replace(PACK_SEPARATOR, delimiter)
                else:  # some text holds the separator itself: line by line
                    text = "\r\n".join(
                        line
                        if line is not packed
                        else (
                            packed.replace(PACK_SEPARATOR, delimiter)
                            if packed.count(PACK_SEPARATOR) == separators
                            else csv_line(packed)
                        )
                        for (packed,), line in zip(rows, lines, strict=True)
                    )
                text += "\r\n"
                yield text, len(rows)
        finally:
            result.close()


def _bool_columns(columns: list[ExportColumn]) -> list[int]:
    return [index for index, column in enumerate(columns) if column.kind == "bool"]


def iter_chunks(
    engine: Engine, table: str, f: ActivityFilter, *, chunk_size: int = 20_000
) -> Iterator[list[tuple[Any, ...]]]:
    """Yield lists of row tuples (columns in :func:`table_columns` order), ``chunk_size`` at a
    time, all read from one snapshot.

    One query in a :func:`~bot.storage.db.read_scope` transaction. On SQLite (no write lock)
    the rows come straight from the driver's cursor with ``fetchmany`` — no per-row objects
    between the database and the writer — and booleans, stored 0/1, are turned back into
    ``True``/``False``; on PostgreSQL from a server-side cursor.
    """
    dialect = engine.dialect.name
    columns, statement = export_select(table, f, dialect)
    flags = [index for index, column in enumerate(columns) if column.kind == "bool"]
    with read_scope(engine) as session:
        if dialect != "sqlite":
            # A server-side cursor; SQLAlchemy reads ahead of it, so go through the result.
            streamed = session.connection(execution_options={"stream_results": True}).execute(
                statement
            )
            for partition in streamed.partitions(chunk_size):
                yield [tuple(row) for row in partition]
            return
        # pysqlite steps the statement as rows are fetched: read its cursor directly (the
        # result object has not fetched anything, and is not used to fetch).
        result = session.connection().execute(statement)
        cursor = result.cursor
        try:
            while True:
                rows: list[tuple[Any, ...]] = list(cursor.fetchmany(chunk_size))
                if not rows:
                    return
                if flags:
                    rows = [_with_booleans(row, flags) for row in rows]
                yield rows
        finally:
            result.close()


def _with_booleans(row: tuple[Any, ...], flags: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for index in flags:
        if values[index] is not None:
            values[index] = bool(values[index])
    return tuple(values)
