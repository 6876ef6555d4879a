"""Members' savings beyond the ledger's balances: wajib dues month by month and who is behind
(``dues``)."""
