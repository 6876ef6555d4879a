"""The whole loan workflow through the office's command line, as the office runs it today: apply, approve,
pay out, pay, fall into arrears (read as of later days), reschedule, repay in full, apply again; and every
forbidden step refused with the reason (exit 2) and nothing changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.ledger import Ledger, schema
from central.loans import applications as apps
from central.loans import rescheduling
from central.office import identity

Run = Callable[..., tuple[int, str, str]]


def _snapshot(ledger: Ledger) -> tuple[object, ...]:
    """Everything a refused step must leave as it was: the ledger's transactions, the applications and
    their trail, the reschedule requests and the schedule versions."""
    t = schema.transactions
    with ledger.read() as conn:
        count = int(conn.execute(select(func.count()).select_from(t)).scalar_one())
    return (
        count,
        tuple(apps.listing(ledger)),
        tuple(len(apps.events(ledger, a.id)) for a in apps.listing(ledger)),
        tuple(rescheduling.listing(ledger)),
    )


@pytest.fixture
def run(lent: tuple[Ledger, identity.Office], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``python -m central --db LEDGER ...`` in this process: (exit code, stdout, stderr)."""
    from central.cli import app

    ledger, _ = lent
    if ledger.engine.dialect.name != "sqlite":
        pytest.skip("the command line journey runs once, on the SQLite ledger")
    capsys.readouterr()

    def call(*argv: str, lang: str = "id") -> tuple[int, str, str]:
        code = app.main(["--db", ledger.target, "--lang", lang, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def _key(tmp_path: Path) -> list[str]:
    return ["--office-key", str(tmp_path / "office.key")]


def test_the_whole_loan_journey_through_the_command_line(
    lent: tuple[Ledger, identity.Office], run: Run, tmp_path: Path
) -> None:
    """apply, approve, disburse, pay, arrears as of later days, reschedule, repay in full, apply again;
    each forbidden step on the way is refused with its reason and changes nothing."""
    ledger, _ = lent
    key = _key(tmp_path)
    today = datetime.now(ledger.config.tz).date()

    def refused(argv: list[str], words: str) -> None:
        before = _snapshot(ledger)
        code, _, err = run(*argv, lang="en")
        assert code == 2, err
        assert words in err, err
        assert "Traceback" not in err
        assert _snapshot(ledger) == before

    code, out, _ = run(
        "loans", "apply", "A007", "--product", "umum", "--amount", "3000000", "--term", "6",
        "--purpose", "modal tani", "--by", "A007",
    )  # fmt: skip
    assert code == 0 and "diajukan" in out
    ident = apps.listing(ledger, member="A007")[0].id
    refused(
        [
            "loans",
            "apply",
            "A007",
            "--product",
            "umum",
            "--amount",
            "1000000",
            "--term",
            "6",
            "--purpose",
            "lagi",
        ],
        f"already has application {ident} waiting",
    )
    refused(
        ["loans", "decide", str(ident), "approve", "--role", "anggota", "--reason", "saya mau"], "only ketua"
    )
    refused(
        ["loans", "disburse", str(ident), *key, "--by", "bendahara"],
        "only an approved application is paid out",
    )

    code, out, _ = run(
        "loans", "decide", str(ident), "approve", "--role", "ketua", "--reason", "layak", "--by", "ketua"
    )
    assert code == 0 and "disetujui" in out
    refused(
        ["loans", "decide", str(ident), "reject", "--role", "ketua", "--reason", "salah"], "decided before"
    )
    assert run("loans", "disburse", str(ident), *key, "--by", "bendahara")[0] == 0
    code, out, _ = run("loans", "disburse", str(ident), *key, "--by", "bendahara")  # never twice
    assert code == 0 and "Sudah dicairkan sebelumnya" in out
    with ledger.read() as conn:
        t = schema.transactions
        assert conn.execute(select(func.count()).where(t.c.kind == "loan_disbursement")).scalar_one() == 1
    loan = apps.loan_id(ident)
    refused(
        [
            "loans",
            "apply",
            "A007",
            "--product",
            "umum",
            "--amount",
            "1000000",
            "--term",
            "6",
            "--purpose",
            "lagi",
        ],
        "no new loan before the old one is repaid",
    )

    card = json.loads(run("loans", "card", "A007", "--json")[1])[0]
    first = card["lines"][0]
    code, out, _ = run(
        "loans", "pay", loan, "--amount", str(first["principal_rp"] + first["interest_rp"]), *key
    )
    assert code == 0, out

    late_day = today + timedelta(days=170)  # nothing more paid: late from the second installment
    late = json.loads(run("loans", "card", "A007", "--as-of", late_day.isoformat(), "--json")[1])[0]
    second_due = datetime.fromisoformat(late["lines"][1]["due"]).date()
    assert late["days_late"] == (late_day - second_due).days > 90
    book = json.loads(run("loans", "aging", "--as-of", late_day.isoformat(), "--json")[1])
    assert [r["klass"] for r in book["rows"] if r["loan"] == loan] == ["kurang-lancar"]

    code, out, _ = run("loans", "reschedule", "preview", loan, "--term", "12", "--grace", "2", "--json")
    shown = json.loads(out)
    outstanding = shown["taken_over"]["principal_rp"]
    assert outstanding == 3_000_000 - first["principal_rp"]
    assert sum(i["principal_rp"] for i in shown["schedule"]) == outstanding and len(shown["schedule"]) == 12
    refused(
        ["loans", "reschedule", "preview", loan, "--term", "6", "--grace", "6"], "the grace must be 0 to 5"
    )
    code, out, _ = run(
        "loans", "reschedule", "request", loan, "--term", "12", "--grace", "2", "--rate", "0.8",
        "--reason", "gagal panen", "--by", "kantor1", "--json",
    )  # fmt: skip
    asked = json.loads(out)
    assert code == 0 and asked["state"] == "submitted" and asked["outstanding_rp"] == outstanding
    number = str(asked["id"])
    refused(
        ["loans", "reschedule", "request", loan, "--term", "9", "--reason", "lagi"],
        "already has reschedule request",
    )
    refused(
        ["loans", "reschedule", "decide", number, "approve", "--role", "anggota", "--reason", "boleh"],
        "only ketua",
    )
    code, out, _ = run("loans", "reschedule", "list", "--state", "submitted")
    assert code == 0 and loan in out and "menunggu keputusan" in out
    code, out, _ = run(
        "loans",
        "reschedule",
        "decide",
        number,
        "approve",
        "--role",
        "ketua",
        "--reason",
        "bisa dibayar",
        "--by",
        "ketua",
    )
    assert code == 0 and "disetujui" in out
    refused(
        ["loans", "reschedule", "decide", number, "reject", "--role", "ketua", "--reason", "lagi"],
        "decided before",
    )
    code, out, _ = run("loans", "reschedule", "show", number, lang="en")
    assert code == 0 and "version 1" in out and "version 2" in out and "approve" in out

    now_card = json.loads(run("loans", "card", "A007", "--json")[1])[0]
    assert now_card["rescheduled_on"] == today.isoformat() and len(now_card["lines"]) == 12
    assert now_card["outstanding_rp"] == outstanding and now_card["days_late"] == 0
    assert "dijadwal ulang sejak" in run("loans", "card", "A007")[1]
    later = json.loads(run("loans", "card", "A007", "--as-of", late_day.isoformat(), "--json")[1])[0]
    new_first_due = datetime.fromisoformat(later["lines"][0]["due"]).date()
    assert later["days_late"] == (late_day - new_first_due).days  # the new schedule's days

    payoff = sum(line["principal_rp"] + line["interest_rp"] for line in now_card["lines"])
    refused(["loans", "pay", loan, "--amount", str(payoff + 1), *key], "needs only")
    assert run("loans", "pay", loan, "--amount", str(payoff), *key)[0] == 0
    done = json.loads(run("loans", "card", "A007", "--json")[1])[0]
    assert done["outstanding_rp"] == 0 and done["days_late"] == 0
    assert all(
        x["principal_paid_rp"] + x["interest_paid_rp"] == x["principal_rp"] + x["interest_rp"]
        for x in done["lines"]
    )
    refused(["loans", "reschedule", "request", loan, "--term", "6", "--reason", "lagi"], "is not open")
    code, out, _ = run(
        "loans",
        "apply",
        "A007",
        "--product",
        "umum",
        "--amount",
        "1000000",
        "--term",
        "6",
        "--purpose",
        "lagi",
    )
    assert code == 0 and "diajukan" in out
