"""The books as people read them: cash book, trial balance, balance sheet, income statement, a member's
statement and summary, device chains, disputes, quarantine, and the receipt check."""
