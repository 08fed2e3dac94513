"""Row streams for exports: what each exported table contains, read in short chunks.

Each table is read by one query, in id order, inside a :func:`~bot.storage.db.read_scope`:
a read-only snapshot that on SQLite takes no write lock (a deferred ``BEGIN`` in WAL mode), so
an export of a million rows never stalls the bot's writers, and every row of the export comes
from the same moment. Rows are fetched from the driver's cursor in chunks: memory stays flat.

Timestamps are rendered *in SQL* as local time text (``YYYY-MM-DD HH:MM:SS``) in the filter's
zone (:attr:`~bot.storage.reporting.ActivityFilter.zone`, with its past offsets, such as
Brasília's summer time of the years before 2019: on SQLite the offset comes from
:func:`~bot.storage.reporting.sqlite_to_local`) so the CSV writer never touches a Python
datetime. On SQLite a CSV export goes further (:func:`iter_csv_text`): SQLite packs each row
into one text with ``printf`` and Python only has to fix the few rows that need quotes, instead
of building 23 objects per row and formatting them again — what keeps a million-row CSV export
close to the ``sqlite3`` shell's own speed.

Long because it is one concern: the column table of every exported table and the two ways
of reading it (cells, and SQLite-packed CSV text) share that table and must change together.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    Text,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from bot.domain.activity import ActivityFilter
from bot.domain.cnae import format_subclass
from bot.domain.facts import format_cnpj
from bot.domain.labels import LABELS
from bot.domain.privacy import ERASURE_REASON_LABELS, ERASURE_VIA_LABELS
from bot.domain.regions import DEFAULT_ZONE
from bot.domain.text import FORMULA_TRIGGERS, spreadsheet_safe
from bot.storage.models import (
    DealValue,
    ErasureAudit,
    ExportAudit,
    Lead,
    LeadContact,
    Meeting,
    Member,
    StageChange,
    Touch,
)
from bot.storage.reporting import sqlite_to_local


@dataclass(frozen=True, slots=True)
class ExportColumn:
    header: str
    kind: str
    """int | text | datetime | bool"""
    expression: Any
    format: Callable[[str], str] | None = None
    """Python formatting of the cell's text (CNPJ, CNAE), applied to every non-empty value."""


@dataclass(frozen=True, slots=True)
class ExportWords:
    """The words an export shows for codes, in the reader's language, by kind of code
    ("stage", "channel", … from :data:`bot.domain.labels.LABELS`, and the playbook's "step",
    "objection", "loss_reason", "no_show_reason"), and for yes/no. Built by the service."""

    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    yes: str = "sim"
    no: str = "não"


PORTUGUESE = ExportWords(
    {
        **{kind: dict(table) for kind, table in LABELS.items()},
        "erasure_via": dict(ERASURE_VIA_LABELS),
        "erasure_reason": dict(ERASURE_REASON_LABELS),
    }
)


def _local_text(dialect: str, column: Any, zone: str) -> Any:
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H:%M:%S", column, sqlite_to_local(column, zone))
    return func.to_char(
        func.timezone(zone, column), literal_column("'YYYY-MM-DD HH24:MI:SS'")
    )


def _rep_name(member: Any) -> Any:
    return func.coalesce(func.nullif(member.full_name, ""), member.first_name)


def _formatted_cnpj(value: str) -> str:
    return format_cnpj(value) if len(value) == 14 else value


