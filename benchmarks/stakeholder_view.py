"""The complete stakeholder view and the stakeholder list, beside the raw SQL they need.

On a database loaded by the demo generator at the run's size, one Boston cardiologist gets
5,000 interactions (every engaging function, channel and product stage, two years), requests,
insights and consents. Then:

- **view**: `GET /api/v1/stakeholders/{id}` through the whole app in-process, as an MSL, a rep
  and compliance (whose reads of medical-only data are audited), timed by the app's own
  `Server-Timing` header: p50 and p95 over the rounds.
- **its raw SQL**: the statements the view needs, written by hand and run on a bare psycopg
  / sqlite3 cursor, every row fetched: the floor for reading that data at all.
- **list and search**: `GET /api/v1/stakeholders?q=..` (two-letter name prefixes) and a
  filtered list (state, type) as a territory-bound rep, p95, beside the same queries in raw SQL.
"""

from __future__ import annotations

import logging
import random
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select, text

from accord.app import create_app
from accord.audit import trail
from accord.config import Settings
from accord.consent.models import Consent, ConsentChannel, ConsentStatus
from accord.db.session import Database, unit_of_work
from accord.insight.models import Insight
from accord.interaction.models import (
    Channel,
    Interaction,
    InteractionProduct,
    Outcome,
    Purpose,
)
from accord.product.models import Product
from accord.request.models import Request, RequestKind, RequestStatus
from accord.stakeholder.models import Stakeholder, StakeholderProduct, StakeholderType
from accord.territory.models import Territory
from accord.user import service as user_service
from accord.user.models import Function, TokenKind, User
from benchmarks import BenchDatabase

INTERACTIONS = 5_000
ROUNDS = {"S": 60, "M": 100, "L": 100}
LIST_ROUNDS = {"S": 60, "M": 100, "L": 100}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _busy_stakeholder(database: Database) -> int:
    """A Boston-area HCP related to an approved and an investigational product, given
    5,000 interactions, 12 requests, 40 insights and a consent history, in bulk."""
    rng = random.Random(7)
    with unit_of_work(database.session_factory) as session:
        boston = session.scalars(select(Territory.id).where(Territory.code == "US-NE-BOS")).one()
        sid = session.scalars(
            select(Stakeholder.id)
            .where(Stakeholder.territory_id == boston, Stakeholder.type == StakeholderType.hcp)
            .order_by(Stakeholder.id)
            .limit(1)
        ).one()
        products = {p.code: p.id for p in session.scalars(select(Product))}
        users = {
            u.username: (u.id, u.function)
            for u in session.scalars(
                select(User).where(User.username.in_(["msl", "rep", "access", "research"]))
            )
        }
        known = set(
            session.scalars(
                select(StakeholderProduct.product_id).where(
                    StakeholderProduct.stakeholder_id == sid
                )
            )
        )
        for code in ("LPT", "CVX-201"):
            if products[code] not in known:
                session.execute(
                    insert(StakeholderProduct).execution_options(**{trail.AUDITED_BULK: True}),
                    [{"stakeholder_id": sid, "product_id": products[code], "relation": "bench"}],
                )
        now = datetime.now(UTC)
        channels = [c for c in Channel if c not in (Channel.email, Channel.approved_email)]
        first_id = int(session.scalar(select(Interaction.id).order_by(Interaction.id.desc())) or 0)
        rows = []
        links = []
        owners = list(users.values())
        for i in range(INTERACTIONS):
            owner_id, function = owners[i % len(owners)]
            rows.append(
                {
                    "id": first_id + 1 + i,
                    "stakeholder_id": sid,
                    "owner_id": owner_id,
                    "function": function,
                    "channel": rng.choice(channels),
                    "purpose": Purpose.scientific
                    if function in (Function.medical, Function.research)
                    else Purpose.promotional,
                    "occurred_at": now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60)),
                    "outcome": rng.choice(list(Outcome)),
                    "topics": ["lipid targets", "adherence"][: rng.randint(0, 2)],
                    "notes": f"Benchmark note {i}: discussed patient selection and follow-up.",
                    "created_at": now,
                }
            )
            code = "LPT" if function != Function.medical or i % 5 else "CVX-201"
            links.append({"interaction_id": first_id + 1 + i, "product_id": products[code]})
        bulk = {trail.AUDITED_BULK: True}
        session.execute(insert(Interaction).execution_options(**bulk), rows)
        session.execute(insert(InteractionProduct), links)
        msl_id = users["msl"][0]
        session.execute(
            insert(Request).execution_options(**bulk),
            [
                {
                    "stakeholder_id": sid,
                    "kind": RequestKind.mir,
                    "status": RequestStatus.open if i < 2 else RequestStatus.answered,
                    "handling_function": Function.medical,
                    "product_id": products["LPT"],
                    "question": f"Question {i} about renal dosing",
                    "off_label": i % 2 == 0,
                    "received_at": now - timedelta(days=30 * i),
                    "due_date": (now - timedelta(days=30 * i - 10)).date(),
                    "answer": None if i < 2 else "Answered per label",
                    "answered_by_id": None if i < 2 else msl_id,
                    "created_by_id": msl_id,
                    "created_at": now,
                }
                for i in range(12)
            ],
        )
        session.execute(
            insert(Insight).execution_options(**bulk),
            [
                {
                    "stakeholder_id": sid,
                    "author_id": msl_id,
                    "function": Function.medical,
                    "product_id": products["LPT"],
                    "text": f"Insight {i}: prefers outcome data over surrogate endpoints",
                    "topics": ["evidence"],
                    "recorded_at": now - timedelta(days=9 * i),
                }
                for i in range(40)
            ],
        )
        session.execute(
            insert(Consent).execution_options(**bulk),
            [
                {
                    "stakeholder_id": sid,
                    "channel": channel,
                    "purpose": purpose,
                    "status": ConsentStatus.granted,
                    "effective_at": now - timedelta(days=700),
                    "source": "signed form",
                    "proof": "form on file",
                    "recorded_at": now,
                }
                for channel in ConsentChannel
                for purpose in Purpose
            ],
        )
        trail.append_entries(
            session,
            [
                {
                    "occurred_at": now,
                    "actor_id": None,
                    "actor": "benchmark",
                    "action": "create",
                    "entity": "interaction",
                    "entity_id": "*",
                    "field": None,
                    "old_value": None,
                    "new_value": f"{INTERACTIONS} interactions for stakeholder {sid}",
                    "reason": "benchmark data",
                    "request_id": None,
                }
            ],
        )
    return sid


