"""The module `accord worker` hands to Dramatiq: sets the broker and declares every job."""

from accord.config import get_settings
from accord.jobs.catalog import import_all_jobs
from accord.jobs.dispatch import configure_broker

broker = configure_broker(get_settings().redis_url)
import_all_jobs()
