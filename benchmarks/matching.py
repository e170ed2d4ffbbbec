"""The matcher on real data: NPPES (5,000) linked to CMS Doctors and Clinicians (9,685 rows),
the NPI hidden from it; precision and recall per threshold, and the time beside two references
measured in the same run: a naive exact join on first name + last name + state, and the bare
rapidfuzz cdist of every last name against every last name (what no blocking would cost)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cdist
from rich.console import Console
from rich.table import Table

from accord.matching import evaluation, model


def shared_data() -> Path | None:
    override = os.environ.get("ACCORD_SHARED_DATA")
    root = Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "data"
    folder = root / evaluation.FOLDER
    return folder if folder.is_dir() else None


def run(console: Console) -> None:
    folder = shared_data()
    if folder is None:
        console.print(
            "[yellow]skipped:[/] ../shared/data/nppes-vs-cms-doctors-clinicians is absent"
        )
        return
    result = evaluation.evaluate(folder)
    left, right, left_npi, right_npi = evaluation.load_samples(folder)

    # reference 1: the naive deterministic join (exact first + last name + state)
    started = time.perf_counter()
    keys = ["first_name", "last_name", "state"]
    naive = (
        left.with_columns(npi=left_npi)
        .join(right.with_columns(npi_r=right_npi), on=keys, how="inner")
        .unique(subset=["id"], keep="first", maintain_order=True)
    )
    naive_seconds = time.perf_counter() - started
    naive_correct = int((naive.get_column("npi") == naive.get_column("npi_r")).sum())

    # reference 2: the bare library, every surname against every surname (no blocking)
    started = time.perf_counter()
    cdist(
        left.get_column("last_name").fill_null("").to_list(),
        right.get_column("last_name").fill_null("").to_list(),
        scorer=JaroWinkler.normalized_similarity,
        dtype=np.float32,
        workers=1,
    )
    cdist_seconds = time.perf_counter() - started

    table = Table(title="NPPES -> CMS: precision and recall over the 5,000 NPPES records")
    for column in ("method", "threshold", "links", "correct", "precision", "recall"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for label, threshold in (
        ("Fellegi-Sunter, review", model.REVIEW_PROBABILITY),
        ("Fellegi-Sunter", 0.99),
        ("Fellegi-Sunter, auto-merge", model.AUTO_MERGE_PROBABILITY),
    ):
        f = result.at(threshold)
        table.add_row(
            label,
            f"{threshold}",
            f"{f.links:,}",
            f"{f.correct:,}",
            f"{f.precision:.4f}",
            f"{f.recall:.4f}",
        )
    table.add_row(
        "naive exact join (first+last+state)",
        "-",
        f"{naive.height:,}",
        f"{naive_correct:,}",
        f"{naive_correct / max(naive.height, 1):.4f}",
        f"{naive_correct / left.height:.4f}",
    )
    console.print(table)
    bands = result.band_counts(model.AUTO_MERGE_PROBABILITY, model.REVIEW_PROBABILITY)
    console.print(
        "bands of the one-to-one links: "
        + ", ".join(f"{name} {count:,}" for name, count in bands.items())
        + f"; blocked pairs {len(result.scored):,} of {left.height * right.height:,} "
        f"({result.blocked_true:,} NPPES records have their true partner among them)"
    )
    timing = Table(title="time")
    timing.add_column("what")
    timing.add_column("seconds", justify="right")
    timing.add_row(
        "matcher: standardise, block, compare, u, EM, score, one-to-one", f"{result.seconds:.2f}"
    )
    timing.add_row("reference: naive exact join", f"{naive_seconds:.3f}")
    timing.add_row(
        "reference: bare rapidfuzz cdist, all surnames x all surnames", f"{cdist_seconds:.2f}"
    )
    console.print(timing)
    params = Table(title="fitted parameters (m by EM, u from random pairs)")
    for column in ("comparison", "level", "m", "u", "weight (bits)"):
        params.add_column(
            column, justify="right" if column in ("m", "u", "weight (bits)") else "left"
        )
    for p in result.scored.model.parameters():
        params.add_row(
            str(p["comparison"]),
            str(p["level"]),
            f"{p['m']:.4f}",
            f"{p['u']:.5f}",
            f"{p['weight']:+.2f}",
        )
    console.print(params)
    console.print(f"prior (two random records match): {result.scored.model.prior:.3g}")


def main() -> None:
    run(Console(width=110))


if __name__ == "__main__":
    main()
