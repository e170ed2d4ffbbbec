"""NPPES, the registry of every NPI: the full-replacement file, the weekly incremental files
(same V.2 layout, 330 columns) and the deactivation file (NPI and date), plain or zipped.

Individuals become HCPs, organizations HCOs; every taxonomy slot maps to a NUCC specialty and
the slot whose switch is Y (wherever it is) is the primary; practice and mailing addresses,
credentials, sex, licenses, other identifiers and the authorized official are kept with
"nppes" as their source. Deactivated NPIs become inactive and reactivated ones active again.
Files re-saved by spreadsheet tools (entity codes "1.0", ZIP codes and phones as floats that
lost leading zeros) are normalised, not rejected. Re-importing a file changes nothing.

This module reads and normalises the file column-wise with Polars, in chunks, so the 9-million
row registry fits in memory; `accord.importer.nppes_apply` stages the chunks and applies them
with set-based SQL, the same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import queue
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from accord.importer import nppes_apply, nppes_new
from accord.importer.service import READ_ERRORS, BadFile, Run

SOURCE = nppes_new.SOURCE
#: rows per chunk read and normalised at once (about 0.5 GB of raw strings at 300 columns)
CHUNK = 100_000
FIRST_CHUNK = 20_000
#: about 600 bytes a row in the spreadsheet-saved sample, 1,200 in the CMS file: the smaller
#: figure errs towards setting the indexes aside on a first import (nppes_new)
BYTES_PER_ROW = 600
SLOTS = 15
OTHER_SLOTS = 50
REQUIRED = (
    "NPI",
    "Entity Type Code",
    "Provider Organization Name (Legal Business Name)",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Credential Text",
    "Provider First Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name",
    "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "Last Update Date",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
    "Healthcare Provider Taxonomy Code_1",
    "Healthcare Provider Primary Taxonomy Switch_1",
)
DEACTIVATION = ("NPI", "NPPES Deactivation Date")
#: NPPES "Other Provider Identifier Type Code"
OTHER_TYPES = {
    "01": "other",
    "02": "upin",
    "04": "medicare",
    "05": "medicaid",
    "06": "oscar",
    "07": "nsc",
    "08": "medicare_pin",
}
PRACTICE = "Provider {} Business Practice Location Address"
MAILING = "Provider {} Business Mailing Address"
OPTIONAL = (
    "Provider Middle Name",
    "Provider Sex Code",
    "Provider Other Organization Name",
    "Is Organization Subpart",
    "Parent Organization LBN",
    "Authorized Official Last Name",
    "Authorized Official First Name",
    "Authorized Official Middle Name",
    "Authorized Official Title or Position",
    "Authorized Official Credential Text",
    "Authorized Official Telephone Number",
)
ROW = "__row"
NPI_INVALID = "not a valid NPI (10 digits, Luhn check)"


def _address_columns(prefix: str) -> dict[str, str]:
    plain = prefix.replace("{} ", "")
    return {
        "line1": prefix.format("First Line"),
        "line2": prefix.format("Second Line"),
        "city": f"{plain} City Name",
        "state": f"{plain} State Name",
        "postal_code": f"{plain} Postal Code",
        "phone": f"{plain} Telephone Number",
        "country": f"{plain} Country Code (If outside U.S.)",
    }


def _slot_columns() -> list[str]:
    names = []
    for slot in range(1, SLOTS + 1):
        names += [
            f"Healthcare Provider Taxonomy Code_{slot}",
            f"Healthcare Provider Primary Taxonomy Switch_{slot}",
            f"Provider License Number_{slot}",
            f"Provider License Number State Code_{slot}",
        ]
    for slot in range(1, OTHER_SLOTS + 1):
        names += [
            f"Other Provider Identifier_{slot}",
            f"Other Provider Identifier Type Code_{slot}",
            f"Other Provider Identifier State_{slot}",
            f"Other Provider Identifier Issuer_{slot}",
        ]
    return names


#: every column the import reads; the other columns of the 330 are never materialised
FULL_COLUMNS = tuple(
    dict.fromkeys(
        [
            *REQUIRED,
            *OPTIONAL,
            *_address_columns(PRACTICE).values(),
            *_address_columns(MAILING).values(),
            *_slot_columns(),
        ]
    )
)


# --- reading ------------------------------------------------------------------------------


def _member(archive: zipfile.ZipFile) -> str:
    """The data file of an NPPES archive (not its header-only file or the PDF)."""
    names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
    data = [n for n in names if "fileheader" not in n.lower()]
    preferred = [n for n in data if Path(n).name.lower().startswith(("npidata", "npi"))]
    chosen = preferred or data
    if not chosen:
        raise BadFile("the archive holds no CSV file", field="file")
    return chosen[0]


@contextmanager
def _plain_csv(path: Path) -> Iterator[Path]:
    """The CSV itself, or the archive's data file extracted beside it for the time of the
    import (Polars reads a file in parallel; a zip member is a stream)."""
    if zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="accord-nppes-") as directory:
            target = Path(directory) / "data.csv"
            try:
                with (
                    zipfile.ZipFile(path) as archive,
                    archive.open(_member(archive)) as src,
                    target.open("wb") as out,
                ):
                    shutil.copyfileobj(src, out, 1 << 20)
            except (*READ_ERRORS, OSError) as error:  # type: ignore[misc]  # a tuple at runtime
                raise BadFile(
                    f"{path.name} is a damaged zip archive: {error}", field="file"
                ) from None
            yield target
        return
    if path.suffix.lower() == ".zip":
        raise BadFile(f"{path.name} is not a zip archive, or it is truncated", field="file")
    yield path


def _header(path: Path, name: str) -> list[str]:
    handle: IO[str] = path.open(encoding="utf-8-sig", newline="")
    try:
        return [h.strip().lstrip("\ufeff") for h in next(csv.reader(handle))]
    except StopIteration:
        raise BadFile(f"{name} is empty", field="file") from None
    except READ_ERRORS as error:
        raise BadFile(f"{name} is not a readable CSV: {error}", field="file") from None
    finally:
        handle.close()


def file_kind(header: list[str], name: str) -> str:
    """'full' (the V.2 layout: full or weekly) or 'deactivation'; anything else is refused
    before a row is read."""
    if all(c in header for c in REQUIRED):
        return "full"
    if all(c in header for c in DEACTIVATION) and len(header) <= 4:
        return "deactivation"
    missing = next(c for c in REQUIRED if c not in header)
    raise BadFile(
        f"{name} is not an NPPES file (V.2 layout or deactivation list): no column {missing!r}",
        field="file",
    )


def raw_chunks(path: Path, header: list[str], wanted: tuple[str, ...]) -> Iterator[pl.DataFrame]:
    """The wanted columns (those the header has) as strings, CHUNK rows at a time, each row
    with its line number in ROW. A blank line comes as a row of nulls; a row with too few
    values has nulls for the missing ones."""
    present = [c for c in wanted if c in header]
    frame = pl.scan_csv(
        path,
        infer_schema=False,
        truncate_ragged_lines=True,
        with_column_names=lambda names: [n.strip().lstrip("\ufeff") for n in names],
        row_index_name=ROW,
        row_index_offset=2,  # the header is line 1
        null_values=[""],  # CMS quotes every field: "" is an empty value too
        raise_if_empty=False,
    ).select(ROW, *present)
    try:
        # a small first chunk: the database waits for it, and for nothing after it
        batches = (
            chunk
            for part in (frame.head(FIRST_CHUNK), frame.slice(FIRST_CHUNK))
            for chunk in part.collect_batches(chunk_size=CHUNK)
        )
        for chunk in batches:
            missing = [pl.lit(None, pl.String).alias(c) for c in wanted if c not in header]
            yield chunk.with_columns(missing) if missing else chunk
    except pl.exceptions.PolarsError as error:
        first = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise BadFile(f"{path.name} is damaged: {first}", field="file") from None


# --- normalising, column-wise ---------------------------------------------------------------


def text(column: str | pl.Expr) -> pl.Expr:
    """Stripped, and null when empty."""
    value = (pl.col(column) if isinstance(column, str) else column).str.strip_chars()
    return pl.when(value.str.len_bytes() > 0).then(value)


def integer_text(column: str | pl.Expr) -> pl.Expr:
    """'1.0' -> '1', '3088652512.0' -> '3088652512' (spreadsheet re-saves)."""
    return text(column).str.replace(r"^(\d+)\.0+$", "${1}")


def postal_digits(column: str | pl.Expr) -> pl.Expr:
    return integer_text(column).str.replace_all(r"\D", "")


def postal_code_expr(column: str | pl.Expr) -> pl.Expr:
    """5 or 9 digits, leading zeros restored; 9 digits as 12345-6789 (from the digits of
    `postal_digits`, computed once)."""
    digits = pl.col(column) if isinstance(column, str) else column
    nine = digits.str.zfill(9)
    size = digits.str.len_chars()
    return (
        pl.when(size == 0)
        .then(None)
        .when(size <= 5)
        .then(digits.str.zfill(5))
        .when(size <= 9)
        .then(pl.concat_str(nine.str.slice(0, 5), pl.lit("-"), nine.str.slice(5, 4)))
    )


def phone_expr(column: str | pl.Expr) -> pl.Expr:
    digits = integer_text(column).str.replace_all(r"\D", "")
    return pl.when(digits.str.len_chars() > 0).then(digits)


def credentials_expr(column: str | pl.Expr) -> pl.Expr:
    """'M.D.' -> 'MD', 'M.D., PH.D.' -> 'MD, PHD'; separators , ; / become ', '."""
    squeezed = (
        text(column)
        .str.replace_all(r"[.\s]", "")
        .str.replace_all(r"^[,;/]+|[,;/]+$", "")
        .str.replace_all(r"[,;/]+", ", ")
        .str.slice(0, 60)
    )
    return pl.when(squeezed.str.len_chars() > 0).then(squeezed)


def day_expr(column: str) -> tuple[pl.Expr, pl.Expr]:
    """(the date, True where a value is there but is not a date)."""
    value = text(column)
    parsed = value.str.strptime(pl.Date, "%m/%d/%Y", strict=False).fill_null(
        value.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )
    return parsed, value.is_not_null() & parsed.is_null()


def npi_valid_expr(npi: pl.Expr) -> pl.Expr:
    """Ten digits whose last is the Luhn check of 80840 + the first nine (the prefix adds
    24 to the sum), computed for the whole column at once in integer arithmetic."""
    number = pl.when(npi.str.contains(r"^\d{10}$")).then(npi).cast(pl.Int64, strict=False)
    digits = [(number // 10 ** (9 - i)) % 10 for i in range(10)]
    total: pl.Expr = pl.lit(24, pl.Int64)
    for i in range(9):
        if i % 2 == 0:  # every other digit from the right of the nine, starting with the 9th
            doubled = digits[i] * 2
            total = total + doubled - pl.when(doubled > 9).then(9).otherwise(0)
        else:
            total = total + digits[i]
    valid: pl.Expr = ((10 - total % 10) % 10 == digits[9]).fill_null(False)
    return valid


def postal_code(value: str | None) -> str | None:
    """One ZIP code through the same expression the import applies to the column."""
    frame = pl.DataFrame({"zip": [value]}, schema={"zip": pl.String})
    series = frame.select(postal_digits("zip")).select(postal_code_expr("zip")).to_series()
    result = series[0]
    return None if result is None else str(result)


@dataclass
class Chunk:
    """A chunk normalised: the stakeholder rows, their children, and the row errors."""

    read: int
    stakeholders: pl.DataFrame
    specialties: pl.DataFrame
    identifiers: pl.DataFrame
    addresses: pl.DataFrame
    officials: pl.DataFrame
    errors: pl.DataFrame  # row_number, column, value, reason, rejected


ERROR_SCHEMA = {
    "row_number": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "rejected": pl.Boolean,
}


def _errors(frame: pl.LazyFrame, column: pl.Expr, value: pl.Expr, reason: pl.Expr) -> pl.LazyFrame:
    return frame.select(
        pl.col(ROW).cast(pl.Int64).alias("row_number"),
        column.cast(pl.String).alias("column"),
        value.cast(pl.String).str.slice(0, 400).alias("value"),
        reason.cast(pl.String).str.slice(0, 500).alias("reason"),
        pl.lit(True).alias("rejected"),
    )


def _blank(columns: tuple[str, ...]) -> pl.Expr:
    """A blank line (read as a row of nulls)."""
    return pl.all_horizontal([pl.col(c).is_null() for c in columns])


def normalise_deactivations(raw: pl.DataFrame) -> Chunk:
    """The deactivation list: each valid NPI becomes a status-only row."""
    lazy = raw.lazy().filter(~_blank(DEACTIVATION))
    npi = integer_text("NPI")
    _, bad_date = day_expr("NPPES Deactivation Date")
    checked = lazy.with_columns(npi.alias("npi")).with_columns(
        npi_valid_expr(pl.col("npi")).alias("_npi_ok"),
        bad_date.alias("_bad_date"),
    )
    bad_npi = checked.filter(~pl.col("_npi_ok"))
    bad_day = checked.filter(pl.col("_npi_ok") & pl.col("_bad_date"))
    errors = pl.concat(
        [
            _errors(bad_npi, pl.lit("NPI"), pl.col("NPI"), pl.lit(NPI_INVALID)),
            _errors(
                bad_day,
                pl.lit("NPPES Deactivation Date"),
                pl.col("NPPES Deactivation Date"),
                pl.format("'{}' is not a date (MM/DD/YYYY)", text("NPPES Deactivation Date")),
            ),
        ]
    )
    valid = checked.filter(pl.col("_npi_ok") & ~pl.col("_bad_date"))
    stakeholders = valid.select(
        pl.col(ROW).cast(pl.Int64).alias("row_number"),
        "npi",
        pl.lit(True).alias("only_status"),
        *[pl.lit(None, pl.String).alias(c) for c in nppes_apply.STAGED_TEXT],
        pl.lit("inactive").alias("status"),
        pl.lit(None, pl.Date).alias("updated_on"),
    )
    stakeholders_frame, errors_frame, read = pl.collect_all(
        [stakeholders.select(nppes_apply.STAGE_COLUMNS), errors, lazy.select(pl.len())]
    )
    return Chunk(
        int(read.item()),
        stakeholders_frame,
        pl.DataFrame(schema=nppes_apply.SPECIALTY_SCHEMA),
        pl.DataFrame(schema=nppes_apply.IDENTIFIER_SCHEMA),
        pl.DataFrame(schema=nppes_apply.ADDRESS_SCHEMA),
        pl.DataFrame(schema=nppes_apply.OFFICIAL_SCHEMA),
        errors_frame,
    )


def _title(column: str) -> pl.Expr:
    return text(column).str.to_titlecase()


def _checked(raw: pl.LazyFrame) -> pl.LazyFrame:
    """The row-level checks, in the order a row is judged: NPI, dates, entity, name."""
    npi = integer_text("NPI")
    entity = integer_text("Entity Type Code")
    deactivated, bad_deactivated = day_expr("NPI Deactivation Date")
    reactivated, bad_reactivated = day_expr("NPI Reactivation Date")
    updated_on, bad_updated = day_expr("Last Update Date")
    return (
        raw.with_columns(npi.alias("npi"))
        .with_columns(
            npi_valid_expr(pl.col("npi")).alias("_npi_ok"),
            entity.alias("_entity"),
            deactivated.alias("_deactivated"),
            reactivated.alias("_reactivated"),
            updated_on.alias("updated_on"),
            pl.when(bad_deactivated)
            .then(pl.lit("NPI Deactivation Date"))
            .when(bad_reactivated)
            .then(pl.lit("NPI Reactivation Date"))
            .when(bad_updated)
            .then(pl.lit("Last Update Date"))
            .alias("_bad_date"),
            text("Provider Last Name (Legal Name)").alias("_last"),
            text("Provider Organization Name (Legal Business Name)").alias("_org"),
        )
        .with_columns(
            pl.when(pl.col("_blank"))
            .then(pl.lit("blank"))
            .when(~pl.col("_npi_ok"))
            .then(pl.lit("npi"))
            .when(pl.col("_bad_date").is_not_null())
            .then(pl.lit("date"))
            .when(pl.col("_entity").is_null() & pl.col("_deactivated").is_not_null())
            .then(pl.lit("status_only"))
            .when(~pl.col("_entity").is_in(["1", "2"]).fill_null(False))
            .then(pl.lit("entity"))
            .when((pl.col("_entity") == "1") & pl.col("_last").is_null())
            .then(pl.lit("last_name"))
            .when((pl.col("_entity") == "2") & pl.col("_org").is_null())
            .then(pl.lit("org_name"))
            .otherwise(pl.lit("ok"))
            .alias("_verdict")
        )
    )


def _rejections(checked: pl.LazyFrame) -> pl.LazyFrame:
    verdict = pl.col("_verdict")
    bad_date = pl.col("_bad_date")
    date_value = (
        pl.when(bad_date == "NPI Deactivation Date")
        .then(text("NPI Deactivation Date"))
        .when(bad_date == "NPI Reactivation Date")
        .then(text("NPI Reactivation Date"))
        .otherwise(text("Last Update Date"))
    )
    parts = [
        _errors(
            checked.filter(verdict == "npi"), pl.lit("NPI"), pl.col("NPI"), pl.lit(NPI_INVALID)
        ),
        _errors(
            checked.filter(verdict == "date"),
            bad_date,
            date_value,
            pl.format("'{}' is not a date (MM/DD/YYYY)", date_value),
        ),
        _errors(
            checked.filter(verdict == "entity"),
            pl.lit("Entity Type Code"),
            pl.col("Entity Type Code"),
            pl.lit("must be 1 or 2"),
        ),
        _errors(
            checked.filter(verdict == "last_name"),
            pl.lit("Provider Last Name (Legal Name)"),
            pl.lit(None, pl.String),
            pl.lit("an individual needs a last name"),
        ),
        _errors(
            checked.filter(verdict == "org_name"),
            pl.lit("Provider Organization Name (Legal Business Name)"),
            pl.lit(None, pl.String),
            pl.lit("an organization needs its legal business name"),
        ),
    ]
    return pl.concat(parts)


def _filled(frame: pl.DataFrame, column: str, count: int) -> list[int]:
    """The slots (1..count) whose `column`_n holds a value in some row (the others are
    skipped: most of the 65 slots are empty in most chunks); slot 1 at least."""
    height = frame.height
    return [s for s in range(1, count + 1) if frame[f"{column}_{s}"].null_count() < height] or [1]


def _specialties(full: pl.LazyFrame, filled: list[int]) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(one row per code of a row: first slot and whether any slot naming it says Y,
    license identifiers of the slots)."""
    slots = (
        pl.concat(
            [
                full.select(
                    pl.col(ROW).alias("row_number"),
                    pl.lit(slot).alias("slot"),
                    pl.col(f"Healthcare Provider Taxonomy Code_{slot}").alias("code"),
                    pl.col(f"Healthcare Provider Primary Taxonomy Switch_{slot}").alias("switch"),
                    pl.col(f"Provider License Number_{slot}").alias("license"),
                    pl.col(f"Provider License Number State Code_{slot}").alias("license_state"),
                ).filter(pl.col("code").is_not_null())
                for slot in filled
            ]
        )
        .with_columns(
            text("code").alias("code"),
            (text("switch") == "Y").fill_null(False).alias("is_primary"),
            text("license").alias("license"),
            text("license_state").alias("license_state"),
        )
        .filter(pl.col("code").is_not_null())
    )
    codes = slots.group_by("row_number", "code").agg(
        pl.col("slot").min(), pl.col("is_primary").any()
    )
    licenses = slots.filter(pl.col("license").is_not_null()).select(
        "row_number",
        "slot",
        pl.concat_str(pl.lit("license:"), pl.col("license_state").fill_null("US"))
        .str.slice(0, 40)
        .alias("system"),
        pl.col("license").str.slice(0, 80).alias("value"),
    )
    return codes, licenses


