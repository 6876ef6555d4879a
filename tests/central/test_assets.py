"""Members' productive assets: the pure rules (kinds, values, who sees and who enters), the store (value
history, photos made safe: EXIF location dropped unless kept on purpose) and the office's CLI listing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from central import config as config_mod
from central import images
from central.assets import rules, store
from central.assets.rules import AssetError, Viewer
from central.cli import main
from central.groups import store as groups
from central.ledger import Ledger
from central.members.rows import MemberRow

TODAY = date(2026, 3, 10)
GPS_TAG = images.GPS_TAG


def photo_with_gps() -> bytes:
    """A phone photo carrying its GPS position in EXIF."""
    exif = Image.Exif()
    exif[GPS_TAG] = {1: "S", 2: (7.0, 47.0, 30.0), 3: "E", 4: (110.0, 22.0, 10.0)}
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 160, 90)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def gps_of(jpeg: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(jpeg)) as image:
        return dict(image.getexif().get_ifd(GPS_TAG))


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    """Five members: B01 and B02 anggota in the kader K01's group, B03 anggota in no group, S01 pengawas."""
    with Ledger.open(str(tmp_path / "assets.sqlite")) as made:
        made.init(config_mod.default())
        roles = {"B01": "anggota", "B02": "anggota", "B03": "anggota", "K01": "kader", "S01": "pengawas"}
        made.import_members(
            [
                MemberRow(n, f"Anggota {n}", "2024-01-01", None, None, None, r, None, True)
                for n, r in roles.items()
            ]
        )
        group = groups.create(made, "FGS Krajan", "Krajan", "K01", by="test")
        groups.add_members(made, group.id, ["B01", "B02"], by="test")
        yield made


def test_who_sees_and_who_enters_an_asset() -> None:
    """The owner, the board, supervisors and office see it; a cadre their groups' members'; nobody else.
    The owner, the office and the owner's cadre enter; the board and supervisors only read."""
    group = frozenset({"B01", "B02"})
    owner, other, cadre = Viewer("anggota", "B01"), Viewer("anggota", "B03"), Viewer("kader", "K01")
    assert rules.may_see(owner, "B01") and not rules.may_see(other, "B01")
    assert rules.may_see(cadre, "B01", group) and not rules.may_see(cadre, "B03", group)
    for role in ("ketua", "sekretaris", "bendahara", "pengurus", "pengawas", "manajer", "staf"):
        assert rules.may_see(Viewer(role, None if role == "staf" else "X9"), "B01")
    assert not rules.may_see(Viewer("kasir", "C01"), "B01")
    assert rules.may_enter_for(owner, "B01") and not rules.may_enter_for(other, "B01")
    assert rules.may_enter_for(cadre, "B02", group) and not rules.may_enter_for(cadre, "B03", group)
    assert rules.may_enter_for(Viewer("staf", None), "B03")
    assert not rules.may_enter_for(Viewer("ketua", "A01"), "B01")
    assert not rules.may_enter_for(Viewer("pengawas", "S01"), "B01")


@given(st.integers(min_value=0, max_value=rules.MAX_VALUE_RP))
def test_a_value_reads_back_whatever_the_separators(value: int) -> None:
    """A rupiah value typed plain, with dots or with commas reads as the same whole number."""
    dotted = f"{value:,}".replace(",", ".")
    assert (
        rules.parse_value(str(value))
        == rules.parse_value(dotted)
        == rules.parse_value(f"Rp {value:,}")
        == value
    )


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,5e3", "12.5x", "9" * 30])
def test_a_value_that_is_not_whole_rupiah_is_refused(text: str) -> None:
    """Anything but whole rupiah is refused, with the reason in both languages."""
    with pytest.raises(AssetError) as caught:
        rules.parse_value(text)
    assert "rupiah" in caught.value.text("en") and "rupiah" in caught.value.text("id")


def test_an_entry_needs_a_known_kind_a_description_and_a_past_day() -> None:
    """Unknown kinds, empty descriptions and days ahead are refused; whitespace is folded."""
    entry = rules.check_entry("warung", "  warung   sembako ", 2_500_000, TODAY)
    assert (entry.kind, entry.description) == ("warung", "warung sembako")
    with pytest.raises(AssetError):
        rules.check_entry("kapal", "perahu", 1, TODAY)
    with pytest.raises(AssetError):
        rules.check_entry("ternak", "   ", 1, TODAY)
    with pytest.raises(AssetError):
        rules.parse_day("2026-03-11", TODAY)
    assert rules.parse_day("", TODAY) == TODAY


