"""Benchmark provisioning/: enrolling devices, verifying bundles, mTLS connects, printing member cards.

Each figure is printed beside a raw baseline measured in the same run and the target:
- enroll one device (keys, certificate, signed manifest, QR, registry), beside the bare cryptography
  calls it needs (P-256 + Ed25519 keygen, one certificate and one ECDSA signature); target < 250 ms;
- verify one bundle, beside bare SHA-256 of its files plus one ECDSA verification; target < 20 ms;
- one device connect to Mosquitto with the generated config (TCP + TLS 1.3 with client certificate +
  MQTT 5 CONNACK), beside a bare TCP connect to the same port; target < 100 ms (skipped without mosquitto);
- member cards per second into the A4 PDF, beside rendering only their QR and Code 128 images;
  target 1,000 members in < 60 s.

    python scripts/bench/provisioning.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from provisioning.broker import BrokerOptions, write_broker_config
from provisioning.bundle import BUNDLE_FILES, enroll, verify_bundle
from provisioning.ca import init_ca, issue, new_key
from provisioning.cards import MemberCard, code128_image, qr_image, render_pdf
from provisioning.doctor import DeviceFacts, check_broker

PASSPHRASE = b"bench-passphrase-123"
CONNECT_WAIT_S = 10.0


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"p50 {p50:7.2f} ms  p99 {p99:7.2f} ms"


def _time(fn: Callable[[int], object], count: int) -> list[float]:
    samples = []
    for index in range(count):
        started = time.perf_counter()
        fn(index)
        samples.append(time.perf_counter() - started)
    return samples


def _line(name: str, figure: str, baseline: str, target: str) -> None:
    print(f"  {name:<26} {figure}   | raw baseline: {baseline}   | target: {target}", flush=True)


def bench_enroll(root: Path, count: int) -> Path:
    ca = init_ca(root / "ca", "kopbench", PASSPHRASE)
    key = ca.unlock(PASSPHRASE)
    figure = _time(lambda i: enroll(ca, key, f"dev-{i:04d}", "toko", "pusat"), count)

    def raw(_: int) -> None:
        tls = new_key()
        Ed25519PrivateKey.generate()
        issue(key, ca.cert, "raw", tls.public_key(), datetime.now(UTC))
        key.sign(b"x" * 600, ec.ECDSA(hashes.SHA256()))

    baseline = _time(raw, count)
    _line("enroll one device", _ms(figure), _ms(baseline), "< 250 ms")
    return ca.directory


def bench_verify(ca_dir: Path, count: int) -> None:
    bundle = ca_dir / "bundles" / "dev-0000"
    figure = _time(lambda _: verify_bundle(bundle), count)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    signature = ca_key.sign(b"m" * 900, ec.ECDSA(hashes.SHA256()))

    def raw(_: int) -> None:
        for name in BUNDLE_FILES:
            hashlib.sha256((bundle / name).read_bytes()).hexdigest()
        ca_key.public_key().verify(signature, b"m" * 900, ec.ECDSA(hashes.SHA256()))

    baseline = _time(raw, count)
    _line("verify one bundle", _ms(figure), _ms(baseline), "< 20 ms")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_connect(root: Path, ca_dir: Path, count: int) -> None:
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(mosquitto).exists():
        print("  mTLS connect               skipped: Debian's mosquitto is not installed")
        return
    from provisioning.ca import CertificateAuthority

    ca = CertificateAuthority(ca_dir)
    port = _free_port()
    run = root / "run"
    run.mkdir()
    options = BrokerOptions(
        port=port, bind="127.0.0.1", run_as="root", persistence_dir=str(run), log_dest=str(run / "log")
    )
    files = write_broker_config(ca, root / "broker", options)
    proc = subprocess.Popen([mosquitto, "-c", str(files.conf)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + CONNECT_WAIT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        bundle = ca_dir / "bundles" / "dev-0000"
        facts = DeviceFacts(
            "dev-0000",
            "127.0.0.1",
            port,
            True,
            bundle / "ca.crt",
            bundle / "client.crt",
            bundle / "client.key",
        )
        results = []

        def connect(_: int) -> None:
            results.append(check_broker(facts).ok)

        figure = _time(connect, count)
        assert all(results), "a device connect was refused"
        baseline = _time(lambda _: socket.create_connection(("127.0.0.1", port)).close(), count)
        _line("mTLS connect + CONNACK", _ms(figure), _ms(baseline) + " (TCP only)", "< 100 ms")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bench_cards(root: Path, count: int) -> None:
    cards = [MemberCard(f"A{i:04d}", f"Anggota Nomor {i}", f"KP{i:012d}") for i in range(count)]
    started = time.perf_counter()
    pages = render_pdf(cards, root / "cards.pdf")
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    for card in cards:
        qr_image(card.card_code)
        code128_image(card.card_code)
    raw = time.perf_counter() - started
    per_1000 = elapsed / count * 1000
    _line(
        f"cards ({count}, {pages} pages)",
        f"{count / elapsed:7.1f} cards/s ({per_1000:5.1f} s per 1,000)",
        f"{count / raw:7.1f} cards/s (images only)",
        "1,000 in < 60 s",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    args = parser.parse_args(argv)
    enrolls, verifies, connects, cards = (20, 100, 20, 50) if args.quick else (200, 1000, 200, 1000)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ca_dir = bench_enroll(root, enrolls)
        bench_verify(ca_dir, verifies)
        bench_connect(root, ca_dir, connects)
        bench_cards(root, cards)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
