"""The stakeholders an NPPES file brings for the first time go straight into their tables.

On a first import nearly every row is a new NPI. Staging such rows and copying them again with
INSERT ... SELECT would write everything twice and join it against tables that hold nothing
yet; instead each chunk's new rows get their ids, their type and their territory (from small
lookups held in memory) and are appended (COPY on PostgreSQL, executemany on SQLite) to
stakeholder, stakeholder_identifier, address, stakeholder_specialty and authorized_official
while the next chunk is being read. Rows about NPIs the database already holds go to the
staging tables and the set-based diff of `nppes_apply`; a row whose NPI came earlier in the
file is rejected; a deactivation of an NPI nobody holds changes nothing.

Bulk mode, when the file will at least double the stakeholders (PostgreSQL's advice for
populating a database): the secondary indexes, unique constraints, primary keys no foreign key
refers to, and foreign keys of those tables are set aside before the first row and rebuilt
once at the end; the tables stay locked until the job commits, so ids are reserved a block at
a time instead of drawn row by row, and the columns every new row shares (its creation time,
the job, the source) become the columns' defaults for the job instead of being parsed from
every COPY row.

An NPI is unique by construction (the file's are checked against the database's and each
other, exactly, with a bitmap over their first nine digits). A license or other identifier may
already be held, or be named by two rows: in bulk mode a bitmap of hashes of the identifiers
seen so far lets the ones surely new go straight in; the others (and in the other mode all of
them) wait in a temporary table, and one set of statements at the end gives each to its first
holder and notes the other rows.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import polars as pl
from psycopg import sql as psycopg_sql
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.sql import ColumnElement, Select

from accord.db.base import code_string
from accord.db.bulk import (
    CsvRows,
    append_frame,
    copy_csv,
    csv_rows,
    read_frame,
    set_aside_postgres,
)
from accord.importer.models import NppesRecord
from accord.importer.service import Run
from accord.stakeholder.models import Specialty, Stakeholder, StakeholderIdentifier
from accord.territory.models import TerritoryAlignment

if TYPE_CHECKING:
    from accord.importer.nppes import Chunk

SOURCE = "nppes"
#: rows per COPY block or executemany batch
BLOCK = 50_000
STAKEHOLDER = cast(Table, Stakeholder.__table__)
IDENTIFIER = cast(Table, StakeholderIdentifier.__table__)
#: the tables a first import grows
GROWN = ("stakeholder", "stakeholder_identifier", "address", "stakeholder_specialty")
GROWN_ALSO = ("authorized_official", "nppes_record")
#: the digests' hash seed (any fixed number: digests are compared with stored ones)
DIGEST_SEED = 20261203
DUPLICATE = "this NPI appears twice in the file"
#: the stakeholder's columns an NPPES row gives
STAKEHOLDER_FIELDS = (
    "kind",
    "type",
    "name",
    "sort_name",
    "first_name",
    "middle_name",
    "last_name",
    "credentials",
    "sex",
    "primary_specialty_code",
    "state",
    "city",
    "status",
    "other_name",
    "parent_organization_name",
)
#: the columns a new stakeholder's row fills (tier and merged_into_id stay empty)
STAKEHOLDER_COLUMNS = (
    "id",
    *STAKEHOLDER_FIELDS,
    "territory_id",
    "created_at",
    "updated_at",
    "import_job_id",
)

_meta = MetaData()
#: the new stakeholders' identifiers other than the NPI, waiting for the end of the file
new_identifier = Table(
    "nppes_new_identifier",
    _meta,
    Column("row_number", Integer),
    Column("stakeholder_id", Integer),
    Column("system", code_string()),
    Column("value", code_string()),
    Column("recorded_on", Date),
    prefixes=["TEMPORARY"],
)
#: the rows that may not have the identifier they name, with its holder
lost_identifier = Table(
    "nppes_lost_identifier",
    _meta,
    Column("row_number", Integer),
    Column("system", code_string()),
    Column("value", code_string()),
    Column("owner", Integer),
    prefixes=["TEMPORARY"],
)


def later_claims(table: Table, *where: ColumnElement[bool]) -> Select[Any]:
    """The rows of `table` (row_number, stakeholder_id, system, value) naming an identifier
    that an earlier row of it names too, each with that first row's stakeholder; `where`
    narrows the rows considered. Such repeats are few: a hash aggregate finds them instead of
    ranking every row."""
    first = (
        select(table.c.system, table.c.value, func.min(table.c.row_number).label("first"))
        .where(*where)
        .group_by(table.c.system, table.c.value)
        .having(func.count() > 1)
        .subquery()
    )
    winner = table.alias("winner")
    return (
        select(table.c.row_number, table.c.system, table.c.value, winner.c.stakeholder_id)
        .join(
            first,
            and_(
                first.c.system == table.c.system,
                first.c.value == table.c.value,
                first.c.first < table.c.row_number,
            ),
        )
        .join(
            winner,
            and_(
                winner.c.system == first.c.system,
                winner.c.value == first.c.value,
                winner.c.row_number == first.c.first,
            ),
        )
    )


class Bitmap:
    """A set of integers in [0, size) as one bit each; membership of a whole chunk is one
    vectorised lookup. The memory is reserved, not used: only the pages holding a set bit
    are ever touched."""

    def __init__(self, size: int) -> None:
        self.bits = np.zeros((size + 7) // 8, dtype=np.uint8)

    def contains(self, positions: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        found = (self.bits[positions >> 3] >> (positions & 7).astype(np.uint8)) & 1
        return cast(npt.NDArray[np.bool_], found.astype(np.bool_))

    def add(self, positions: npt.NDArray[np.int64]) -> None:
        if not positions.size:
            return
        # sorted, the bits falling in one byte are OR-ed together first (ufunc.at, which
        # would do it unsorted, costs a microsecond per element)
        ordered = np.sort(positions)
        byte = ordered >> 3
        starts = np.flatnonzero(np.concatenate(([True], byte[1:] != byte[:-1])))
        masks = (1 << (ordered & 7)).astype(np.uint8)
        self.bits[byte[starts]] |= np.bitwise_or.reduceat(masks, starts)


def npi_positions(npis: pl.Series) -> npt.NDArray[np.int64]:
    """A valid NPI's first nine digits: its tenth is their Luhn check, so two valid NPIs never
    share them, and a bitmap of 10^9 bits holds any set of NPIs exactly."""
    return cast(npt.NDArray[np.int64], (npis.cast(pl.Int64) // 10).to_numpy())


#: bits of the identifier filter: at 30 million identifiers about 3% of the checks say "maybe"
IDENTIFIER_BITS = 1 << 30


def identifier_positions(frame: pl.DataFrame) -> npt.NDArray[np.int64]:
    """(system, value) hashed into the identifier filter (a hash can collide: a hit is only
    a "maybe", settled exactly by the database)."""
    hashed = frame.select(
        pl.concat_str("system", "value", separator="\x1f").hash() % IDENTIFIER_BITS
    ).to_series()
    return cast(npt.NDArray[np.int64], hashed.cast(pl.Int64).to_numpy())


class NewRows:
    """Splits each normalised chunk: new stakeholders are written at once, duplicates are
    rejected, unchanged records go no further, the rest is returned for staging."""

    def __init__(self, run: Run, *, expected_rows: int | None, now: datetime) -> None:
        self.run = run
        self.session = run.session
        self.postgres = self.session.connection().dialect.name == "postgresql"
        self.now = now
        self.today: date = now.date()
        self.expected_rows = expected_rows
        #: the statements that rebuild what was set aside; None until the first new row
        self.restore: list[str] | None = None
        self.created = 0
        #: the frames of the chunk being taken, and the previous chunk's being formatted
        self.batch: list[tuple[str, pl.DataFrame]] = []
        self.pending: Future[list[CsvRows]] | None = None
        self.formatter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nppes-copy")
        #: rows that change nothing: deactivations of NPIs nobody holds, and records whose
        #: digest is the one last applied
        self.unchanged = 0
        #: per table, the columns held constant as defaults while the indexes are aside
        self.constants: dict[str, dict[str, object]] = {}
        self.sequences: dict[str, str] = {}
        #: the NPIs of the file so far (exact)
        self.seen = Bitmap(10**9)
        #: the identifiers held or named so far, while the indexes are aside (a filter: no
        #: false "no", a few false "maybe")
        self.named: Bitmap | None = None
        self.known = self._known_npis()
        self.record_npis, self.record_digests = self._records()
        self.groupings = self._groupings()
        alignments = pl.DataFrame(
            self.session.execute(
                select(
                    TerritoryAlignment.state,
                    TerritoryAlignment.city,
                    TerritoryAlignment.territory_id,
                )
            ).all(),
            schema={"state": pl.String, "city": pl.String, "territory_id": pl.Int64},
            orient="row",
        )
        self.by_city = (
            alignments.filter(pl.col("city").is_not_null())
            .select(
                pl.col("state").alias("_state"),
                pl.col("city").str.to_lowercase().alias("_city"),
                pl.col("territory_id").alias("_city_territory"),
            )
            .unique(["_state", "_city"], keep="first")
        )
        self.by_state = (
            alignments.filter(pl.col("city").is_null())
            .select(
                pl.col("state").alias("_state"), pl.col("territory_id").alias("_state_territory")
            )
            .unique("_state", keep="first")
        )
        connection = self.session.connection()
        for table in (new_identifier, lost_identifier):
            table.drop(connection, checkfirst=True)
        new_identifier.create(connection)
        if self.postgres:
            sequence = self.session.scalar(select(func.pg_get_serial_sequence("stakeholder", "id")))
            self.sequence = str(sequence)
            # the identifiers' hash joins and aggregates at the end of a large file; no JIT:
            # compiling each large statement (a foreign key's validation, say) costs more
            # than it saves on these plain scans and joins
            self.session.execute(text("SET LOCAL work_mem = '256MB'"))
            self.session.execute(text("SET LOCAL jit = off"))

    # lookups read once

    def _read(self, query: Select[*tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
        return read_frame(self.session, query, schema)

    def _known_npis(self) -> npt.NDArray[np.int64]:
        """The NPIs the database holds, sorted, for an exact lookup of every chunk's."""
        npis = self._read(
            select(IDENTIFIER.c.value).where(IDENTIFIER.c.system == "npi"), {"npi": pl.String}
        )["npi"]
        return np.sort(npis.filter(npis.str.contains(r"^\d{10}$")).cast(pl.Int64).to_numpy())

    def _groupings(self) -> pl.DataFrame:
        rows = self.session.execute(select(Specialty.code, Specialty.grouping)).all()
        return pl.DataFrame(rows, schema={"_code": pl.String, "_grouping": pl.String}, orient="row")

    def _records(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(NPIs, digests) of the records last applied, sorted by NPI."""
        frame = (
            self._read(
                select(NppesRecord.npi, NppesRecord.digest),
                {"npi": pl.String, "digest": pl.Int64},
            )
            .filter(pl.col("npi").str.contains(r"^\d{10}$"))
            .with_columns(pl.col("npi").cast(pl.Int64))
            .sort("npi")
        )
        return frame["npi"].to_numpy(), frame["digest"].to_numpy()

    def _find_record(self, npis: pl.Series) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
        numbers = npis.cast(pl.Int64).to_numpy()
        if not self.record_npis.size:
            return np.zeros(numbers.size, dtype=np.bool_), np.zeros(numbers.size, dtype=np.intp)
        at = np.minimum(np.searchsorted(self.record_npis, numbers), self.record_npis.size - 1)
        return self.record_npis[at] == numbers, at

    def _in_records(self, npis: pl.Series) -> pl.Series:
        return pl.Series(self._find_record(npis)[0])

    def _stored_digests(self, npis: pl.Series) -> npt.NDArray[np.int64]:
        """Each NPI's digest last applied (0 where there is none: no digest is 0 but by a
        chance of one in 2^64)."""
        found, at = self._find_record(npis)
        if not self.record_npis.size:
            return np.zeros(found.size, dtype=np.int64)
        return cast(npt.NDArray[np.int64], np.where(found, self.record_digests[at], 0))

    def _in_database(self, npis: pl.Series) -> npt.NDArray[np.bool_]:
        numbers = npis.cast(pl.Int64).to_numpy()
        if not self.known.size:
            return np.zeros(numbers.size, dtype=np.bool_)
        at = np.minimum(np.searchsorted(self.known, numbers), self.known.size - 1)
        return cast(npt.NDArray[np.bool_], self.known[at] == numbers)

    # each chunk

    def _append(self, table: str, frame: pl.DataFrame) -> None:
        if self.constants:
            # in bulk mode the constant columns come from their temporary defaults, and
            # every table's ids from a block reserved at once (no nextval() per row)
            frame = frame.drop([c for c in self.constants.get(table, {}) if c in frame.columns])
            if "id" not in frame.columns and table in self.sequences and frame.height:
                frame = frame.with_columns(self._reserve(table, frame.height))
        if self.postgres:
            self.batch.append((table, frame))
        else:
            append_frame(self.session, table, frame, block_rows=BLOCK)

    def _send(self) -> None:
        """Hand this chunk's frames to the formatting thread, then send the previous chunk's
        (formatted meanwhile): the database takes one chunk while the next is formatted."""
        batch, self.batch = self.batch, []
        previous = self.pending
        self.pending = self.formatter.submit(
            lambda: [csv_rows(table, frame, block_rows=BLOCK) for table, frame in batch]
        )
        if previous is not None:
            for rows in previous.result():
                copy_csv(self.session, rows)

    def flush(self) -> None:
        """Send what is still being formatted (before anything reads the tables)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            for rows in pending.result():
                copy_csv(self.session, rows)
        self.formatter.shutdown()

    def _reserve(self, table: str, count: int) -> pl.Series:
        """`count` consecutive ids of `table`: the tables are locked (set aside) for the
        rest of the job, so no other writer draws from their sequences meanwhile."""
        last = int(
            self.session.scalar(
                text("SELECT setval(CAST(:s AS regclass), nextval(CAST(:s AS regclass)) + :n - 1)"),
                {"s": self.sequences[table], "n": count},
            )
            or 0
        )
        return pl.Series("id", np.arange(last - count + 1, last + 1, dtype=np.int64))

    def _set_constants(self) -> None:
        """Columns whose value is the same on every new row become the columns' defaults for
        the time of the job, so COPY does not parse a timestamp per row twice over; the old
        defaults come back with the indexes."""
        self.constants = {
            "stakeholder": {
                "created_at": self.now,
                "updated_at": self.now,
                "import_job_id": self.run.job.id,
            },
            **{table: {"source": SOURCE} for table in (*GROWN[1:], "authorized_official")},
            "nppes_record": {"import_job_id": self.run.job.id},
        }
        raw: Any = self.session.connection().connection.driver_connection
        back: list[str] = []
        for table, columns in self.constants.items():
            if table != "nppes_record":  # keyed by the NPI, no id
                self.sequences[table] = str(
                    self.session.scalar(select(func.pg_get_serial_sequence(table, "id")))
                )
            for column, value in columns.items():
                old = self.session.scalar(
                    text(
                        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
                        "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                        "WHERE d.adrelid = CAST(:t AS regclass) AND a.attname = :c"
                    ),
                    {"t": table, "c": column},
                )
                literal_value = psycopg_sql.Literal(value).as_string(raw)
                self.session.execute(
                    text(
                        f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT {literal_value}'
                    )
                )
                back.append(
                    f'ALTER TABLE "{table}" ALTER COLUMN "{column}" '
                    + (f"SET DEFAULT {old}" if old else "DROP DEFAULT")
                )
        assert self.restore is not None
        self.restore[:0] = back

    def take(self, chunk: Chunk) -> Chunk:
        """Write the chunk's new stakeholders; return what is left for staging, with the
        duplicates' rejections added to its errors."""
        from accord.importer.nppes import Chunk

        # type and territory resolved once: the digest covers them, the new rows are written
        # with them
        rows = self._resolved(chunk.stakeholders)
        npi = rows["npi"]
        positions = npi_positions(npi)
        duplicate = self.seen.contains(positions) | ~npi.is_first_distinct().to_numpy()
        self.seen.add(positions[~duplicate])
        held = self._in_database(npi)
        only_status = rows["only_status"].to_numpy()
        new = ~duplicate & ~only_status & ~held
        # a deactivation of an NPI the database does not hold changes nothing
        idle = ~duplicate & only_status & ~held
        self.unchanged += int(idle.sum())
        full = ~duplicate & ~only_status
        rows = rows.with_columns(
            pl.when(pl.Series(full)).then(self._digests(rows, chunk)).alias("digest")
        )
        # a record whose digest is the one last applied changes nothing
        same = full & held & (self._stored_digests(npi) == rows["digest"].fill_null(0).to_numpy())
        self.unchanged += int(same.sum())
        # the staged diff resolves type and territory in SQL, against the rows it compares
        staged = rows.filter(pl.Series(~duplicate & ~new & ~idle & ~same)).drop("territory_id")
        errors = chunk.errors
        if duplicate.any():
            rejected = rows.filter(pl.Series(duplicate)).select(
                "row_number",
                pl.lit("NPI").alias("column"),
                pl.col("npi").alias("value"),
                pl.lit(DUPLICATE).alias("reason"),
                pl.lit(True).alias("rejected"),
            )
            errors = pl.concat([errors, rejected])
        fresh = rows.filter(pl.Series(new))
        if fresh.height:
            self._decide_set_aside(fresh.height, chunk.read)
            self._write(fresh, chunk)
        keep = staged.select("row_number")

        def kept(frame: pl.DataFrame) -> pl.DataFrame:
            return frame.join(keep, on="row_number", how="semi")

        return Chunk(
            chunk.read,
            staged,
            kept(chunk.specialties),
            kept(chunk.identifiers),
            kept(chunk.addresses),
            kept(chunk.officials),
            errors,
        )

    def _decide_set_aside(self, new_rows: int, read: int) -> None:
        """Set the indexes aside when the file will at least double the stakeholders
        (estimated from the share of new rows in its first chunk)."""
        if self.restore is not None:
            return
        self.restore = []
        if not self.postgres or not self.expected_rows:
            return
        expected_new = new_rows / max(read, 1) * max(self.expected_rows, read)
        existing = int(self.session.scalar(select(func.count()).select_from(STAKEHOLDER)) or 0)
        if expected_new > existing:
            # this holds an exclusive lock on the tables until the job commits
            self.restore = set_aside_postgres(self.session, [*GROWN, *GROWN_ALSO])
            self._set_constants()
            # with no unique index to ask, the identifiers held already are remembered
            self.named = Bitmap(IDENTIFIER_BITS)
            held = pl.DataFrame(
                self.session.execute(
                    select(IDENTIFIER.c.system, IDENTIFIER.c.value).where(
                        IDENTIFIER.c.system != "npi"
                    )
                ).all(),
                schema={"system": pl.String, "value": pl.String},
                orient="row",
            )
            if held.height:
                self.named.add(identifier_positions(held))

    def _ids(self, count: int) -> pl.Series:
        if self.constants:
            return self._reserve("stakeholder", count)
        if self.postgres:
            ids = self.session.scalars(
                select(func.nextval(self.sequence)).select_from(func.generate_series(1, count))
            ).all()
            return pl.Series("id", ids, dtype=pl.Int64)
        # SQLite has one writer at a time: the ids after the highest are free
        top = int(self.session.scalar(select(func.coalesce(func.max(STAKEHOLDER.c.id), 0))) or 0)
        return pl.Series("id", np.arange(top + 1, top + count + 1, dtype=np.int64))

    def _add_unknown_specialties(self, codes: pl.Series) -> None:
        """A code NPPES cites that the loaded NUCC list lacks (retired, or no list loaded)."""
        unknown = (
            codes.drop_nulls()
            .unique()
            .to_frame("_code")
            .join(self.groupings, on="_code", how="anti")
            .to_series()
        )
        if unknown.is_empty():
            return
        self.session.execute(
            insert(Specialty),
            [
                {
                    "code": code,
                    "grouping": "(unknown)",
                    "classification": "(not in the loaded NUCC code set)",
                    "specialization": None,
                    "display_name": code,
                }
                for code in unknown.sort().to_list()
            ],
        )
        self.groupings = pl.concat(
            [
                self.groupings,
                pl.DataFrame({"_code": unknown, "_grouping": "(unknown)"}),
            ]
        )

    def _resolved(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Rows with their type (hospital when the primary taxonomy is in the NUCC Hospitals
        grouping) and territory (the city's alignment, else the state's), in their order."""
        person = pl.col("kind") == "person"
        return (
            rows.join(
                self.groupings, left_on="primary_specialty_code", right_on="_code", how="left"
            )
            .with_columns(pl.col("city").str.to_lowercase().alias("_city"))
            .join(
                self.by_city, left_on=["state", "_city"], right_on=["_state", "_city"], how="left"
            )
            .join(self.by_state, left_on="state", right_on="_state", how="left")
            .with_columns(
                pl.when(person)
                .then(pl.lit("hcp"))
                .when(pl.col("_grouping") == "Hospitals")
                .then(pl.lit("hospital"))
                .otherwise(pl.lit("clinic"))
                .alias("type"),
                pl.coalesce("_city_territory", "_state_territory").alias("territory_id"),
            )
            .drop("_grouping", "_city", "_city_territory", "_state_territory")
            .sort("row_number")
        )

    def _digests(self, rows: pl.DataFrame, chunk: Chunk) -> pl.Series:
        """One 64-bit digest per row (rows resolved, sorted by row number): the normalised
        record with its type and territory, and each of its child rows (order-free: their
        hashes are summed). The same record gives the same digest within a Polars version; a
        new version may hash differently, which only sends every row once through the diff."""
        record = rows.select(
            "row_number",
            pl.struct(pl.exclude("row_number", "only_status")).hash(DIGEST_SEED).alias("_row"),
        )
        parts = ["_row"]
        for name, frame in (
            ("_specialties", chunk.specialties),
            ("_identifiers", chunk.identifiers),
            ("_addresses", chunk.addresses),
            ("_officials", chunk.officials),
        ):
            summed = frame.group_by("row_number").agg(
                (pl.struct(pl.exclude("row_number")).hash(DIGEST_SEED) // 256).sum().alias(name)
            )
            record = record.join(summed, on="row_number", how="left")
            parts.append(name)
        digest = record.sort("row_number").select(
            pl.struct(pl.col(parts).fill_null(0)).hash(DIGEST_SEED).reinterpret(signed=True)
        )
        return digest.to_series().alias("digest")

    def _write(self, fresh: pl.DataFrame, chunk: Chunk) -> None:
        self._add_unknown_specialties(chunk.specialties["code"])
        fresh = fresh.with_columns(self._ids(fresh.height))
        stakeholders = fresh.with_columns(
            pl.lit(self.now).dt.cast_time_unit("us").alias("created_at"),
            pl.lit(self.now).dt.cast_time_unit("us").alias("updated_at"),
            pl.lit(self.run.job.id).alias("import_job_id"),
        ).select(STAKEHOLDER_COLUMNS)
        self._append("stakeholder", stakeholders)
        stale = fresh.filter(self._in_records(fresh["npi"])).get_column("npi")
        if stale.len():
            # a record left by a stakeholder since deleted: this NPI is new again
            self.session.execute(delete(NppesRecord).where(NppesRecord.npi.in_(stale.to_list())))
        self._append(
            "nppes_record",
            fresh.select("npi", "digest", pl.lit(self.run.job.id).alias("import_job_id")),
        )
        ids = fresh.select(
            "row_number",
            pl.col("id").alias("stakeholder_id"),
            pl.col("updated_on").fill_null(self.today).alias("recorded_on"),
        )
        self._append(
            "stakeholder_identifier",
            ids.select(
                "stakeholder_id",
                pl.lit("npi").alias("system"),
                fresh["npi"].alias("value"),
                pl.lit(SOURCE).alias("source"),
                "recorded_on",
            ),
        )
        ours = ids.select("row_number", "stakeholder_id")
        identifiers = chunk.identifiers.join(ids, on="row_number")
        if self.named is not None:
            # an identifier surely held by nobody goes straight in; a "maybe" (held, named by
            # an earlier row, or a hash collision) waits for the exact check at the end
            identifiers = identifiers.sort("row_number")
            positions = identifier_positions(identifiers)
            repeated = ~pl.Series(positions).is_first_distinct().to_numpy()
            maybe = self.named.contains(positions) | repeated
            self.named.add(positions)
            self._append(
                "stakeholder_identifier",
                identifiers.filter(pl.Series(~maybe)).select(
                    "stakeholder_id",
                    "system",
                    "value",
                    pl.lit(SOURCE).alias("source"),
                    "recorded_on",
                ),
            )
            identifiers = identifiers.filter(pl.Series(maybe))
        self._append(
            new_identifier.name,
            identifiers.select("row_number", "stakeholder_id", "system", "value", "recorded_on"),
        )
        source = pl.lit(SOURCE).alias("source")
        self._append(
            "address",
            chunk.addresses.join(ours, on="row_number").select(
                "stakeholder_id", pl.exclude("row_number", "stakeholder_id"), source
            ),
        )
        self._append(
            "stakeholder_specialty",
            chunk.specialties.join(ours, on="row_number").select(
                "stakeholder_id",
                pl.col("code").alias("specialty_code"),
                "is_primary",
                source,
            ),
        )
        self._append(
            "authorized_official",
            chunk.officials.join(ours, on="row_number").select(
                "stakeholder_id", pl.exclude("row_number", "stakeholder_id"), source
            ),
        )
        self.created += fresh.height
        if self.postgres:
            self._send()

    # the end of the file

    def finish(self) -> None:
        """Settle the new stakeholders' other identifiers: each goes to the stakeholder that
        held it before the file, else to the first row naming it; the others are noted."""
        self._move()
        self.run.flush_errors()
        connection = self.session.connection()
        for table in (new_identifier, lost_identifier):
            table.drop(connection, checkfirst=True)

    def _note(self, row: int, system: str, value: str, owner: int) -> None:
        self.run.note(row, system, value, f"identifier already belongs to stakeholder {owner}")

    def _move(self) -> None:
        """The identifiers that waited in a temporary table: those held already, or named by
        an earlier row, stay out."""
        n, si = new_identifier, IDENTIFIER
        connection = self.session.connection()
        if self.postgres:
            self.session.execute(text(f'ANALYZE "{n.name}"'))
        lost_identifier.create(connection)
        lost = lost_identifier
        # held already (by a stakeholder from before, or by one whose NPI row came first)
        self.session.execute(
            insert(lost).from_select(
                ["row_number", "system", "value", "owner"],
                select(n.c.row_number, n.c.system, n.c.value, si.c.stakeholder_id).join(
                    si, and_(si.c.system == n.c.system, si.c.value == n.c.value)
                ),
            )
        )
        # named by several new rows and held by nobody: the first row gets it
        self.session.execute(
            insert(lost).from_select(
                ["row_number", "system", "value", "owner"],
                later_claims(
                    n, ~exists().where(si.c.system == n.c.system, si.c.value == n.c.value)
                ),
            )
        )
        self.session.execute(
            insert(si).from_select(
                ["stakeholder_id", "system", "value", "source", "recorded_on"],
                select(
                    n.c.stakeholder_id, n.c.system, n.c.value, literal(SOURCE), n.c.recorded_on
                ).where(
                    ~exists().where(
                        lost.c.row_number == n.c.row_number,
                        lost.c.system == n.c.system,
                        lost.c.value == n.c.value,
                    )
                ),
            )
        )
        notes = self.session.execute(
            select(lost.c.row_number, lost.c.system, lost.c.value, lost.c.owner).order_by(
                lost.c.row_number, lost.c.system
            )
        ).all()
        for number, system, value, owner in notes:
            self._note(number, system, value, owner)

    def rebuild(self) -> None:
        """Put back what was set aside (one sort per index, one join per foreign key)."""
        if not self.restore:
            return
        # enough for every index to sort in memory, with PostgreSQL's parallel workers
        self.session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        for statement in self.restore:
            self.session.execute(text(statement))
