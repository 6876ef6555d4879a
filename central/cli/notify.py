"""``notify``: the SMS service (campaigns' rules once a day, the outbox through the GSM modem);
``notify-queue list|show|retry|cancel|reports``: the outbox and the network's delivery reports for the
office; ``announce``: an announcement or a
blood-donor call to members, with ``--preview``; ``notify-consent``: a member's choices per kind.
Thin shells over ``central.notify`` (docs/notify.md); the portal uses the same functions."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import threading
import time
from dataclasses import asdict
from datetime import datetime
from typing import Any, Final

from central.errors import CentralError
from central.ledger import Ledger
from central.messages import lang_of
from central.notify import campaigns, daily, outbox, service
from central.notify.delivery import Delivery
from central.notify.errors import NotifyError
from drivers.errors import DriverError

TEXT: Final[dict[str, tuple[str, str]]] = {
    "head": (
        "no  status  jenis  anggota  nomor  percobaan  waktu  laporan",
        "no  state  kind  member  number  attempts  time  delivery",
    ),
    "reports_head": (
        "diterima  ref  nomor  status  pesan",
        "received  ref  number  status  message",
    ),
    "no_reports": ("Belum ada laporan pengiriman.", "No delivery reports yet."),
    "unmatched": ("tidak cocok", "unmatched"),
    "none": ("Tidak ada pesan.", "No messages."),
    "counts": (
        "antre {queued}, terkirim {sent}, gagal {failed}, tidak pasti {unknown}, batal {cancelled}",
        "queued {queued}, sent {sent}, failed {failed}, unknown {unknown}, cancelled {cancelled}",
    ),
    "retried": ("Pesan {id} diantrekan lagi.", "Message {id} queued again."),
    "cancelled": ("Pesan {id} dibatalkan.", "Message {id} cancelled."),
    "preview": (
        "Pratinjau: {count} penerima ({declined} menolak jenis pesan ini). Contoh teks:\n{sample}",
        "Preview: {count} recipient(s) ({declined} declined this kind). Sample text:\n{sample}",
    ),
    "announced": (
        "Pengumuman {id} diantrekan untuk {new} anggota ({declined} menolak, {bad} nomor tidak sah).",
        "Announcement {id} queued for {new} member(s) ({declined} declined, {bad} bad number(s)).",
    ),
    "nobody": (
        "Pengumuman ini tidak sampai ke siapa pun; tidak ada yang diantrekan.",
        "This announcement reaches nobody; nothing queued.",
    ),
    "ran": (
        "Aturan hari {day}: {new} pesan baru; terkirim {sent}, dicoba lagi nanti {retried}, gagal {failed}, "
        "tidak pasti {unknown}{held}.",
        "Rules of {day}: {new} new message(s); sent {sent}, to retry {retried}, failed {failed}, unknown "
        "{unknown}{held}.",
    ),
    "held_quiet": (" (jam tenang: tidak ada yang dikirim)", " (quiet hours: nothing sent)"),
    "held_cap": (" (batas harian tercapai)", " (daily cap reached)"),
    "consent": ("{kind}: {state}", "{kind}: {state}"),
    "yes": ("ya", "yes"),
    "no": ("tidak", "no"),
    "bad_kind": (
        "jenis {kind!r} tidak bisa dipilih; pilihan: {kinds} (tunggakan adalah pemberitahuan wajib)",
        "kind {kind!r} cannot be chosen; choices: {kinds} (arrears notices are statutory)",
    ),
}


def _t(key: str, lang: str, **values: object) -> str:
    text = TEXT[key][1 if lang == "en" else 0]
    return text.format(**values) if values else text


def _guard(handler: Any) -> Any:
    """The domain's bilingual refusals become the CLI's error in the chosen language (exit 2)."""

    def run(ledger: Ledger, args: argparse.Namespace) -> int:
        try:
            return int(handler(ledger, args))
        except NotifyError as err:
            raise CentralError(err.text(lang_of(args.lang))) from err

    run.__doc__ = handler.__doc__
    return run


def _when(ledger: Ledger, ts: int | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, ledger.config.tz).strftime("%Y-%m-%d %H:%M")


def cmd_notify(ledger: Ledger, args: argparse.Namespace) -> int:
    """Run the service until SIGTERM (``--once``: the day's rules and one pass over the outbox)."""
    from drivers.modem import GsmModem

    ledger.require_current()
    lang = lang_of(args.lang)
    stop = threading.Event()
    if not args.once:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())

    def open_modem() -> service.Modem:
        modem = GsmModem(args.modem, args.baud, sim_pin=args.sim_pin)
        try:
            modem.open()
        except DriverError as err:
            if args.once:  # said once, in the user's language (the service logs it and tries again later)
                raise CentralError(err.text(lang)) from err
            raise
        return modem

    runner = service.Service(ledger, open_modem, stop=stop, tick_s=args.tick_s)
    first = runner.rules()
    done = runner.run(once=args.once)
    held = _t(f"held_{done.held}", lang) if done.held else ""
    day = service.local_now(ledger, time.time()).date()
    print(
        _t(
            "ran",
            lang,
            day=day,
            new=first.new if first is not None else 0,
            sent=done.sent,
            retried=done.retried,
            failed=done.failed,
            unknown=done.unknown,
            held=held,
        )
    )
    return 0


