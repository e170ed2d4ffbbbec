"""CMS physician shared patient patterns: pairs of NPIs that saw the same Medicare
beneficiaries within a window, the first before the second (the network's `referral` edges).

The published files have no header and five columns (npi1, npi2, pair_count, bene_count,
same_day_count); a file with those names as its header is read too. The period the file covers
(`--from`, `--to`) is kept on every row: re-importing a period replaces what that period held,
so the same file twice changes nothing and a corrected file replaces the old one. NPIs are
matched to stakeholders by identifier; unmatched pairs are kept (a later NPPES import may bring
the NPI) and counted. Rows are validated one by one, matched and written in bulk (COPY on
PostgreSQL).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accord.db.bulk import append_frame, read_frame
from accord.errors import InvalidInput
from accord.importer.service import READ_ERRORS, BadFile, Run
from accord.network.models import Referral
from accord.stakeholder.identifiers import npi_is_valid
from accord.stakeholder.models import Stakeholder, StakeholderIdentifier, StakeholderStatus

COLUMNS = ("npi1", "npi2", "pair_count", "bene_count", "same_day_count")
#: header names some releases and tools use for the same columns
ALIASES = {
    "beneficiary_count": "bene_count",
    "bene_ct": "bene_count",
    "pair_ct": "pair_count",
    "same_day_ct": "same_day_count",
    "samedaycount": "same_day_count",
}
BLOCK = 50_000
#: above this many distinct NPIs, every NPI identifier is read at once instead of by chunks
FEW_NPIS = 20_000
COUNTED = ("pair_count", "beneficiary_count", "same_day_count")


def check_period(start: date | None, end: date | None) -> None:
    """Both dates or neither, in order."""
    if (start is None) != (end is None):
        raise InvalidInput("give the period with both --from and --to, or neither", field="from")
    if start is not None and end is not None and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}", field="from")


def _rows(path: Path, run: Run) -> Iterator[tuple[int, list[str]]]:
    """(line number, the five values in COLUMNS order) for every non-blank line."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise BadFile(f"{path.name} cannot be read: {error}", field="file") from None
    run.watch(handle.buffer)
    reader = csv.reader(handle)
    order: list[int] | None = None
    width = len(COLUMNS)
    number = 0
    try:
        for values in reader:
            number += 1
            if not any(v.strip() for v in values):
                continue
            if order is None:
                order = _layout(values, path.name)
                width = len(values)
                if order != [-1]:
                    continue  # a header line
                order = list(range(len(COLUMNS)))
            if len(values) != width:
                yield number, []
                continue
            yield number, [values[i].strip() for i in order]
    except READ_ERRORS as error:
        raise BadFile(f"{path.name} is damaged after row {number}: {error}", field="file") from None
    finally:
        handle.close()
    if order is None:
        raise BadFile(f"{path.name} is empty", field="file")


