"""Rendering points and SHU as text tables and CSV (pure)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from central.yearend.points import (
    PointsResult,
    format_points,
)

if TYPE_CHECKING:
    pass


# -- rendering (pure) ---------------------------------------------------------------------------------

_TEXT: Final = {
    "points_title": ("Poin anggota {year}", "Member points {year}"),
    "shu_title": ("Pembagian SHU {year}", "SHU allocation {year}"),
    "estimate": (
        "PERKIRAAN (belum final): SHU berjalan s.d. {hi} dibagi menurut poin sejauh ini",
        "ESTIMATE (not final): the year-to-date surplus up to {hi} divided by points so far",
    ),
    "loss": ("Belum ada SHU untuk dibagi (SHU berjalan Rp {shu}).", "No surplus to divide yet (Rp {shu})."),
    "closed": ("Tutup buku: putaran {round}, oleh {by}", "Closed: round {round}, by {by}"),
    "open": (
        "Tahun belum ditutup; angka dihitung dari buku saat ini.",
        "Year not closed; computed from the books.",
    ),
    "closed_ok": (
        "Tahun {year} ditutup: SHU Rp {shu} dibagi; {members} anggota menerima Rp {members_rp}.",
        "Year {year} closed: SHU Rp {shu} allocated; {members} members receive Rp {members_rp}.",
    ),
    "changed": (
        "PERHATIAN: buku tahun ini berubah setelah tutup buku (SHU sekarang Rp {shu}); "
        "buka kembali (reopen-year {year}) dan tutup ulang",
        "WARNING: the year's books changed after the close (SHU now Rp {shu}); "
        "reopen (reopen-year {year}) and close again",
    ),
    "reopened": ("Tahun {year} dibuka kembali ({tx}).", "Year {year} reopened ({tx})."),
    "history": ("Riwayat tutup buku {year}", "Closing history {year}"),
    "recorded": (
        "Keaktifan {member} dicatat: skor {score}.",
        "Activity of {member} recorded: score {score}.",
    ),
    "funds": ("Pos", "Fund"),
    "members": ("Anggota", "Members"),
    "board": ("Pengurus (menurut keaktifan)", "Board (by activity)"),
    "total": ("Jumlah", "Total"),
    "non_member": ("bagian non-anggota ke cadangan", "non-member part to the reserve"),
}


def _t(key: str, lang: str, **values: object) -> str:
    pair = _TEXT[key]
    return (pair[1] if lang == "en" else pair[0]).format(**values)


def _rp(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


def render_points(result: PointsResult, year: int, lang: str, member: str | None = None) -> str:
    """A readable table: one row per member, active points per rule, passive, bonus, total."""
    keys = list(result.rule_keys)
    header = ["member", *keys, "passive", "bonus", "total"]
    rows = []
    for m in result.members:
        if member is not None and m.member != member:
            continue
        active = dict(m.active)
        rows.append(
            [
                m.member,
                *(format_points(active.get(k, Fraction(0))) for k in keys),
                format_points(m.passive),
                format_points(m.bonus),
                format_points(m.total),
            ]
        )
    return _table(_t("points_title", lang, year=year), header, rows)


def points_csv(result: PointsResult, member: str | None = None) -> str:
    """``report points --csv``: member, one column per rule, passive, bonus, total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = list(result.rule_keys)
    writer.writerow(["member", *keys, "passive", "bonus", "total"])
    for m in result.members:
        if member is None or m.member == member:
            active = dict(m.active)
            cells = [active.get(k, Fraction(0)) for k in keys] + [m.passive, m.bonus, m.total]
            writer.writerow([m.member, *(format_points(c) for c in cells)])
    return out.getvalue()


def shu_csv(data: Mapping[str, Any]) -> str:
    """``report shu --csv``: the per-member table (member, points, shu_rp)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["member", "points", "shu_rp"])
    writer.writerows([m["member"], m["points"], m["shu_rp"]] for m in data["members"])
    return out.getvalue()


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    out = [title, line(header), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(out).rstrip() + "\n"


def render_shu(data: Mapping[str, Any], lang: str) -> str:
    """A readable allocation: the funds, each member's points and rupiah, the board split, totals."""
    out = [_t("shu_title", lang, year=data["year"])]
    if data["estimate"]:
        out.append(_t("estimate", lang, hi=data["period"]["to"]))
    closed = data.get("closed")
    out.append(_t("closed", lang, **closed) if closed else _t("open", lang))
    if closed and data.get("current_shu_rp", data["shu_rp"]) != data["shu_rp"]:
        out.append(_t("changed", lang, shu=_rp(data["current_shu_rp"], lang), year=data["year"]))
    out.append(f"SHU: Rp {_rp(data['shu_rp'], lang)}")
    if not data["funds"]:
        out.append(_t("loss", lang, shu=_rp(data["shu_rp"], lang)))
    else:
        if data["non_member_rp"]:
            out.append(f"{_t('non_member', lang)}: Rp {_rp(data['non_member_rp'], lang)}")
        out.append("")
        out.append(
            _table(
                _t("funds", lang),
                ["fund", "percent", "amount_rp"],
                [[f["fund"], f["percent"], _rp(f["amount_rp"], lang)] for f in data["funds"]],
            )
        )
        out.append(
            _table(
                _t("members", lang),
                ["member", "points", "shu_rp"],
                [[m["member"], m["points"], _rp(m["shu_rp"], lang)] for m in data["members"]],
            )
        )
        if data["board"]:
            out.append(
                _table(
                    _t("board", lang),
                    ["member", "score", "amount_rp"],
                    [[b["member"], str(b["score"]), _rp(b["amount_rp"], lang)] for b in data["board"]],
                )
            )
    totals = data["totals"]
    out.append(
        f"{_t('total', lang)}: funds_rp {_rp(totals['funds_rp'], lang)}, members_rp "
        f"{_rp(totals['members_rp'], lang)}, points {totals['points']}, members {totals['members']}"
    )
    return "\n".join(out) + "\n"
