"""The cooperative's configuration: units, chart of accounts, posting accounts, point rules, SHU allocation.

``load(path)`` reads a TOML file, ``default()`` the defaults (``central/default.toml``), ``parse``
validates a plain mapping. Every problem is a ``ConfigError`` naming the key and how to fix it. A file only
needs the top-level keys it changes: missing ones take the default.
"""

from __future__ import annotations

import json
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, Final

from central.accounts import (
    ASSET,
    EQUITY,
    EXPENSE,
    LIABILITY,
    REVENUE,
    TYPES,
    Account,
    PostingAccounts,
    UnitAccounts,
)
from central.errors import ConfigError
from central.loanrules import DEFAULT_POLICY, LoanPolicy
from central.loanrules import parse as parse_loans
from central.notifyrules import DEFAULT_NOTIFY, NotifyPolicy
from central.notifyrules import parse as parse_notify
from central.savingsrules import DEFAULT_SAVINGS, SavingsPolicy
from central.savingsrules import parse as parse_savings
from central.stockrules import DEFAULT_STOCK, StockPolicy
from central.stockrules import parse as parse_stock
from sync.envelope import SAVINGS_PRODUCTS

CODE_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
SAVINGS_LOAN_UNIT: Final = "simpan-pinjam"
# Savings products that are the members' capital (equity); the others are owed back to members (liabilities).
EQUITY_SAVINGS: Final = frozenset({"pokok", "wajib"})
BASES: Final = ("margin", "amount", "held", "saved", "interest")
SHU_METHODS: Final = ("points", "classic")
MAX_UNITS: Final = 50
MAX_ACCOUNTS: Final = 1000

_TOP_KEYS: Final = frozenset(
    {
        "name",
        "coop",
        "timezone",
        "default_credit_limit_rp",
        "loan_term_months",
        "units",
        "accounts",
        "posting",
        "points",
        "shu",
        "loans",
        "savings",
        "stock",
        "notify",
        "board_activity",  # read by central.boardactivity.rules (points per kind of board report)
    }
)


@dataclass(frozen=True)
class Unit:
    """A business unit (unit usaha); ``accounts`` is None for a unit that sells nothing (simpan-pinjam)."""

    code: str
    name: str
    participant: bool
    accounts: UnitAccounts | None


@dataclass(frozen=True)
class PointRule:
    """One active-point rule (seed 004): ``rp_per_point`` rupiah of ``basis`` in ``unit`` give one point."""

    unit: str
    basis: str
    rp_per_point: int
    payment: str | None = None
    product: str | None = None
    months: int | None = None


@dataclass(frozen=True)
class PassiveRule:
    """Passive points from the simpanan wajib balance (seed 004), with its cliff at ``threshold_rp``."""

    threshold_rp: int
    below_rp_per_point: int
    above_base_rp_per_point: int
    above_rest_rp_per_point: int


@dataclass(frozen=True)
class ShuShare:
    """One slice of the year's SHU as the AD/ART sets it."""

    key: str
    name: str
    percent: Decimal


