"""Board members' activity reports (seed 000's merit system, docs/development.md "Board activity").

Each board member files what they did for the cooperative (a meeting attended, a visit, a training given,
something else) from the portal; ``rules`` turns a year's reports into a score per board member by the
points per kind in the config (``[board_activity.points]``), and the year-end splits the board fund by those
scores (``central.yearend``). ``store`` keeps the reports and their photos beside the ledger; nothing here
touches the journal.
"""
