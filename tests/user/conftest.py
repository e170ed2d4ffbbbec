"""Factories for the user tests: users with cheap Argon2 hashes, so sign-in tests stay fast."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.orm import Session

from accord.user import passwords
from accord.user import service as user_service
from accord.user.models import Function, Role, User
from accord.user.schemas import UserCreate

NEW_PASSWORD = "correct horse battery staple"


@pytest.fixture
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Still Argon2id, with minimal cost: hashes made in the test verify in microseconds.

    The demo personas keep their production-cost hashes (verification follows the parameters
    stored in the hash), so only users made with `new_user` are cheap.
    """
    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    passwords.dummy_hash.cache_clear()
    yield
    passwords.dummy_hash.cache_clear()


def user_data(username: str = "nurse", **overrides: object) -> UserCreate:
    """A valid UserCreate: a medical field user in Boston reporting to meddir."""
    fields: dict[str, object] = {
        "username": username,
        "full_name": "Nora Nurse-Educator",
        "email": f"{username}@accord.example",
        "function": Function.medical,
        "role": Role.field,
        "password": NEW_PASSWORD,
        "manager": "meddir",
        "territories": ["US-NE-BOS"],
    }
    fields.update(overrides)
    return UserCreate.model_validate(fields)


@pytest.fixture
def new_user(session: Session, cheap_argon2: None) -> Callable[..., User]:
    """new_user("nurse", role=Role.manager) -> a flushed user created by the system actor,
    with password NEW_PASSWORD."""

    def make(username: str = "nurse", **overrides: object) -> User:
        user = user_service.create_user(session, None, user_data(username, **overrides))
        session.flush()
        return user

    return make