@dataclass(frozen=True)
class Config:
    """The validated configuration. ``raw`` is the merged mapping it was built from (stored in the ledger)."""

    name: str
    coop: str
    timezone: str
    default_credit_limit_rp: int
    loan_term_months: int
    units: tuple[Unit, ...]
    chart: tuple[Account, ...]
    posting: PostingAccounts
    point_rules: tuple[PointRule, ...]
    passive: PassiveRule
    bonus_rp_per_point: int
    shu_method: str
    shu_board_max_percent: Decimal
    shu_shares: tuple[ShuShare, ...]
    raw: Mapping[str, Any]
    # [posting] payables: the liability a credit purchase of stock is owed on (utang usaha). Optional so that
    # configs written before purchases still load; a credit purchase is then refused, naming this key.
    payables: str | None = None
    # [posting] opening: the equity account opening balances are brought in against (saldo awal, ekuitas
    # pembukaan). Optional like payables; an opening import is then refused, naming this key.
    opening: str | None = None
    # [posting] allowance, allowance_expense, recovery_income: the loan allowance (PPAP, a contra-asset: an
    # asset account with a credit balance), its expense, and the income of recoveries on written-off loans.
    # Optional like payables; the allowance, write-off and recovery commands then refuse, naming the key.
    allowance: str | None = None
    allowance_expense: str | None = None
    recovery_income: str | None = None
    # [posting] loan_fee_income, insurance_payable: the income of a loan's administration fee and the
    # insurance premium owed to the insurer, both taken when a loan is paid out (central.office.lending).
    # Optional like payables; paying out a loan of a product with such a fee is then refused, naming the key.
    loan_fee_income: str | None = None
    insurance_payable: str | None = None
    # [posting] cash_difference: where a difference of a clerk's cash hand-in is booked (selisih kas; an
    # expense or revenue account), when the treasurer confirms receipt (central.handins). Optional like
    # payables; a confirmation with a difference is then refused, naming the key.
    cash_difference: str | None = None
    # [loans]: loan products, the one-open-loan rule, who decides, collectibility classes (central.loanrules).
    loans: LoanPolicy = DEFAULT_POLICY
    # [savings]: pokok once at joining, wajib every month with its history (central.savingsrules).
    savings: SavingsPolicy = DEFAULT_SAVINGS
    # [stock]: velocity window, reorder lead time, minimums, count approvers, accounts (central.stockrules).
    stock: StockPolicy = DEFAULT_STOCK
    # [notify]: SMS campaigns, quiet hours, daily cap, retry backoff (central.notifyrules, docs/notify.md).
    notify: NotifyPolicy = DEFAULT_NOTIFY

    def unit(self, code: str) -> Unit | None:
        """The unit with this code, or None."""
        for unit in self.units:
            if unit.code == code:
                return unit
        return None

    def account(self, code: str) -> Account | None:
        """The account with this code, or None."""
        for account in self.chart:
            if account.code == code:
                return account
        return None

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The cooperative's time zone; periods and dates are in it."""
        return zoneinfo.ZoneInfo(self.timezone)

    def to_json(self) -> str:
        """The raw mapping as JSON, the form the ledger stores; ``from_json`` reads it back."""
        return json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)


