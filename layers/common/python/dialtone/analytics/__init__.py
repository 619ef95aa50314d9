"""Analytics of the calls table, maintained from its stream: rollups and the change feed."""
