"""Progress of running imports, outside the database: Redis with a broker, else in-process.

An import runs inside one transaction and its counts land in the import_job row when that
transaction commits. Progress cannot wait for that commit, and it is not written to the
database either: on SQLite the import holds the single writer's lock for its whole run, so a
progress row could not be updated by anyone else (and the import's own updates would stay
invisible until its commit); on PostgreSQL each tick would need a second connection and
transaction per running job. So a tick goes where other processes can read it at once: a Redis
key per job (expiring, so a crashed worker leaves nothing behind for long) when jobs run on
Redis, and a dictionary in the process when they run in-process (the embedded default, where
the web server and the job are one process).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

from accord.jobs.dispatch import broker_redis_url

log = logging.getLogger("accord.importer")

#: a key lives this long after its last tick; a running import ticks every few seconds
TTL_SECONDS = 3600
KEY = "accord:import-progress:{job_id}"


@dataclass(frozen=True)
class Progress:
    """Where a running import stands. `phase`: checking (the stored file against its
    SHA-256), reading (rows), finishing (writing the last batch and the error report)."""

    phase: str
    rows_read: int
    bytes_read: int | None
    total_bytes: int
    updated_at: float

    @property
    def percent(self) -> int | None:
        """Bytes read as a share of the file, when the importer can tell its position."""
        if self.bytes_read is None or self.total_bytes <= 0:
            return None
        return min(100, int(100 * self.bytes_read / self.total_bytes))


class ProgressStore(Protocol):
    def write(self, job_id: int, progress: Progress) -> None: ...
    def read(self, job_id: int) -> Progress | None: ...
    def clear(self, job_id: int) -> None: ...


class LocalProgress:
    """In-process: the web server and the import job share this dictionary."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[int, Progress] = {}
        #: called on every write (tests drive a request from inside a running import with it)
        self.listeners: list[Callable[[int, Progress], None]] = []

    def write(self, job_id: int, progress: Progress) -> None:
        with self._lock:
            self._items[job_id] = progress
        for listener in list(self.listeners):
            listener(job_id, progress)

    def read(self, job_id: int) -> Progress | None:
        with self._lock:
            return self._items.get(job_id)

    def clear(self, job_id: int) -> None:
        with self._lock:
            self._items.pop(job_id, None)


class RedisProgress:
    """With a Redis broker: one expiring JSON value per job, readable from every process."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)

    # progress is a courtesy: Redis being away must neither stop an import nor fail a read

    def write(self, job_id: int, progress: Progress) -> None:
        try:
            self._client.set(
                KEY.format(job_id=job_id), json.dumps(asdict(progress)), ex=TTL_SECONDS
            )
        except self._errors as error:
            log.warning("progress of import job %s not written: %s", job_id, error)

    def read(self, job_id: int) -> Progress | None:
        try:
            raw = self._client.get(KEY.format(job_id=job_id))
        except self._errors as error:
            log.warning("progress of import job %s not read: %s", job_id, error)
            return None
        if raw is None:
            return None
        data = json.loads(raw if isinstance(raw, str | bytes) else str(raw))
        return Progress(**data)

    def clear(self, job_id: int) -> None:
        try:
            self._client.delete(KEY.format(job_id=job_id))
        except self._errors as error:
            log.warning("progress of import job %s not cleared: %s", job_id, error)


local_progress = LocalProgress()
_redis_stores: dict[str, RedisProgress] = {}


def progress_store() -> ProgressStore:
    """Where progress goes: the broker's Redis, or this process."""
    url = broker_redis_url()
    if url is None:
        return local_progress
    if url not in _redis_stores:
        _redis_stores[url] = RedisProgress(url)
    return _redis_stores[url]


class Ticker:
    """Writes a running job's progress, at most every `interval` seconds but always on a
    change of phase (a tick is cheap, but thousands a second would not be)."""

    def __init__(
        self,
        job_id: int,
        total_bytes: int,
        *,
        store: ProgressStore | None = None,
        interval: float = 0.5,
    ) -> None:
        self.job_id = job_id
        self.total_bytes = total_bytes
        self.store = store or progress_store()
        self.interval = interval
        self._last = 0.0
        self._phase = ""

    def tick(self, phase: str, rows_read: int, bytes_read: int | None) -> None:
        now = time.time()
        if phase == self._phase and now - self._last < self.interval:
            return
        self._last, self._phase = now, phase
        self.store.write(self.job_id, Progress(phase, rows_read, bytes_read, self.total_bytes, now))
