"""The wire format: canonical bytes, signatures, chain hashes and shape checks (sync/envelope.py)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import envelope as env

GOLDEN = Path(__file__).parent / "golden"
# A fixed key so that signatures (Ed25519 is deterministic) are byte-stable.
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _sale(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "v": 1,
        "id": "toko-01:1",
        "device": "toko-01",
        "seq": 1,
        "prev": env.GENESIS,
        "at": "2026-03-02T08:15:00+07:00",
        "unit": "toko",
        "kind": "sale",
        "member": "A001",
        "payment": "cash",
        "lines": [
            {"sku": "8991002101234", "qty": 2, "price_rp": 3500, "cost_rp": 3000},
            {"sku": "GULA-1KG", "qty": "1.250", "price_rp": 16000, "cost_rp": 14000},
        ],
        "total": 27000,
    }
    base.update(changes)
    return base


def test_golden_signed_sale_bytes() -> None:
    """A signed sale serialises to exactly the bytes in tests/golden/sale-v1.json (the format is frozen)."""
    signed = env.sign(_sale(), KEY)
    expected = (GOLDEN / "sale-v1.json").read_bytes().strip()
    assert env.canonical(signed) == expected
    env.check(signed)
    assert env.verify(signed, KEY.public_key())


def test_canonical_is_sorted_compact_utf8() -> None:
    """Canonical JSON sorts keys, has no spaces and keeps non-ASCII text as UTF-8."""
    assert (
        env.canonical({"b": 1, "a": "Kopi Susu Gula Aren ☕"})
        == '{"a":"Kopi Susu Gula Aren ☕","b":1}'.encode()
    )


def test_line_amount_rounds_half_up_for_weights() -> None:
    """Decimal quantities (weights) give whole rupiah, rounded half up."""
    assert env.line_amount_rp({"qty": "0.333", "price_rp": 1500, "cost_rp": 0}) == 500  # 499.5 -> 500
    assert env.line_amount_rp({"qty": 3, "price_rp": 1500, "cost_rp": 0}) == 4500


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"kind": "gift"}, "unknown kind"),
        ({"total": 26999}, "add up to Rp 27,000"),
        ({"total": -5}, "negative"),
        ({"total": 10**12}, "exceeds the limit"),
        ({"v": 9}, "unsupported format version"),
        ({"at": "2026-03-02 08:15"}, "with offset"),
        ({"seq": 0}, "seq"),
        ({"payment": "credit", "member": None}, "credit sale needs a member"),
        ({"lines": []}, "at least one line"),
        ({"extra": 1}, "unexpected field"),
        ({"device": "Toko 01"}, "device"),
        ({"v": True}, "unsupported format version"),
        ({"v": 1.0}, "unsupported format version"),
        ({"sig": 12345}, "sig must be base64 text"),
        ({"sig": "tanda\u00e9"}, "sig must be base64 text"),
        ({"note": "ok\ud800"}, "lone UTF-16 surrogate"),
    ],
)
def test_check_names_what_is_wrong(changes: dict[str, Any], fragment: str) -> None:
    """Each malformed envelope is refused with a message that names the problem."""
    with pytest.raises(env.EnvelopeError, match=fragment):
        env.check(_sale(**changes))


def test_check_refuses_negative_line_price() -> None:
    """A negative unit price is refused even when the total matches it."""
    bad = _sale(lines=[{"sku": "X", "qty": 1, "price_rp": -100, "cost_rp": 0}], total=0)
    with pytest.raises(env.EnvelopeError, match="negative"):
        env.check(bad)


def test_installment_must_add_up() -> None:
    """An installment's principal and interest add up to its total."""
    inst = _sale(
        kind="installment", lines=[], loan="L-7", principal_rp=100_000, interest_rp=15_000, total=115_000
    )
    env.check(inst)
    with pytest.raises(env.EnvelopeError, match="must equal total"):
        env.check({**inst, "total": 116_000})