def raw_view_sql(sid: int, dialect: str) -> list[str]:
    """The statements the view needs, by hand: the floor for reading that data."""
    month = (
        "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM')"
        if dialect == "postgresql"
        else "strftime('%Y-%m', occurred_at)"
    )
    return [
        f"SELECT * FROM stakeholder WHERE id = {sid}",
        "SELECT p.lifecycle_stage FROM product p JOIN stakeholder_product sp "
        f"ON sp.product_id = p.id WHERE sp.stakeholder_id = {sid}",
        "SELECT id, lifecycle_stage FROM product",
        f"SELECT * FROM stakeholder_identifier WHERE stakeholder_id = {sid}",
        f"SELECT * FROM address WHERE stakeholder_id = {sid}",
        "SELECT a.*, o.name FROM affiliation a JOIN stakeholder o ON o.id = a.organization_id "
        f"WHERE a.stakeholder_id = {sid}",
        f"SELECT * FROM engagement_status WHERE stakeholder_id = {sid}",
        "SELECT function, max(occurred_at) FROM interaction "
        f"WHERE stakeholder_id = {sid} GROUP BY function",
        f"SELECT * FROM channel_preference WHERE stakeholder_id = {sid}",
        "SELECT channel, count(*), sum(CASE WHEN outcome = 'no_response' THEN 0 ELSE 1 END) "
        f"FROM interaction WHERE stakeholder_id = {sid} GROUP BY channel",
        f"SELECT * FROM consent WHERE stakeholder_id = {sid} ORDER BY effective_at",
        # the activity summaries: counts per function, month and channel, last contact
        f"SELECT function, {month}, channel, count(*), max(occurred_at) FROM interaction "
        f"WHERE stakeholder_id = {sid} GROUP BY function, {month}, channel",
        "SELECT r.*, p.code FROM request r LEFT JOIN product p ON p.id = r.product_id "
        f"WHERE r.stakeholder_id = {sid}",
        'SELECT i.*, u.full_name FROM insight i JOIN "user" u ON u.id = i.author_id '
        f"WHERE i.stakeholder_id = {sid}",
        'SELECT i.*, u.full_name FROM interaction i JOIN "user" u ON u.id = i.owner_id '
        f"WHERE i.stakeholder_id = {sid} ORDER BY i.occurred_at DESC, i.id DESC LIMIT 21",
        "SELECT ip.interaction_id, ip.product_id FROM interaction_product ip WHERE "
        "ip.interaction_id IN (SELECT id FROM interaction WHERE stakeholder_id = "
        f"{sid} ORDER BY occurred_at DESC, id DESC LIMIT 21)",
    ]


