"""Background recompute of the influence network (nightly and on demand)."""

from __future__ import annotations

import logging

from accord.jobs.dispatch import job, job_scope
from accord.network import discovery, service_recompute

log = logging.getLogger("accord.network")


@job(queue="network", max_retries=1, background=True)
def recompute_network(requested_by: str | None = None) -> None:
    """Recompute every metric and tier as one new snapshot. Idempotent in effect: a second
    run on unchanged sources gives the same tiers, as a snapshot of its own."""
    # three units (see service_recompute.measure): the experts found in research records,
    # then the long read-and-compute that holds no lock, then the write, which takes its turn
    with job_scope("recompute_network", writes=True) as session:
        found = discovery.discover(session)
    with job_scope("recompute_network") as session:
        measured = service_recompute.measure(session, discover=False, found=found)
    with job_scope("recompute_network", writes=True) as session:
        snapshot = service_recompute.store(session, measured, requested_by=requested_by or "job")
        log.info(
            "network snapshot %s: %s stakeholders, %s relations in %.1f s",
            snapshot.id,
            snapshot.node_count,
            snapshot.edge_count,
            snapshot.timings.get("total", 0.0),
        )
