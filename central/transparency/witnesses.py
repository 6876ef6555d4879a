"""Devices as witnesses, central's side: answer their proof requests, keep their reports.

A device asks for one consistency proof from the checkpoint it kept to the one offered, and for
inclusion proofs of its own acknowledged envelopes (``sync.witness``); ``answer`` builds them from the
stored log. Each device's latest report is kept in ``log_witnesses`` (``record``): the checkpoint it
kept, and every problem it ever flagged (sticky), with the refused note as evidence for the audit
(``notes``) and the board (``overview``).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any, Final

from sqlalchemy import Connection, insert, select, update

from central.transparency import log as tlog
from central.transparency.tables import log_witnesses
from sync import checkpoint as note
from sync import witness

PROBLEM_SEPARATOR: Final = ","


def answer(conn: Connection, request: witness.ProofRequest) -> witness.ProofAnswer:
    """The proofs a device asked for, from the log as stored (``error`` when they cannot be built)."""
    tlog.ensure(conn)
    size = tlog.size(conn)
    old, new = request.size_from, request.size_to
    if new > size:
        return witness.ProofAnswer(
            old, new, correlation=request.correlation, error=f"the log holds {size} leaves, not {new}"
        )
    consistency = tuple(tlog.consistency_proof(conn, old, new))
    items = []
    for tx in request.txs:
        index = tlog.leaf_index(conn, tx)
        if index is None:
            items.append(witness.Inclusion(tx, absent=True))
        elif index >= new:
            items.append(witness.Inclusion(tx, later=True))
        else:
            items.append(witness.Inclusion(tx, index, tuple(tlog.inclusion_proof(conn, index, new))))
    return witness.ProofAnswer(old, new, consistency, tuple(items), request.correlation)


def record(conn: Connection, device: str, report: witness.Report, now_ts: int | None = None) -> None:
    """Keep ``device``'s latest report; the problems it flagged before stay flagged."""
    tlog.ensure(conn)
    now = int(time.time()) if now_ts is None else now_ts
    w = log_witnesses
    row = conn.execute(select(w.c.problems, w.c.flagged_ts).where(w.c.device == device)).first()
    before = [p for p in (row.problems if row else "").split(PROBLEM_SEPARATOR) if p]
    problems = list(dict.fromkeys([*before, *report.problems]))
    flagged = row.flagged_ts if row is not None else None
    if problems and flagged is None:
        flagged = now
    values: dict[str, Any] = asdict(report)
    del values["device"]  # the topic's device, not what the report says (the server checks they agree)
    values.update(problems=PROBLEM_SEPARATOR.join(problems), reported_ts=now, flagged_ts=flagged)
    if row is None:
        conn.execute(insert(w).values(device=device, **values))
    else:
        conn.execute(update(w).where(w.c.device == device).values(**values))


@dataclass(frozen=True)
class Witness:
    """One device's latest report, as the board shows it."""

    device: str
    size: int
    signed_at: str
    state: str
    problems: tuple[str, ...]
    tx: str
    detail: str
    reported_ts: int
    flagged_ts: int | None
    behind: int  # leaves the log holds beyond the device's kept checkpoint
    offered_size: int = 0  # the size of the checkpoint it refused last

    @property
    def flagged(self) -> bool:
        return bool(self.problems)

    def problem(self) -> witness.Problem | None:
        """The latest problem, for its text in the reader's language (None when all is well)."""
        if self.state not in witness.PROBLEMS:
            return None
        return witness.Problem(self.state, self.size, self.offered_size, self.tx, self.detail)


def _size_of(signed: str) -> int:
    """The tree size a signed note states (0 when it is not a checkpoint: a bad note's evidence)."""
    try:
        return note.parse(signed.split("\n\n", maxsplit=1)[0] + "\n").size
    except note.NoteError:
        return 0


def overview(conn: Connection) -> list[Witness]:
    """Every device's latest report: flagged ones first, then by device."""
    tlog.ensure(conn)
    size = tlog.size(conn)
    w = log_witnesses
    out = [
        Witness(
            str(r.device),
            int(r.size),
            str(r.signed_at),
            str(r.state),
            tuple(p for p in str(r.problems).split(PROBLEM_SEPARATOR) if p),
            str(r.tx),
            str(r.detail),
            int(r.reported_ts),
            None if r.flagged_ts is None else int(r.flagged_ts),
            max(0, size - int(r.size)),
            _size_of(str(r.offered)),
        )
        for r in conn.execute(select(w))
    ]
    return sorted(out, key=lambda item: (not item.flagged, item.device))


def notes(conn: Connection) -> list[tuple[str, tuple[str, str]]]:
    """The signed notes devices reported (kept and refused), each with its label in English and
    Indonesian, for the audit to hold against the books."""
    tlog.ensure(conn)
    w = log_witnesses
    out: list[tuple[str, tuple[str, str]]] = []
    for r in conn.execute(select(w.c.device, w.c.held, w.c.offered).order_by(w.c.device)):
        if r.held:
            out.append(
                (str(r.held), (f"device {r.device}'s kept checkpoint", f"checkpoint perangkat {r.device}"))
            )
        if r.offered:
            out.append(
                (
                    str(r.offered),
                    (
                        f"the checkpoint device {r.device} refused",
                        f"checkpoint yang ditolak perangkat {r.device}",
                    ),
                )
            )
    return out


def flagged(conn: Connection) -> list[Witness]:
    """The devices that ever flagged a problem."""
    return [item for item in overview(conn) if item.flagged]