def _other_identifiers(full: pl.LazyFrame, filled: list[int]) -> pl.LazyFrame:
    slots = pl.concat(
        [
            full.select(
                pl.col(ROW).alias("row_number"),
                pl.lit(100 + slot).alias("slot"),
                pl.col(f"Other Provider Identifier_{slot}").alias("value"),
                pl.col(f"Other Provider Identifier Type Code_{slot}").alias("type_code"),
                pl.col(f"Other Provider Identifier State_{slot}").alias("state"),
                pl.col(f"Other Provider Identifier Issuer_{slot}").alias("issuer"),
            ).filter(pl.col("value").is_not_null())
            for slot in filled
        ]
    )
    kinds = slots.with_columns(
        integer_text("value").alias("value"),
        integer_text("type_code")
        .fill_null("")
        .str.zfill(2)
        .replace_strict(OTHER_TYPES, default="other")
        .alias("kind"),
        text("state").fill_null("US").alias("state"),
        text("issuer").alias("issuer"),
    )
    other = (pl.col("kind") == "other") & pl.col("issuer").is_not_null()
    return kinds.select(
        "row_number",
        "slot",
        pl.concat_str(
            pl.col("kind"),
            pl.lit(":"),
            pl.col("state"),
            pl.when(other).then(pl.concat_str(pl.lit(":"), pl.col("issuer"))).otherwise(pl.lit("")),
        )
        .str.slice(0, 40)
        .alias("system"),
        pl.col("value").str.slice(0, 80).alias("value"),
    ).filter(pl.col("value").is_not_null())


