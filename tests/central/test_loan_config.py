"""The [loans] table of the configuration: products, deciders and classes, and clear errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from central import config
from central.errors import ConfigError
from central.loanrules import DEFAULT_CLASSES, parse

PRODUCT: dict[str, Any] = {
    "code": "umum",
    "name": "Pinjaman umum",
    "method": "anuitas",
    "rate_year_pct": "18",
    "term_max_months": 36,
    "amount_max_rp": 50_000_000,
}


def test_a_product_with_a_yearly_rate_reads_as_a_monthly_one() -> None:
    policy = parse({"products": [PRODUCT], "deciders": ["ketua", "sekretaris"]})
    product = policy.product("umum")
    assert product is not None and product.rate_month_pct == Decimal("1.5")
    assert (product.term_min_months, product.amount_min_rp, product.overpayment) == (1, 1, "refuse")
    assert policy.deciders == ("ketua", "sekretaris") and policy.one_open_loan
    assert policy.classes == DEFAULT_CLASSES


def test_the_cooperatives_config_file_carries_loans() -> None:
    raw = config.merge_over_defaults(config._default_raw(), {"loans": {"products": [PRODUCT]}})
    assert config.parse(raw).loans.product("umum") is not None
    assert config.default().loans.products == ()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"method": "bunga"}, "method 'bunga' must be one of flat, efektif, anuitas"),
        ({"rate_month_pct": "1"}, "exactly one of rate_month_pct and rate_year_pct"),
        ({"rate_year_pct": "abc"}, "must be a number"),
        ({"rate_year_pct": "-1"}, "must be 0 or more"),
        ({"rate_year_pct": "240"}, "a rate of 20 % a month is above 10 %"),
        ({"term_min_months": 40}, "term_min_months <= term_max_months"),
        ({"grace_months": 1}, "grace_months must be 0 or more and below term_min_months"),
        ({"amount_max_rp": 0}, "amount_min_rp <= amount_max_rp"),
        ({"admin_fee_pct": "60", "insurance_pct": "40"}, "must stay below 100"),
        ({"overpayment": "keep"}, "overpayment 'keep' must be one of refuse, hold"),
        ({"bunga": 1}, "unknown key(s) in loans.products[0]: bunga"),
        ({"savings_multiple": 0}, "savings_multiple must be more than 0"),
    ],
)
def test_a_bad_product_names_the_key_and_the_fix(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse({"products": [{**PRODUCT, **change}]})
    assert words in str(err.value)


@pytest.mark.parametrize(
    ("loans", "words"),
    [
        ({"products": [PRODUCT, PRODUCT]}, "umum appear more than once"),
        ({"deciders": ["anggota"]}, "loans.deciders must be a non-empty list of roles"),
        ({"deciders": []}, "loans.deciders must be a non-empty list of roles"),
        ({"one_open_loan": "ya"}, "one_open_loan must be true or false"),
        (
            {"classes": [{"code": "a", "min_days": 5, "allowance_pct": 1}]},
            "first class must have min_days = 0",
        ),
        (
            {
                "classes": [
                    {"code": "a", "min_days": 0, "allowance_pct": 1},
                    {"code": "b", "min_days": 0, "allowance_pct": 2},
                ]
            },
            "must rise strictly",
        ),
        ({"classes": [{"code": "a", "min_days": 0, "allowance_pct": 101}]}, "at most 100"),
        ({"grace": 1}, "unknown key(s) in [loans]: grace"),
    ],
)
def test_bad_loan_rules_are_refused_with_the_reason(loans: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse(loans)
    assert words in str(err.value)


def test_classes_pick_the_last_one_a_loan_reaches() -> None:
    policy = parse(None)
    assert [policy.klass(d).code for d in (0, 90, 91, 180, 181, 270, 271, 5000)] == [
        "lancar",
        "lancar",
        "kurang-lancar",
        "kurang-lancar",
        "diragukan",
        "diragukan",
        "macet",
        "macet",
    ]
