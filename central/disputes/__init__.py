"""Members' disputes ("bukan saya") as cases the supervisor and manager decide (docs/disputes.md): pure rules
in ``rules``, the decisions and their trail beside the ledger in ``store``."""
