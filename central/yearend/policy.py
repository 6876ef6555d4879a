"""The year-end's policies from the config (point rules, SHU funds and accounts), its limits and errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from central.accounts import EQUITY, LIABILITY
from central.config import Config
from central.yearend.points import (
    PassiveBracket,
    PointPolicy,
    PointRule,
    RuleError,
    Tier,
)
from central.yearend.points import validate_policy as validate_point_policy
from central.yearend.shu import (
    Fund,
    ShuPolicy,
    parse_percent,
)
from central.yearend.shu import validate_policy as validate_shu_policy

if TYPE_CHECKING:
    pass


BOARD_ROLES: Final = ("ketua", "sekretaris", "bendahara", "pengurus")
# One activity record scores 1..MAX_ACTIVITY_SCORE; a year holds at most MAX_ACTIVITY_ROWS records.
MAX_ACTIVITY_SCORE: Final = 1_000
MAX_ACTIVITY_ROWS: Final = 100_000
MAX_REASON: Final = 200
MAX_NOTE: Final = 200
MAX_BY: Final = 80
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 9999
# PostgreSQL memory per hash aggregate/join while a year is aggregated (SET LOCAL, that transaction only).
AGGREGATE_WORK_MEM_MB: Final = 128
# Rows fetched per batch from the big grouped scan.
FETCH_BATCH: Final = 20_000
# Journal rows are written in batches of this many.
JOURNAL_BATCH: Final = 5_000
# The journal ``unit`` of year-end entries (they belong to no business unit).
YEAREND_UNIT: Final = "shu"


# Accounts the allocation posts to, by fund key; the config's [shu.accounts] may change them.
DEFAULT_SHU_ACCOUNTS: Final = {
    "surplus": ("3301", "SHU tahun berjalan (ikhtisar)", EQUITY),
    "cadangan": ("3201", "Cadangan", EQUITY),
    "anggota": ("2201", "Utang SHU anggota", LIABILITY),
    "pengurus": ("2202", "Dana pengurus", LIABILITY),
    "karyawan": ("2203", "Dana karyawan", LIABILITY),
    "pendidikan": ("2204", "Dana pendidikan", LIABILITY),
    "sosial": ("2205", "Dana sosial", LIABILITY),
    "pembangunan": ("2206", "Dana pembangunan daerah kerja", LIABILITY),
}

# -- errors -------------------------------------------------------------------------------------------


class YearAlreadyClosed(RuleError):
    """The year is closed; reopen it first."""


class YearNotClosed(RuleError):
    """Reopening a year that is not closed."""


class YearNotOver(RuleError):
    """Closing a year before its last day."""


class YearBusy(RuleError):
    """The year's books kept changing while its SHU was computed; nothing was closed."""


class ShuAccountMissing(RuleError):
    """The chart of accounts lacks an account the allocation posts to, or it has the wrong type."""


class BadYearendInput(RuleError):
    """A year, reason, score or member given to a year-end command is invalid."""


# -- policies from the config -------------------------------------------------------------------------


def _rule_key(unit: str, basis: str, payment: str | None, product: str | None) -> str:
    if basis == "interest":
        return "bunga"
    if product:
        return product
    return f"{unit}-{payment}" if payment else unit


def point_policy(config: Config) -> PointPolicy:
    """The points policy of the cooperative's config (``[points]``; docs/points-and-shu.md)."""
    rules = []
    term_months = 3
    for r in config.point_rules:
        key = _rule_key(r.unit, r.basis, r.payment, r.product)
        if r.basis in ("margin", "amount"):
            rules.append(PointRule(key, "sale", r.unit, r.rp_per_point, basis=r.basis, payment=r.payment))
        elif r.basis == "saved":
            rules.append(PointRule(key, "savings", r.product or "", r.rp_per_point))
        elif r.basis == "interest":
            rules.append(PointRule(key, "interest", r.unit, r.rp_per_point))
        else:  # held
            rules.append(PointRule(key, "term_deposit", r.product or "berjangka", r.rp_per_point))
            term_months = r.months or term_months
    raw_points = config.raw.get("points", {}) if isinstance(config.raw.get("points"), dict) else {}
    passive_raw = raw_points.get("passive", {}) if isinstance(raw_points.get("passive"), dict) else {}
    if "brackets" in passive_raw:
        passive = _brackets(passive_raw["brackets"])
    else:
        p = config.passive
        passive = (
            PassiveBracket(p.threshold_rp, (Tier(None, p.below_rp_per_point),)),
            PassiveBracket(
                None, (Tier(p.threshold_rp, p.above_base_rp_per_point), Tier(None, p.above_rest_rp_per_point))
            ),
        )
    bonus_raw = raw_points.get("bonus", {}) if isinstance(raw_points.get("bonus"), dict) else {}
    policy = PointPolicy(
        rules=tuple(rules),
        passive=passive,
        non_participant_units=tuple(u.code for u in config.units if not u.participant),
        bonus_basis=str(bonus_raw.get("basis", "margin")),
        bonus_rp_per_point=config.bonus_rp_per_point,
        term_months=term_months,
    )
    validate_point_policy(policy)
    return policy


