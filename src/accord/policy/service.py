"""Reading and changing the firewall policy.

The policy in force is the highest stored version, or the shipped default (version 1) when
compliance has changed nothing. Every request reads the newest version number, so a change
takes effect at once in every process; parsed versions are cached by number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import permissions
from accord.access.firewall import Policy, default_policy, parse_policy
from accord.access.principal import Principal
from accord.audit import trail
from accord.db.base import utcnow
from accord.errors import InvalidInput
from accord.policy.models import PolicyVersion

# keyed by (version, id, created_at), not the version alone: a version written by a
# transaction that rolled back must not be mistaken for a later one with the same number
_parsed: dict[tuple[int, int, datetime], Policy] = {}


def current_policy(session: Session) -> Policy:
    """The policy in force now (no permission needed: every read path applies it)."""
    newest = session.execute(
        select(PolicyVersion.version, PolicyVersion.id, PolicyVersion.created_at)
        .order_by(PolicyVersion.version.desc())
        .limit(1)
    ).one_or_none()
    if newest is None:
        return default_policy()
    key = (newest.version, newest.id, newest.created_at)
    policy = _parsed.get(key)
    if policy is None:
        document = session.scalars(
            select(PolicyVersion.document).where(PolicyVersion.id == newest.id)
        ).one()
        policy = parse_policy(json.loads(document), version=newest.version)
        if len(_parsed) > 64:
            _parsed.clear()
        _parsed[key] = policy
    return policy


@dataclass(frozen=True)
class PolicyInfo:
    policy: Policy
    reason: str
    created_by: str
    created_at: datetime | None


def read_policy(session: Session, actor: Principal) -> PolicyInfo:
    permissions.require(actor, permissions.POLICY_READ)
    policy = current_policy(session)
    row = session.scalars(
        select(PolicyVersion).where(PolicyVersion.version == policy.version)
    ).one_or_none()
    if row is None:
        return PolicyInfo(policy, "the default policy Accord ships", "accord", None)
    return PolicyInfo(policy, row.reason, row.created_by, row.created_at)


def change_policy(
    session: Session, actor: Principal, *, document: dict[str, Any], reason: str
) -> PolicyInfo:
    """Store a new version. Only compliance changes the firewall, always with a reason; the
    new version is audited and applies to the next read everywhere."""
    permissions.require(actor, permissions.POLICY_WRITE)
    reason = reason.strip()
    if len(reason) < 5:
        raise InvalidInput("say why the policy changes (at least 5 characters)", field="reason")
    version = current_policy(session).version + 1
    policy = parse_policy(document, version=version)
    row = PolicyVersion(
        version=version,
        document=json.dumps(policy.to_document(), sort_keys=True),
        reason=reason,
        created_by_id=actor.user_id,
        created_by=actor.username,
        created_at=utcnow(),
    )
    with trail.reason(session, reason):
        session.add(row)
    return PolicyInfo(policy, reason, actor.username, row.created_at)
