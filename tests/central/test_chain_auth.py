"""Chain-authenticated signatures: one Ed25519 check per linked run, forged envelopes still caught."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from central.ledger import Ledger
from central.ledger import signatures as ingest_mod
from central.ledger.signatures import chain_runs, run_verdicts
from sync import envelope as wire
from tests.central.helpers import TOKO_COST, TOKO_PRICE, TOKO_SKU, Device

FORGER = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _forge(env: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``env`` with ``changes``, signed by a key that is not the device's."""
    body = {k: v for k, v in env.items() if k != "sig"}
    body.update(changes)
    return wire.sign(body, FORGER)


def _sales(dev: Device, count: int) -> list[dict[str, Any]]:
    return [dev.sale() for _ in range(count)]


def _sale_fields() -> dict[str, Any]:
    line = {"sku": TOKO_SKU, "qty": 1, "price_rp": TOKO_PRICE, "cost_rp": TOKO_COST}
    return {"member": None, "lines": [line], "total": TOKO_PRICE}


def _bad_signature(report: Any) -> list[str]:
    return [r.id for r in report.rejected if r.reason.startswith("bad signature")]


def test_forged_envelope_in_the_middle_of_a_run_is_caught(loaded: Ledger) -> None:
    """A forged envelope between honest ones of the same chain is quarantined; the honest ones commit."""
    dev = Device().register(loaded)
    envs = _sales(dev, 5)
    envs[2] = _forge(envs[2], total=envs[2]["total"] * 2, lines=[{**envs[2]["lines"][0],
                     "qty": envs[2]["lines"][0]["qty"] * 2}])  # fmt: skip
    report = loaded.ingest(envs, require_signature=True, expected_device=dev.name)
    assert report.accepted == [envs[i]["id"] for i in (0, 1, 3, 4)]
    assert _bad_signature(report) == [envs[2]["id"]]


def test_envelope_with_only_its_signature_changed_is_caught(loaded: Ledger) -> None:
    """An honest envelope whose signature alone was tampered with is refused, its neighbours are not."""
    dev = Device().register(loaded)
    envs = _sales(dev, 4)
    envs[1] = {**envs[1], "sig": envs[1]["sig"][:-4] + "AAA="}
    report = loaded.ingest(envs, require_signature=True)
    assert report.accepted == [envs[i]["id"] for i in (0, 2, 3)]
    assert _bad_signature(report) == [envs[1]["id"]]


def test_forged_tip_of_a_run_is_caught(loaded: Ledger) -> None:
    """A forged last envelope that links to the honest chain is refused; the chain before it commits."""
    dev = Device().register(loaded)
    envs = _sales(dev, 5)
    envs[4] = _forge(envs[4], member=None)
    report = loaded.ingest(envs, require_signature=True)
    assert report.accepted == [env["id"] for env in envs[:4]]
    assert _bad_signature(report) == [envs[4]["id"]]


def test_forged_tail_relinked_to_the_end_is_caught(loaded: Ledger) -> None:
    """Forged envelopes that each name the previous forged one's chain hash are all refused."""
    dev = Device().register(loaded)
    envs = _sales(dev, 6)
    for index in range(3, 6):
        envs[index] = _forge(envs[index], prev=wire.chain_hash(envs[index - 1]), member=None)
    report = loaded.ingest(envs, require_signature=True)
    assert report.accepted == [env["id"] for env in envs[:3]]
    assert _bad_signature(report) == [env["id"] for env in envs[3:]]


def test_unlinked_envelope_is_verified_on_its_own(loaded: Ledger) -> None:
    """An envelope that links to nothing in the batch stands on its own signature, good or bad."""
    dev = Device().register(loaded)
    envs = _sales(dev, 4)
    lone_bad = _forge(envs[3])
    assert _bad_signature(loaded.ingest([lone_bad], require_signature=True)) == [lone_bad["id"]]
    # seq 1 and seq 3 do not link (seq 2 is missing): seq 3 forged is refused, seq 1 commits
    report = loaded.ingest([envs[0], _forge(envs[2])], require_signature=True)
    assert report.accepted == [envs[0]["id"]]
    assert _bad_signature(report) == [envs[2]["id"]]
    assert loaded.ingest([envs[1]], require_signature=True).accepted == [envs[1]["id"]]


def test_missing_signature_inside_a_run_is_refused(loaded: Ledger) -> None:
    """An envelope without a signature is not vouched for by its signed successor."""
    dev = Device().register(loaded)
    first = dev.make("sale", sign=False, **_sale_fields())
    second = dev.sale()  # names the unsigned envelope's chain hash
    report = loaded.ingest([first, second], require_signature=True)
    assert report.accepted == [second["id"]]
    assert "missing signature" in report.rejected[0].reason


def test_a_linked_run_costs_one_signature_check(loaded: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifty chained envelopes of one device are authenticated by checking one signature."""
    calls: list[str] = []
    real = ingest_mod._signature_ok

    def counting(env: Any, key: Any, signed: bytes) -> bool:
        calls.append(env["id"])
        return real(env, key, signed)

    monkeypatch.setattr(ingest_mod, "_signature_ok", counting)
    dev = Device().register(loaded)
    envs = _sales(dev, 50)
    report = loaded.ingest(envs, require_signature=True)
    assert len(report.accepted) == 50
    assert calls == [envs[-1]["id"]]
    calls.clear()
    assert len(loaded.ingest(envs, require_signature=True).duplicates) == 50
    assert calls == []  # duplicates need no signature check


# -- the rule as a law, over plain data ---------------------------------------------------------------


@given(
    st.integers(min_value=1, max_value=12).flatmap(
        lambda n: st.tuples(
            st.lists(st.booleans(), min_size=n, max_size=n),
            st.permutations(range(n)),
        )
    )
)
def test_exactly_the_honest_envelopes_are_authentic(case: tuple[list[bool], list[int]]) -> None:
    """Whichever envelopes of a chain are forged (each relinked to the one before it, the strongest
    forgery) and in whatever order they arrive, the authentic ones are exactly the honest ones."""
    forged, order = case
    honest_chain = [f"h{i}" for i in range(len(forged))]
    presented: list[tuple[str, int, str, str]] = []
    for i, fake in enumerate(forged):
        before = "genesis" if i == 0 else presented[i - 1][3]
        true_prev = "genesis" if i == 0 else honest_chain[i - 1]
        presented.append(("dev", i + 1, before if fake else true_prev, f"f{i}" if fake else honest_chain[i]))
    links: list[tuple[str, int, str, str] | None] = [presented[i] for i in order]
    checked: list[int] = []

    def verify(index: int) -> bool:
        checked.append(index)
        return not forged[order[index]]

    verdicts: dict[int, bool] = {}
    for run in chain_runs(links):
        verdicts.update(run_verdicts(run, verify))
    assert [verdicts[i] for i in range(len(links))] == [not forged[order[i]] for i in range(len(links))]
    assert len(checked) <= len(links)
    if not any(forged) and order == sorted(order):
        assert len(checked) == 1


def test_runs_split_by_device_seq_and_link() -> None:
    """A run needs the same device, the next seq and the previous chain hash; None joins no run."""
    links: list[tuple[str, int, str, str] | None] = [
        ("a", 1, "g", "a1"),
        ("b", 1, "g", "b1"),
        ("a", 2, "a1", "a2"),
        None,
        ("a", 3, "zz", "a3"),  # wrong prev
        ("a", 4, "a3", "a4"),
        ("b", 3, "b2", "b3"),  # seq gap
    ]
    assert chain_runs(links) == [[0, 2], [1], [4, 5], [6]]
