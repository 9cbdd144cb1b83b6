"""The words of the domain: criteria sets, units, periods, issues, and who may do what."""
