"""`python -m provisioning` as an operator meets it: readable errors, no tracebacks, no secrets in output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.provisioning.cli_helpers import call, run

SECRET = "Rahasia-Koperasi-2026!"


@pytest.fixture
def ca_env(tmp_path: Path) -> dict[str, str]:
    """A CA created through the CLI; the passphrase comes from the environment."""
    env = {"KOP_CA_PASSPHRASE": SECRET, "KOP_CA_DIR": str(tmp_path / "ca")}
    code, _, err = call("-v", "ca", "init", "--coop", "kopmaju", env=env)
    assert code == 0, err
    return env


def test_module_runs_with_help() -> None:
    """`python -m provisioning --help` works as a separate process."""
    done = run("--help")
    assert done.returncode == 0 and "enroll" in done.stdout


def test_every_command_has_help() -> None:
    """Each subcommand (as the parser lists them) answers --help with exit 0."""
    from provisioning.cli import build_parser
    from tests.provisioning.test_docs import _commands

    names = [name.split() for name, _ in _commands(build_parser())]
    assert ["pi-files"] in names and ["demo-pki"] in names and ["ca", "init"] in names
    for command in [[], *names]:
        code, out, err = call(*command, "--help")
        assert code == 0, (command, err)
        assert "usage:" in out


def test_enroll_revoke_and_list_through_the_cli(ca_env: dict[str, str], tmp_path: Path) -> None:
    """enroll writes a bundle and QR, list shows it, revoke marks it with the reason."""
    code, out, err = call("enroll", "--device", "toko-01", "--unit", "toko", "--branch", "pusat", env=ca_env)
    assert code == 0, err
    bundle = tmp_path / "ca" / "bundles" / "toko-01"
    assert (bundle / "manifest.json").is_file() and (
        tmp_path / "ca" / "bundles" / "toko-01.enroll.png"
    ).is_file()
    assert "KOPENROLL1:toko-01:" in out
    code, out, err = call("revoke", "toko-01", "--reason", "kiosk hilang", "--lang", "en", env=ca_env)
    assert code == 0, err
    assert "device toko-01 revoked: kiosk hilang" in out
    _, listing, _ = call("list", env=ca_env)
    assert "toko-01\ttoko\tpusat\tdicabut (kiosk hilang)" in listing
    registry = json.loads((tmp_path / "ca" / "devices.json").read_text())
    assert registry["devices"][0]["reason"] == "kiosk hilang"


def test_passphrase_and_keys_never_appear_in_output(tmp_path: Path) -> None:
    """With verbose logging on, no command prints the CA passphrase or any private key material."""
    env = {"KOP_CA_PASSPHRASE": SECRET, "KOP_CA_DIR": str(tmp_path / "ca")}
    outputs = []
    for args in (
        ["-v", "ca", "init", "--coop", "kopmaju"],
        ["-v", "enroll", "--device", "toko-02", "--unit", "toko", "--branch", "pusat"],
        ["-v", "broker-config", "--out", str(tmp_path / "broker")],
        ["-v", "revoke", "toko-02", "--reason", "uji"],
        ["-v", "ca", "show"],
    ):
        done = run(*args, env=env)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    text = "\n".join(outputs)
    assert SECRET not in text
    assert "PRIVATE KEY" not in text
    bundle = tmp_path / "ca" / "bundles" / "toko-02"
    for key_file in (bundle / "signing.key", bundle / "client.key", tmp_path / "ca" / "server.key"):
        body = "".join(key_file.read_text().splitlines()[1:-1])
        assert body[:40] not in text


@pytest.mark.parametrize(
    ("args", "env_extra", "fragment_id", "fragment_en"),
    [
        (
            ["enroll", "--device", "Toko 1", "--unit", "toko", "--branch", "pusat"],
            {},
            "tidak sah",
            "is not valid",
        ),
        (
            ["enroll", "--device", "toko-9", "--unit", "toko", "--branch", "pusat"],
            {"KOP_CA_PASSPHRASE": "salah-sekali"},
            "kata sandi CA salah",
            "wrong CA passphrase",
        ),
        (["revoke", "nope", "--reason", "x"], {}, "tidak terdaftar", "is not enrolled"),
        (["revoke", "nope", "--reason", " "], {}, "alasan pencabutan wajib", "revocation reason is required"),
        (["ca", "init", "--coop", "kopmaju"], {}, "CA tidak ditimpa", "never overwritten"),
    ],
)
def test_user_mistakes_get_a_clear_message_and_nonzero_exit(
    ca_env: dict[str, str], args: list[str], env_extra: dict[str, str], fragment_id: str, fragment_en: str
) -> None:
    """Mistakes print one readable line in Indonesian (or English with --lang en) and exit 1."""
    env = {**ca_env, **env_extra}
    code, _, err = call(*args, env=env)
    assert code == 1
    assert fragment_id in err and "Traceback" not in err
    code, _, err = call("--lang", "en", *args, env=env)
    assert code == 1
    assert fragment_en in err
    code, _, err = call(*args, env={**env, "KOP_LANG": "en"})
    assert code == 1 and fragment_en in err


def test_mistake_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    """Run as a real process, a wrong CA directory gives one line on stderr and exit 1."""
    done = run("--lang", "en", "list", "--ca-dir", str(tmp_path / "none"))
    assert done.returncode == 1
    assert done.stderr.startswith("error: no CA in") and "Traceback" not in done.stderr


def test_missing_passphrase_without_terminal_is_explained(tmp_path: Path) -> None:
    """Without a passphrase file, variable or terminal, ca init says how to give one and writes nothing."""
    done = run("ca", "init", "--coop", "kopmaju", "--ca-dir", str(tmp_path / "ca"))
    assert done.returncode == 1
    assert "--passphrase-file" in done.stderr
    assert not (tmp_path / "ca").exists()


def test_short_passphrase_is_refused_and_nothing_written(tmp_path: Path) -> None:
    """A too-short CA passphrase is refused before any file is created."""
    secret = tmp_path / "pass"
    secret.write_text("pendek\n")
    code, _, err = call(
        "ca", "init", "--coop", "kopmaju", "--ca-dir", str(tmp_path / "ca"), "--passphrase-file", str(secret)
    )
    assert code == 1 and "terlalu pendek" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pass"]


def test_ca_inside_a_repository_is_refused(tmp_path: Path) -> None:
    """A CA directory inside a git work tree is refused, so the CA key cannot end up in a commit."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    code, _, err = call(
        "--lang",
        "en",
        "ca",
        "init",
        "--coop",
        "kopmaju",
        "--ca-dir",
        str(tmp_path / "repo" / "ca"),
        env={"KOP_CA_PASSPHRASE": SECRET},
    )
    assert code == 1 and "inside the repository" in err
    assert not (tmp_path / "repo" / "ca").exists()


def test_verify_bundle_command_reports_tampering(ca_env: dict[str, str], tmp_path: Path) -> None:
    """verify-bundle exits 1 naming the changed file, and 0 for an intact bundle."""
    call("enroll", "--device", "toko-03", "--unit", "toko", "--branch", "pusat", env=ca_env)
    bundle = tmp_path / "ca" / "bundles" / "toko-03"
    assert call("verify-bundle", str(bundle))[0] == 0
    (bundle / "device.toml").write_text((bundle / "device.toml").read_text() + "\n# edited\n")
    code, _, err = call("--lang", "en", "verify-bundle", str(bundle))
    assert code == 1 and "device.toml was changed after enrollment" in err


def test_output_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    """`python -m provisioning ... | head` ends without a traceback once the reader has gone (exit 141)."""
    import os
    import subprocess
    import sys

    from tests.provisioning.cli_helpers import ROOT

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "provisioning", "pi-files", "--out", str(tmp_path / "pi")],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")