def _default_raw() -> dict[str, Any]:
    text = resources.files("central").joinpath("default.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def default() -> Config:
    """DOMAIN.md defaults: toko, cafe, fotokopi, kiostel, simpan-pinjam, and the non-participant isi-ulang."""
    return parse(_default_raw())


def load(path: str | Path) -> Config:
    """Read and validate a TOML config; keys it leaves out take the default."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConfigError(f"config file {file} does not exist; give the path of a .toml file") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"config file {file} cannot be read: {err}") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{file} is not valid TOML: {err}") from err
    try:
        return parse(merge_over_defaults(_default_raw(), data))
    except ConfigError as err:
        raise ConfigError(f"{file}: {err}") from err


def merge_over_defaults(defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` over ``defaults``: a table (``[shu]``, ``[posting]``, ``[points.bonus]``) keeps every key
    it leaves out; anything else, arrays of tables (``[[units]]``, ``[[shu.shares]]``) included, replaces
    the default as a whole."""
    merged = dict(defaults)
    for key, value in given.items():
        base = merged.get(key)
        if isinstance(value, dict) and isinstance(base, dict):
            merged[key] = merge_over_defaults(base, value)
        else:
            merged[key] = value
    return merged


def from_json(text: str) -> Config:
    """The config the ledger stored with ``Config.to_json``."""
    return parse(json.loads(text))


def _get(table: Mapping[str, Any], key: str, kind: type, where: str, default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise ConfigError(f"{where}.{key} is missing; add it")
        return default
    value = table[key]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{where}.{key} must be a whole number, got {value!r}")
    if kind is not int and not isinstance(value, kind):
        raise ConfigError(f"{where}.{key} must be {kind.__name__}, got {value!r}")
    return value


def _code(table: Mapping[str, Any], key: str, where: str) -> str:
    value = _get(table, key, str, where)
    if not CODE_RE.match(value):
        raise ConfigError(f"{where}.{key} {value!r} must be a code of letters, digits, '.', '_' or '-'")
    return str(value)


def _tables(data: Mapping[str, Any], key: str, where: str, limit: int) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(f"{where}{key} must be a list of tables ([[{key}]])")
    if len(value) > limit:
        raise ConfigError(f"{where}{key} has {len(value)} entries, at most {limit} are allowed")
    return value


def _unknown(table: Mapping[str, Any], allowed: frozenset[str] | set[str], where: str) -> None:
    extra = sorted(set(table) - set(allowed))
    if extra:
        raise ConfigError(f"unknown key(s) in {where}: {', '.join(extra)}; see docs/config.md for the keys")


def parse(data: Mapping[str, Any]) -> Config:
    """Validate a mapping (the TOML document) into a ``Config``."""
    _unknown(data, _TOP_KEYS, "the top level")
    name = _get(data, "name", str, "config")
    coop = _code(data, "coop", "config")
    timezone = _get(data, "timezone", str, "config")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"timezone {timezone!r} is not a known time zone; use e.g. 'Asia/Jakarta'") from err
    credit = _get(data, "default_credit_limit_rp", int, "config")
    if credit < 0:
        raise ConfigError("default_credit_limit_rp must be 0 or more rupiah")
    term = _get(data, "loan_term_months", int, "config")
    if not 1 <= term <= 360:
        raise ConfigError("loan_term_months must be between 1 and 360")

    chart = _parse_chart(data)
    codes = {a.code: a for a in chart}
    units = _parse_units(data, codes)
    unit_codes = {u.code for u in units}
    for account in chart:
        if account.unit is not None and account.unit not in unit_codes:
            raise ConfigError(
                f"account {account.code} names unit {account.unit!r}, which is not in [[units]]"
            )
    posting = _parse_posting(data, codes)
    payables = _parse_payables(data, codes)
    opening = _parse_opening(data, codes)
    allowance, allowance_expense, recovery_income = _parse_allowance(data, codes)
    loan_fee_income, insurance_payable = _parse_loan_fees(data, codes)
    cash_difference = _parse_cash_difference(data, codes)
    rules, passive, bonus = _parse_points(data, unit_codes)
    method, board_max, shares = _parse_shu(data)
    loans = parse_loans(data.get("loans"))
    savings = parse_savings(data.get("savings"))
    stock = _parse_stock(data, codes)
    notify = parse_notify(data.get("notify"))
    return Config(
        name=name,
        coop=coop,
        timezone=timezone,
        default_credit_limit_rp=credit,
        loan_term_months=term,
        units=units,
        chart=chart,
        posting=posting,
        point_rules=rules,
        passive=passive,
        bonus_rp_per_point=bonus,
        shu_method=method,
        shu_board_max_percent=board_max,
        shu_shares=shares,
        raw=dict(data),
        payables=payables,
        opening=opening,
        allowance=allowance,
        allowance_expense=allowance_expense,
        recovery_income=recovery_income,
        loan_fee_income=loan_fee_income,
        insurance_payable=insurance_payable,
        cash_difference=cash_difference,
        loans=loans,
        savings=savings,
        stock=stock,
        notify=notify,
    )


def _parse_chart(data: Mapping[str, Any]) -> tuple[Account, ...]:
    accounts: dict[str, Account] = {}
    for number, table in enumerate(_tables(data, "accounts", "", MAX_ACCOUNTS), start=1):
        where = f"accounts[{number}]"
        _unknown(table, {"code", "name", "type", "unit"}, where)
        code = _code(table, "code", where)
        kind = _get(table, "type", str, where)
        if kind not in TYPES:
            raise ConfigError(f"{where}.type {kind!r} must be one of {', '.join(TYPES)}")
        unit = table.get("unit")
        if unit is not None and not isinstance(unit, str):
            raise ConfigError(f"{where}.unit must be a unit code")
        if code in accounts:
            raise ConfigError(f"account code {code} appears twice in [[accounts]]; codes must be unique")
        accounts[code] = Account(code, _get(table, "name", str, where), kind, unit)
    if not accounts:
        raise ConfigError("[[accounts]] is empty; a ledger needs a chart of accounts")
    return tuple(sorted(accounts.values(), key=lambda a: a.code))


def _need(codes: Mapping[str, Account], code: str, types: tuple[str, ...], what: str) -> str:
    account = codes.get(code)
    if account is None:
        raise ConfigError(f"{what} names account {code!r}, which is not in [[accounts]]")
    if account.type not in types:
        raise ConfigError(f"{what} account {code} is {account.type}, it must be {' or '.join(types)}")
    return code


def _parse_units(data: Mapping[str, Any], codes: Mapping[str, Account]) -> tuple[Unit, ...]:
    units: dict[str, Unit] = {}
    for number, table in enumerate(_tables(data, "units", "", MAX_UNITS), start=1):
        where = f"units[{number}]"
        _unknown(
            table, {"code", "name", "participant", "revenue_member", "revenue_non_member", "cogs"}, where
        )
        code = _code(table, "code", where)
        if code in units:
            raise ConfigError(f"unit {code} appears twice in [[units]]")
        keys = ("revenue_member", "revenue_non_member", "cogs")
        present = [k for k in keys if k in table]
        if present and len(present) != len(keys):
            raise ConfigError(
                f"unit {code} needs all of revenue_member, revenue_non_member and cogs, or none"
            )
        accounts = None
        if present:
            accounts = UnitAccounts(
                _need(
                    codes, _code(table, "revenue_member", where), (REVENUE,), f"unit {code} revenue_member"
                ),
                _need(
                    codes,
                    _code(table, "revenue_non_member", where),
                    (REVENUE,),
                    f"unit {code} revenue_non_member",
                ),
                _need(codes, _code(table, "cogs", where), (EXPENSE,), f"unit {code} cogs"),
            )
        units[code] = Unit(
            code, _get(table, "name", str, where), _get(table, "participant", bool, where), accounts
        )
    if SAVINGS_LOAN_UNIT not in units:
        raise ConfigError(
            f"[[units]] must include the {SAVINGS_LOAN_UNIT} unit (savings and loans post there)"
        )
    if not any(u.accounts for u in units.values()):
        raise ConfigError("no unit in [[units]] has revenue accounts; at least one unit must sell")
    return tuple(units.values())


def _parse_posting(data: Mapping[str, Any], codes: Mapping[str, Account]) -> PostingAccounts:
    table = data.get("posting")
    if not isinstance(table, dict):
        raise ConfigError("[posting] is missing; it names the cash, receivable, loans, inventory accounts")
    _unknown(
        table,
        {
            "cash",
            "receivable",
            "loans",
            "inventory",
            "interest_income",
            "payables",
            "opening",
            "allowance",
            "allowance_expense",
            "recovery_income",
            "loan_fee_income",
            "insurance_payable",
            "cash_difference",
            "savings",
        },
        "[posting]",
    )
    savings_table = table.get("savings")
    if not isinstance(savings_table, dict):
        raise ConfigError("[posting.savings] is missing; it names one account per savings product")
    _unknown(savings_table, set(SAVINGS_PRODUCTS), "[posting.savings]")
    savings = []
    for product in SAVINGS_PRODUCTS:
        code = _code(savings_table, product, "posting.savings")
        kind = (EQUITY,) if product in EQUITY_SAVINGS else (LIABILITY,)
        savings.append((product, _need(codes, code, kind, f"savings {product}")))
    return PostingAccounts(
        cash=_need(codes, _code(table, "cash", "posting"), (ASSET,), "posting.cash"),
        receivable=_need(codes, _code(table, "receivable", "posting"), (ASSET,), "posting.receivable"),
        loans=_need(codes, _code(table, "loans", "posting"), (ASSET,), "posting.loans"),
        inventory=_need(codes, _code(table, "inventory", "posting"), (ASSET,), "posting.inventory"),
        interest_income=_need(
            codes, _code(table, "interest_income", "posting"), (REVENUE,), "posting.interest_income"
        ),
        savings=tuple(savings),
    )


def _parse_payables(data: Mapping[str, Any], codes: Mapping[str, Account]) -> str | None:
    """``[posting] payables``, the supplier liability of credit purchases, or None when left out."""
    table = data["posting"]  # _parse_posting has checked it is a table
    if "payables" not in table:
        return None
    return _need(codes, _code(table, "payables", "posting"), (LIABILITY,), "posting.payables")


def _parse_opening(data: Mapping[str, Any], codes: Mapping[str, Account]) -> str | None:
    """``[posting] opening``, the opening balance equity account, or None when left out."""
    table = data["posting"]
    if "opening" not in table:
        return None
    return _need(codes, _code(table, "opening", "posting"), (EQUITY,), "posting.opening")


def _parse_allowance(
    data: Mapping[str, Any], codes: Mapping[str, Account]
) -> tuple[str | None, str | None, str | None]:
    """``[posting] allowance`` (asset, held at a credit balance: contra-asset), ``allowance_expense``
    (expense) and ``recovery_income`` (revenue), each None when left out."""
    table = data["posting"]
    wanted = (("allowance", ASSET), ("allowance_expense", EXPENSE), ("recovery_income", REVENUE))
    found = [
        _need(codes, _code(table, key, "posting"), (kind,), f"posting.{key}") if key in table else None
        for key, kind in wanted
    ]
    taken = {table.get(k) for k in ("cash", "receivable", "loans", "inventory", "interest_income")}
    for (key, _), code in zip(wanted, found, strict=True):
        if code is not None and code in taken:
            raise ConfigError(
                f"posting.{key} {code!r} is already used by another [posting] key; give it its own"
            )
    return found[0], found[1], found[2]


def _parse_loan_fees(data: Mapping[str, Any], codes: Mapping[str, Account]) -> tuple[str | None, str | None]:
    """``[posting] loan_fee_income`` (revenue) and ``insurance_payable`` (liability), each None when left
    out."""
    table = data["posting"]
    wanted = (("loan_fee_income", REVENUE), ("insurance_payable", LIABILITY))
    found = [
        _need(codes, _code(table, key, "posting"), (kind,), f"posting.{key}") if key in table else None
        for key, kind in wanted
    ]
    taken = {table.get(k) for k in ("cash", "receivable", "loans", "inventory", "interest_income")}
    for (key, _), code in zip(wanted, found, strict=True):
        if code is not None and code in taken:
            raise ConfigError(
                f"posting.{key} {code!r} is already used by another [posting] key; give it its own"
            )
    return found[0], found[1]


def _parse_cash_difference(data: Mapping[str, Any], codes: Mapping[str, Account]) -> str | None:
    """``[posting] cash_difference`` (an expense or revenue account, its own), or None when left out."""
    table = data["posting"]
    if "cash_difference" not in table:
        return None
    code = _need(
        codes, _code(table, "cash_difference", "posting"), (EXPENSE, REVENUE), "posting.cash_difference"
    )
    if code in {table.get(k) for k in ("cash", "receivable", "loans", "inventory", "interest_income")}:
        raise ConfigError(f"posting.cash_difference {code!r} is already used by another [posting] key")
    return code


def _parse_stock(data: Mapping[str, Any], codes: Mapping[str, Account]) -> StockPolicy:
    """``[stock]``; its two accounts, when the chart has them, must be an expense and a revenue (a chart
    without them still loads: a count's posting is then refused, naming the key)."""
    policy = parse_stock(data.get("stock"))
    for key, kind in (("shrinkage_expense", EXPENSE), ("surplus_income", REVENUE)):
        code = getattr(policy, key)
        if code in codes:
            _need(codes, code, (kind,), f"stock.{key}")
    return policy


def _positive(table: Mapping[str, Any], key: str, where: str) -> int:
    value = int(_get(table, key, int, where))
    if value <= 0:
        raise ConfigError(f"{where}.{key} must be above 0")
    return value


def _parse_points(
    data: Mapping[str, Any], unit_codes: set[str]
) -> tuple[tuple[PointRule, ...], PassiveRule, int]:
    # [points] may carry keys for the points engine beyond these; they are kept in ``raw``.
    table = data.get("points", {})
    if not isinstance(table, dict):
        raise ConfigError("[points] must be a table")
    rules = []
    for number, rule in enumerate(_tables(table, "rules", "points.", 100), start=1):
        where = f"points.rules[{number}]"
        _unknown(rule, {"unit", "basis", "rp_per_point", "payment", "product", "months"}, where)
        unit = _code(rule, "unit", where)
        if unit not in unit_codes:
            raise ConfigError(f"{where}.unit {unit!r} is not in [[units]]")
        basis = _get(rule, "basis", str, where)
        if basis not in BASES:
            raise ConfigError(f"{where}.basis {basis!r} must be one of {', '.join(BASES)}")
        payment = _get(rule, "payment", str, where, None)
        if payment not in (None, "cash", "credit"):
            raise ConfigError(f"{where}.payment must be 'cash' or 'credit'")
        product = _get(rule, "product", str, where, None)
        if product is not None and product not in SAVINGS_PRODUCTS:
            raise ConfigError(f"{where}.product must be one of {', '.join(SAVINGS_PRODUCTS)}")
        months = _get(rule, "months", int, where, None)
        rules.append(PointRule(unit, basis, _positive(rule, "rp_per_point", where), payment, product, months))
    passive_table = table.get("passive", {})
    if not isinstance(passive_table, dict):
        raise ConfigError("[points.passive] must be a table")
    keys = ("threshold_rp", "below_rp_per_point", "above_base_rp_per_point", "above_rest_rp_per_point")
    passive = PassiveRule(*(_positive(passive_table, key, "points.passive") for key in keys))
    bonus_table = table.get("bonus", {})
    if not isinstance(bonus_table, dict):
        raise ConfigError("[points.bonus] must be a table")
    bonus = _positive(bonus_table, "rp_per_point", "points.bonus")
    return tuple(rules), passive, bonus


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{where} must be a number")
    try:
        result = Decimal(str(value))
    except InvalidOperation as err:
        raise ConfigError(f"{where} {value!r} is not a number") from err
    if not result.is_finite() or result < 0 or result > 100:
        raise ConfigError(f"{where} must be a percentage between 0 and 100")
    return result


def _parse_shu(data: Mapping[str, Any]) -> tuple[str, Decimal, tuple[ShuShare, ...]]:
    table = data.get("shu", {})
    if not isinstance(table, dict):
        raise ConfigError("[shu] must be a table")
    method = _get(table, "method", str, "shu")
    if method not in SHU_METHODS:
        raise ConfigError(f"shu.method {method!r} must be one of {', '.join(SHU_METHODS)}")
    board_max = _decimal(table.get("board_max_percent", 5), "shu.board_max_percent")
    shares = []
    seen: set[str] = set()
    for number, share in enumerate(_tables(table, "shares", "shu.", 50), start=1):
        where = f"shu.shares[{number}]"
        key = _code(share, "key", where)
        if key in seen:
            raise ConfigError(f"shu share {key!r} appears twice")
        seen.add(key)
        shares.append(ShuShare(key, _get(share, "name", str, where), _decimal(share.get("percent"), where)))
    if shares and sum(s.percent for s in shares) != 100:
        total = sum(s.percent for s in shares)
        raise ConfigError(f"[[shu.shares]] percentages add up to {total}, they must add up to exactly 100")
    board = [s for s in shares if s.key == "pengurus"]
    if board and board[0].percent > board_max:
        raise ConfigError(
            f"the board fund (pengurus) is {board[0].percent}% but shu.board_max_percent allows {board_max}%"
        )
    return method, board_max, tuple(shares)
