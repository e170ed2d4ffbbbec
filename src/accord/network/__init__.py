"""The influence network: typed, weighted, dated relations between stakeholders, the metrics
computed on them (influence, brokerage, community, reach) and the pyramid of tiers."""