def _layout(first: list[str], name: str) -> list[int]:
    """[-1] for the headerless layout (the first value is a number), else the position of
    each of COLUMNS in the header."""
    head = first[0].strip()
    if head.isdigit():
        if len(first) != len(COLUMNS):
            raise BadFile(
                f"{name} has {len(first)} columns; the headerless shared patient patterns "
                f"layout has {len(COLUMNS)}: {', '.join(COLUMNS)}",
                field="file",
            )
        return [-1]
    header = [h.strip().lower().replace(" ", "_") for h in first]
    header = [ALIASES.get(h, h) for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise BadFile(
            f"{name} is not a shared patient patterns file: no column {', '.join(missing)} "
            f"(expected {', '.join(COLUMNS)}, with or without a header)",
            field="file",
        )
    return [header.index(c) for c in COLUMNS]


def _count(run: Run, number: int, column: str, text: str) -> int | None:
    if not text.isdigit():
        run.reject(number, column, text, "must be a whole number of zero or more")
        return None
    return int(text)


def _npis(session: Session, wanted: pl.Series) -> pl.DataFrame:
    """NPI -> the (lowest-id) active stakeholder holding it, for the NPIs of the file: by
    chunks of IN lists for a small file, else every NPI identifier read at once (COPY on
    PostgreSQL) and joined."""
    held = (
        select(StakeholderIdentifier.value, StakeholderIdentifier.stakeholder_id)
        .join(Stakeholder, Stakeholder.id == StakeholderIdentifier.stakeholder_id)
        .where(
            StakeholderIdentifier.system == "npi",
            Stakeholder.status != StakeholderStatus.merged,
        )
    )
    schema = {"npi": pl.String, "sid": pl.Int64}
    values = wanted.unique().sort()
    found: list[pl.DataFrame] = []
    if len(values) > FEW_NPIS:
        found.append(read_frame(session, held, schema).join(values.to_frame("npi"), on="npi"))
    else:
        listed = values.to_list()
        for start in range(0, len(listed), 900):
            chunk = listed[start : start + 900]
            found.append(
                read_frame(session, held.where(StakeholderIdentifier.value.in_(chunk)), schema)
            )
    if not found:
        return pl.DataFrame(schema=schema)
    return pl.concat(found).group_by("npi").agg(pl.col("sid").min())


ROW_SCHEMA = {
    "row": pl.Int64,
    "npi1": pl.String,
    "npi2": pl.String,
    "pair_count": pl.Int64,
    "bene_count": pl.Int64,
    "same_day_count": pl.Int64,
}


def _valid_rows(run: Run, path: Path) -> pl.DataFrame:
    """Every row that passes its checks, with its line number, gathered into compact blocks
    (a national file has tens of millions of pairs); a pair repeated in the file keeps its
    first row and the others are rejected."""
    blocks: list[pl.DataFrame] = []
    records: list[tuple[int, str, str, int, int, int]] = []
    for number, values in _rows(path, run):
        run.job.read += 1
        if not values:
            run.reject(
                number, None, None, f"the row does not have the file's {len(COLUMNS)} columns"
            )
            continue
        npi1, npi2, pairs, benes, same_day = values
        if not npi_is_valid(npi1):
            run.reject(number, "npi1", npi1, "not a valid NPI (10 digits with its check digit)")
            continue
        if not npi_is_valid(npi2):
            run.reject(number, "npi2", npi2, "not a valid NPI (10 digits with its check digit)")
            continue
        if npi1 == npi2:
            run.reject(number, "npi2", npi2, "the same NPI as npi1")
            continue
        pair_n = _count(run, number, "pair_count", pairs)
        bene_n = _count(run, number, "bene_count", benes) if pair_n is not None else None
        same_n = _count(run, number, "same_day_count", same_day) if bene_n is not None else None
        if pair_n is None or bene_n is None or same_n is None:
            continue
        if same_n > pair_n:
            run.reject(number, "same_day_count", same_day, "more than the pair_count")
            continue
        records.append((number, npi1, npi2, pair_n, bene_n, same_n))
        if len(records) >= BLOCK:
            blocks.append(pl.DataFrame(records, schema=ROW_SCHEMA, orient="row"))
            records = []
            if run.progress:
                run.progress(run.job.read)
    blocks.append(pl.DataFrame(records, schema=ROW_SCHEMA, orient="row"))
    if run.progress:
        run.progress(run.job.read)
    rows = pl.concat(blocks).with_columns(
        pl.col("row").min().over("npi1", "npi2").alias("first_row")
    )
    repeated = rows.filter(pl.col("row") != pl.col("first_row"))
    for number, npi2, first in repeated.select("row", "npi2", "first_row").iter_rows():
        run.reject(number, "npi2", npi2, f"this NPI pair appears already at row {first}")
    return rows.filter(pl.col("row") == pl.col("first_row")).drop("first_row")


def import_referrals(
    run: Run, path: Path, *, period_start: date | None = None, period_end: date | None = None
) -> None:
    check_period(period_start, period_end)
    session = run.session
    rows = _valid_rows(run, path)
    held = _npis(session, pl.concat([rows["npi1"], rows["npi2"]]))
    fresh = (
        rows.join(held.rename({"npi": "npi1", "sid": "from_stakeholder_id"}), on="npi1", how="left")
        .join(held.rename({"npi": "npi2", "sid": "to_stakeholder_id"}), on="npi2", how="left")
        .sort("row")
        .select(
            pl.col("npi1").alias("from_npi"),
            pl.col("npi2").alias("to_npi"),
            "from_stakeholder_id",
            "to_stakeholder_id",
            "pair_count",
            pl.col("bene_count").alias("beneficiary_count"),
            "same_day_count",
            pl.lit(period_start, dtype=pl.Date).alias("period_start"),
            pl.lit(period_end, dtype=pl.Date).alias("period_end"),
            pl.lit(run.job.id, dtype=pl.Int64).alias("import_job_id"),
        )
    )

    same_period = (
        Referral.period_start.is_(None)
        if period_start is None
        else Referral.period_start == period_start,
        Referral.period_end.is_(None) if period_end is None else Referral.period_end == period_end,
    )
    before = read_frame(
        session,
        select(
            Referral.from_npi,
            Referral.to_npi,
            Referral.from_stakeholder_id,
            Referral.to_stakeholder_id,
            Referral.pair_count,
            Referral.beneficiary_count,
            Referral.same_day_count,
        ).where(*same_period),
        {
            "from_npi": pl.String,
            "to_npi": pl.String,
            "old_from": pl.Int64,
            "old_to": pl.Int64,
            "old_pair": pl.Int64,
            "old_bene": pl.Int64,
            "old_same": pl.Int64,
        },
    )
    compared = fresh.join(before, on=["from_npi", "to_npi"], how="left")
    known = compared.filter(pl.col("old_pair").is_not_null())
    unchanged = known.filter(
        (pl.col("pair_count") == pl.col("old_pair"))
        & (pl.col("beneficiary_count") == pl.col("old_bene"))
        & (pl.col("same_day_count") == pl.col("old_same"))
        & pl.col("from_stakeholder_id").eq_missing(pl.col("old_from"))
        & pl.col("to_stakeholder_id").eq_missing(pl.col("old_to"))
    ).height
    run.count("created", fresh.height - known.height)
    run.count("updated", known.height - unchanged)
    run.count("unchanged", unchanged)
    dropped = before.height - known.height

    # the period's rows are replaced by the file's, in bulk
    session.execute(delete(Referral).where(*same_period))
    append_frame(session, "referral", fresh, block_rows=BLOCK)
    session.flush()

    unmatched = fresh.filter(
        pl.col("from_stakeholder_id").is_null() | pl.col("to_stakeholder_id").is_null()
    ).height
    period = f"{period_start} to {period_end}" if period_start else "no period given"
    message = f"shared patient patterns, {period}; {unmatched:,} pairs with an NPI not matched"
    if dropped:
        message += f"; {dropped:,} pairs of the period's earlier import are no longer in the file"
    run.job.message = message
    run.record_bulk_write("referral", f"shared patient patterns import of {path.name} ({period})")