def test_values_are_a_history_and_the_latest_day_is_current(ledger: Ledger) -> None:
    """A new estimate never overwrites: the history keeps each, the current value is the latest day's."""
    entry = rules.check_entry("ternak", "2 ekor sapi", 20_000_000, date(2026, 1, 5))
    number = store.add(ledger, "B01", entry, by="B01", by_member="B01")
    store.add_value(ledger, number, 24_000_000, date(2026, 3, 1), "sapi bertambah besar", by="K01")
    store.add_value(
        ledger, number, 22_000_000, date(2026, 2, 1), "perkiraan lama, dicatat belakangan", by="staf"
    )
    asset = store.get(ledger, number)
    assert (asset.value_rp, asset.value_day) == (24_000_000, "2026-03-01")
    assert [(v.day, v.value_rp) for v in asset.history] == [
        ("2026-01-05", 20_000_000),
        ("2026-02-01", 22_000_000),
        ("2026-03-01", 24_000_000),
    ]


def test_a_photos_location_is_dropped_unless_kept_on_purpose(ledger: Ledger) -> None:
    """The stored photo has no GPS block unless the box was ticked; the thumbnail never has one."""
    entry = rules.check_entry("warung", "warung kopi", 5_000_000, TODAY)
    number = store.add(
        ledger, "B01", entry, by="B01", by_member="B01", photo=images.normalise(photo_with_gps())
    )
    kept = store.add_photo(ledger, number, images.normalise(photo_with_gps(), keep_location=True), by="B01")
    asset = store.get(ledger, number)
    dropped = asset.photos[0]
    assert asset.located == (kept,)
    assert gps_of(store.photo(ledger, dropped)[1]) == {}
    assert gps_of(store.photo(ledger, kept)[1]) != {}
    assert gps_of(store.photo(ledger, kept, thumb=True)[1]) == {}


def test_what_each_viewer_lists(ledger: Ledger) -> None:
    """A member lists their own; the cadre their group's members'; a supervisor everyone's."""
    for member in ("B01", "B02", "B03"):
        store.add(
            ledger, member, rules.check_entry("lahan", f"sawah {member}", 1, TODAY), by="x", by_member=None
        )
    seen = {
        who.member: sorted(a.member for a in store.visible(ledger, who))
        for who in (Viewer("anggota", "B01"), Viewer("kader", "K01"), Viewer("pengawas", "S01"))
    }
    assert seen == {"B01": ["B01"], "K01": ["B01", "B02"], "S01": ["B01", "B02", "B03"]}
    assert store.cadre_of(ledger, Viewer("kader", "K01")) == {"B01", "B02"}
    assert store.cadre_of(ledger, Viewer("anggota", "B01")) == frozenset()


def test_bounds_and_unknown_members(ledger: Ledger) -> None:
    """An asset for a member who does not exist, or a photo past the most per asset, is refused."""
    entry = rules.check_entry("kendaraan", "motor", 8_000_000, TODAY)
    with pytest.raises(AssetError):
        store.add(ledger, "ZZ99", entry, by="x", by_member=None)
    number = store.add(ledger, "B02", entry, by="x", by_member=None)
    small = images.normalise(photo_with_gps())
    for _ in range(rules.MAX_PHOTOS_PER_ASSET):
        store.add_photo(ledger, number, small, by="x")
    with pytest.raises(AssetError):
        store.add_photo(ledger, number, small, by="x")
    with pytest.raises(store.UnknownAsset):
        store.get(ledger, 999)


def test_the_office_lists_assets_on_the_command_line(
    ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    """`assets list` prints a table, JSON or CSV, filtered by member and kind; a bad kind is a usage error."""
    store.add(
        ledger, "B01", rules.check_entry("warung", "warung sembako", 2_500_000, TODAY), by="x", by_member=None
    )
    store.add(ledger, "B02", rules.check_entry("ternak", "kambing", 3_000_000, TODAY), by="x", by_member=None)
    db = ledger.target
    assert main(["--db", db, "assets", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["member"] for r in rows) == ["B01", "B02"]
    assert main(["--db", db, "assets", "list", "--kind", "ternak", "--csv"]) == 0
    parsed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["member"], r["kind"], r["value_rp"]) for r in parsed] == [("B02", "ternak", "3000000")]
    assert main(["--db", db, "assets", "list", "--member", "B01"]) == 0
    out = capsys.readouterr().out
    assert "warung sembako" in out and "kambing" not in out
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db, "assets", "list", "--kind", "kapal"])
    assert exit_.value.code == 2
