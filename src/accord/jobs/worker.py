"""The module `accord worker` hands to Dramatiq: sets the broker and declares every job."""

from accord.config import get_settings
from accord.jobs.catalog import import_all_jobs
from accord.jobs.dispatch import configure_broker

broker = configure_broker(get_settings().redis_url)
import_all_jobs()

# every worker process runs the nightly scheduler; the claim in the database lets one start
# each night's jobs
from accord.jobs.schedule import Scheduler  # noqa: E402

Scheduler().start()
