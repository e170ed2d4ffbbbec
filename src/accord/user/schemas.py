"""API shapes of users and tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from accord.user.models import Function, Role, TokenKind

USERNAME_PATTERN = r"^[a-z][a-z0-9_.-]{1,63}$"


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN, description="lowercase login name")
    full_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    function: Function
    role: Role
    password: str = Field(min_length=4, max_length=256)
    manager: str | None = Field(default=None, description="username of the user's manager")
    territories: list[str] = Field(default_factory=list, description="territory codes")

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class TerritoryRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    level: str


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    email: str | None
    function: Function
    role: Role
    manager_id: int | None
    is_active: bool
    locked: bool = False


class MeRead(BaseModel):
    id: int
    username: str
    full_name: str
    function: Function
    function_label: str
    role: Role
    territories: list[TerritoryRef]
    sees_all_territories: bool
    team: list[str]
    permissions: list[str]


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120, description="what the token is for")
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: TokenKind
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenRead):
    token: str = Field(description="shown once; Accord keeps only its hash")


class AccessToken(BaseModel):
    """The OAuth2 token response (RFC 6749 §5.1)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