def cmd_list(ledger: Ledger, args: argparse.Namespace) -> int:
    """The outbox, newest first."""
    lang = lang_of(args.lang)
    if args.state is not None and args.state not in outbox.STATES:
        raise CentralError(f"--state must be one of {', '.join(outbox.STATES)}")
    found = outbox.listing(ledger, state=args.state, member=args.member, limit=args.limit)
    if args.json:
        print(json.dumps([asdict(m) for m in found], ensure_ascii=False, indent=1))
        return 0
    print(_t("counts", lang, **outbox.counts(ledger)))
    if not found:
        print(_t("none", lang))
        return 0
    print(_t("head", lang))
    reached = outbox.deliveries(ledger, found, int(time.time()))
    for m in found:
        when = _when(ledger, m.updated_ts)
        print(
            f"{m.id}  {m.state}  {m.kind}  {m.member}  {m.phone or '-'}  {m.attempts}  {when}"
            f"{_delivery(ledger, reached.get(m.id), lang)}"
        )
    return 0


def _delivery(ledger: Ledger, found: Delivery | None, lang: str) -> str:
    """``  delivered 2026-12-06 10:00`` / ``  not delivered (reason)`` / ``  awaiting report``, or nothing."""
    if found is None:
        return ""
    text = f"  {found.label(lang)}"
    if found.at_ts is not None:
        text += f" {_when(ledger, found.at_ts)}"
    if found.reason(lang):
        text += f" ({found.reason(lang)})"
    return text


def cmd_reports(ledger: Ledger, args: argparse.Namespace) -> int:
    """The network's delivery reports, newest first (``--unmatched``: those that fit no message)."""
    lang = lang_of(args.lang)
    found = outbox.reports(ledger, unmatched=args.unmatched, limit=args.limit)
    if args.json:
        print(json.dumps([asdict(r) for r in found], ensure_ascii=False, indent=1))
        return 0
    if not found:
        print(_t("no_reports", lang))
        return 0
    print(_t("reports_head", lang))
    for r in found:
        meaning = outbox.describe_status(r.status)[1 if lang == "en" else 0]
        target = _t("unmatched", lang) if r.message is None else f"{r.message}/{r.part}"
        print(f"{_when(ledger, r.received_ts)}  {r.reference}  {r.phone}  {meaning}  {target}")
    return 0


