"""The device's side of witnessing the transparency log, driven by ``DeviceSync``'s loop.

``DeviceWitness`` takes the retained checkpoint of the device's branch, asks central for the proofs
(``sync.witness``), judges them, keeps an accepted checkpoint in the device store, and on any problem
keeps the old checkpoint, stores the problem (the kiosk shows it) and reports it to central. It does
nothing without the log's public key, ``log.pub`` in the device directory (the device bundle carries it,
``central transparency key`` prints it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from sync import checkpoint as note
from sync import topics, witness
from sync.link import Link

log = logging.getLogger(__name__)

LOG_KEY_FILE: Final = "log.pub"
# An unanswered proof request is sent again after this long (central may have been busy or away).
ANSWER_TIMEOUT_S: Final = 10.0


@runtime_checkable
class WitnessStore(Protocol):
    """What witnessing needs from the device store (``edge.device.Device`` provides it)."""

    def kept_checkpoint(self) -> tuple[str, int] | None: ...
    def keep_checkpoint(self, note: str, size: int, root_hex: str, checked_seq: int) -> None: ...
    def log_problem(
        self, reason: str, held: int, offered: int, *, tx: str, detail: str, note: str
    ) -> None: ...
    def log_problems(self) -> list[tuple[str, int, int, str, str, str]]: ...
    def acked_envelopes(self, after_seq: int, limit: int) -> list[tuple[int, str, bytes]]: ...


def load_log_key(directory: Path) -> note.VerifierKey | None:
    """The log's verifier key from ``log.pub`` in the device directory; None when there is none (or it
    is not a log key: logged, and witnessing stays off)."""
    path = Path(directory) / LOG_KEY_FILE
    try:
        return note.parse_verifier(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, note.NoteError) as err:
        log.error("%s is not the log's key (%s): the device does not witness the log", path, err)
        return None


@dataclass(frozen=True)
class _Pending:
    """A proof request sent and not yet answered."""

    text: str  # the offered signed note
    offered: note.Checkpoint
    held: note.Checkpoint | None
    checked_seq: int
    envelopes: tuple[tuple[int, str, bytes], ...]
    request: witness.ProofRequest
    sent_at: float


@dataclass
class WitnessStats:
    """Counters for tests and status lines."""

    checkpoints_seen: int = 0
    requests: int = 0
    consistency_requests: int = 0  # requests with a consistency proof to check (kept size < offered)
    accepted: int = 0
    problems: int = 0
    reports: int = 0


class DeviceWitness:
    """Judges checkpoints for one device; the owner's loop feeds it messages and calls ``tick``."""

    def __init__(
        self,
        dev: WitnessStore,
        coop: str,
        device: str,
        branch: str,
        *,
        key: note.VerifierKey,
        link: Link,
        clock: Callable[[], float],
    ) -> None:
        self.dev = dev
        self.device = device
        self.key = key
        self.link = link
        self.clock = clock
        self.checkpoint_topic, self.answer_topic = witness.device_topics(coop, device, branch)
        self.request_topic = topics.request(coop, device, witness.PROOF)
        self.report_topic = topics.witness_report(coop, device)
        self.pending: _Pending | None = None
        self.offer: str | None = None  # the newest offered note, waiting while a request is pending
        self.report_due = True
        self.stats = WitnessStats()

    @property
    def topics(self) -> tuple[str, str]:
        """What the device subscribes to for witnessing."""
        return self.checkpoint_topic, self.answer_topic

    # -- state -----------------------------------------------------------------------------------------
    def _held(self) -> tuple[note.Checkpoint | None, str, int]:
        kept = self.dev.kept_checkpoint()
        if kept is None:
            return None, "", 0
        text, checked = kept
        try:
            return note.verify(text, self.key), text, checked
        except note.NoteError as err:  # the log key was replaced (a new log.pub): start again from here
            log.warning(
                "the kept checkpoint does not verify with log.pub (%s): taking the next as first", err
            )
            return None, "", checked

    def _problem(self, problem: witness.Problem, text: str) -> None:
        last = self.dev.log_problems()[-1:]
        if last and (last[0][0], last[0][3], last[0][5]) == (problem.reason, problem.tx, text):
            return  # the same refused note again (retained, after a reconnect): already kept and reported
        log.error("transparency log: %s", problem.text("en"))
        self.dev.log_problem(
            problem.reason, problem.held, problem.offered, tx=problem.tx, detail=problem.detail, note=text
        )
        self.stats.problems += 1
        self.report_due = True

    # -- messages ----------------------------------------------------------------------------------------
    def on_connected(self) -> None:
        """A new connection: the retained checkpoint comes again; a pending request is asked again."""
        self.pending = None
        self.report_due = True

    def on_checkpoint(self, payload: bytes) -> None:
        """Central's (retained) checkpoint for this branch."""
        if not payload:
            return
        self.stats.checkpoints_seen += 1
        if len(payload) > note.MAX_NOTE_BYTES:
            self._problem(witness.Problem("signature", detail="the note is too large"), "")
            return
        text = payload.decode("utf-8", "replace")
        if self.pending is not None:
            self.offer = text  # judged once the pending answer is in
            return
        self._judge(text)

    def _judge(self, text: str) -> None:
        offered = witness.read_offered(text, self.key)
        if isinstance(offered, witness.Problem):
            self._problem(offered, text)
            return
        held, _, checked = self._held()
        verdict = witness.compare(held, offered)
        if isinstance(verdict, witness.Problem):
            self._problem(verdict, text)
            return
        envelopes = tuple(self.dev.acked_envelopes(checked, witness.MAX_INCLUSIONS))
        if verdict is False and not envelopes:
            return  # the same tree, nothing of ours to look for
        request = witness.ProofRequest(
            held.size if held is not None else 0,
            offered.size,
            tuple(tx for _, tx, _ in envelopes),
            os.urandom(witness.CORRELATION_BYTES).hex(),
        )
        self.pending = _Pending(text, offered, held, checked, envelopes, request, self.clock())
        self._send(self.pending)

    def _send(self, pending: _Pending) -> None:
        if self.link.publish(self.request_topic, witness.encode_request(pending.request)) is None:
            return  # not connected: on_connected clears it and the retained checkpoint comes again
        self.stats.requests += 1
        if pending.request.size_from < pending.request.size_to and pending.held is not None:
            self.stats.consistency_requests += 1

    def on_answer(self, payload: bytes) -> None:
        """Central's answer to the pending request."""
        pending = self.pending
        if pending is None:
            return
        try:
            answer = witness.decode_answer(payload)
        except witness.WitnessMessageError as err:
            log.warning("ignoring a malformed proof answer: %s", err)
            return
        if answer.correlation != pending.request.correlation:
            return
        self.pending = None
        problem = witness.consistent(pending.held, pending.offered, answer)
        if problem is not None:
            self._problem(problem, pending.text)
        else:
            upto, missing = witness.included(pending.offered, pending.envelopes, answer)
            checked = pending.checked_seq if upto is None else upto
            if missing is not None:
                self._problem(missing, pending.text)
                # reported once: the next check starts after the missing envelope
                checked = next(seq for seq, tx, _ in pending.envelopes if tx == missing.tx)
            cp = pending.offered
            held = pending.held
            if held is None or cp.size > held.size or checked > pending.checked_seq:
                self.dev.keep_checkpoint(pending.text, cp.size, cp.root.hex(), checked)
                self.stats.accepted += 1
                self.report_due = True
            more = checked > pending.checked_seq and len(pending.envelopes) == witness.MAX_INCLUSIONS
            if more and self.offer is None:
                self.offer = pending.text  # more of our envelopes to check in the same tree
        offer, self.offer = self.offer, None
        if offer is not None:
            self._judge(offer)

    # -- timers ------------------------------------------------------------------------------------------
    def tick(self) -> None:
        """Ask again an unanswered request; send the report when it changed (or after a reconnect)."""
        if not self.link.connected:
            return
        pending = self.pending
        if pending is not None and self.clock() - pending.sent_at > ANSWER_TIMEOUT_S:
            self.pending = replace(pending, sent_at=self.clock())
            self._send(self.pending)
        if self.report_due:
            body = witness.encode_report(self.report())
            if self.link.publish(self.report_topic, body, retain=True) is not None:
                self.report_due = False
                self.stats.reports += 1

    def report(self) -> witness.Report:
        """What this device tells central now."""
        held, text, _ = self._held()
        problems = self.dev.log_problems()
        last = problems[-1] if problems else None
        return witness.Report(
            device=self.device,
            size=held.size if held else 0,
            signed_at=(held.time or "") if held else "",
            state=last[0] if last else witness.OK,
            held=text,
            offered=last[5] if last else "",
            tx=last[3] if last else "",
            detail=last[4] if last else "",
            problems=tuple(dict.fromkeys(p[0] for p in problems)),
        )
