"""Laws of provisioning, checked over generated inputs: the ACL grants exactly one's own, any edit shows."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provisioning.broker import acl_text
from provisioning.bundle import BUNDLE_FILES, MANIFEST, verify_bundle
from provisioning.ca import DeviceRecord
from provisioning.errors import BundleTampered, TokenMismatch
from tests.provisioning.conftest import Pki

ids = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,11}", fullmatch=True).filter(lambda s: s != "central")
records = st.lists(
    st.builds(
        lambda device, branch, revoked: DeviceRecord(
            device,
            "toko",
            branch,
            1,
            "key",
            "2026-01-01T00:00:00+00:00",
            "B" * 16,
            "2026-02-01T00:00:00+00:00" if revoked else None,
            "x" if revoked else None,
        ),
        ids,
        ids,
        st.booleans(),
    ),
    max_size=8,
    unique_by=lambda r: r.device,
)


def _rules(text: str) -> dict[str, set[tuple[str, str]]]:
    rules: dict[str, set[tuple[str, str]]] = {}
    user = None
    for line in text.splitlines():
        if line.startswith("user "):
            user = line.split()[1]
            rules[user] = set()
        elif line.startswith("topic "):
            assert user is not None
            _, access, topic = line.split()
            rules[user].add((access, topic))
    return rules


@given(devices=records)
def test_acl_grants_each_active_device_exactly_its_own_topics(devices: list[DeviceRecord]) -> None:
    """Every active device gets its uplink, its downlink and its branch; revoked ones get nothing at all."""
    rules = _rules(acl_text("kopmaju", devices, "central"))
    assert set(rules) == {"central"} | {d.device for d in devices if d.active}
    for d in devices:
        if d.active:
            assert rules[d.device] == {
                ("write", f"kop/kopmaju/dev/{d.device}/up/#"),
                ("read", f"kop/kopmaju/dev/{d.device}/down/#"),
                ("read", f"kop/kopmaju/branch/{d.branch}/down/#"),
            }
    assert ("write", "kop/kopmaju/dev/+/down/#") in rules["central"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from((*BUNDLE_FILES, MANIFEST)),
    position=st.integers(min_value=0, max_value=10_000),
    flip=st.integers(min_value=1, max_value=255),
)
def test_any_single_byte_change_to_a_bundle_is_refused(pki: Pki, name: str, position: int, flip: int) -> None:
    """Changing any one byte of any bundle file makes verification (with the QR token) refuse the bundle."""
    enrollment = pki.devices["toko-01"]
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "b"
        shutil.copytree(enrollment.bundle_dir, bundle)
        path = bundle / name
        data = bytearray(path.read_bytes())
        data[position % len(data)] ^= flip
        path.write_bytes(bytes(data))
        with pytest.raises((BundleTampered, TokenMismatch)):
            verify_bundle(bundle, token=enrollment.token.text())