def cmd_show(ledger: Ledger, args: argparse.Namespace) -> int:
    """One message with its text and every attempt."""
    m = outbox.get(ledger, args.id)
    if args.json:
        reached = outbox.deliveries(ledger, [m], int(time.time())).get(m.id)
        print(
            json.dumps(
                {
                    **asdict(m),
                    "delivery": asdict(reached) if reached is not None else None,
                    "attempts_log": outbox.attempts(ledger, m.id),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    print(f"{m.id}  {m.state}  {m.kind}  {m.member}  {m.period}  {m.phone or '-'}")
    print(m.text)
    if m.error:
        print(m.error)
    line = _delivery(ledger, outbox.deliveries(ledger, [m], int(time.time())).get(m.id), lang_of(args.lang))
    if line:
        print(line.strip())
    for ts, outcome, detail in outbox.attempts(ledger, m.id):
        print(f"  {_when(ledger, ts)}  {outcome}  {detail}")
    return 0


def cmd_retry(ledger: Ledger, args: argparse.Namespace) -> int:
    """Queue a failed, unknown or cancelled message again."""
    outbox.retry(ledger, args.id, int(time.time()), args.by)
    print(_t("retried", lang_of(args.lang), id=args.id))
    return 0


def cmd_cancel(ledger: Ledger, args: argparse.Namespace) -> int:
    """Cancel a queued, failed or unknown message."""
    outbox.cancel(ledger, args.id, int(time.time()), args.by)
    print(_t("cancelled", lang_of(args.lang), id=args.id))
    return 0


def cmd_announce(ledger: Ledger, args: argparse.Namespace) -> int:
    """Queue an announcement (or with --preview, show who it reaches and the text)."""
    lang = lang_of(args.lang)
    shown = daily.preview(ledger, args.to, args.text)
    if args.preview:
        print(
            _t("preview", lang, count=len(shown.drafts), declined=shown.declined, sample=shown.sample or "-")
        )
        return 0
    if not shown.drafts:
        print(_t("nobody", lang))
        return 0
    number, queued = daily.announce(ledger, args.to, args.text, args.by, int(time.time()))
    print(
        _t(
            "announced",
            lang,
            id=number,
            new=queued.new,
            declined=queued.declined + shown.declined,
            bad=queued.bad_phone,
        )
    )
    return 0


def cmd_consent(ledger: Ledger, args: argparse.Namespace) -> int:
    """Show a member's choices, or change them (--allow / --deny a kind)."""
    lang = lang_of(args.lang)
    daily_people = daily.people(ledger)
    if args.member not in daily_people:
        raise CentralError(f"no active member {args.member}")
    changes = dict.fromkeys(args.allow or [], True) | dict.fromkeys(args.deny or [], False)
    for kind in changes:
        if kind not in campaigns.CHOOSABLE:
            raise CentralError(_t("bad_kind", lang, kind=kind, kinds=", ".join(campaigns.CHOOSABLE)))
    if changes:
        outbox.set_consent(ledger, args.member, changes, int(time.time()), args.by)
    for kind, allowed in outbox.consent_of(ledger, args.member).items():
        print(_t("consent", lang, kind=kind, state=_t("yes" if allowed else "no", lang)))
    return 0


def _positive(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 10**9:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text!r}")
    return int(text)


def _tick(text: str) -> float:
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"--tick-s must be seconds, got {text!r}") from err
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError("--tick-s must be 1 to 3600 seconds")
    return value


def add_commands(sub: Any) -> None:
    """Add ``notify``, ``notify-queue``, ``announce`` and ``notify-consent``."""
    me = getpass.getuser()
    p = sub.add_parser(
        "notify", help="the SMS service: campaigns and the outbox through the GSM modem (docs/notify.md)"
    )
    p.add_argument("--modem", required=True, help="the modem's serial port, e.g. /dev/ttyUSB2")
    p.add_argument("--baud", type=_positive, default=115200, help="serial speed (default 115200)")
    p.add_argument("--sim-pin", help="the SIM's PIN, if it asks for one")
    p.add_argument("--once", action="store_true", help="run today's rules, send what is due now, and exit")
    p.add_argument(
        "--tick-s",
        type=_tick,
        default=service.TICK_S,
        help=f"seconds between rounds (default {service.TICK_S:g})",
    )
    p.set_defaults(func=_guard(cmd_notify))

    q = sub.add_parser(
        "notify-queue", help="the SMS outbox: list, show, retry, cancel, delivery reports (docs/notify.md)"
    )
    qs = q.add_subparsers(dest="notify_action", metavar="ACTION", required=True)
    ls = qs.add_parser("list", help="messages, newest first, with the count per state")
    ls.add_argument("--state", help=f"only this state ({', '.join(outbox.STATES)})")
    ls.add_argument("--member", help="only this member's messages")
    ls.add_argument("--limit", type=_positive, default=200, help="at most this many (default 200)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_guard(cmd_list))
    sh = qs.add_parser("show", help="one message, its text and every attempt")
    sh.add_argument("id", type=_positive)
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=_guard(cmd_show))
    for name, handler, what in (
        ("retry", cmd_retry, "queue a failed, unknown or cancelled message again"),
        ("cancel", cmd_cancel, "cancel a queued, failed or unknown message"),
    ):
        r = qs.add_parser(name, help=what)
        r.add_argument("id", type=_positive)
        r.add_argument("--by", default=me, help="who decides (default: the logged-in user)")
        r.set_defaults(func=_guard(handler))
    rp = qs.add_parser("reports", help="the network's delivery reports, newest first")
    rp.add_argument("--unmatched", action="store_true", help="only reports that matched no message")
    rp.add_argument("--limit", type=_positive, default=200, help="at most this many (default 200)")
    rp.add_argument("--json", action="store_true")
    rp.set_defaults(func=_guard(cmd_reports))

    a = sub.add_parser(
        "announce", help="an announcement or blood-donor call to members by SMS (docs/notify.md)"
    )
    a.add_argument(
        "--to",
        required=True,
        help="all, role:ketua, members:A001,A002, group:3, village:NAME, branch:NAME, or blood:A+ (donors)",
    )
    a.add_argument("--text", required=True, help="the announcement (for blood: the requesting member's note)")
    a.add_argument(
        "--preview", action="store_true", help="show the count of recipients and the text; queue nothing"
    )
    a.add_argument("--by", default=me, help="who sends it (default: the logged-in user)")
    a.set_defaults(func=_guard(cmd_announce))

    c = sub.add_parser("notify-consent", help="a member's SMS choices per kind (opt-outs, donor consent)")
    c.add_argument("member")
    c.add_argument(
        "--allow", action="append", metavar="KIND", help=f"allow a kind ({', '.join(campaigns.CHOOSABLE)})"
    )
    c.add_argument("--deny", action="append", metavar="KIND", help="opt out of a kind")
    c.add_argument("--by", default=me, help="who records it (default: the logged-in user)")
    c.set_defaults(func=_guard(cmd_consent))
