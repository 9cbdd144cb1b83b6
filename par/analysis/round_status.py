"""The round's status counts, for analysis callers: they live in par.engine.round_status
(the store's RoundState reads them too, and the store may not import par.analysis)."""
from par.engine.round_status import (
    STATUS_COLUMNS,
    domain_grid,
    domain_sizes,
    leaf_states,
    unit_status,
)

__all__ = ["STATUS_COLUMNS", "domain_grid", "domain_sizes", "leaf_states", "unit_status"]
