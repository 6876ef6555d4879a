"""Members' savings beyond the ledger's balances: wajib dues month by month and who is behind (``dues``),
term-deposit arithmetic (``interest``) and placements as held (``deposits``), and the side tables
(``tables``). The operations that move money are the office's (``central.office.deposits``, ``payouts``,
``leaving``)."""
