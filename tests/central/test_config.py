"""The cooperative config: defaults from DOMAIN.md, partial files, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from central import config
from central.errors import ConfigError


def test_defaults_have_the_domain_units_and_savings_types() -> None:
    """Without a file: toko, cafe, fotokopi, kiostel, simpan-pinjam and a non-participant isi-ulang; pokok and
    wajib are equity, sukarela/berjangka/SMSK/SHR liabilities."""
    cfg = config.default()
    assert [u.code for u in cfg.units] == [
        "toko",
        "cafe",
        "fotokopi",
        "kiostel",
        "simpan-pinjam",
        "isi-ulang",
    ]
    assert [u.code for u in cfg.units if not u.participant] == ["isi-ulang"]
    types = {product: cfg.account(code).type for product, code in cfg.posting.savings}  # type: ignore[union-attr]
    assert types == {
        "pokok": "equity",
        "wajib": "equity",
        "sukarela": "liability",
        "berjangka": "liability",
        "smsk": "liability",
        "shr": "liability",
    }
    assert cfg.timezone == "Asia/Jakarta"
    assert sum(s.percent for s in cfg.shu_shares) == 100


def test_a_file_changes_only_what_it_names(tmp_path: Path) -> None:
    """Top-level keys left out of a file keep their defaults."""
    path = tmp_path / "coop.toml"
    path.write_text(
        'name = "Koperasi Sejahtera"\ndefault_credit_limit_rp = 750000\n', encoding="utf-8"
    )
    cfg = config.load(path)
    assert cfg.name == "Koperasi Sejahtera" and cfg.default_credit_limit_rp == 750000
    assert cfg.units == config.default().units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name = [", "not valid TOML"),
        ("colour = 'red'", "unknown key(s) in the top level: colour"),
        ("timezone = 'Mars/Olympus'", "not a known time zone"),
        ("default_credit_limit_rp = -1", "0 or more"),
        ("[posting]\ncash='1101'\nreceivable='1201'\nloans='1202'\ninventory='1301'\ninterest_income='4501'\n"
         "[posting.savings]\npokok='2101'\nwajib='3102'\nsukarela='2101'\nberjangka='2102'\nsmsk='2103'\nshr='2104'",
         "savings pokok account 2101 is liability, it must be equity"),
        ("[shu]\nmethod='points'\n[[shu.shares]]\nkey='a'\nname='A'\npercent=60\n", "add up to 60"),
        ("[shu]\nmethod='lottery'\n", "shu.method"),
    ],
    ids=["toml", "unknown", "tz", "credit", "pokok-type", "shu-sum", "shu-method"],
)  # fmt: skip
def test_bad_config_is_refused_with_a_clear_message(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Each mistake is a ConfigError that names the file and what to fix."""
    path = tmp_path / "coop.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.load(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """A config path that does not exist says so."""
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "nope.toml")


def test_config_round_trips_through_the_ledger_form() -> None:
    """The JSON form the ledger stores reads back to the same config."""
    cfg = config.default()
    assert config.from_json(cfg.to_json()) == cfg


def test_a_partial_table_keeps_the_keys_it_leaves_out(tmp_path: Path) -> None:
    """A file with `[shu]` naming only the method (or `[points.bonus]` only its rate) keeps the rest."""
    path = tmp_path / "coop.toml"
    path.write_text('[shu]\nmethod = "classic"\n\n[points.bonus]\nrp_per_point = 2500\n', encoding="utf-8")
    cfg = config.load(path)
    defaults = config.default()
    assert cfg.shu_method == "classic"
    assert (
        cfg.shu_shares == defaults.shu_shares and cfg.shu_board_max_percent == defaults.shu_board_max_percent
    )
    assert cfg.raw["points"]["bonus"]["rp_per_point"] == 2500
    assert cfg.raw["points"]["rules"] == defaults.raw["points"]["rules"]
    path.write_text("[shu]\nboard_max_percent = 4\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="allows 4"):
        config.load(path)  # the kept default pengurus share (5 %) is above the new maximum
    path.write_text(
        '[[shu.shares]]\nkey = "cadangan"\nname = "Cadangan"\npercent = 60\n\n'
        '[[shu.shares]]\nkey = "anggota"\nname = "Jasa anggota"\npercent = 40\n',
        encoding="utf-8",
    )
    assert [s.key for s in config.load(path).shu_shares] == ["cadangan", "anggota"]  # arrays replace
