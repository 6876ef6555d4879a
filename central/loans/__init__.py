"""Savings-and-loan lending: schedules and how payments settle them (``schedule``, pure). The products and
rules come from the configuration (``central.loanrules``)."""
