"""One spreadsheet with every kind of row an import meets, shared by the chat and the CLI tests.

``SEED`` puts three companies in the database first (imported, as a team would); ``MIXED`` then
has, by spreadsheet row: 2–3 new companies, 4 a duplicate of row 2, 5 an e-mail and 6 a phone
that ``/novo`` refuses, 7 the CNPJ of a stored lead that misses facts (an update fills them in),
8 a stored company by name and UF, 9 the CNPJ of a stored lead that misses nothing.
"""

from __future__ import annotations

import csv
import io


def cnpj(base: str) -> str:
    """A valid CNPJ (check digits computed) from 12 digits, formatted."""

    def digit(numbers: str) -> str:
        weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(numbers) :]
        rest = sum(int(n) * w for n, w in zip(numbers, weights, strict=True)) % 11
        return "0" if rest < 2 else str(11 - rest)

    first = digit(base)
    full = base + first + digit(base + first)
    return f"{full[:2]}.{full[2:5]}.{full[5:8]}/{full[8:12]}-{full[12:]}"


ACAI = cnpj("112223330001")
IPE = cnpj("445556660001")
ALREADY = cnpj("123123120001")
COMPLETE = cnpj("321321320001")


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


SEED = as_csv(
    [
        ["Empresa", "CNPJ", "CNAE", "UF", "Funcionários"],
        ["Já Cadastrada SA", ALREADY, "", "RJ", ""],
        ["Completa Ltda", COMPLETE, "4930-2/02", "SP", "300"],
        ["Só Nome", "", "", "MG", ""],
    ]
)

HEADER = [
    "Razão Social",
    "Nome Fantasia",
    "CNPJ",
    "CNAE",
    "UF",
    "Nº Funcionários",
    "Faturamento",
    "Score Serasa",
    "Observações",
    "Site",
    "E-mail",
    "Telefone",
]
_ = ""
MIXED_ROWS = [
    HEADER,
    ["Transportes Açaí Ltda", "Açaí Log", ACAI, "4930-2/02", "SP", "120", "18 mi", "780", "Indicação do Zé",
     "www.acai.com.br", "joana@acai.com.br", "(11) 98765-4321"],
    ["Logística Ipê", _, IPE, _, "PR", "80", _, _, _, _, _, _],
    ["Transportes Açaí Ltda", _, ACAI, _, "SP", _, _, _, _, _, _, _],
    ["Fulano Comércio", _, _, _, "SP", _, _, _, _, _, "fulano@semdominio", _],
    ["+Beltrano Serviços", _, _, _, "MG", _, _, _, _, _, _, "1234"],
    ["Outro Nome", _, ALREADY, "4930-2/02", "SP", "120", "18 mi", "780", "Ligar depois das 14h", _, _, _],
    ["Só Nome", _, _, _, "MG", _, _, _, _, _, _, _],
    ["Completa Ltda", _, COMPLETE, "4930-2/02", "SP", "300", _, _, _, _, _, _],
]  # fmt: skip
MIXED = as_csv(MIXED_ROWS)

#: /novo's words for rows 5 and 6 (asserted against the chat in tests/tg/test_manager.py).
EMAIL_REFUSAL = "E-mail: E-mail inválido. Exemplo: nome@empresa.com.br."
PHONE_REFUSAL = "Telefone: Telefone com DDD, por exemplo (11) 98765-4321."

#: Where every row goes: without an update 7 and 9 are duplicates; with one, 7 is updated.
COUNTS = {"Importadas": 2, "Atualizadas (dados que faltavam)": 0, "Duplicadas (ignoradas)": 4, "Rejeitadas": 2}
COUNTS_UPDATED = {"Importadas": 2, "Atualizadas (dados que faltavam)": 1, "Duplicadas (ignoradas)": 3, "Rejeitadas": 2}
REJECTED = {5: EMAIL_REFUSAL, 6: PHONE_REFUSAL}


def counts_in(summary: str) -> dict[str, int]:
    """The four counts of an import summary, by label."""
    found = {}
    for line in summary.splitlines():
        label, sep, number = line.strip().partition(": ")
        if sep and label in COUNTS and number.isdigit():
            found[label] = int(number)
    return found


def rejected_rows(data: bytes) -> dict[int, str]:
    """Row number → reason, from a rejected-rows file (UTF-8 with BOM, ``;``)."""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    return {int(row["linha"]): row["motivo"] for row in rows}
