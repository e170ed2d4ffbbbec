"""Background duplicate search (the nightly run, or after a large import)."""

from accord.jobs.dispatch import job, job_scope
from accord.matching import service as matching_service


@job(queue="matching", max_retries=1)
def find_duplicates() -> None:
    """Run the matcher over the whole master. Idempotent: pairs decided before are skipped,
    and a second run finds nothing new to merge."""
    with job_scope("find_duplicates") as session:
        matching_service.run_matching(session, matching_service.steward_principal())
