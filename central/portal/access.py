"""Who may open which URL: the one table that grants access in the portal (default deny).

Each row names a route (path and methods) and who may use it: ``PUBLIC`` (anybody, logged in or not),
``MEMBERS`` (every logged-in role: invariant 6, every member reads the cash book and the reports) or a set
of roles. A row with ``own`` set is member-scoped: its path parameter of that name is a member number, and
a user whose role may not see other members (``central.books.viewer.SEES_MEMBERS``) may open it only for
their own number; for any other number they get 404, so nobody learns which numbers exist.

The app builds its routes from this table only (``central.portal.app``), so a page without a row cannot
exist, and the access tests walk the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from central.books.viewer import SEES_MEMBERS
from central.disputes import rules as dispute_rules
from central.members.rows import ROLES
from central.portal.accounts import User

PUBLIC: Final = frozenset({"*"})
MEMBERS: Final = frozenset(ROLES)
BOARD: Final = frozenset({"pengurus", "ketua", "sekretaris", "bendahara", "pengawas", "manajer"})
READERS: Final = frozenset(SEES_MEMBERS)  # the board, supervisors, the manager and office staff
OFFICE: Final = frozenset({"manajer", "staf"})  # who changes members, products, devices, the year
PAYERS: Final = frozenset({"bendahara", "manajer"})  # who pays out approved loans
STOCK_READERS: Final = READERS | {"kasir"}  # stock on hand and the counts: the office, board and clerks
COUNTERS: Final = OFFICE | {"kasir"}  # who types counted lines into an open stock count
ANNOUNCERS: Final = OFFICE | {"pengurus", "ketua", "sekretaris", "bendahara"}  # who sends SMS announcements
DISPUTE_DECIDERS: Final = frozenset(dispute_rules.DECIDERS)  # accept or reject a member's dispute
ACTIVITY_FILERS: Final = frozenset({"pengurus", "ketua", "sekretaris", "bendahara"})  # board activity reports
JOURNAL_MAKERS: Final = frozenset({"staf", "manajer", "bendahara"})  # who drafts the office's own entries
JOURNAL_CHECKERS: Final = frozenset({"manajer", "bendahara", "ketua"})  # who approves them (not the maker)
CADRES: Final = frozenset({"kader"})  # field cadres (Kader HALO): file visit reports
MEETING_FILERS: Final = OFFICE | CADRES  # file a group's meetings (a cadre only their own groups')
VISIT_READERS: Final = READERS | CADRES  # visit reports: the board, supervisors, office; a cadre their own


@dataclass(frozen=True)
class Rule:
    """One row of the access matrix: a named route, its methods and who may use it."""

    name: str
    path: str
    methods: tuple[str, ...]
    allow: frozenset[str]
    own: str | None = None  # the path parameter holding a member number, for member-scoped pages


MATRIX: Final = (
    Rule("root", "/", ("GET",), PUBLIC),
    Rule("login", "/login", ("GET", "POST"), PUBLIC),
    Rule("activate", "/activate", ("GET", "POST"), PUBLIC),
    Rule("lang", "/lang/{code}", ("GET",), PUBLIC),
    Rule("logout", "/logout", ("POST",), MEMBERS),
    Rule("password", "/password", ("GET", "POST"), MEMBERS),
    # the books, for every member (invariant 6); each report also as ?format=csv and ?format=pdf
    Rule("home", "/home", ("GET",), MEMBERS),
    Rule("cashbook", "/cashbook", ("GET",), MEMBERS),
    Rule("balance_sheet", "/reports/balance-sheet", ("GET",), MEMBERS),
    Rule("income", "/reports/income", ("GET",), MEMBERS),
    # the annual statements (docs/reports.md): this year beside last year
    Rule("cash_flow", "/reports/cash-flow", ("GET",), MEMBERS),
    Rule("equity", "/reports/equity", ("GET",), MEMBERS),
    Rule("notes", "/reports/notes", ("GET",), MEMBERS),
    Rule("statements", "/reports/statements", ("GET",), MEMBERS),
    Rule("shu", "/reports/shu", ("GET",), MEMBERS),
    # the board fund's merit split: every board member's reports per kind, score and share, for every member
    Rule("activity", "/reports/board-activity", ("GET",), MEMBERS),
    Rule("units", "/units", ("GET",), MEMBERS),
    # the transparency log (docs/transparency.md): for anybody, logged in or not; machine forms at stable URLs
    Rule("log", "/log", ("GET",), PUBLIC),
    Rule("log_checkpoint", "/log/checkpoint", ("GET",), PUBLIC),
    Rule("log_key", "/log/key", ("GET",), PUBLIC),
    Rule("log_inclusion", "/log/inclusion", ("GET",), PUBLIC),
    Rule("log_consistency", "/log/consistency", ("GET",), PUBLIC),
    # a member's own account (a sale that is not the member's own is 404 on the dispute page)
    Rule("purchases", "/purchases", ("GET",), MEMBERS),
    Rule("dispute", "/purchases/{sale}/dispute", ("GET", "POST"), MEMBERS),
    Rule("points", "/points", ("GET",), MEMBERS),
    Rule("receipt", "/receipt", ("GET",), MEMBERS),
    # loans (docs/loans.md): a member's own, applying; the queues and the loan book for the board and office
    Rule("loans", "/loans", ("GET",), MEMBERS),
    Rule("loan_apply", "/loans/apply", ("GET", "POST"), MEMBERS),
    Rule("loan_queue", "/loans/queue", ("GET",), READERS),
    Rule("loan_aging", "/loans/aging", ("GET",), READERS),
    Rule("loan_application", "/loans/applications/{app}", ("GET",), READERS),
    Rule("loan_decide", "/loans/applications/{app}/decide", ("POST",), BOARD),
    Rule("loan_disburse", "/loans/applications/{app}/disburse", ("POST",), PAYERS),
    # savings (docs/savings.md): a member's own balances and term deposits; a certificate is 404 unless the
    # reader's own or the reader sees every member
    Rule("savings", "/savings", ("GET",), MEMBERS),
    Rule("savings_certificate", "/savings/certificate", ("GET",), MEMBERS),
    # rescheduling: a member asks for their own open loan (the office for any); the deciders decide
    Rule("loan_reschedule", "/loans/reschedule", ("GET", "POST"), MEMBERS),
    Rule("loan_reschedules", "/loans/reschedules", ("GET",), READERS),
    Rule("loan_reschedule_decide", "/loans/reschedules/decide", ("POST",), BOARD),
    # stock (docs/stock.md): on hand, reorder, slow movers, below cost; counts; shrinkage for the board.
    # Approving a count is further limited to [stock] approvers (default manajer) by central.stock.counts.
    Rule("stock", "/stock", ("GET",), STOCK_READERS),
    Rule("stock_reorder", "/stock/reorder", ("GET",), STOCK_READERS),
    Rule("stock_slow", "/stock/slow", ("GET",), STOCK_READERS),
    Rule("stock_below_cost", "/stock/below-cost", ("GET",), READERS),
    Rule("stock_shrinkage", "/stock/shrinkage", ("GET",), BOARD),
    Rule("stock_counts", "/stock/counts", ("GET",), STOCK_READERS),
    Rule("stock_count_start", "/stock/counts/start", ("POST",), OFFICE),
    Rule("stock_count", "/stock/counts/{count}", ("GET",), STOCK_READERS),
    Rule("stock_count_line", "/stock/counts/{count}/line", ("POST",), COUNTERS),
    Rule("stock_count_close", "/stock/counts/{count}/close", ("POST",), OFFICE),
    Rule("stock_count_cancel", "/stock/counts/{count}/cancel", ("POST",), OFFICE),
    Rule("stock_count_decide", "/stock/counts/{count}/decide", ("POST",), BOARD),
    Rule("stock_prices", "/stock/prices", ("GET",), READERS),
    Rule("stock_price_set", "/stock/prices", ("POST",), OFFICE),
    Rule("stock_price_cancel", "/stock/prices/{change}/cancel", ("POST",), OFFICE),
    # SMS (docs/notify.md): the outbox and its log for the office and board; announcements by the office and
    # pengurus; a message's retry or cancel by the office; a member's own history and choices
    Rule("notify_queue", "/notify", ("GET",), READERS),
    Rule("notify_announce", "/notify/announce", ("GET", "POST"), ANNOUNCERS),
    Rule("notify_settings", "/notify/settings", ("GET", "POST"), MEMBERS),
    Rule("notify_message", "/notify/messages/{message}", ("GET",), READERS),
    Rule("notify_retry", "/notify/messages/{message}/retry", ("POST",), OFFICE),
    Rule("notify_cancel", "/notify/messages/{message}/cancel", ("POST",), OFFICE),
    Rule("notify_member", "/notify/members/{number}", ("GET",), MEMBERS, own="number"),
    # daily deposits (docs/handins.md): the day's hand-ins reconciled and the missing shifts for the office,
    # board and supervisors; the treasurer (or manager) confirms the cash received
    Rule("handins", "/handins", ("GET",), READERS),
    Rule("handin_confirm", "/handins/confirm", ("POST",), PAYERS),
    # branches compared (docs/reports.md, "Branches"): a month per branch and consolidated, for the office,
    # board and supervisors
    Rule("branches", "/branches", ("GET",), READERS),
    # members' productive assets (docs/development.md): a member sees and enters their own, a cadre their
    # groups' members', the office enters any, the board and supervisors read all. Checked in the pages: an
    # asset or photo the reader may not see is 404, exactly like one that does not exist.
    Rule("assets", "/assets", ("GET",), MEMBERS),
    Rule("asset_new", "/assets/new", ("GET", "POST"), MEMBERS),
    Rule("asset", "/assets/{asset}", ("GET",), MEMBERS),
    Rule("asset_value", "/assets/{asset}/value", ("POST",), MEMBERS),
    Rule("asset_photo_add", "/assets/{asset}/photos", ("POST",), MEMBERS),
    Rule("asset_photo", "/asset-photos/{asset_photo}", ("GET",), MEMBERS),
    Rule("asset_thumb", "/asset-photos/{asset_photo}/thumb", ("GET",), MEMBERS),
    # board activity reports (docs/development.md): filed by the board; one report (it may name a member
    # visited) for the board, supervisors and office
    Rule("activity_new", "/activity/new", ("GET", "POST"), ACTIVITY_FILERS),
    Rule("activity_report", "/activity/{report}", ("GET",), READERS),
    Rule("activity_photo", "/activity/{report}/photo", ("GET",), READERS),
    # the general journal (docs/journal.md): the office's own entries for the office, board and supervisors;
    # drafted by a maker, decided by a checker who did not draft or edit it (checked in central.journal)
    Rule("journal", "/journal", ("GET",), READERS),
    Rule("journal_new", "/journal/new", ("GET", "POST"), JOURNAL_MAKERS),
    Rule("journal_photo", "/journal/receipts/{receipt}", ("GET",), READERS),
    Rule("journal_thumb", "/journal/receipts/{receipt}/thumb", ("GET",), READERS),
    Rule("journal_entry", "/journal/{entry}", ("GET",), READERS),
    Rule("journal_edit", "/journal/{entry}/edit", ("GET", "POST"), JOURNAL_MAKERS),
    Rule("journal_photo_add", "/journal/{entry}/photo", ("POST",), JOURNAL_MAKERS | JOURNAL_CHECKERS),
    Rule("journal_approve", "/journal/{entry}/approve", ("POST",), JOURNAL_CHECKERS),
    Rule("journal_reject", "/journal/{entry}/reject", ("POST",), JOURNAL_CHECKERS),
    # transactions dated in a closed year that arrived after the close (docs/points-and-shu.md)
    Rule("late", "/late", ("GET",), READERS),
    # groups (docs/groups.md): a member sees their own group, its meetings and their own attendance; a cadre
    # the groups they lead; the office, board and supervisors all (checked in the pages: another group's
    # page is 404). The office makes and changes groups; a group's cadre or the office files its meetings.
    Rule("groups", "/groups", ("GET",), MEMBERS),
    Rule("group_new", "/groups/new", ("GET", "POST"), OFFICE),
    Rule("group_edit", "/groups/{group}/edit", ("GET", "POST"), OFFICE),
    Rule("group_meeting_new", "/groups/{group}/meetings/new", ("GET", "POST"), MEETING_FILERS),
    Rule("group_meeting_edit", "/groups/{group}/meetings/{meeting}/edit", ("GET", "POST"), MEETING_FILERS),
    Rule("group_meeting", "/groups/{group}/meetings/{meeting}", ("GET",), MEMBERS),
    Rule("group", "/groups/{group}", ("GET",), MEMBERS),
    # cadres' visit reports with photos: filed by a cadre, read by the board, supervisors, office and the
    # cadre who filed it (another cadre's report is 404)
    Rule("visits", "/visits", ("GET",), VISIT_READERS),
    Rule("visit_new", "/visits/new", ("GET", "POST"), CADRES),
    Rule("visit_photo_add", "/visits/{visit}/photos", ("POST",), CADRES),
    Rule("visit_photo", "/visits/{visit}/photos/{photo}", ("GET",), VISIT_READERS),
    Rule("visit", "/visits/{visit}", ("GET",), VISIT_READERS),
    # the board's and supervisors' view
    Rule("board", "/board", ("GET",), BOARD),
    Rule("audit", "/audit", ("GET",), BOARD),
    Rule("members", "/members", ("GET",), READERS),
    Rule("quarantine", "/quarantine", ("GET",), READERS),
    Rule("quarantine_item", "/quarantine/{item}", ("GET",), READERS),
    Rule("chains", "/chains", ("GET",), READERS),
    # disputes (docs/disputes.md): the cases and the report for the office, board and supervisors; the
    # supervisor or the manager decides (the report's row before the case's, which would match "report")
    Rule("disputes", "/disputes", ("GET",), READERS),
    Rule("dispute_report", "/disputes/report", ("GET",), READERS),
    Rule("dispute_case", "/disputes/{case}", ("GET",), READERS),
    Rule("dispute_decide", "/disputes/{case}/decide", ("POST",), DISPUTE_DECIDERS),
    Rule("devices", "/devices", ("GET",), READERS),
    Rule("products", "/products", ("GET",), READERS),
    # the office's writes (before /members/{number}, which would match "new" and "import")
    Rule("member_new", "/members/new", ("GET", "POST"), OFFICE),
    Rule("members_import", "/members/import", ("GET", "POST"), OFFICE),
    Rule("member_edit", "/members/{number}/edit", ("GET", "POST"), OFFICE),
    Rule("member_card", "/members/{number}/card", ("POST",), OFFICE),
    Rule("member_login", "/members/{number}/login", ("POST",), OFFICE),
    Rule("member_leaving", "/members/{number}/leaving", ("GET",), READERS),  # the settlement if they left
    Rule("product_new", "/products/new", ("GET", "POST"), OFFICE),
    Rule("product_edit", "/products/{sku}/edit", ("GET", "POST"), OFFICE),
    Rule("device_revoke", "/devices/{device}/revoke", ("GET", "POST"), OFFICE),
    Rule("yearend", "/yearend", ("GET", "POST"), OFFICE),
    # a member's statement: the member themself, and the roles that see every member
    Rule("member", "/members/{number}", ("GET",), MEMBERS, own="number"),
)
RULES: Final = {rule.name: rule for rule in MATRIX}
WRITES: Final = frozenset(rule.path for rule in MATRIX if set(rule.methods) - {"GET", "HEAD"})


def allowed(rule: Rule, user: User | None) -> bool:
    """True when ``user`` (None: not logged in) may use the route at all."""
    if rule.allow == PUBLIC:
        return True
    return user is not None and user.role in rule.allow


def sees_all_members(user: User) -> bool:
    """True for the roles that see every member's data: office staff, board, supervisors, manager."""
    return user.role in SEES_MEMBERS


def sees_member(user: User, number: str) -> bool:
    """True when ``user`` may see member ``number``'s personal data: their own, or a role above members."""
    return sees_all_members(user) or (user.member is not None and user.member == number)
