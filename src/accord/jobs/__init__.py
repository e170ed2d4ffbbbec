"""Background jobs: Dramatiq on Redis when ACCORD_REDIS_URL is set, in-process otherwise.

A job is enqueued inside a unit of work with `enqueue(session, job, *ids)` and sent only
after that unit commits; a rolled-back unit sends nothing.
"""

from accord.jobs.dispatch import Job, enqueue, job

__all__ = ["Job", "enqueue", "job"]
