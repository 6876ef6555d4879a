"""The daily deposit (setoran harian) at central: clerks' cash hand-ins, the treasurer's confirmation with
the cash-difference entry, missing hand-ins and the reconciliation with the ledger (docs/handins.md)."""