def test_parse_refuses_oversized_and_non_objects() -> None:
    """Oversized payloads and JSON that is not an object are refused before use."""
    with pytest.raises(env.EnvelopeError, match="limit"):
        env.parse(b"{" + b" " * env.MAX_ENVELOPE_BYTES + b"}")
    with pytest.raises(env.EnvelopeError, match="object"):
        env.parse(b"[1,2]")
    with pytest.raises(env.EnvelopeError, match="not valid JSON"):
        env.parse(b'{"v":1')


@settings(max_examples=60, deadline=None)
@given(
    field=st.sampled_from(["total", "member", "at", "unit", "seq", "payment"]),
    data=st.data(),
)
def test_any_tampering_breaks_the_signature(field: str, data: st.DataObject) -> None:
    """Changing any signed field after signing makes verification fail."""
    signed = env.sign(_sale(), KEY)
    original = signed[field]
    replacement = data.draw(
        st.one_of(st.integers(), st.text(max_size=10), st.none()).filter(lambda x: x != original)
    )
    tampered = {**signed, field: replacement}
    assert not env.verify(tampered, KEY.public_key())


@settings(max_examples=40, deadline=None)
@given(seqs=st.integers(min_value=2, max_value=30))
def test_chain_hash_links_each_envelope_to_the_previous(seqs: int) -> None:
    """Each envelope's prev is the chain hash of the one before; changing an earlier one breaks the link."""
    chain = []
    prev = env.GENESIS
    for seq in range(1, seqs + 1):
        signed = env.sign(_sale(id=f"toko-01:{seq}", seq=seq, prev=prev), KEY)
        chain.append(signed)
        prev = env.chain_hash(signed)
    for before, after in itertools.pairwise(chain):
        assert after["prev"] == env.chain_hash(before)
    forged = env.sign({**chain[0], "total": 27000, "member": None}, KEY)
    assert env.chain_hash(forged) != chain[1]["prev"]


def test_public_key_text_round_trip() -> None:
    """Public keys travel as base64 of 32 raw bytes and load back to the same key."""
    text = env.public_key_text(KEY.public_key())
    assert env.verify(env.sign(_sale(), KEY), env.load_public_key(text))
    with pytest.raises(env.EnvelopeError):
        env.load_public_key("not base64!")


def test_golden_file_is_valid_json() -> None:
    """The golden file is itself a readable envelope."""
    parsed = json.loads((GOLDEN / "sale-v1.json").read_bytes())
    assert parsed["kind"] == "sale"


def test_deeply_nested_json_is_an_envelope_error() -> None:
    """JSON nested beyond Python's recursion limit is refused as an envelope error, not a crash."""
    with pytest.raises(env.EnvelopeError, match="nested"):
        env.parse(b"[" * 5000 + b"]" * 5000)


@pytest.mark.parametrize("field", ["note", "clerk"])
def test_control_characters_in_free_text_are_refused(field: str) -> None:
    """Free text with NUL or line breaks is refused: databases and receipts must get plain one-line text."""
    with pytest.raises(env.EnvelopeError, match="control characters"):
        env.check(_sale(**{field: "ok\x00"}))
    env.check(_sale(**{field: "Bu Sari, kasir pagi"}))


def test_integer_and_decimal_quantities_agree() -> None:
    """The whole-number fast path gives the same rupiah as the decimal path."""
    for qty in range(1, 50):
        line = {"qty": qty, "price_rp": 1234, "cost_rp": 999}
        decimal_line = {**line, "qty": f"{qty}.000"}
        assert env.line_amount_rp(line) == env.line_amount_rp(decimal_line)
        assert env.line_cost_rp(line) == env.line_cost_rp(decimal_line)


def _purchase(**changes: Any) -> dict[str, Any]:
    lines = [
        {"sku": "8991002101234", "qty": 24, "price_rp": 2900, "cost_rp": 2900},
        {"sku": "GULA-1KG", "qty": "12.500", "price_rp": 15500, "cost_rp": 15500},
    ]
    base = _sale(kind="purchase", member=None, lines=lines, total=24 * 2900 + 193_750)
    base.update(changes)
    return base


