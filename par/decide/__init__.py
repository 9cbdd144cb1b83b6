"""Decision support: the points a target rank needs, rank intervals, the year-end projection."""
