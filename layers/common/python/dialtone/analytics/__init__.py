"""Analytics of a tenant's calls, maintained from the calls table's stream: rollups (counts,
sums and histograms per hour and day, behind `total` and the stats) and the change feed."""