def _place(prefix: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(city, state, kept) of an address: kept when it has a first line, a city and a
    two-letter state (an address outside the US has none)."""
    c = _address_columns(prefix)
    state, city = text(c["state"]), _title(c["city"]).str.slice(0, 100)
    kept = text(c["line1"]).is_not_null() & (state.str.len_chars() == 2) & city.is_not_null()
    return city, state.str.to_uppercase(), kept.fill_null(False)


def _addresses(full: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(kept addresses, notes for the ones outside the US)."""
    kept, notes = [], []
    for kind, prefix, primary in (("practice", PRACTICE, True), ("mailing", MAILING, False)):
        c = _address_columns(prefix)
        state = text(c["state"])
        city, _, keep = _place(prefix)
        frame = (
            full.select(
                pl.col(ROW).alias("row_number"),
                pl.lit(kind).alias("kind"),
                pl.lit(primary).alias("is_primary"),
                text(c["line1"]).str.slice(0, 200).alias("line1"),
                text(c["line2"]).str.slice(0, 200).alias("line2"),
                city.alias("city"),
                state.str.to_uppercase().alias("state"),
                postal_digits(c["postal_code"]).alias("postal_code"),
                phone_expr(c["phone"]).alias("phone"),
                state.alias("_state_raw"),
                text(c["country"]).alias("_country"),
                keep.alias("_kept"),
            )
            .with_columns(postal_code_expr("postal_code").alias("postal_code"))
            .filter(pl.col("line1").is_not_null())
        )
        foreign = ~pl.col("_kept")
        notes.append(
            _errors(
                frame.filter(foreign).rename({"row_number": ROW}),
                pl.lit(c["state"]),
                pl.col("_state_raw"),
                pl.format(
                    "{} address outside the US ({}): not kept",
                    pl.lit(kind),
                    pl.col("_country").fill_null("no state"),
                ),
            ).with_columns(pl.lit(False).alias("rejected"))
        )
        kept.append(frame.filter(~foreign).drop("_state_raw", "_country", "_kept"))
    return pl.concat(kept), pl.concat(notes)


def normalise_full(raw: pl.DataFrame) -> Chunk:
    """A chunk of the V.2 layout: checks, then the stakeholder row and its children.

    The checks are computed once, eagerly, as a few added columns (no row is copied); the
    rest is lazy and collected once, so each of the 65 slots reads only its own columns of
    the rows that passed (filtering the whole frame first would copy all 300 columns, and a
    lazy check would be recomputed by every slot)."""
    marked = raw.with_columns(_blank(REQUIRED).alias("_blank"))
    eager = _checked(marked.lazy()).collect()
    checked = eager.lazy()
    lazy = checked.filter(~pl.col("_blank"))
    errors = _rejections(checked)
    verdict = pl.col("_verdict")
    status_only = checked.filter(verdict == "status_only").select(
        pl.col(ROW).cast(pl.Int64).alias("row_number"),
        "npi",
        pl.lit(True).alias("only_status"),
        *[pl.lit(None, pl.String).alias(c) for c in nppes_apply.STAGED_TEXT],
        pl.lit("inactive").alias("status"),
        pl.lit(None, pl.Date).alias("updated_on"),
    )
    full = checked.filter(verdict == "ok")
    taxonomy_slots = _filled(eager, "Healthcare Provider Taxonomy Code", SLOTS)
    codes, licenses = _specialties(full, taxonomy_slots)
    # the earliest slot whose switch says Y, and the practice place, read off the row's own
    # columns (joining them back from the long forms cost more than the rest together)
    primary = pl.coalesce(
        [
            pl.when(text(f"Healthcare Provider Primary Taxonomy Switch_{slot}") == "Y").then(
                text(f"Healthcare Provider Taxonomy Code_{slot}")
            )
            for slot in taxonomy_slots
        ]
    )
    practice_city, practice_state, practice_kept = _place(PRACTICE)
    addresses, notes = _addresses(full)
    person = pl.col("_entity") == "1"
    first, middle, last = (
        _title("Provider First Name"),
        _title("Provider Middle Name"),
        pl.col("_last").str.to_titlecase(),
    )
    creds = credentials_expr("Provider Credential Text")
    person_name = pl.concat_str(first, middle, last, separator=" ", ignore_nulls=True)
    org = pl.col("_org")
    subpart = (text("Is Organization Subpart").str.to_uppercase() == "Y").fill_null(False)
    inactive = pl.col("_deactivated").is_not_null() & (
        pl.col("_reactivated").is_null() | (pl.col("_reactivated") < pl.col("_deactivated"))
    )
    stakeholders = full.select(
        pl.col(ROW).cast(pl.Int64).alias("row_number"),
        "npi",
        pl.lit(False).alias("only_status"),
        pl.when(person).then(pl.lit("person")).otherwise(pl.lit("organization")).alias("kind"),
        # an organization's type (hospital or clinic) comes from its primary taxonomy's
        # NUCC grouping, which the database holds
        pl.when(person).then(pl.lit("hcp")).alias("type"),
        pl.when(person)
        .then(
            pl.when(creds.is_not_null())
            .then(pl.concat_str(person_name, pl.lit(", "), creds))
            .otherwise(person_name)
        )
        .otherwise(org.str.slice(0, 300))
        .alias("name"),
        pl.when(person)
        .then(
            pl.concat_str(pl.col("_last"), text("Provider First Name").fill_null(""), separator=" ")
            .str.strip_chars()
            .str.to_lowercase()
        )
        .otherwise(org.str.to_lowercase().str.slice(0, 300))
        .alias("sort_name"),
        pl.when(person).then(first).alias("first_name"),
        pl.when(person).then(middle).alias("middle_name"),
        pl.when(person).then(last).alias("last_name"),
        pl.when(person).then(creds).alias("credentials"),
        pl.when(person)
        .then(
            text("Provider Sex Code")
            .str.to_uppercase()
            .replace_strict({"M": "M", "F": "F"}, default="U")
            .fill_null("U")
        )
        .alias("sex"),
        primary.alias("primary_specialty_code"),
        pl.when(practice_kept).then(practice_state).alias("state"),
        pl.when(practice_kept).then(practice_city).alias("city"),
        pl.when(person)
        .then(None)
        .otherwise(text("Provider Other Organization Name"))
        .alias("other_name"),
        pl.when(~person & subpart)
        .then(text("Parent Organization LBN"))
        .alias("parent_organization_name"),
        pl.when(inactive).then(pl.lit("inactive")).otherwise(pl.lit("active")).alias("status"),
        "updated_on",
    )
    identifiers = (
        pl.concat(
            [
                licenses,
                _other_identifiers(full, _filled(eager, "Other Provider Identifier", OTHER_SLOTS)),
            ]
        )
        .unique(["row_number", "system", "value"], keep="any")
        .select("row_number", "system", "value")
    )
    official_last = text("Authorized Official Last Name")
    officials = full.filter(~person & official_last.is_not_null()).select(
        pl.col(ROW).cast(pl.Int64).alias("row_number"),
        official_last.str.to_titlecase().str.slice(0, 100).alias("last_name"),
        _title("Authorized Official First Name").str.slice(0, 100).alias("first_name"),
        _title("Authorized Official Middle Name").str.slice(0, 100).alias("middle_name"),
        text("Authorized Official Title or Position").str.slice(0, 120).alias("title"),
        credentials_expr("Authorized Official Credential Text").alias("credentials"),
        phone_expr("Authorized Official Telephone Number").alias("phone"),
    )
    frames = pl.collect_all(
        [
            lazy.select(pl.len()),
            pl.concat(
                [
                    stakeholders.select(nppes_apply.STAGE_COLUMNS),
                    status_only.select(nppes_apply.STAGE_COLUMNS),
                ]
            ),
            codes.select(pl.col("row_number").cast(pl.Int64), "code", "is_primary"),
            identifiers.with_columns(pl.col("row_number").cast(pl.Int64)),
            addresses.with_columns(pl.col("row_number").cast(pl.Int64)),
            officials,
            pl.concat([errors, notes]),
        ]
    )
    return Chunk(int(frames[0].item()), *frames[1:])


# --- the import ---------------------------------------------------------------------------


def _normalised(
    chunks: Iterator[pl.DataFrame], normalise: Callable[[pl.DataFrame], Chunk]
) -> Iterator[tuple[Chunk, float, float]]:
    """(chunk, seconds reading, seconds normalising) for every chunk, read and normalised
    one chunk ahead in a thread: Polars releases the GIL, so the file's next chunk is parsed
    on one core while the database takes the previous one on the other."""
    ahead: queue.Queue[tuple[Chunk, float, float] | BaseException | None] = queue.Queue(2)
    stop = threading.Event()

    def produce() -> None:
        try:
            while not stop.is_set():
                started = time.perf_counter()
                raw = next(chunks, None)
                read = time.perf_counter()
                if raw is None:
                    break
                chunk = normalise(raw)
                ahead.put((chunk, read - started, time.perf_counter() - read))
        except BaseException as error:
            ahead.put(error)
            return
        ahead.put(None)

    worker = threading.Thread(target=produce, name="nppes-normalise", daemon=True)
    worker.start()
    try:
        while (item := ahead.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with suppress(queue.Empty):
                ahead.get(timeout=0.1)
        worker.join()


def import_nppes(run: Run, path: Path) -> dict[str, float]:
    """Import one NPPES file into the run's savepoint: read and normalise it chunk by chunk
    (one chunk ahead, in a thread), stage every chunk, then apply the whole file with
    set-based statements."""
    with _plain_csv(path) as plain:
        header = _header(plain, path.name)
        kind = file_kind(header, path.name)
        wanted = FULL_COLUMNS if kind == "full" else DEACTIVATION
        normalise = normalise_full if kind == "full" else normalise_deactivations
        staging = nppes_apply.Staging(run, expected_rows=plain.stat().st_size // BYTES_PER_ROW)
        # the phases of the thread overlap the staging; their sum can exceed the wall time
        timings = staging.timings
        for chunk, reading, normalising in _normalised(
            raw_chunks(plain, header, wanted), normalise
        ):
            timings["read (Polars)"] = timings.get("read (Polars)", 0.0) + reading
            timings["normalise (Polars)"] = timings.get("normalise (Polars)", 0.0) + normalising
            run.job.read += chunk.read
            staging.add(chunk)
            if run.progress:
                run.progress(run.job.read)
    staging.apply(f"NPPES import of {path.name} (job {run.job.id})")
    if run.progress:
        run.progress(run.job.read)
    return staging.timings
