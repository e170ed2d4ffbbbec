"""Bulk loading: frames appended with COPY on PostgreSQL (executemany on SQLite); foreign
keys, unique constraints and secondary indexes set aside while a table grows by more rows than
it holds, and put back in one pass."""

from __future__ import annotations

import select as select_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from psycopg import pq
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Select, text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class CsvRows:
    """Rows of a table formatted for COPY (CSV blocks), ready to be sent."""

    table: str
    columns: tuple[str, ...]
    blocks: list[bytes]


def _csv(block: pl.DataFrame) -> bytes:
    return block.write_csv(
        include_header=False,
        null_value="\\N",
        datetime_format="%Y-%m-%d %H:%M:%S%.6f+00",
        date_format="%Y-%m-%d",
    ).encode()


def _copy_statement(table: str, columns: Iterable[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"COPY \"{table}\" ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"


def csv_rows(table: str, frame: pl.DataFrame, *, block_rows: int) -> CsvRows:
    """Format a frame for COPY (datetimes are UTC); thread-safe, so a frame can be formatted
    while the connection sends the previous one."""
    return CsvRows(table, tuple(frame.columns), [_csv(b) for b in frame.iter_slices(block_rows)])


def copy_csv(session: Session, rows: CsvRows) -> None:
    """Send rows formatted by `csv_rows` with COPY."""
    if not rows.blocks:
        return
    raw: Any = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(_copy_statement(rows.table, rows.columns)) as copy:
        for block in rows.blocks:
            copy.write(block)


def copy_frame(
    session: Session,
    table: str,
    frame: pl.DataFrame,
    *,
    block_rows: int,
    on_block: Callable[[int], None] | None = None,
) -> None:
    """Append a frame to a PostgreSQL table with COPY, `block_rows` at a time (datetimes are
    UTC); `on_block` hears the rows written so far."""
    raw: Any = session.connection().connection.driver_connection
    done = 0
    with (
        raw.cursor() as cursor,
        cursor.copy(
            _copy_statement(table, frame.columns),
            # a thread sends each block while the next one is being formatted
            writer=QueuedLibpqWriter(cursor),
        ) as copy,
    ):
        for block in frame.iter_slices(block_rows):
            copy.write(_csv(block))
            done += block.height
            if on_block:
                on_block(done)


def append_frame(session: Session, table: str, frame: pl.DataFrame, *, block_rows: int) -> None:
    """Append a frame to a table: COPY on PostgreSQL, executemany on SQLite."""
    if frame.is_empty():
        return
    if session.connection().dialect.name == "postgresql":
        copy_frame(session, table, frame, block_rows=block_rows)
        return
    raw: Any = session.connection().connection.driver_connection
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    conversions = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            conversions.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            # as SQLAlchemy's SQLite DateTime stores it: UTC, no offset
            utc = pl.col(name).dt.convert_time_zone("UTC") if dtype.time_zone else pl.col(name)
            conversions.append(utc.dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
        elif dtype == pl.Boolean:
            conversions.append(pl.col(name).cast(pl.Int8))
    rows = frame.with_columns(conversions) if conversions else frame
    marks = ", ".join("?" * frame.width)
    cursor = raw.cursor()
    try:
        for block in rows.iter_slices(block_rows):
            cursor.executemany(
                f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',  # noqa: S608 - our names
                block.iter_rows(),
            )
    finally:
        cursor.close()


def read_copy(pgconn: Any, statement: str) -> bytearray:
    """Run a `COPY ... TO STDOUT` on a psycopg `pq.PGconn` and return all its rows.

    libpq hands over one row per call. psycopg's `Copy` iterator wraps each call in a generator
    and a wait (about 1 µs a row, ten seconds for ten million rows), and keeping the rows as
    objects for `b"".join` makes the garbage collector walk millions of them again and again
    (40 s). Polling `get_copy_data` without blocking, waiting on the socket only when libpq's
    buffer is empty, costs what psql's own loop does.
    """
    pgconn.send_query(statement.encode())
    result = pgconn.get_result()
    if result.status != pq.ExecStatus.COPY_OUT:
        raise RuntimeError(f"COPY failed: {pgconn.get_error_message(encoding='utf-8')}")
    buffer = bytearray()
    receive = pgconn.get_copy_data
    while True:
        size, row = receive(1)  # 1: do not block; 0 means libpq's buffer is empty
        if size > 0:
            buffer += row
        elif size == 0:
            select_module.select([pgconn.socket], [], [])
            pgconn.consume_input()
        else:
            break
    failed = None
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK:
            failed = pgconn.get_error_message(encoding="utf-8")
    if failed:
        raise RuntimeError(f"COPY failed: {failed}")
    return buffer


def read_frame(
    session: Session, query: Select[*tuple[Any, ...]], schema: dict[str, Any]
) -> pl.DataFrame:
    """A query's rows as a frame: with COPY on PostgreSQL (millions of rows through a cursor
    take tens of seconds), plainly on SQLite."""
    if session.connection().dialect.name != "postgresql":
        return pl.DataFrame(session.execute(query).all(), schema=schema, orient="row")
    raw: Any = session.connection().connection.driver_connection
    sql = str(
        query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    )
    data = read_copy(raw.pgconn, f"COPY ({sql}) TO STDOUT (FORMAT csv)")
    if not data:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(bytes(data), has_header=False, new_columns=list(schema), schema=schema)


def set_aside_postgres(session: Session, tables: list[str]) -> list[str]:
    """Drop the foreign keys, unique constraints, secondary indexes and the primary keys no
    foreign key refers to of `tables`; return the statements that put them back.

    PostgreSQL's advice for populating a database: a foreign key checked row by row locks the
    referenced row for every inserted one, and an index grown row by row is slower than one
    built once; re-adding a foreign key validates every row in one join. All of this happens
    inside the transaction, so a failure leaves the schema as it was.
    """
    names = {"names": tables}
    in_schema = (
        "SELECT c.oid FROM pg_class c WHERE c.relname = ANY(:names) "
        "AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
    )
    foreign_keys = session.execute(
        text(
            "SELECT conrelid::regclass::text AS tab, quote_ident(conname) AS name, "  # noqa: S608 - constant SQL
            "pg_get_constraintdef(oid) AS definition FROM pg_constraint "
            f"WHERE contype = 'f' AND conrelid IN ({in_schema}) ORDER BY conname"
        ),
        names,
    ).all()
    indexes = session.execute(
        text(
            "SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition "  # noqa: S608 - constant SQL
            f"FROM pg_index i WHERE i.indrelid IN ({in_schema}) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY 1"
        ),
        names,
    ).all()
    # unique constraints and primary keys no foreign key depends on: checking one row by row
    # walks its index for every inserted row; re-adding it sorts once (a third of the cost of
    # a COPY into a table with a serial key), and a duplicate fails the re-add just as it
    # would have failed the insert
    uniques = session.execute(
        text(
            "SELECT conrelid::regclass::text AS tab, quote_ident(conname) AS name, "  # noqa: S608 - constant SQL
            "pg_get_constraintdef(oid) AS definition FROM pg_constraint u "
            f"WHERE contype IN ('p', 'u') AND conrelid IN ({in_schema}) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = u.conindid) "
            "ORDER BY contype, conname"
        ),
        names,
    ).all()
    for fk in foreign_keys:
        session.execute(text(f"ALTER TABLE {fk.tab} DROP CONSTRAINT {fk.name}"))
    for index in indexes:
        session.execute(text(f"DROP INDEX {index.name}"))
    for unique in uniques:
        session.execute(text(f"ALTER TABLE {unique.tab} DROP CONSTRAINT {unique.name}"))
    return (
        [f"ALTER TABLE {u.tab} ADD CONSTRAINT {u.name} {u.definition}" for u in uniques]
        + [index.definition for index in indexes]
        + [f"ALTER TABLE {fk.tab} ADD CONSTRAINT {fk.name} {fk.definition}" for fk in foreign_keys]
    )
