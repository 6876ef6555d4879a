"""The savings rules of the configuration: simpanan pokok (once, at joining) and simpanan wajib (every
month), with the history of the wajib amount as the members' meetings changed it. Pure: a mapping in,
frozen data out; every problem is a ``ConfigError`` naming the key and the fix (docs/config.md)::

    [savings]
    pokok_rp = 100000
    wajib_rp = 50000                  # from the first month on, unless the history says otherwise
    wajib_from = "2020-01"            # dues are counted from this month (or the member's joining month)

    [[savings.wajib_history]]         # the amount changed by a members' meeting (RAT), from a month on
    from = "2025-01"
    rp = 75000

    [[savings.berjangka]]             # a term-deposit product (simpanan berjangka)
    code = "B3"
    name = "Berjangka 3 bulan"
    term_months = 3
    rate_year_pct = 6                 # simple interest per year on the principal
    early_penalty_pct = 1             # taken from the principal on an early withdrawal (0: none)
    early_forfeit_interest = true     # an early withdrawal forfeits the interest accrued so far
    at_maturity = "payout"            # payout, rollover (interest paid), rollover_interest (interest added)

    [savings.shr]                     # simpanan hari raya: paid out before Idul Fitri
    payout_dates = ["2026-03-13"]
    [savings.smsk]                    # SMSK: saved through the year, paid out on its own dates
    payout_dates = ["2026-07-01"]

and the accounts berjangka interest uses (``interest_expense``, ``interest_payable``, ``penalty_income``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from central.errors import ConfigError

MONTH_RE: Final = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_HISTORY: Final = 120
MAX_RP: Final = 10**10
_KEYS: Final = frozenset(
    {
        "pokok_rp",
        "wajib_rp",
        "wajib_from",
        "wajib_history",
        "berjangka",
        "shr",
        "smsk",
        "interest_expense",
        "interest_payable",
        "penalty_income",
    }
)
_PRODUCT_KEYS: Final = frozenset(
    {
        "code",
        "name",
        "term_months",
        "rate_year_pct",
        "early_penalty_pct",
        "early_forfeit_interest",
        "at_maturity",
    }
)
AT_MATURITY: Final = ("payout", "rollover", "rollover_interest")
MAX_PRODUCTS: Final = 50
MAX_TERM_MONTHS: Final = 120
MAX_RATE_PCT: Final = Decimal(100)
MAX_PAYOUT_DATES: Final = 100
HOLIDAY_PRODUCTS: Final = ("shr", "smsk")
CODE_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
ACCOUNT_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
DEFAULT_ACCOUNTS: Final = {"interest_expense": "5711", "interest_payable": "2111", "penalty_income": "4511"}
_HISTORY_KEYS: Final = frozenset({"from", "rp"})


def month_index(text: str) -> int:
    """``YYYY-MM`` as a number of months (so months compare and subtract)."""
    found = MONTH_RE.match(text)
    if found is None:
        raise ValueError(text)
    return int(found.group(1)) * 12 + int(found.group(2)) - 1


def month_text(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


@dataclass(frozen=True)
class DepositProduct:
    """A term-deposit product (simpanan berjangka): term, simple interest per year, the early-withdrawal
    rule (a penalty on the principal, the accrued interest forfeited, or both) and what maturity does."""

    code: str
    name: str
    term_months: int
    rate_year_pct: Decimal
    early_penalty_pct: Decimal = Decimal(0)
    early_forfeit_interest: bool = False
    at_maturity: str = "payout"


@dataclass(frozen=True)
class SavingsPolicy:
    """Pokok and wajib amounts; ``wajib`` holds (first month index, rupiah) steps in month order. The
    term-deposit products, the payout dates of SHR and SMSK, and the accounts of term-deposit interest."""

    pokok_rp: int
    wajib: tuple[tuple[int, int], ...]
    wajib_from: int
    berjangka: tuple[DepositProduct, ...] = ()
    payout_dates: tuple[tuple[str, tuple[date, ...]], ...] = ()  # (shr or smsk, dates in order)
    interest_expense: str = DEFAULT_ACCOUNTS["interest_expense"]
    interest_payable: str = DEFAULT_ACCOUNTS["interest_payable"]
    penalty_income: str = DEFAULT_ACCOUNTS["penalty_income"]

    def product(self, code: str) -> DepositProduct | None:
        """The term-deposit product ``code``, or None."""
        for product in self.berjangka:
            if product.code == code:
                return product
        return None

    def payouts(self, product: str) -> tuple[date, ...]:
        """The configured payout dates of ``shr`` or ``smsk``, earliest first (empty when none)."""
        for name, dates in self.payout_dates:
            if name == product:
                return dates
        return ()

    def wajib_rp(self, month: int) -> int:
        """The wajib amount of month ``month`` (a ``month_index``); 0 before the dues start."""
        if month < self.wajib_from:
            return 0
        amount = 0
        for start, rp in self.wajib:
            if start <= month:
                amount = rp
        return amount


def _rp(table: Mapping[str, Any], key: str, where: str, default: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RP:
        raise ConfigError(f"{where}.{key} must be whole rupiah from 0 to {MAX_RP}, got {value!r}")
    return int(value)


def _month(table: Mapping[str, Any], key: str, where: str, default: str) -> int:
    value = table.get(key, default)
    if not isinstance(value, str) or MONTH_RE.match(value) is None:
        raise ConfigError(f'{where}.{key} must be a month like "2025-01", got {value!r}')
    return month_index(value)


def parse(data: Mapping[str, Any] | None) -> SavingsPolicy:
    """The ``[savings]`` table (``None``: no dues: pokok and wajib 0)."""
    table = data or {}
    if not isinstance(table, Mapping):
        raise ConfigError("[savings] must be a table")
    extra = sorted(set(table) - _KEYS)
    if extra:
        raise ConfigError(f"unknown key(s) in [savings]: {', '.join(extra)}; see docs/config.md for the keys")
    start = _month(table, "wajib_from", "savings", "2000-01")
    steps = [(start, _rp(table, "wajib_rp", "savings", 0))]
    history = table.get("wajib_history", [])
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise ConfigError("savings.wajib_history must be a list of tables ([[savings.wajib_history]])")
    if len(history) > MAX_HISTORY:
        raise ConfigError(f"savings.wajib_history has {len(history)} entries; at most {MAX_HISTORY}")
    for index, step in enumerate(history):
        where = f"savings.wajib_history[{index}]"
        extra = sorted(set(step) - _HISTORY_KEYS)
        if extra:
            raise ConfigError(f"unknown key(s) in {where}: {', '.join(extra)}; the keys are from and rp")
        if "from" not in step or "rp" not in step:
            raise ConfigError(f'{where} needs both from (a month like "2025-01") and rp')
        steps.append((_month(step, "from", where, ""), _rp(step, "rp", where, 0)))
    months = [m for m, _ in steps[1:]]
    if months != sorted(set(months)) or (months and months[0] <= start):
        raise ConfigError(
            "savings.wajib_history: the months must rise, each after wajib_from, one change per month"
        )
    accounts = {key: _account(table, key, default) for key, default in DEFAULT_ACCOUNTS.items()}
    if len(set(accounts.values())) != len(accounts):
        raise ConfigError(
            "savings.interest_expense, interest_payable and penalty_income must be three different accounts"
        )
    return SavingsPolicy(
        pokok_rp=_rp(table, "pokok_rp", "savings", 0),
        wajib=tuple(steps),
        wajib_from=start,
        berjangka=_products(table.get("berjangka", [])),
        payout_dates=tuple((name, _payouts(table.get(name), name)) for name in HOLIDAY_PRODUCTS),
        **accounts,
    )


def _account(table: Mapping[str, Any], key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or ACCOUNT_RE.match(value) is None:
        raise ConfigError(f'savings.{key} must be an account code like "{default}", got {value!r}')
    return value


def _pct(table: Mapping[str, Any], key: str, where: str, default: object) -> Decimal:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{where}.{key} must be a percentage such as 6 or 7.5, got {value!r}")
    try:
        pct = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{where}.{key} must be a percentage such as 6 or 7.5, got {value!r}") from None
    if not pct.is_finite() or not Decimal(0) <= pct <= MAX_RATE_PCT:
        raise ConfigError(f"{where}.{key} must be from 0 to {MAX_RATE_PCT}, got {value!r}")
    return pct


def _products(items: Any) -> tuple[DepositProduct, ...]:
    """``[[savings.berjangka]]``: each product checked, codes unique."""
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise ConfigError("savings.berjangka must be a list of tables ([[savings.berjangka]])")
    if len(items) > MAX_PRODUCTS:
        raise ConfigError(f"savings.berjangka has {len(items)} products; at most {MAX_PRODUCTS}")
    products: list[DepositProduct] = []
    for index, item in enumerate(items):
        where = f"savings.berjangka[{index}]"
        extra = sorted(set(item) - _PRODUCT_KEYS)
        if extra:
            raise ConfigError(
                f"unknown key(s) in {where}: {', '.join(extra)}; "
                f"the keys are {', '.join(sorted(_PRODUCT_KEYS))}"
            )
        code = item.get("code")
        if not isinstance(code, str) or CODE_RE.match(code) is None:
            raise ConfigError(
                f'{where}.code must be a short code like "B3" (letters, digits, - _ .), got {code!r}'
            )
        where = f"savings.berjangka {code}"
        if any(p.code == code for p in products):
            raise ConfigError(f"{where}: the code is used twice; give each product its own")
        name = item.get("name", code)
        if not isinstance(name, str) or not name.strip() or len(name) > 80:
            raise ConfigError(f"{where}.name must be text of 1 to 80 characters, got {name!r}")
        term = item.get("term_months")
        if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= MAX_TERM_MONTHS:
            raise ConfigError(
                f"{where}.term_months must be whole months from 1 to {MAX_TERM_MONTHS}, got {term!r}"
            )
        if "rate_year_pct" not in item:
            raise ConfigError(f"{where}.rate_year_pct is missing: the interest per year, e.g. 6")
        forfeit = item.get("early_forfeit_interest", False)
        if not isinstance(forfeit, bool):
            raise ConfigError(f"{where}.early_forfeit_interest must be true or false, got {forfeit!r}")
        at_maturity = item.get("at_maturity", "payout")
        if at_maturity not in AT_MATURITY:
            raise ConfigError(
                f"{where}.at_maturity must be one of {', '.join(AT_MATURITY)}, got {at_maturity!r}"
            )
        products.append(
            DepositProduct(
                code=code,
                name=name.strip(),
                term_months=term,
                rate_year_pct=_pct(item, "rate_year_pct", where, 0),
                early_penalty_pct=_pct(item, "early_penalty_pct", where, 0),
                early_forfeit_interest=forfeit,
                at_maturity=at_maturity,
            )
        )
    return tuple(products)


def _payouts(table: Any, name: str) -> tuple[date, ...]:
    """``[savings.shr]`` / ``[savings.smsk]``: ``payout_dates``, a list of ISO dates, rising."""
    if table is None:
        return ()
    where = f"savings.{name}"
    if not isinstance(table, dict):
        raise ConfigError(f"[{where}] must be a table with payout_dates")
    extra = sorted(set(table) - {"payout_dates"})
    if extra:
        raise ConfigError(f"unknown key(s) in [{where}]: {', '.join(extra)}; the key is payout_dates")
    dates = table.get("payout_dates", [])
    if not isinstance(dates, list) or len(dates) > MAX_PAYOUT_DATES:
        raise ConfigError(
            f'{where}.payout_dates must be a list of dates like ["2026-03-13"] (at most {MAX_PAYOUT_DATES})'
        )
    found: list[date] = []
    for value in dates:
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(f'{where}.payout_dates: {value!r} is not a date like "2026-03-13"') from None
        found.append(day)
    if found != sorted(set(found)) or len({d.year for d in found}) != len(found):
        raise ConfigError(f"{where}.payout_dates must rise, one date a year")
    return tuple(found)


DEFAULT_SAVINGS: Final = SavingsPolicy(pokok_rp=0, wajib=((month_index("2000-01"), 0),), wajib_from=24000)