def table_columns(
    table: str, dialect: str, words: ExportWords = PORTUGUESE, *, zone: str = DEFAULT_ZONE
) -> tuple[list[ExportColumn], Any, Any]:
    """(columns, the model whose id pages the rows, the select's FROM with joins). Times are
    written on ``zone``'s clock.

    Columns of codes show ``words`` (a SQL ``CASE`` over the code: a code without a word is
    shown as it is), each followed by a ``…_codigo`` column with the code itself, for machines;
    CNPJ and CNAE are formatted, with their bare characters beside them.
    """
    rep = aliased(Member)

    def when(dialect: str, column: Any) -> Any:
        return _local_text(dialect, column, zone)

    def labelled(header: str, kind: str, column: Any, *, raw: bool = True) -> list[ExportColumn]:
        mapping = words.labels.get(kind) or {}
        whens = {str(code): literal(str(text), String()) for code, text in mapping.items()}
        shown = case(whens, value=column, else_=column) if whens else column
        columns = [ExportColumn(header, "text", shown)]
        if raw:
            columns.append(ExportColumn(f"{header}_codigo", "text", column))
        return columns

    def yes_no(header: str, column: Any) -> ExportColumn:
        yes, no = literal(words.yes, String()), literal(words.no, String())
        return ExportColumn(header, "text", case((column.is_(None), None), (column, yes), else_=no))

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
            *labelled("passo", "step", col(Touch.step_id)),
            ExportColumn("passo_numero", "int", col(Touch.step_number)),
            *labelled("tipo_passo", "step_kind", col(Touch.step_kind)),
            *labelled("canal", "channel", col(Touch.channel)),
            *labelled("roteiro", "script", col(Touch.script_id)),
            ExportColumn("variante", "text", col(Touch.variant)),
            ExportColumn("playbook_versao", "text", col(Touch.playbook_version)),
            *labelled("resultado", "outcome", col(Touch.outcome)),
            *labelled("papel_contato", "contact_role", col(Touch.contact_role)),
            *labelled("objecao", "objection", col(Touch.objection)),
            *labelled("motivo_perda", "loss_reason", col(Touch.loss_reason)),
            *labelled("intencao_compra", "intent", col(Touch.intent)),
            *labelled("dor", "pain", col(Touch.pain)),
            *labelled("orcamento", "budget", col(Touch.budget)),
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
            ExportColumn("cnpj", "text", col(Lead.cnpj), _formatted_cnpj),
            ExportColumn("cnpj_digitos", "text", col(Lead.cnpj)),
            ExportColumn("cnae", "text", col(Lead.cnae), format_subclass),
            ExportColumn("cnae_codigo", "text", col(Lead.cnae)),
            ExportColumn("uf", "text", col(Lead.uf)),
            ExportColumn("cidade", "text", col(Lead.city)),
            ExportColumn("funcionarios_min", "int", col(Lead.headcount_low)),
            ExportColumn("funcionarios_max", "int", col(Lead.headcount_high)),
            ExportColumn("faturamento_min", "int", col(Lead.revenue_low)),
            ExportColumn("faturamento_max", "int", col(Lead.revenue_high)),
            ExportColumn("filiais", "int", col(Lead.branches)),
            *labelled("inscricao_estadual", "registration", col(Lead.registration)),
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
            *labelled("etapa", "stage", col(Lead.stage)),
            ExportColumn("icp_score", "int", col(Lead.icp_score)),
            ExportColumn("icp_potencial", "int", col(Lead.icp_potential)),
            ExportColumn("icp_tier", "text", col(Lead.icp_tier)),
            *labelled("modelo_vendas", "sales_model", col(Lead.sales_model)),
            yes_no("eliminado", col(Lead.knocked_out)),
            ExportColumn("vendedor_id", "int", col(Lead.owner_id)),
            ExportColumn("vendedor", "text", _rep_name(rep)),
            *labelled("cadencia", "cadence_status", col(Lead.cadence_status)),
            *labelled("passo_atual", "step", col(Lead.current_step)),
            *labelled("motivo_perda", "loss_reason", col(Lead.loss_reason)),
            ExportColumn("criado_em", "datetime", when(dialect, col(Lead.created_at))),
            ExportColumn(
                "dados_pessoais_apagados_em", "datetime", when(dialect, col(Lead.personal_data_erased_at))
            ),
            # The deal's value (bot.storage.deals), in cents: exact, and summed as typed.
            ExportColumn("valor_mensal_centavos", "int", col(DealValue.monthly_cents)),
            ExportColumn("implantacao_centavos", "int", col(DealValue.setup_cents)),
            ExportColumn("prazo_meses", "int", col(DealValue.months)),
        ]
        source = Lead.__table__.outerjoin(rep, rep.id == col(Lead.owner_id)).outerjoin(  # type: ignore[attr-defined]
            DealValue, col(DealValue.lead_id) == col(Lead.id)
        )
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
            *labelled("de_etapa", "stage", col(StageChange.from_stage)),
            *labelled("para_etapa", "stage", col(StageChange.to_stage)),
            *labelled("motivo", "loss_reason", col(StageChange.reason)),
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
            *labelled("status", "meeting_status", col(Meeting.status)),
            *labelled("motivo_no_show", "no_show_reason", col(Meeting.no_show_reason)),
            ExportColumn("remarcada_para", "int", col(Meeting.rescheduled_to)),
            ExportColumn("toque_id", "int", col(Meeting.touch_id)),
            ExportColumn("marcada_em", "datetime", when(dialect, col(Meeting.created_at))),
            ExportColumn("resolvida_em", "datetime", when(dialect, col(Meeting.resolved_at))),
        ]
        source = Meeting.__table__.outerjoin(rep, rep.id == col(Meeting.rep_id)).outerjoin(  # type: ignore[attr-defined]
            lead, lead.id == col(Meeting.lead_id)
        )
        return columns, Meeting, source
    if table == "erasures":
        lead = aliased(Lead)
        columns = [
            ExportColumn("id", "int", col(ErasureAudit.id)),
            ExportColumn("data_hora", "datetime", when(dialect, col(ErasureAudit.at))),
            ExportColumn("lead_id", "int", col(ErasureAudit.lead_id)),
            ExportColumn("empresa", "text", lead.company),
            ExportColumn("gestor_id", "int", col(ErasureAudit.member_id)),
            ExportColumn("gestor", "text", _rep_name(rep)),
            *labelled("via", "erasure_via", col(ErasureAudit.via)),
            *labelled("motivo", "erasure_reason", col(ErasureAudit.reason)),
            ExportColumn("campos", "text", cast(col(ErasureAudit.fields), Text)),
            ExportColumn("toques", "int", col(ErasureAudit.touches)),
        ]
        source = ErasureAudit.__table__.outerjoin(rep, rep.id == col(ErasureAudit.member_id)).outerjoin(  # type: ignore[attr-defined]
            lead, lead.id == col(ErasureAudit.lead_id)
        )
        return columns, ErasureAudit, source
    if table == "contacts":
        columns = [
            ExportColumn("id", "int", col(LeadContact.id)),
            ExportColumn("lead_id", "int", col(LeadContact.lead_id)),
            ExportColumn("empresa", "text", col(Lead.company)),
            ExportColumn("campanha", "text", col(Lead.campaign)),
            ExportColumn("vendedor_id", "int", col(Lead.owner_id)),
            ExportColumn("vendedor", "text", _rep_name(rep)),
            yes_no("escolhido", col(LeadContact.chosen)),
            ExportColumn("nome", "text", col(LeadContact.name)),
            ExportColumn("cargo", "text", col(LeadContact.role)),
            ExportColumn("telefone", "text", col(LeadContact.phone)),
            ExportColumn("email", "text", col(LeadContact.email)),
            ExportColumn("linkedin", "text", col(LeadContact.linkedin)),
            ExportColumn("origem", "text", col(LeadContact.source)),
            ExportColumn("criado_em", "datetime", when(dialect, col(LeadContact.created_at))),
        ]
        source = LeadContact.__table__.join(Lead, col(Lead.id) == col(LeadContact.lead_id)).outerjoin(  # type: ignore[attr-defined]
            rep, rep.id == col(Lead.owner_id)
        )
        return columns, LeadContact, source
    raise ValueError(f"unknown table {table!r}")


