"""Background work of the audit trail."""

from accord.audit import service as audit_service
from accord.jobs.dispatch import job, job_scope


@job(queue="audit")
def verify_audit_chain(verification_id: int) -> None:
    """Verify the whole chain for a requested verification run (idempotent)."""
    with job_scope("verify_audit_chain") as session:
        audit_service.complete_verification(session, verification_id)
