"""A deterministic, realistic demo and benchmark data generator.

`generate_frames` computes every table column-wise with one seeded numpy Generator (the same
seed gives the same rows on SQLite and PostgreSQL); `load` writes them in bulk (COPY on
PostgreSQL, executemany on SQLite) inside the caller's transaction, with one audit entry per
table. `accord generate --size S|M|L --seed N` and `accord demo` drive it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    """How much to generate; S, M and L are the presets of the benchmarks."""

    name: str
    stakeholders: int
    interactions: int
    users: int

    def __post_init__(self) -> None:
        if self.stakeholders < 100:
            raise ValueError("generate at least 100 stakeholders")
        if self.interactions < 0 or self.users < 0:
            raise ValueError("counts cannot be negative")


SIZES: dict[str, Size] = {
    "S": Size("S", 10_000, 100_000, 60),
    "M": Size("M", 100_000, 2_000_000, 600),
    "L": Size("L", 1_000_000, 20_000_000, 6_000),
}