def _brackets(value: object) -> tuple[PassiveBracket, ...]:
    bad = BadYearendInput(
        "points.passive.brackets harus daftar {upto_rp, tiers = [{upto_rp, rp_per_point}, ...]}",
        "points.passive.brackets must be a list of {upto_rp, tiers = [{upto_rp, rp_per_point}, ...]}",
    )
    if not isinstance(value, list):
        raise bad
    brackets = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("tiers"), list):
            raise bad
        tiers = []
        for tier in item["tiers"]:
            if not isinstance(tier, dict) or not isinstance(tier.get("rp_per_point"), int):
                raise bad
            tiers.append(Tier(tier.get("upto_rp"), tier["rp_per_point"]))
        brackets.append(PassiveBracket(item.get("upto_rp"), tuple(tiers)))
    return tuple(brackets)


def _shu_raw(config: Config) -> dict[str, Any]:
    raw = config.raw.get("shu", {})
    return raw if isinstance(raw, dict) else {}


def shu_policy(config: Config) -> ShuPolicy:
    """The SHU policy of the config's ``[shu]`` (AD/ART percentages, method, board split)."""
    raw = _shu_raw(config)
    funds = tuple(
        Fund(s.key, s.name, parse_percent(str(s.percent), f"shu.shares {s.key}")) for s in config.shu_shares
    )
    classic = raw.get("classic", {}) if isinstance(raw.get("classic"), dict) else {}
    policy = ShuPolicy(
        funds=funds or ShuPolicy().funds,
        method=config.shu_method,
        board_max_percent=parse_percent(str(config.shu_board_max_percent), "shu.board_max_percent"),
        members_fund=str(raw.get("members_fund", "anggota")),
        board_fund=str(raw.get("board_fund", "pengurus")),
        reserve_fund=str(raw.get("reserve_fund", "cadangan")),
        non_member_fund=str(raw.get("non_member_fund", raw.get("reserve_fund", "cadangan"))),
        board_by_activity=bool(raw.get("board_by_activity", False)),
        modal_percent=parse_percent(classic.get("modal_percent", 40), "shu.classic.modal_percent"),
        usaha_percent=parse_percent(classic.get("usaha_percent", 60), "shu.classic.usaha_percent"),
    )
    validate_shu_policy(policy)
    return policy


def shu_accounts(config: Config, policy: ShuPolicy) -> dict[str, str]:
    """Account code per fund key (and ``surplus``), checked against the chart: exists, right type."""
    raw = _shu_raw(config).get("accounts", {})
    overrides = raw if isinstance(raw, dict) else {}
    result: dict[str, str] = {}
    missing: list[str] = []
    for key in ("surplus", *(f.key for f in policy.funds)):
        default = DEFAULT_SHU_ACCOUNTS.get(key)
        code = str(overrides.get(key, default[0] if default else ""))
        want = EQUITY if key in ("surplus", policy.reserve_fund) else LIABILITY
        account = config.account(code) if code else None
        if account is None or account.type != want:
            name = default[1] if default else key
            missing.append(f'{{code = "{code or "?"}", name = "{name}", type = "{want}"}}')
        result[key] = code
    if missing:
        raise ShuAccountMissing(
            "bagan akun belum punya akun pembagian SHU; tambahkan ke [[accounts]] "
            "(atau ubah [shu.accounts]): " + "; ".join(missing),
            "the chart of accounts lacks the SHU allocation accounts; add them to [[accounts]] "
            "(or change [shu.accounts]): " + "; ".join(missing),
        )
    return result
