"""Users and their API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, Timestamped


class Function(enum.StrEnum):
    """The team a user belongs to; the firewall is written per function."""

    medical = "medical"
    commercial = "commercial"
    market_access = "market_access"
    research = "research"
    compliance = "compliance"
    finance = "finance"
    operations = "operations"
    admin = "admin"


FUNCTION_LABELS = {
    Function.medical: "Medical affairs",
    Function.commercial: "Sales & marketing",
    Function.market_access: "Market access",
    Function.research: "Clinical research",
    Function.compliance: "Compliance",
    Function.finance: "Finance",
    Function.operations: "Operations",
    Function.admin: "Administration",
}


class Role(enum.StrEnum):
    field = "field"
    manager = "manager"
    admin = "admin"


ROLE_LABELS = {Role.field: "Field", Role.manager: "Manager", Role.admin: "Administrator"}


class User(Audited, Timestamped, Base):
    __tablename__ = "user"
    # sign-in bookkeeping changes on every login; the audit trail records the security events
    # (lockouts, password changes) through their own fields instead.
    __audit_exclude__ = frozenset({"failed_login_count", "last_login_at", "updated_at"})
    __audit_redact__ = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    function: Mapped[Function] = mapped_column(
        Enum(Function, native_enum=False, length=32, validate_strings=True)
    )
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, validate_strings=True)
    )
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class TokenKind(enum.StrEnum):
    access = "access"  # short-lived, from POST /api/v1/auth/token
    api = "api"  # long-lived, created by the user for an integration


class ApiToken(Audited, Base):
    """A bearer token, stored only as its SHA-256 digest (tokens are 256-bit random)."""

    __tablename__ = "api_token"
    __audit_exclude__ = frozenset({"last_used_at"})
    __audit_redact__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TokenKind] = mapped_column(
        Enum(TokenKind, native_enum=False, length=16, validate_strings=True)
    )
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
