"""The variables a playbook script can use, and sample values to check scripts against.

Scripts are rendered with three objects: ``lead``, ``rep`` and ``seller`` (plus ``step`` inside a
cadence). Every attribute is always present; an unknown value is an empty string, so a script
can write ``{{ lead.contact_first_name or "tudo bem" }}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

LEAD_FIELDS = (
    "company",
    "cnpj",
    "cnae",
    "cnae_name",
    "uf",
    "uf_name",
    "city",
    "region",
    "headcount",
    "revenue",
    "branches",
    "campaign",
    "contact_name",
    "contact_first_name",
    "contact_role",
    "contact_phone",
    "contact_email",
    "contact_linkedin",
    "tier",
    "score",
)
REP_FIELDS = ("first_name", "full_name", "phone", "email")


@dataclass(frozen=True, slots=True)
class LeadView:
    """What a script sees of a lead: every value already formatted as text."""

    company: str
    cnpj: str = ""
    cnae: str = ""
    cnae_name: str = ""
    uf: str = ""
    uf_name: str = ""
    city: str = ""
    region: str = ""
    headcount: str = ""
    revenue: str = ""
    branches: str = ""
    campaign: str = ""
    contact_name: str = ""
    contact_first_name: str = ""
    contact_role: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_linkedin: str = ""
    tier: str = ""
    score: str = ""


@dataclass(frozen=True, slots=True)
class RepView:
    first_name: str
    full_name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class StepView:
    id: str
    title: str
    number: int
    channel: str


SAMPLE_LEAD = LeadView(
    company="Transportes Horizonte Ltda",
    cnpj="12.345.678/0001-95",
    cnae="4930-2/02",
    cnae_name="Transporte rodoviário de carga, intermunicipal, interestadual e internacional",
    uf="PR",
    uf_name="Paraná",
    city="Curitiba",
    region="Sul",
    headcount="120",
    revenue="R$ 18,0 mi",
    branches="3",
    campaign="Logística Sul 2026",
    contact_name="Mariana Souza",
    contact_first_name="Mariana",
    contact_role="Diretora de Operações",
    contact_phone="+55 41 99999-0000",
    contact_email="mariana@horizonte.com.br",
    contact_linkedin="https://www.linkedin.com/in/mariana-souza",
    tier="A",
    score="82",
)
SPARSE_LEAD = LeadView(company="Empresa Exemplo")
SAMPLE_REP = RepView(
    first_name="Rafael", full_name="Rafael Lima", phone="+55 11 98888-0000", email="rafael@exemplo.com"
)
SPARSE_REP = RepView(first_name="Ana")
SAMPLE_STEP = StepView(id="abordagem_1", title="Abordagem 1", number=1, channel="phone")


def context(lead: LeadView, rep: RepView, seller: Mapping[str, str], step: StepView | None = None) -> dict[str, object]:
    """The template context of one rendering."""
    return {
        "lead": asdict(lead),
        "rep": asdict(rep),
        "seller": dict(seller),
        "step": asdict(step) if step else asdict(SAMPLE_STEP),
    }


def sample_contexts(seller: Mapping[str, str]) -> list[tuple[str, dict[str, object]]]:
    """A complete and a nearly empty lead: a script must render with both."""
    return [
        ("lead completo de exemplo", context(SAMPLE_LEAD, SAMPLE_REP, seller)),
        ("lead só com o nome da empresa", context(SPARSE_LEAD, SPARSE_REP, seller)),
    ]
