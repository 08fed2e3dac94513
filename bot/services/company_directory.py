"""The online company directory: a BrasilAPI / minha-receita compatible CNPJ lookup service.

Used when no registry is loaded and ``CNPJ_LOOKUP_URL`` is set: ``GET {url}/{cnpj}`` answers one
JSON object per CNPJ (BrasilAPI's ``/api/cnpj/v1`` and ``minha-receita`` share the shape). The
chat must not hang on it, nor hammer it: a short timeout, a cache of answers (a company unknown
to the service is remembered too) and a rate limit (a token bucket; a ``429`` from the service
pauses lookups for its ``Retry-After``). Any failure — timeout, error status, malformed JSON —
is logged and answered ``None`` (*unknown*), so the rep simply types the facts as before.

It cannot count a company's active branches (the service describes one establishment), so
:attr:`OnlineDirectory.counts_branches` is false and enrichment leaves branches to the rep.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import httpx

from bot.config import Settings
from bot.domain.registry import CompanyDirectory, DecisionMaker, FederalStatus, Porte, RegistryCompany

log = logging.getLogger(__name__)

ADMIN_QUALIFICATIONS = frozenset({"05", "08", "10", "16", "17", "18", "49", "65"})
"""Partner qualifications that run the company (administrador, conselheiro, diretor, presidente,
procurador, sócio-administrador, titular…): the decision makers offered as contacts."""


class RateLimited(Exception):
    pass


class TokenBucket:
    """``per_minute`` lookups a minute, in bursts of at most ``burst``."""

    def __init__(self, per_minute: int, *, burst: int | None = None, clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, min(per_minute, 10)))
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()
        self.paused_until = 0.0

    def take(self) -> bool:
        now = self.clock()
        if now < self.paused_until:
            return False
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock() + seconds)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _digits(value: Any, width: int) -> str | None:
    text = _text(value)
    if text is None:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or int(digits) == 0:
        return None
    return digits.zfill(width)[-width:]


def _date(value: Any) -> date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _status(raw: Mapping[str, Any]) -> FederalStatus:
    code = _digits(raw.get("situacao_cadastral"), 2)
    if code is not None and code in FederalStatus._value2member_map_:
        return FederalStatus(code)
    words = (_text(raw.get("descricao_situacao_cadastral")) or _text(raw.get("situacao_cadastral")) or "").upper()
    by_word = {
        "ATIVA": FederalStatus.ACTIVE,
        "SUSPENSA": FederalStatus.SUSPENDED,
        "INAPTA": FederalStatus.UNFIT,
        "BAIXADA": FederalStatus.CLOSED,
        "NULA": FederalStatus.NULL,
    }
    if words in by_word:
        return by_word[words]
    raise ValueError(f"no situacao_cadastral in {sorted(raw)[:8]}")


def _porte(raw: Mapping[str, Any]) -> Porte:
    code = _digits(raw.get("codigo_porte"), 2)
    if code is not None and code in Porte._value2member_map_:
        return Porte(code)
    words = (_text(raw.get("porte")) or "").upper()
    if "MICRO" in words or words == "ME":
        return Porte.MICRO
    if "PEQUENO" in words or words == "EPP":
        return Porte.SMALL
    if "DEMAIS" in words:
        return Porte.OTHER
    return Porte.UNKNOWN


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = (_text(value) or "").upper()
    return {"S": True, "SIM": True, "TRUE": True, "N": False, "NAO": False, "NÃO": False, "FALSE": False}.get(text)


def company_from_json(cnpj: str, raw: Any, month: str) -> RegistryCompany:
    """A BrasilAPI / minha-receita answer → :class:`RegistryCompany`; ValueError if it is not one."""
    if not isinstance(raw, Mapping):
        raise ValueError("the answer is not a JSON object")
    legal_name = _text(raw.get("razao_social"))
    if not legal_name:
        raise ValueError("no razao_social")
    secondary = raw.get("cnaes_secundarios") or []
    cnaes = tuple(
        code
        for item in (secondary if isinstance(secondary, list) else [])
        if (code := _digits(item.get("codigo") if isinstance(item, Mapping) else item, 7))
    )
    partners = raw.get("qsa") or []
    makers = []
    for partner in partners if isinstance(partners, list) else []:
        if not isinstance(partner, Mapping):
            continue
        qualification = _digits(partner.get("codigo_qualificacao_socio") or partner.get("qualificacao_socio"), 2)
        name = _text(partner.get("nome_socio"))
        if name and qualification in ADMIN_QUALIFICATIONS:
            makers.append(DecisionMaker(name[:120], qualification, _date(partner.get("data_entrada_sociedade"))))
    uf = (_text(raw.get("uf")) or "").upper()
    return RegistryCompany(
        cnpj=cnpj,
        legal_name=legal_name[:200],
        trade_name=_text(raw.get("nome_fantasia")),
        status=_status(raw),
        status_since=_date(raw.get("data_situacao_cadastral")),
        opened_on=_date(raw.get("data_inicio_atividade")),
        cnae=_digits(raw.get("cnae_fiscal"), 7),
        secondary_cnaes=cnaes,
        uf=uf if len(uf) == 2 and uf.isalpha() else None,
        city=(_text(raw.get("municipio")) or "").title() or None,
        active_branches=0,
        porte=_porte(raw),
        simples=_flag(raw.get("opcao_pelo_simples")),
        mei=_flag(raw.get("opcao_pelo_mei")),
        legal_nature=_digits(raw.get("codigo_natureza_juridica") or raw.get("natureza_juridica"), 4),
        month=month,
        decision_makers=tuple(makers),
    )


class OnlineDirectory:
    """:class:`~bot.domain.registry.CompanyDirectory` over an online CNPJ lookup service."""

    counts_branches = False

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 3.0,
        cache_seconds: float = 24 * 3600,
        cache_size: int = 10_000,
        per_minute: int = 30,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache_seconds = cache_seconds
        self.cache_size = cache_size
        self.clock = clock
        self.today = today
        self.bucket = TokenBucket(per_minute, clock=clock)
        self._cache: OrderedDict[str, tuple[float, RegistryCompany | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": "cadencia-bot"},
            transport=transport,
            follow_redirects=True,
        )

    def month(self) -> str | None:
        """An online service answers from its latest data: the month of the lookup."""
        return self.today().strftime("%Y-%m")

    def close(self) -> None:
        self._client.close()

    def _cached(self, cnpj: str) -> tuple[bool, RegistryCompany | None]:
        with self._lock:
            entry = self._cache.get(cnpj)
            if entry is None:
                return False, None
            if entry[0] < self.clock():
                del self._cache[cnpj]
                return False, None
            self._cache.move_to_end(cnpj)
            return True, entry[1]

    def _remember(self, cnpj: str, company: RegistryCompany | None) -> None:
        with self._lock:
            self._cache[cnpj] = (self.clock() + self.cache_seconds, company)
            self._cache.move_to_end(cnpj)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def lookup(self, cnpj: str) -> RegistryCompany | None:
        """The company of ``cnpj`` (14 characters), ``None`` when unknown or unavailable."""
        hit, company = self._cached(cnpj)
        if hit:
            return company
        with self._lock:
            allowed = self.bucket.take()
        if not allowed:
            log.warning("CNPJ lookup of %s… skipped: rate limit reached", cnpj[:8])
            return None
        try:
            response = self._client.get(f"{self.base_url}/{cnpj}")
        except httpx.TimeoutException:
            log.warning("CNPJ lookup of %s… timed out", cnpj[:8])
            return None
        except httpx.HTTPError as exc:
            log.warning("CNPJ lookup of %s… failed: %s", cnpj[:8], type(exc).__name__)
            return None
        if response.status_code == 404:
            self._remember(cnpj, None)
            return None
        if response.status_code == 429:
            header = response.headers.get("Retry-After", "")
            retry = min(int(header), 3600) if header.isdigit() else 60
            with self._lock:
                self.bucket.pause(retry)
            log.warning("CNPJ lookup service asks to slow down (429); pausing %ss", retry)
            return None
        if response.status_code != 200:
            log.warning("CNPJ lookup of %s… answered HTTP %s", cnpj[:8], response.status_code)
            return None
        try:
            company = company_from_json(cnpj, response.json(), self.month() or "")
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            log.warning("CNPJ lookup of %s… gave an unusable answer: %s", cnpj[:8], str(exc)[:120])
            return None
        self._remember(cnpj, company)
        return company


class RegistryFirst:
    """The loaded registry whenever it has a month in service, else the online lookup (if any).

    Asked per lookup, so a ``cadencia registry load`` finished while the bot runs takes over
    without a restart.
    """

    def __init__(self, registry: CompanyDirectory | None, online: CompanyDirectory | None) -> None:
        self.registry = registry
        self.online = online

    def current(self) -> CompanyDirectory | None:
        if self.registry is not None and self.registry.month() is not None:
            return self.registry
        return self.online

    @property
    def counts_branches(self) -> bool:
        return getattr(self.current(), "counts_branches", True)

    def month(self) -> str | None:
        current = self.current()
        return current.month() if current is not None else None

    def lookup(self, cnpj: str) -> RegistryCompany | None:
        current = self.current()
        return current.lookup(cnpj) if current is not None else None


def build_directory(settings: Settings, *, registry: CompanyDirectory | None = None) -> CompanyDirectory | None:
    """Where a CNPJ's facts come from: the loaded registry (``REGISTRY_DIR``) while it has a month
    in service, else the online lookup if ``CNPJ_LOOKUP_URL`` is set; ``None`` when neither is
    configured (the rep types every fact, as before).

    ``registry`` is the store of ``cadencia registry load`` (see :func:`bot.wiring.build_registry`).
    """
    online = None
    if settings.cnpj_lookup_url:
        online = OnlineDirectory(
            settings.cnpj_lookup_url,
            timeout=settings.cnpj_lookup_timeout,
            per_minute=settings.cnpj_lookup_per_minute,
            cache_seconds=settings.cnpj_lookup_cache_hours * 3600,
        )
    if registry is None and online is None:
        return None
    return RegistryFirst(registry, online)
