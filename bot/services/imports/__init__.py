"""Lead import from a spreadsheet: CSV (``;`` or ``,``; UTF-8, UTF-8 with BOM or Latin-1) or XLSX.

Each row is read once, with the same parsers as ``/novo`` (:data:`bot.domain.lead_fields.LEAD_FIELDS`:
a value the chat refuses is refused here, in the chat's words), into one typed draft; scored
against the playbook's ICP, de-duplicated (CNPJ, or folded company name + UF; against the database
and within the file), assigned to a rep and inserted in batches — one transaction per import,
never per row. A bad row is reported (row number as the spreadsheet shows it, reason in
Portuguese) and never stops the others. Imported leads look exactly like leads created in the
chat: folded ``company_key``, ICP fields, stage ``new`` with its stage change, ``source="import"``.

Every row read ends in one count: imported, updated (``update=True``: a row with the CNPJ of a
stored lead fills in what that lead is missing and scores it again), duplicate or rejected.

One job a module: reading the file is :mod:`bot.services.import_files`;
:mod:`~bot.services.imports.assignment` who gets each lead; :mod:`~bot.services.imports.rows` one
row read and decided; :mod:`~bot.services.imports.fill` what an update fills in;
:mod:`~bot.services.imports.run` the import as one unit; :mod:`~bot.services.imports.results`
its counts, summary and rejected rows; :mod:`~bot.services.imports.recovery` after a restart.
Callers use the names below.
"""

from bot.services.import_files import ImportFailed, Sheet, read_csv, read_sheet, read_xlsx
from bot.services.imports.assignment import Assignment
from bot.services.imports.recovery import Unreported, mark_told, recover
from bot.services.imports.results import UNEXPECTED, ImportCounts, ImportResult, RowProblem
from bot.services.imports.rows import MIXED_ENCODING
from bot.services.imports.run import PROGRESS_EVERY, ImportOptions, import_bytes, import_file, import_stream

__all__ = [
    "MIXED_ENCODING",
    "PROGRESS_EVERY",
    "UNEXPECTED",
    "Assignment",
    "ImportCounts",
    "ImportFailed",
    "ImportOptions",
    "ImportResult",
    "RowProblem",
    "Sheet",
    "Unreported",
    "import_bytes",
    "import_file",
    "import_stream",
    "mark_told",
    "read_csv",
    "read_sheet",
    "read_xlsx",
    "recover",
]
