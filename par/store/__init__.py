"""The database: criteria sets, units, submissions and their rows, accounts, the audit log, and the one submit path."""