TABLES = ("touches", "leads", "stage_changes", "meetings")
"""The activity tables (``tudo`` exports these and the contacts: :data:`bot.services.exports.EVERYTHING`)."""
ERASURES = "erasures"
"""The LGPD erasure audit: exported only when named, and only by managers."""
CONTACTS = "contacts"
"""Every contact of the leads (``lead_contacts``): exported when named ("contatos") and with ``tudo``."""


def _conditions(table: str, model: Any, f: ActivityFilter) -> list[Any]:
    if table == CONTACTS:  # the contact's lead says whose and which campaign
        return [*_conditions("leads", Lead, replace(f, start=None, end=None)), *_moments(LeadContact.created_at, f)]
    moment = {
        "touches": "happened_at",
        "leads": "created_at",
        "stage_changes": "at",
        "meetings": "starts_at",
        "erasures": "at",
    }[table]
    rep = {"leads": "owner_id", "erasures": "member_id"}.get(table, "rep_id")
    conditions = []
    if f.start is not None:
        conditions.append(getattr(model, moment) >= f.start)
    if f.end is not None:
        conditions.append(getattr(model, moment) < f.end)
    if f.rep_id is not None:
        conditions.append(getattr(model, rep) == f.rep_id)
    if f.campaign is not None and table != "erasures":
        conditions.append(model.campaign == f.campaign)
    if f.playbook_version is not None and table in ("touches", "stage_changes"):
        conditions.append(model.playbook_version == f.playbook_version)
    return conditions


