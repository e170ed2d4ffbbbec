"""Measuring the matcher: NPPES linked to CMS Doctors and Clinicians, the NPI hidden from it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from accord.matching import model

FOLDER = "nppes-vs-cms-doctors-clinicians"
NPPES_FILE = "clean_NPPES_sample.csv"
CMS_FILE = "clean_CMS_sample.csv"

_NPPES_COLUMNS = {
    "Provider First Name": "first_name",
    "Provider Other First Name": "alt_first_name",
    "Provider Middle Name": "middle_name",
    "Provider Last Name (Legal Name)": "last_name",
    "Provider Other Last Name": "alt_last_name",
    "Provider Sex Code": "sex",
    "Provider Credential Text": "credentials",
    # the cleaned file holds the specialty NAME in this column, not a code (SOURCES.md)
    "Healthcare Provider Taxonomy Code_1": "specialty",
    "Provider Business Practice Location Address State Name": "state",
    "Provider Business Practice Location Address City Name": "city",
    "Provider Business Practice Location Address Postal Code": "zip5",
    "Full Street Address": "street",
}
_CMS_COLUMNS = {
    "Provider First Name": "first_name",
    "Provider Middle Name": "middle_name",
    "Provider Last Name": "last_name",
    "gndr": "sex",
    "Cred": "credentials",
    "pri_spec": "specialty",
    "State": "state",
    "City/Town": "city",
    "ZIP Code": "zip5",
    "Full Street Address": "street",
}


def _load(path: Path, columns: dict[str, str], first_id: int) -> tuple[pl.DataFrame, pl.Series]:
    raw = pl.read_csv(path, infer_schema=False)
    missing = sorted(set(columns) - set(raw.columns))
    if missing:
        raise ValueError(f"{path.name}: missing columns {', '.join(missing)}")
    frame = raw.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_id).alias("id"),
        *[pl.col(source).alias(target) for source, target in columns.items()],
    )
    return frame, raw.get_column("NPI")


def load_samples(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series, pl.Series]:
    """(NPPES records, CMS records, NPPES NPIs, CMS NPIs): the frames carry no NPI; ids are row
    numbers (CMS from 1,000,000) and the NPIs stay aside as the truth."""
    left, left_npi = _load(folder / NPPES_FILE, _NPPES_COLUMNS, 0)
    right, right_npi = _load(folder / CMS_FILE, _CMS_COLUMNS, 1_000_000)
    return left, right, left_npi, right_npi


@dataclass(frozen=True)
class Figures:
    """Precision and recall over the NPPES records at one threshold."""

    threshold: float
    links: int
    correct: int
    records: int

    @property
    def precision(self) -> float:
        return self.correct / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.records


@dataclass(frozen=True)
class Evaluation:
    scored: model.Scored
    linked: model.Scored
    correct: np.ndarray
    records: int
    blocked_true: int
    seconds: float

    def at(self, threshold: float) -> Figures:
        keep = self.linked.probability >= threshold
        return Figures(threshold, int(keep.sum()), int(self.correct[keep].sum()), self.records)

    def band_counts(self, auto: float, review: float) -> dict[str, int]:
        p = self.linked.probability
        return {
            "auto-merge": int((p >= auto).sum()),
            "review": int(((p >= review) & (p < auto)).sum()),
            "ignored": int((p < review).sum()),
        }


def evaluate(folder: Path) -> Evaluation:
    """Link every NPPES record to its best CMS row (one-to-one) and check it against the NPI.

    A predicted link is correct when the CMS row's NPI equals the NPPES record's NPI;
    precision = correct links / links, recall = correct links / NPPES records (5,000).
    """
    left, right, left_npi, right_npi = load_samples(folder)
    started = time.perf_counter()
    scored = model.fit_and_score(left, right)
    linked = model.one_to_one(scored)
    seconds = time.perf_counter() - started
    npi_of_left = left_npi.to_numpy()
    npi_of_right = right_npi.to_numpy()
    correct = npi_of_left[linked.left_id] == npi_of_right[linked.right_id - 1_000_000]
    all_true = npi_of_left[scored.left_id] == npi_of_right[scored.right_id - 1_000_000]
    blocked_true = len(set(scored.left_id[all_true].tolist()))
    return Evaluation(scored, linked, correct, left.height, blocked_true, seconds)
