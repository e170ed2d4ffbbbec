"""The matcher on real data: 5,000 NPPES records linked to 9,685 CMS Doctors and Clinicians rows
(../shared/data/nppes-vs-cms-doctors-clinicians), the NPI hidden from the matcher and used as
the truth afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accord.matching import evaluation, model
from tests.backends import unavailable


@pytest.fixture(scope="module")
def linked() -> evaluation.Evaluation:
    """One linkage run for the module (about ten seconds); the data folder is found as the
    `data_dir` fixture finds it, and skipped the same way where absent."""
    override = os.environ.get("ACCORD_SHARED_DATA")
    root = Path(override) if override else Path(__file__).resolve().parents[3] / "shared" / "data"
    if not (root / evaluation.FOLDER).is_dir():
        unavailable(f"the shared data folder {root / evaluation.FOLDER} is absent")
    return evaluation.evaluate(root / evaluation.FOLDER)


class TestNppesAgainstCms:
    def test_blocking_keeps_almost_every_true_pair(self, linked: evaluation.Evaluation) -> None:
        assert linked.records == 5_000
        assert linked.blocked_true >= 4_990
        # pairs stay bounded: about two per NPPES record, not 5,000 x 9,685
        assert len(linked.scored) < 5 * linked.records

    def test_auto_merge_threshold_reaches_the_targets(self, linked: evaluation.Evaluation) -> None:
        figures = linked.at(model.AUTO_MERGE_PROBABILITY)
        assert figures.precision >= 0.999
        assert figures.recall >= 0.965  # measured 0.9666 (4,833 of 5,000)

    def test_review_threshold_finds_nearly_all(self, linked: evaluation.Evaluation) -> None:
        figures = linked.at(model.REVIEW_PROBABILITY)
        assert figures.precision >= 0.999
        assert figures.recall >= 0.997  # measured 0.9980 (4,990 of 5,000)

    def test_the_bands_split_the_linked_records(self, linked: evaluation.Evaluation) -> None:
        bands = linked.band_counts(model.AUTO_MERGE_PROBABILITY, model.REVIEW_PROBABILITY)
        assert sum(bands.values()) == len(linked.linked)
        assert bands["review"] < 0.05 * linked.records  # a queue a steward can work through

    def test_em_learns_that_a_shared_surname_is_strong_evidence(
        self, linked: evaluation.Evaluation
    ) -> None:
        weights = {
            (p["comparison"], p["level"]): p["weight"] for p in linked.scored.model.parameters()
        }
        assert weights[("last_name", "exact")] > 8
        assert weights[("last_name", "other")] < -6
        assert weights[("sex", "same")] < 1  # half of all pairs agree on sex by chance
