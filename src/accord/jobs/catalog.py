"""The job modules of every domain, imported by the worker so that their actors exist."""

import importlib

JOB_MODULES = (
    "accord.audit.jobs",
    "accord.importer.jobs",
    "accord.matching.jobs",
    "accord.network.jobs",
)


def import_all_jobs() -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)