def test_purchase_is_a_kind_with_an_optional_supplier() -> None:
    """A purchase of stock, cash or credit, with or without a supplier name, passes the shape check."""
    assert "purchase" in env.KINDS
    env.check(_purchase())
    env.check(_purchase(payment="credit", supplier="CV Sumber Rejeki"))


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"member": "A001"}, "member must be null"),
        ({"total": 1}, "add up to"),
        ({"lines": []}, "a purchase needs at least one line"),
        ({"supplier": "x" * 201}, "supplier must be text"),
        ({"supplier": "CV\nMaju"}, "supplier contains control characters"),
        ({"supplier": 7}, "supplier must be text"),
        ({"product": "wajib"}, "unexpected field"),
        ({"payment": "later"}, "payment"),
    ],
)
def test_purchase_check_names_what_is_wrong(changes: dict[str, Any], fragment: str) -> None:
    """A malformed purchase is refused with a message naming the field at fault."""
    with pytest.raises(env.EnvelopeError, match=fragment):
        env.check(_purchase(**changes))


def test_purchase_line_cost_must_equal_price() -> None:
    """A purchase line's cost_rp is its purchase price, so it must equal price_rp; the message says so."""
    bad = _purchase(lines=[{"sku": "X", "qty": 2, "price_rp": 1000, "cost_rp": 900}], total=2000)
    with pytest.raises(env.EnvelopeError, match=r"cost_rp \(900\) must equal its price_rp \(1,000\)"):
        env.check(bad)


def test_supplier_is_only_a_purchase_field() -> None:
    """Other kinds do not take a supplier."""
    with pytest.raises(env.EnvelopeError, match="unexpected field"):
        env.check(_sale(supplier="CV Sumber Rejeki"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (b'{"v":1,"note":"\\ud800"}', "not valid JSON"),  # a lone surrogate escape: no UTF-8 text
        (b'{"v":NaN}', "not valid JSON"),
        (b'{"v":1e999}', "not valid JSON"),
        (b'{"v":1,"note":"\xff"}', "not valid JSON"),
    ],
)
def test_parse_is_strict_json(text: bytes, fragment: str) -> None:
    """What is not JSON text in UTF-8 is refused when parsed, before any check or encoding sees it."""
    with pytest.raises(env.EnvelopeError, match=fragment):
        env.parse(text)


# Values a checked envelope can hold: text (any valid Unicode, control characters included), whole
# numbers within 64 bits, booleans, null, and lists and objects of them.
_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(extra=st.dictionaries(st.text(max_size=8), _json_values, max_size=6))
def test_fast_canonical_writes_the_same_bytes(extra: dict[str, Any]) -> None:
    """canonical_checked (orjson) and canonical (the json module) write the same bytes for every value a
    checked envelope can hold: the signing bytes and chain hashes do not depend on which one ran."""
    signed = {**env.sign(_sale(), KEY), **{f"x{key}": value for key, value in extra.items()}}
    assert env.canonical_checked(signed) == env.canonical(signed)


def test_fast_canonical_hands_what_it_cannot_encode_to_canonical() -> None:
    """A value beyond 64 bits is written the way canonical writes it."""
    big = {"a": 2**70, "b": [1, {"c": None}]}
    assert env.canonical_checked(big) == env.canonical(big)


def test_new_ids_are_version_7_uuids_in_time_order() -> None:
    """Ids are RFC 9562 version 7 UUIDs: valid envelope ids, unique, and ordered by their millisecond."""
    import uuid

    start = 1_700_000_000_000 * 1_000_000  # ns, in 2023
    ids = [env.new_id(start + step * 1_000_000) for step in range(200) for _ in range(5)]
    assert len(set(ids)) == len(ids)
    assert all(env.ID_RE.match(i) and len(i) == 32 for i in ids)
    parsed = [uuid.UUID(hex=i) for i in ids]
    assert {(u.version, u.variant) for u in parsed} == {(7, uuid.RFC_4122)}
    assert [int(i[:12], 16) for i in ids] == sorted(int(i[:12], 16) for i in ids)
    assert int(ids[0][:12], 16) == start // 1_000_000
    assert env.new_id() > ids[-1]  # the clock has moved on since 2023
