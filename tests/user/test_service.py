"""The user service: creating users, signing in with lockout, bearer tokens, who sees whom."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import timedelta

import pytest
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.audit.models import AuditAction, AuditEntry
from accord.config import Settings
from accord.db.base import utcnow
from accord.demo.personas import PERSONAS
from accord.errors import (
    Conflict,
    FailedSignIn,
    Forbidden,
    InvalidInput,
    Locked,
    NotFound,
    Unauthorized,
)
from accord.territory import service as territory_service
from accord.user import service as user_service
from accord.user.models import ApiToken, Function, Role, TokenKind, User
from accord.user.passwords import verify_password
from tests.user.conftest import NEW_PASSWORD, user_data

ALL_USERNAMES = {p.username for p in PERSONAS}

NewUser = Callable[..., User]
PersonaOf = Callable[[str], Principal]


def sign_in(session: Session, settings: Settings, username: str, password: str) -> User:
    return user_service.authenticate(
        session,
        username,
        password,
        max_failures=settings.login_max_failures,
        lockout_minutes=settings.login_lockout_minutes,
    )


def audit_entries(session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.seq)
    )
    return list(session.scalars(stmt))


def usernames(users: Iterable[User]) -> set[str]:
    return {u.username for u in users}


@pytest.mark.usefixtures("cheap_argon2")
class TestCreateUser:
    def test_admin_creates_a_user_with_manager_and_territories(
        self, session: Session, persona: PersonaOf
    ) -> None:
        admin = persona("admin")
        user = user_service.create_user(session, admin, user_data("nurse"))
        session.flush()

        meddir = user_service.get_by_username(session, "meddir")
        assert meddir is not None
        assert user.manager_id == meddir.id
        assert user.function == Function.medical
        assert user.role == Role.field
        assert user.is_active
        assert user.failed_login_count == 0
        assert [t.code for t in territory_service.assigned_to(session, user.id)] == ["US-NE-BOS"]

    def test_password_is_stored_as_an_argon2_hash(
        self, session: Session, persona: PersonaOf
    ) -> None:
        user = user_service.create_user(session, persona("admin"), user_data("nurse"))

        assert NEW_PASSWORD not in user.password_hash
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(NEW_PASSWORD, user.password_hash)[0]

    def test_system_may_create_without_a_principal(self, session: Session) -> None:
        user = user_service.create_user(session, None, user_data("nurse"))

        assert user_service.get_by_username(session, "nurse") is user

    def test_duplicate_username_is_a_conflict_naming_username(
        self, session: Session, persona: PersonaOf
    ) -> None:
        with pytest.raises(Conflict) as caught:
            user_service.create_user(session, persona("admin"), user_data("msl"))

        assert caught.value.field == "username"
        assert caught.value.status == 409
        assert "msl" in caught.value.message

    def test_username_differing_only_in_case_is_a_duplicate(
        self, session: Session, persona: PersonaOf
    ) -> None:
        with pytest.raises(Conflict) as caught:
            user_service.create_user(session, persona("admin"), user_data("MSL"))

        assert caught.value.field == "username"

    def test_unknown_manager_is_refused_naming_manager(
        self, session: Session, persona: PersonaOf
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            user_service.create_user(session, persona("admin"), user_data(manager="nobody"))

        assert caught.value.field == "manager"
        assert "nobody" in caught.value.message
        assert user_service.get_by_username(session, "nurse") is None

    def test_manager_who_is_not_a_manager_is_refused(
        self, session: Session, persona: PersonaOf
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            user_service.create_user(session, persona("admin"), user_data(manager="rep"))

        assert caught.value.field == "manager"
        assert "not a manager" in caught.value.message
        assert user_service.get_by_username(session, "nurse") is None

    def test_an_administrator_may_be_the_manager(
        self, session: Session, persona: PersonaOf
    ) -> None:
        user = user_service.create_user(session, persona("admin"), user_data(manager="admin"))

        admin = user_service.get_by_username(session, "admin")
        assert admin is not None
        assert user.manager_id == admin.id

    def test_unknown_territory_code_is_refused_and_nothing_is_created(
        self, session: Session, persona: PersonaOf
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            user_service.create_user(
                session, persona("admin"), user_data(territories=["US-NE", "US-XX"])
            )

        assert caught.value.field == "territory"
        assert "US-XX" in caught.value.message
        assert user_service.get_by_username(session, "nurse") is None

    def test_rep_is_forbidden(self, session: Session, persona: PersonaOf) -> None:
        with pytest.raises(Forbidden) as caught:
            user_service.create_user(session, persona("rep"), user_data("nurse"))

        assert caught.value.status == 403
        assert caught.value.message == "only administrators manage users"
        assert user_service.get_by_username(session, "nurse") is None

    def test_compliance_is_forbidden_too(self, session: Session, persona: PersonaOf) -> None:
        with pytest.raises(Forbidden):
            user_service.create_user(session, persona("compliance"), user_data("nurse"))

    def test_permission_is_checked_before_anything_else(
        self, session: Session, persona: PersonaOf
    ) -> None:
        # a rep must not learn which usernames exist from a Conflict
        with pytest.raises(Forbidden):
            user_service.create_user(session, persona("rep"), user_data("msl"))


@pytest.mark.usefixtures("cheap_argon2")
class TestUserCreationAudit:
    def test_every_field_is_audited_with_the_actor_and_reason(
        self, session: Session, persona: PersonaOf
    ) -> None:
        admin = persona("admin")
        user = user_service.create_user(session, admin, user_data("nurse"))
        session.flush()

        entries = audit_entries(session, "user", user.id)
        by_field = {e.field: e for e in entries}
        assert {"username", "full_name", "function", "role", "manager_id", "password_hash"} <= set(
            by_field
        )
        assert all(e.action == AuditAction.create for e in entries)
        assert all(e.actor == "admin" and e.actor_id == admin.user_id for e in entries)
        assert all(e.reason == "user created" for e in entries)
        assert json.loads(by_field["username"].new_value or "null") == "nurse"

    def test_password_hash_is_redacted(self, session: Session, persona: PersonaOf) -> None:
        user = user_service.create_user(session, persona("admin"), user_data("nurse"))
        session.flush()

        entry = next(
            e for e in audit_entries(session, "user", user.id) if e.field == "password_hash"
        )
        assert entry.new_value is not None
        assert json.loads(entry.new_value) == "[redacted]"
        assert entry.old_value is None

    def test_the_hash_itself_is_nowhere_in_the_trail(
        self, session: Session, persona: PersonaOf
    ) -> None:
        user = user_service.create_user(session, persona("admin"), user_data("nurse"))
        session.flush()

        leaks = session.scalars(
            select(AuditEntry).where(
                or_(
                    AuditEntry.new_value.contains(user.password_hash, autoescape=True),
                    AuditEntry.old_value.contains(user.password_hash, autoescape=True),
                    AuditEntry.new_value.contains(NEW_PASSWORD, autoescape=True),
                )
            )
        ).all()
        assert leaks == []

    def test_territory_assignment_is_audited(self, session: Session, persona: PersonaOf) -> None:
        user = user_service.create_user(session, persona("admin"), user_data("nurse"))
        session.flush()

        reasons = session.scalars(
            select(AuditEntry.reason).where(AuditEntry.entity == "user_territory")
        ).all()
        assert f"territory US-NE-BOS assigned to {user.username}" in reasons

    def test_password_change_is_audited_redacted_on_both_sides(
        self, session: Session, new_user: NewUser
    ) -> None:
        user = new_user("nurse")
        old_hash = user.password_hash

        user_service.set_password(session, None, "nurse", "a new secret")
        session.flush()

        entry = [e for e in audit_entries(session, "user", user.id) if e.field == "password_hash"][
            -1
        ]
        assert entry.action == AuditAction.update
        assert entry.reason == "password changed"
        assert json.loads(entry.old_value or "null") == "[redacted]"
        assert json.loads(entry.new_value or "null") == "[redacted]"
        assert old_hash not in (entry.old_value or "")
        assert user.password_hash not in (entry.new_value or "")


class TestAuthenticate:
    def test_right_password_returns_the_user_and_records_the_sign_in(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        created = new_user("nurse")

        user = sign_in(session, settings, "nurse", NEW_PASSWORD)

        assert user is created
        assert user.last_login_at is not None
        assert user.failed_login_count == 0

    def test_username_is_case_insensitive(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        created = new_user("nurse")

        assert sign_in(session, settings, "Nurse", NEW_PASSWORD) is created

    def test_wrong_password_counts_a_failure(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        user = new_user("nurse")

        with pytest.raises(FailedSignIn) as caught:
            sign_in(session, settings, "nurse", "wrong")

        assert caught.value.status == 401
        assert caught.value.persist, "a failed sign-in must survive the rolled-back request"
        assert user.failed_login_count == 1
        assert user.locked_until is None

    def test_right_password_resets_the_failure_count(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        user = new_user("nurse")
        for _ in range(settings.login_max_failures - 1):
            with pytest.raises(FailedSignIn):
                sign_in(session, settings, "nurse", "wrong")

        sign_in(session, settings, "nurse", NEW_PASSWORD)

        assert user.failed_login_count == 0
        assert user.locked_until is None

    def test_the_fifth_failure_in_a_row_locks_the_account(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        user = new_user("nurse")
        assert settings.login_max_failures == 5
        before = utcnow()

        for _ in range(4):
            with pytest.raises(FailedSignIn):
                sign_in(session, settings, "nurse", "wrong")
        assert user.locked_until is None
        with pytest.raises(FailedSignIn):
            sign_in(session, settings, "nurse", "wrong")

        assert user.locked_until is not None
        lockout = timedelta(minutes=settings.login_lockout_minutes)
        assert before + lockout <= user.locked_until <= utcnow() + lockout

    def test_a_locked_account_refuses_even_the_right_password(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        new_user("nurse")
        for _ in range(settings.login_max_failures):
            with pytest.raises(FailedSignIn):
                sign_in(session, settings, "nurse", "wrong")

        with pytest.raises(Locked) as caught:
            sign_in(session, settings, "nurse", NEW_PASSWORD)

        assert caught.value.status == 423
        assert "locked" in caught.value.message

    def test_the_lockout_is_audited_with_its_reason(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        user = new_user("nurse")
        for _ in range(settings.login_max_failures):
            with pytest.raises(FailedSignIn):
                sign_in(session, settings, "nurse", "wrong")

        entry = next(
            e for e in audit_entries(session, "user", user.id) if e.field == "locked_until"
        )
        assert entry.action == AuditAction.update
        assert entry.reason == f"{settings.login_max_failures} failed sign-ins in a row"

    def test_the_lock_expires_after_the_lockout_minutes(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        user = new_user("nurse")
        user.locked_until = utcnow() + timedelta(minutes=settings.login_lockout_minutes)
        session.flush()
        with pytest.raises(Locked):
            sign_in(session, settings, "nurse", NEW_PASSWORD)

        user.locked_until = utcnow() - timedelta(seconds=1)
        session.flush()

        assert sign_in(session, settings, "nurse", NEW_PASSWORD) is user
        assert user.locked_until is None

    def test_unknown_user_fails_exactly_like_a_wrong_password(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        new_user("nurse")
        with pytest.raises(FailedSignIn) as wrong_password:
            sign_in(session, settings, "nurse", "wrong")

        with pytest.raises(FailedSignIn) as unknown_user:
            sign_in(session, settings, "nobody", "wrong")

        assert type(unknown_user.value) is type(wrong_password.value)
        assert unknown_user.value.message == wrong_password.value.message
        assert unknown_user.value.status == wrong_password.value.status == 401

    def test_deactivated_user_fails_like_a_wrong_password(
        self, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        user = new_user("nurse")
        user.is_active = False
        session.flush()

        with pytest.raises(FailedSignIn) as caught:
            sign_in(session, settings, "nurse", NEW_PASSWORD)

        assert caught.value.message == "wrong username or password"

    def test_empty_username_is_invalid_input_naming_username(
        self, session: Session, settings: Settings
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            sign_in(session, settings, "", "demo")

        assert caught.value.field == "username"

    def test_empty_password_is_invalid_input_naming_password(
        self, session: Session, settings: Settings
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            sign_in(session, settings, "msl", "")

        assert caught.value.field == "password"


@pytest.fixture
def msl_user(session: Session) -> User:
    user = user_service.get_by_username(session, "msl")
    assert user is not None
    return user


class TestIssueToken:
    def test_the_secret_is_random_and_marked_as_accord_s(
        self, session: Session, msl_user: User
    ) -> None:
        _, first = user_service.issue_token(
            session, msl_user, kind=TokenKind.api, name="one", lifetime=None
        )
        _, second = user_service.issue_token(
            session, msl_user, kind=TokenKind.api, name="two", lifetime=None
        )

        assert first.startswith(user_service.TOKEN_PREFIX)
        assert first != second
        assert len(first) >= len(user_service.TOKEN_PREFIX) + 43  # 256 bits, base64url

    def test_only_the_sha256_digest_is_stored(self, session: Session, msl_user: User) -> None:
        token, secret = user_service.issue_token(
            session, msl_user, kind=TokenKind.api, name="sync", lifetime=None
        )
        session.flush()

        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert token.prefix == secret[: len(user_service.TOKEN_PREFIX) + 6]
        row = session.execute(
            text("SELECT * FROM api_token WHERE id = :id"), {"id": token.id}
        ).one()
        assert all(secret not in str(value) for value in row)

    def test_the_digest_is_redacted_in_the_audit_trail(
        self, session: Session, msl_user: User
    ) -> None:
        token, secret = user_service.issue_token(
            session, msl_user, kind=TokenKind.api, name="sync", lifetime=None
        )
        session.flush()

        entries = audit_entries(session, "api_token", token.id)
        digest = next(e for e in entries if e.field == "token_hash")
        assert json.loads(digest.new_value or "null") == "[redacted]"
        assert all(token.token_hash not in (e.new_value or "") for e in entries)
        assert all(secret not in (e.new_value or "") for e in entries)

    def test_a_lifetime_sets_the_expiry(self, session: Session, msl_user: User) -> None:
        token, _ = user_service.issue_token(
            session, msl_user, kind=TokenKind.access, name="grant", lifetime=timedelta(hours=1)
        )

        assert token.expires_at is not None
        assert token.expires_at - token.created_at == timedelta(hours=1)

    def test_the_table_has_no_column_that_could_hold_the_secret(self) -> None:
        columns = {c.name: c for c in ApiToken.__table__.columns}

        assert "token" not in columns
        assert columns["token_hash"].type.length == 64  # type: ignore[attr-defined]
        assert columns["prefix"].type.length == 16  # type: ignore[attr-defined]


class TestResolveToken:
    def test_a_valid_token_resolves_to_its_user(self, session: Session, msl_user: User) -> None:
        issued, secret = user_service.issue_token(
            session, msl_user, kind=TokenKind.access, name="grant", lifetime=timedelta(hours=1)
        )

        user, token = user_service.resolve_token(session, secret)

        assert user is msl_user
        assert token is issued

    def test_an_api_token_records_when_it_was_used(self, session: Session, msl_user: User) -> None:
        token, secret = user_service.issue_token(
            session, msl_user, kind=TokenKind.api, name="sync", lifetime=None
        )
        assert token.last_used_at is None

        user_service.resolve_token(session, secret)

        assert token.last_used_at is not None

    def test_a_revoked_token_is_refused(self, session: Session, persona: PersonaOf) -> None:
        msl = persona("msl")
        token, secret = user_service.create_api_token(
            session, msl, name="sync", expires_in_days=None
        )
        user_service.revoke_api_token(session, msl, token.id)

        with pytest.raises(Unauthorized, match="revoked"):
            user_service.resolve_token(session, secret)

    def test_an_expired_token_is_refused(self, session: Session, msl_user: User) -> None:
        token, secret = user_service.issue_token(
            session, msl_user, kind=TokenKind.access, name="grant", lifetime=timedelta(hours=1)
        )
        token.expires_at = utcnow() - timedelta(seconds=1)
        session.flush()

        with pytest.raises(Unauthorized, match="expired"):
            user_service.resolve_token(session, secret)

    @pytest.mark.parametrize(
        "secret",
        ["garbage", "Bearer acc_x", "acc_" + "x" * 200, ""],
        ids=["no-prefix", "scheme-included", "too-long", "empty"],
    )
    def test_a_malformed_token_is_refused_without_a_lookup(
        self, session: Session, secret: str
    ) -> None:
        with pytest.raises(Unauthorized) as caught:
            user_service.resolve_token(session, secret)

        assert caught.value.message == "the bearer token is malformed"

    def test_an_unknown_token_is_refused(self, session: Session) -> None:
        with pytest.raises(Unauthorized) as caught:
            user_service.resolve_token(session, user_service.TOKEN_PREFIX + "x" * 43)

        assert caught.value.message == "the bearer token is not valid"

    def test_a_deactivated_user_s_token_is_refused(self, session: Session, msl_user: User) -> None:
        _, secret = user_service.issue_token(
            session, msl_user, kind=TokenKind.api, name="sync", lifetime=None
        )
        msl_user.is_active = False
        session.flush()

        with pytest.raises(Unauthorized, match="deactivated"):
            user_service.resolve_token(session, secret)


class TestCreateApiToken:
    def test_expires_in_days_sets_the_expiry(self, session: Session, persona: PersonaOf) -> None:
        token, _ = user_service.create_api_token(
            session, persona("msl"), name="sync", expires_in_days=30
        )

        assert token.kind == TokenKind.api
        assert token.expires_at is not None
        assert token.expires_at - token.created_at == timedelta(days=30)

    def test_without_expiry_the_token_does_not_expire(
        self, session: Session, persona: PersonaOf
    ) -> None:
        token, _ = user_service.create_api_token(
            session, persona("msl"), name="sync", expires_in_days=None
        )

        assert token.expires_at is None


class TestListApiTokens:
    def test_lists_only_the_actor_s_api_tokens_newest_first(
        self, session: Session, persona: PersonaOf, msl_user: User
    ) -> None:
        msl = persona("msl")
        first, _ = user_service.create_api_token(session, msl, name="first", expires_in_days=None)
        second, _ = user_service.create_api_token(session, msl, name="second", expires_in_days=None)
        user_service.issue_token(
            session, msl_user, kind=TokenKind.access, name="grant", lifetime=timedelta(hours=1)
        )
        user_service.create_api_token(session, persona("rep"), name="rep's", expires_in_days=None)

        tokens = user_service.list_api_tokens(session, msl)

        assert [t.id for t in tokens] == [second.id, first.id]


class TestRevokeApiToken:
    def test_the_owner_revokes_their_token(self, session: Session, persona: PersonaOf) -> None:
        msl = persona("msl")
        token, _ = user_service.create_api_token(session, msl, name="sync", expires_in_days=None)

        revoked = user_service.revoke_api_token(session, msl, token.id)

        assert revoked.revoked_at is not None

    def test_revoking_twice_keeps_the_first_time(
        self, session: Session, persona: PersonaOf
    ) -> None:
        msl = persona("msl")
        token, _ = user_service.create_api_token(session, msl, name="sync", expires_in_days=None)
        first = user_service.revoke_api_token(session, msl, token.id).revoked_at

        again = user_service.revoke_api_token(session, msl, token.id)

        assert again.revoked_at == first

    def test_someone_else_s_token_is_404(self, session: Session, persona: PersonaOf) -> None:
        token, _ = user_service.create_api_token(
            session, persona("msl"), name="sync", expires_in_days=None
        )

        with pytest.raises(NotFound):
            user_service.revoke_api_token(session, persona("rep"), token.id)
        assert token.revoked_at is None

    def test_an_administrator_revokes_anyone_s_token(
        self, session: Session, persona: PersonaOf
    ) -> None:
        token, _ = user_service.create_api_token(
            session, persona("msl"), name="sync", expires_in_days=None
        )

        user_service.revoke_api_token(session, persona("admin"), token.id)

        assert token.revoked_at is not None

    def test_an_unknown_token_is_404(self, session: Session, persona: PersonaOf) -> None:
        with pytest.raises(NotFound):
            user_service.revoke_api_token(session, persona("admin"), 999_999)

    def test_revocation_is_audited(self, session: Session, persona: PersonaOf) -> None:
        msl = persona("msl")
        token, _ = user_service.create_api_token(session, msl, name="sync", expires_in_days=None)

        user_service.revoke_api_token(session, msl, token.id)

        entry = next(
            e for e in audit_entries(session, "api_token", token.id) if e.field == "revoked_at"
        )
        assert entry.reason == "token revoked"
        assert entry.actor == "msl"


class TestListUsers:
    def test_admin_sees_everyone(self, session: Session, persona: PersonaOf) -> None:
        page = user_service.list_users(session, persona("admin"))

        assert usernames(page.items) == ALL_USERNAMES
        assert page.next_cursor is None

    def test_compliance_sees_everyone(self, session: Session, persona: PersonaOf) -> None:
        page = user_service.list_users(session, persona("compliance"))

        assert usernames(page.items) == ALL_USERNAMES

    def test_meddir_sees_the_msl_and_themselves(self, session: Session, persona: PersonaOf) -> None:
        page = user_service.list_users(session, persona("meddir"))

        assert usernames(page.items) == {"meddir", "msl"}

    def test_salesmgr_sees_the_rep_but_not_the_west_rep(
        self, session: Session, persona: PersonaOf
    ) -> None:
        page = user_service.list_users(session, persona("salesmgr"))

        assert usernames(page.items) == {"salesmgr", "rep"}

    def test_msl_sees_only_themselves(self, session: Session, persona: PersonaOf) -> None:
        page = user_service.list_users(session, persona("msl"))

        assert usernames(page.items) == {"msl"}

    def test_a_manager_sees_reports_of_reports(
        self, session: Session, persona: PersonaOf, new_user: NewUser
    ) -> None:
        new_user("lead", role=Role.manager, manager="meddir")
        new_user("junior", manager="lead")

        page = user_service.list_users(session, persona("meddir"))

        assert usernames(page.items) == {"meddir", "msl", "lead", "junior"}

    def test_filter_by_function(self, session: Session, persona: PersonaOf) -> None:
        page = user_service.list_users(session, persona("admin"), function=Function.commercial)

        assert usernames(page.items) == {"salesmgr", "rep", "rep_west"}

    def test_pages_follow_the_cursor_without_duplicates(
        self, session: Session, persona: PersonaOf
    ) -> None:
        admin = persona("admin")
        seen: list[str] = []
        cursor = None
        for _ in range(10):
            page = user_service.list_users(session, admin, limit=3, cursor=cursor)
            seen += [u.username for u in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break

        assert len(seen) == len(set(seen)) == len(ALL_USERNAMES)
        assert set(seen) == ALL_USERNAMES

    def test_a_cursor_this_api_did_not_issue_is_invalid_input(
        self, session: Session, persona: PersonaOf
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            user_service.list_users(session, persona("admin"), cursor="not-a-cursor")

        assert caught.value.field == "cursor"

    @pytest.mark.parametrize("limit", [0, -1, 501])
    def test_a_limit_out_of_range_is_invalid_input(
        self, session: Session, persona: PersonaOf, limit: int
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            user_service.list_users(session, persona("admin"), limit=limit)

        assert caught.value.field == "limit"


class TestDirectory:
    def test_admin_gets_users_with_their_territory_codes(
        self, session: Session, persona: PersonaOf
    ) -> None:
        page, codes = user_service.directory(session, persona("admin"), limit=50, cursor=None)

        by_name = {u.username: codes[u.id] for u in page.items}
        assert by_name["msl"] == ["US-NE"]
        assert by_name["rep_west"] == ["US-W"]
        assert by_name["compliance"] == []

    def test_compliance_may_not_open_the_directory(
        self, session: Session, persona: PersonaOf
    ) -> None:
        with pytest.raises(Forbidden):
            user_service.directory(session, persona("compliance"), limit=50, cursor=None)