def _moments(column: Any, f: ActivityFilter) -> list[Any]:
    conditions = []
    if f.start is not None:
        conditions.append(column >= f.start)
    if f.end is not None:
        conditions.append(column < f.end)
    return conditions


def export_select(
    table: str, f: ActivityFilter, dialect: str, words: ExportWords = PORTUGUESE
) -> tuple[list[ExportColumn], Select[Any]]:
    """The full (unpaged) SELECT of an export: also what the benchmark hands to ``sqlite3``."""
    columns, model, source = table_columns(table, dialect, words, zone=f.zone)
    statement = (
        select(*(c.expression.label(c.header) for c in columns))
        .select_from(source)
        .where(*_conditions(table, model, f))
        .order_by(model.id)
    )
    return columns, statement


def csv_cells(columns: Sequence[ExportColumn]) -> Callable[[Sequence[Any]], list[Any]]:
    """What a CSV row holds: each column's formatting, then every text cell through
    :func:`~bot.domain.text.spreadsheet_safe` (a cell starting with ``=`` ``+`` ``-`` ``@``, tab
    or CR is never run as a formula). Numbers and dates are written as they are."""
    formats = [(index, column.format) for index, column in enumerate(columns) if column.format is not None]
    texts = [index for index, column in enumerate(columns) if column.kind == "text"]

    def cells(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for index, formatter in formats:
            if values[index]:
                values[index] = formatter(values[index])
        for index in texts:
            value = values[index]
            if value:
                values[index] = spreadsheet_safe(value)
        return values

    return cells


def formatted_cells(columns: Sequence[ExportColumn]) -> Callable[[Sequence[Any]], Sequence[Any]] | None:
    """Each column's formatting alone (XLSX cells are typed: text is never a formula), or None."""
    formats = [(index, column.format) for index, column in enumerate(columns) if column.format is not None]
    if not formats:
        return None

    def cells(row: Sequence[Any]) -> Sequence[Any]:
        values = list(row)
        for index, formatter in formats:
            if values[index]:
                values[index] = formatter(values[index])
        return values

    return cells


PACK_SEPARATOR = "\x1f"
"""ASCII unit separator: what SQLite puts between the fields of a packed row."""

#: A field of a packed row that starts like a formula (the first field is the row id, a number).
_FORMULA_START = re.compile(PACK_SEPARATOR + "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def packed_rows_select(table: str, f: ActivityFilter, words: ExportWords = PORTUGUESE) -> Select[Any]:
    """SQLite: the rows of :func:`export_select`, each packed by SQLite into one text — fields
    as the ``csv`` module prints them (``NULL`` empty, booleans ``True``/``False``) separated by
    :data:`PACK_SEPARATOR` — so that Python receives one object per row, not one per field."""
    columns, model, source = table_columns(table, "sqlite", words, zone=f.zone)
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


def dialect_name(session: Session) -> str:
    """``sqlite`` or ``postgresql``: which database ``session`` reads (the export's columns differ)."""
    return session.get_bind().dialect.name


def iter_csv_text(
    session: Session,
    table: str,
    f: ActivityFilter,
    *,
    delimiter: str,
    chunk_size: int = 20_000,
    words: ExportWords = PORTUGUESE,
) -> Iterator[tuple[str, int]]:
    """SQLite: the CSV of the export's rows as (text, rows) chunks, each line ending in CRLF.

    Exactly what ``csv.writer(delimiter=delimiter, lineterminator="\\r\\n")`` writes for the
    rows of :func:`iter_chunks` prepared by :func:`csv_cells`, several times faster: rows come
    packed from SQLite (:func:`packed_rows_select`); a packed row without a quote, the delimiter,
    CR, LF or a field starting like a formula is its CSV line once the separators become
    delimiters (most rows), the others are split, prepared by :func:`csv_cells` and written by
    :mod:`csv` (every row, for a table with Python formatting such as the leads' CNPJ). A row
    whose text holds the separator itself is read again as a tuple. All from ``session``'s
    snapshot: give it a :func:`~bot.storage.db.read_scope` one (no write lock).
    """
    columns, plain = export_select(table, f, "sqlite", words)
    model = table_columns(table, "sqlite", words)[1]
    separators = len(columns) - 1
    flags = _bool_columns(columns)
    cells = csv_cells(columns)
    every_row = any(column.format is not None for column in columns)
    formula = _FORMULA_START.search
    buffer = io.StringIO()
    # The same line end as the export's: csv quotes a field holding any of its characters.
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    connection = session.connection()

    def csv_line(packed: str) -> str:
        fields: Sequence[Any] = packed.split(PACK_SEPARATOR)
        if len(fields) != len(columns):  # the separator is in the data: read the row itself
            row_id = int(packed.split(PACK_SEPARATOR, 1)[0])
            fields = _with_booleans(tuple(connection.execute(plain.where(model.id == row_id)).one()), flags)
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells(fields))
        return buffer.getvalue()[:-2]

    result = connection.execute(packed_rows_select(table, f, words))
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
                if (
                    every_row
                    or '"' in packed
                    or delimiter in packed
                    or "\n" in packed
                    or "\r" in packed
                    or formula(packed)
                ):
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
    session: Session,
    table: str,
    f: ActivityFilter,
    *,
    chunk_size: int = 20_000,
    words: ExportWords = PORTUGUESE,
) -> Iterator[list[tuple[Any, ...]]]:
    """Yield lists of row tuples (columns in :func:`table_columns` order), ``chunk_size`` at a
    time, all read from one snapshot.

    One query in ``session`` (give it a :func:`~bot.storage.db.read_scope` one). On SQLite (no
    write lock) the rows come straight from the driver's cursor with ``fetchmany`` — no per-row
    objects between the database and the writer — and booleans, stored 0/1, are turned back into
    ``True``/``False``; on PostgreSQL from a server-side cursor.
    """
    dialect = dialect_name(session)
    columns, statement = export_select(table, f, dialect, words)
    flags = [index for index, column in enumerate(columns) if column.kind == "bool"]
    if dialect != "sqlite":
        # A server-side cursor; SQLAlchemy reads ahead of it, so go through the result.
        streamed = session.connection().execute(statement.execution_options(stream_results=True))
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


def add_export_audit(
    session: Session,
    *,
    member_id: int | None,
    via: str,
    what: str,
    fmt: str,
    filters: dict[str, Any],
    rows: int,
) -> int:
    """Record one export (who, how, which tables, with which filters, how many rows); its id."""
    audit = ExportAudit(member_id=member_id, via=via, what=what[:64], format=fmt, filters=filters, rows=rows)
    session.add(audit)
    session.flush()
    return audit.id or 0
