"""The principal: the signed-in user as the access layer sees them."""

from __future__ import annotations

from dataclasses import dataclass

from accord.audit.trail import Actor
from accord.user.models import FUNCTION_LABELS, ROLE_LABELS, Function, Role


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    full_name: str
    function: Function
    role: Role
    #: territory ids the user may see (assigned, below them, and their reports');
    #: None means every territory (compliance and administrators)
    territory_ids: frozenset[int] | None
    #: user ids whose work this user oversees (themselves and their reports, transitively)
    team_ids: frozenset[int]
    token_id: int | None = None

    @property
    def sees_all_territories(self) -> bool:
        return self.territory_ids is None

    @property
    def function_label(self) -> str:
        return FUNCTION_LABELS[self.function]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def actor(self) -> Actor:
        return Actor(id=self.user_id, name=self.username)
