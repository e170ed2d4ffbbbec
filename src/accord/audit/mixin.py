"""The marker that puts a model under the audit trail."""

from __future__ import annotations

from typing import ClassVar


class Audited:
    """Mix into a model to have every create, update and delete of it written to the trail.

    `__audit_exclude__` names fields whose changes are not recorded (bookkeeping counters);
    `__audit_redact__` names fields whose change is recorded without its values (secrets).
    """

    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"updated_at"})
    __audit_redact__: ClassVar[frozenset[str]] = frozenset()
