"""The loan rules of the configuration: loan products, the one-open-loan rule, who decides, and the
collectibility classes (kolektibilitas) with their allowance. Pure: a mapping in, frozen data out.

``parse(data)`` reads the ``[loans]`` table of the cooperative's TOML (``central.config`` calls it); every
problem is a ``ConfigError`` that names the key and how to fix it. The keys are in docs/config.md::

    [loans]
    one_open_loan = true            # seed 003: no new loan before the old one is repaid
    deciders = ["ketua"]            # who approves or rejects applications (a deputy may be added)
    write_off_from = "macet"        # optional: the first class whose loans may be written off (default:
                                    # the last class)

    [[loans.products]]
    code = "umum"
    name = "Pinjaman umum"
    method = "anuitas"              # flat | efektif | anuitas
    rate_month_pct = "1.5"          # or rate_year_pct = "18"
    term_min_months = 3
    term_max_months = 36
    amount_min_rp = 500000
    amount_max_rp = 50000000
    savings_multiple = "5"          # optional: at most 5 x the member's savings
    admin_fee_pct = "1"             # optional, of the amount
    insurance_pct = "0.5"           # optional, of the amount
    fees_from_amount = true         # fees are kept from the amount paid out (net disbursement)
    grace_months = 0                # first months pay interest only
    penalty_month_pct = "2"         # optional: per month late, of the overdue installment
    overpayment = "refuse"          # refuse | hold (kept as a deposit for the next installments)

    [[loans.classes]]               # in order; a loan is in the last class whose min_days it reaches
    code = "lancar"
    min_days = 0
    allowance_pct = "0.5"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from central.errors import ConfigError

METHODS: Final = ("flat", "efektif", "anuitas")
OVERPAYMENT: Final = ("refuse", "hold")
DECIDER_ROLES: Final = frozenset({"ketua", "sekretaris", "bendahara", "pengurus", "manajer"})
CODE_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_PRODUCTS: Final = 50
MAX_CLASSES: Final = 10
MAX_TERM_MONTHS: Final = 360
MAX_RATE_MONTH_PCT: Final = Decimal(10)  # 10 % a month (120 % a year) is a typing error, not a product
MAX_AMOUNT_RP: Final = 10**12

_LOANS_KEYS: Final = frozenset({"one_open_loan", "deciders", "products", "classes", "write_off_from"})
_PRODUCT_KEYS: Final = frozenset(
    {
        "code",
        "name",
        "method",
        "rate_month_pct",
        "rate_year_pct",
        "term_min_months",
        "term_max_months",
        "amount_min_rp",
        "amount_max_rp",
        "savings_multiple",
        "admin_fee_pct",
        "insurance_pct",
        "fees_from_amount",
        "grace_months",
        "penalty_month_pct",
        "overpayment",
    }
)
_CLASS_KEYS: Final = frozenset({"code", "name", "min_days", "allowance_pct", "problem"})


@dataclass(frozen=True)
class LoanProduct:
    """A loan product. Rates are percent per month (a yearly rate is divided by 12)."""

    code: str
    name: str
    method: str
    rate_month_pct: Decimal
    term_min_months: int
    term_max_months: int
    amount_min_rp: int
    amount_max_rp: int
    savings_multiple: Decimal | None = None
    admin_fee_pct: Decimal = Decimal(0)
    insurance_pct: Decimal = Decimal(0)
    fees_from_amount: bool = True
    grace_months: int = 0
    penalty_month_pct: Decimal = Decimal(0)
    overpayment: str = "refuse"


@dataclass(frozen=True)
class LoanClass:
    """A collectibility class: loans at least ``min_days`` past due, the allowance kept against them, and
    whether the class counts as a problem loan (kurang lancar, diragukan, macet) in the health ratio."""

    code: str
    name: str
    min_days: int
    allowance_pct: Decimal
    problem: bool


@dataclass(frozen=True)
class LoanPolicy:
    """Everything ``[loans]`` says."""

    one_open_loan: bool
    deciders: tuple[str, ...]
    products: tuple[LoanProduct, ...]
    classes: tuple[LoanClass, ...]
    # the first class whose loans may be written off (None: the last class only)
    write_off_from: str | None = None

    def product(self, code: str) -> LoanProduct | None:
        return next((p for p in self.products if p.code == code), None)

    def klass(self, days_late: int) -> LoanClass:
        """The class of a loan ``days_late`` past its oldest unpaid due date (0 when nothing is due)."""
        found = self.classes[0]
        for candidate in self.classes:
            if days_late >= candidate.min_days:
                found = candidate
        return found


# The classes of the KSP health assessment (names from the regulation; the day thresholds vary by
# cooperative and are only defaults). Allowance: the share of the outstanding principal kept as PPAP.
DEFAULT_CLASSES: Final = (
    LoanClass("lancar", "Lancar", 0, Decimal("0.5"), False),
    LoanClass("kurang-lancar", "Kurang lancar", 91, Decimal(50), True),
    LoanClass("diragukan", "Diragukan", 181, Decimal(75), True),
    LoanClass("macet", "Macet", 271, Decimal(100), True),
)


def _where(table: str, index: int | None = None) -> str:
    return f"{table}[{index}]" if index is not None else table


def _int(table: Mapping[str, Any], key: str, where: str, default: int | None = None) -> int:
    if key not in table:
        if default is None:
            raise ConfigError(f"{where}.{key} is missing; add it")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}.{key} must be a whole number, got {value!r}")
    return int(value)


def _pct(table: Mapping[str, Any], key: str, where: str, default: Decimal | None = None) -> Decimal:
    """A percentage, written as a string ("1.5") or a number; never negative."""
    if key not in table:
        if default is None:
            raise ConfigError(f"{where}.{key} is missing; add it")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f'{where}.{key} must be a number such as "1.5", got {value!r}')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as err:
        raise ConfigError(f'{where}.{key} must be a number such as "1.5", got {value!r}') from err
    if not number.is_finite() or number < 0:
        raise ConfigError(f"{where}.{key} must be 0 or more, got {value!r}")
    return number


def _text(table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise ConfigError(f"{where}.{key} is missing; add it")
        return default
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key} must be a non-empty text, got {value!r}")
    return value.strip()


def _code(table: Mapping[str, Any], where: str) -> str:
    value = _text(table, "code", where)
    if not CODE_RE.match(value):
        raise ConfigError(f"{where}.code {value!r} must be letters, digits, '.', '_' or '-' (at most 40)")
    return value


def _bool(table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}.{key} must be true or false, got {value!r}")
    return value


def _unknown(table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise ConfigError(f"unknown key(s) in {where}: {', '.join(extra)}; see docs/config.md for the keys")


def _list(table: Mapping[str, Any], key: str, where: str, limit: int) -> list[Mapping[str, Any]]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(f"{where}.{key} must be a list of tables ([[{where}.{key}]])")
    if len(value) > limit:
        raise ConfigError(f"{where}.{key} has {len(value)} entries; at most {limit} are allowed")
    return value


def _product(table: Mapping[str, Any], index: int) -> LoanProduct:
    where = _where("loans.products", index)
    _unknown(table, _PRODUCT_KEYS, where)
    code = _code(table, where)
    where = f"loans.products[{code}]"
    method = _text(table, "method", where)
    if method not in METHODS:
        raise ConfigError(f"{where}.method {method!r} must be one of {', '.join(METHODS)}")
    if ("rate_month_pct" in table) == ("rate_year_pct" in table):
        raise ConfigError(f"{where}: give exactly one of rate_month_pct and rate_year_pct")
    if "rate_month_pct" in table:
        rate = _pct(table, "rate_month_pct", where)
    else:
        rate = _pct(table, "rate_year_pct", where) / 12
    if rate > MAX_RATE_MONTH_PCT:
        raise ConfigError(
            f"{where}: a rate of {rate} % a month is above {MAX_RATE_MONTH_PCT} %; check the key"
        )
    term_min = _int(table, "term_min_months", where, 1)
    term_max = _int(table, "term_max_months", where)
    if not 1 <= term_min <= term_max <= MAX_TERM_MONTHS:
        raise ConfigError(
            f"{where}: need 1 <= term_min_months <= term_max_months <= {MAX_TERM_MONTHS}, "
            f"got {term_min} and {term_max}"
        )
    amount_min = _int(table, "amount_min_rp", where, 1)
    amount_max = _int(table, "amount_max_rp", where)
    if not 1 <= amount_min <= amount_max <= MAX_AMOUNT_RP:
        raise ConfigError(
            f"{where}: need 1 <= amount_min_rp <= amount_max_rp <= {MAX_AMOUNT_RP}, "
            f"got {amount_min} and {amount_max}"
        )
    multiple = _pct(table, "savings_multiple", where) if "savings_multiple" in table else None
    if multiple is not None and multiple == 0:
        raise ConfigError(f"{where}.savings_multiple must be more than 0 (leave it out for no such limit)")
    grace = _int(table, "grace_months", where, 0)
    if not 0 <= grace < term_min:
        raise ConfigError(f"{where}.grace_months must be 0 or more and below term_min_months ({term_min})")
    fees = (_pct(table, "admin_fee_pct", where, Decimal(0)), _pct(table, "insurance_pct", where, Decimal(0)))
    if sum(fees) >= 100:
        raise ConfigError(f"{where}: admin_fee_pct + insurance_pct must stay below 100")
    overpayment = _text(table, "overpayment", where, "refuse")
    if overpayment not in OVERPAYMENT:
        raise ConfigError(f"{where}.overpayment {overpayment!r} must be one of {', '.join(OVERPAYMENT)}")
    return LoanProduct(
        code=code,
        name=_text(table, "name", where),
        method=method,
        rate_month_pct=rate,
        term_min_months=term_min,
        term_max_months=term_max,
        amount_min_rp=amount_min,
        amount_max_rp=amount_max,
        savings_multiple=multiple,
        admin_fee_pct=fees[0],
        insurance_pct=fees[1],
        fees_from_amount=_bool(table, "fees_from_amount", where, True),
        grace_months=grace,
        penalty_month_pct=_pct(table, "penalty_month_pct", where, Decimal(0)),
        overpayment=overpayment,
    )


def _classes(tables: list[Mapping[str, Any]]) -> tuple[LoanClass, ...]:
    if not tables:
        return DEFAULT_CLASSES
    found: list[LoanClass] = []
    for index, table in enumerate(tables):
        where = _where("loans.classes", index)
        _unknown(table, _CLASS_KEYS, where)
        code = _code(table, where)
        days = _int(table, "min_days", where)
        allowance = _pct(table, "allowance_pct", where)
        if allowance > 100:
            raise ConfigError(f"{where}.allowance_pct must be at most 100, got {allowance}")
        found.append(
            LoanClass(
                code=code,
                name=_text(table, "name", where, code),
                min_days=days,
                allowance_pct=allowance,
                problem=_bool(table, "problem", where, bool(found)),
            )
        )
    if found[0].min_days != 0:
        raise ConfigError("loans.classes: the first class must have min_days = 0 (loans not late)")
    starts = [c.min_days for c in found]
    if starts != sorted(set(starts)):
        raise ConfigError("loans.classes: min_days must rise strictly from one class to the next")
    if len({c.code for c in found}) != len(found):
        raise ConfigError("loans.classes: each class needs its own code")
    return tuple(found)


def parse(data: Mapping[str, Any] | None) -> LoanPolicy:
    """The ``[loans]`` table (``None``: the defaults: one open loan, the ketua decides, no products)."""
    table = data or {}
    if not isinstance(table, Mapping):
        raise ConfigError("[loans] must be a table")
    _unknown(table, _LOANS_KEYS, "[loans]")
    deciders_raw = table.get("deciders", ["ketua"])
    if (
        not isinstance(deciders_raw, list)
        or not deciders_raw
        or not all(isinstance(r, str) and r in DECIDER_ROLES for r in deciders_raw)
    ):
        roles = ", ".join(sorted(DECIDER_ROLES))
        raise ConfigError(f"loans.deciders must be a non-empty list of roles from {roles}")
    products = tuple(_product(t, i) for i, t in enumerate(_list(table, "products", "loans", MAX_PRODUCTS)))
    codes = [p.code for p in products]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise ConfigError(f"loans.products: the code(s) {', '.join(twice)} appear more than once")
    classes = _classes(_list(table, "classes", "loans", MAX_CLASSES))
    write_off_from = None
    if "write_off_from" in table:
        write_off_from = _text(table, "write_off_from", "loans")
        codes = [c.code for c in classes]
        if write_off_from not in codes:
            raise ConfigError(
                f"loans.write_off_from {write_off_from!r} must be one of the classes: {', '.join(codes)}"
            )
        if write_off_from == codes[0]:
            raise ConfigError(
                "loans.write_off_from must not be the first class: loans not late are never written off"
            )
    return LoanPolicy(
        one_open_loan=_bool(table, "one_open_loan", "[loans]", True),
        deciders=tuple(dict.fromkeys(deciders_raw)),
        products=products,
        classes=classes,
        write_off_from=write_off_from,
    )


DEFAULT_POLICY: Final = LoanPolicy(
    one_open_loan=True, deciders=("ketua",), products=(), classes=DEFAULT_CLASSES
)