def time_raw(database: Database, statements: list[str], rounds: int) -> list[float]:
    out = []
    with database.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        for _ in range(rounds):
            started = time.perf_counter()
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall()
            out.append((time.perf_counter() - started) * 1000)
        cursor.close()
    return out


def server_ms(response: Any) -> float:
    assert response.status_code == 200, response.text[:300]
    return float(response.headers["server-timing"].removeprefix("app;dur="))


def run(bench: BenchDatabase, size: str, console: Console) -> None:
    """Runs on the data the generator benchmark just loaded into the same database."""
    database = bench.database
    with database.engine.connect() as conn:
        stakeholders = conn.execute(text("SELECT count(*) FROM stakeholder")).scalar_one()
        interactions = conn.execute(text("SELECT count(*) FROM interaction")).scalar_one()
    console.print(f"on {stakeholders:,} stakeholders and {interactions:,} interactions")
    sid = _busy_stakeholder(database)
    rounds = ROUNDS[size]
    settings = Settings(
        database_url=database.url, secret_key="bench-" + "x" * 40, log_level="WARNING"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_app(settings, database=database)
    client = TestClient(app)
    tokens: dict[str, dict[str, str]] = {}
    with unit_of_work(database.session_factory) as session:
        for username in ("msl", "rep", "compliance"):
            user = user_service.get_by_username(session, username)
            assert user is not None
            _, secret = user_service.issue_token(
                session, user, kind=TokenKind.api, name="bench", lifetime=None
            )
            tokens[username] = {"Authorization": f"Bearer {secret}"}
    table = Table(title=f"stakeholder view: {INTERACTIONS:,} interactions, {rounds} rounds")
    for column in ("figure", "p50 ms", "p95 ms", "x raw p50"):
        table.add_column(column, justify="right" if column != "figure" else "left")
    raw = time_raw(database, raw_view_sql(sid, database.engine.dialect.name), rounds)
    raw_p50 = statistics.median(raw)
    for username, headers in tokens.items():
        url = f"/api/v1/stakeholders/{sid}"
        for _ in range(3):
            server_ms(client.get(url, headers=headers))
        times = [server_ms(client.get(url, headers=headers)) for _ in range(rounds)]
        table.add_row(
            f"GET view as {username}",
            f"{statistics.median(times):.1f}",
            f"{percentile(times, 0.95):.1f}",
            f"{statistics.median(times) / raw_p50:.1f}",
        )
    table.add_row("raw SQL the view needs", f"{raw_p50:.1f}", f"{percentile(raw, 0.95):.1f}", "1.0")
    console.print(table)

    with database.engine.connect() as conn:
        names = [
            str(n)
            for n in conn.execute(
                text("SELECT sort_name FROM stakeholder WHERE kind = 'person' LIMIT 2000")
            ).scalars()
        ]
        rep_territories = [
            int(t)
            for t in conn.execute(
                text("SELECT t.id FROM territory t WHERE t.code LIKE 'US-NE%'")
            ).scalars()
        ]
    rng = random.Random(11)
    prefixes = [n[:2] for n in rng.sample(names, min(len(names), LIST_ROUNDS[size]))]
    in_list = ",".join(str(t) for t in rep_territories)
    lists = Table(title=f"list and search as a rep (US-NE), {len(prefixes)} rounds")
    for column in ("figure", "p50 ms", "p95 ms", "raw p95 ms", "x raw p95"):
        lists.add_column(column, justify="right" if column != "figure" else "left")
    for label, url_of, sql_of in (
        (
            "search q=<2 letters>",
            lambda p: f"/api/v1/stakeholders?q={p}",
            lambda p: (
                "SELECT * FROM stakeholder WHERE territory_id IN "
                f"({in_list}) AND sort_name LIKE '{p}%' ORDER BY id LIMIT 51"
            ),
        ),
        (
            "list state=MA type=hcp",
            lambda p: "/api/v1/stakeholders?state=MA&type=hcp",
            lambda p: (
                "SELECT * FROM stakeholder WHERE territory_id IN "
                f"({in_list}) AND state = 'MA' AND type = 'hcp' ORDER BY id LIMIT 51"
            ),
        ),
    ):
        times = [server_ms(client.get(url_of(p), headers=tokens["rep"])) for p in prefixes]
        raw_times = [time_raw(database, [sql_of(p)], 1)[0] for p in prefixes]
        p95, raw_p95 = percentile(times, 0.95), percentile(raw_times, 0.95)
        lists.add_row(
            label,
            f"{statistics.median(times):.1f}",
            f"{p95:.1f}",
            f"{raw_p95:.2f}",
            f"{p95 / raw_p95:.1f}" if raw_p95 else "-",
        )
    console.print(lists)
    client.close()
