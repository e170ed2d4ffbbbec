"""Settings read from ACCORD_* environment variables (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    """Every setting Accord reads, with its default.

    docs/configuration.md lists the same variables; a test keeps the two in step.
    """

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///accord.db",
        description="SQLAlchemy URL of the database. SQLite (the default, a file in the working "
        "directory) or PostgreSQL: postgresql+psycopg://user@host:5432/db.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL of the job broker. Unset: jobs run in-process after the commit.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs session cookies and CSRF tokens. Required by `accord serve`; "
        "`accord demo` generates one for the run.",
    )
    log_level: LogLevel = Field(default="INFO", description="Logging level.")
    demo_mode: bool = Field(
        default=False,
        description="Set by `accord demo`: shows the demo logins on the sign-in page.",
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins in a row before the account is locked."
    )
    login_lockout_minutes: int = Field(
        default=15, ge=1, description="How long a locked account stays locked."
    )
    session_max_age_hours: int = Field(
        default=12, ge=1, description="Lifetime of a web session cookie."
    )
    access_token_minutes: int = Field(
        default=60, ge=1, description="Lifetime of a bearer token from POST /api/v1/auth/token."
    )
    secure_cookies: bool = Field(
        default=False, description="Mark cookies Secure (set it when served over HTTPS)."
    )

    upload_dir: Path = Field(
        default=Path("accord-uploads"),
        description="Folder where files uploaded to POST /api/v1/imports wait for their import "
        "job (beside the SQLite file by default; a shared volume when workers run elsewhere).",
    )
    upload_max_bytes: int = Field(
        default=2 * 1024**3,
        ge=1,
        description="Largest upload accepted, in bytes (the full NPPES zip is about 1 GB).",
    )
    upload_keep: bool = Field(
        default=False,
        description="Keep an uploaded file after its import has run (default: delete it).",
    )
    network_nightly_at: str = Field(
        default="02:00",
        pattern=r"^$|^([01]\d|2[0-3]):[0-5]\d$",
        description="UTC time (HH:MM) after which a worker starts the nightly network "
        "recompute, once per day however many workers run; empty turns it off.",
    )
    network_colleague_max_members: int = Field(
        default=50,
        ge=2,
        description="Organizations with more affiliated people than this relate them through "
        "their membership only, not as colleagues pair by pair (a 2,000-bed hospital would "
        "otherwise add two million weak edges).",
    )
    network_brokerage_edge_visits: int = Field(
        default=10_000_000,
        ge=1,
        description="What brokerage (betweenness) may cost per graph, in sources times "
        "relations: exact when every source fits (stakeholders x relations), else estimated "
        "from as many sampled sources as fit, 8 at least; the snapshot says which.",
    )
    network_processes: int = Field(
        default=2,
        ge=1,
        description="Worker processes that measure the overall graph and the therapeutic "
        "areas side by side on a large network (1: all in the recomputing process).",
    )
    network_parallel_min_edges: int = Field(
        default=1_000_000,
        ge=0,
        description="Relations (of the overall graph) from which the recompute measures its "
        "graphs in worker processes, the overall graph in two halves side by side; below, "
        "starting them costs more than it saves.",
    )
    network_snapshots_kept: int = Field(
        default=30,
        ge=2,
        description="Snapshots whose per-stakeholder metrics are kept (older ones keep their "
        "summary row; tier history and rising stars read the kept ones).",
    )
    network_rising_min_gain: float = Field(
        default=0.1,
        ge=0,
        description="Influence a stakeholder must gain between snapshots to count as a rising "
        "star (influence is scaled so that the average stakeholder scores 1.0).",
    )
    network_tier_global_talks: int = Field(
        default=2,
        ge=1,
        description="Talks at global events (international congresses) that make a global tier.",
    )
    network_tier_global_countries: int = Field(
        default=3,
        ge=1,
        description="Countries reached (co-authors, trial sites, audiences) that, with an "
        "influence percentile of at least ACCORD_NETWORK_TIER_GLOBAL_PERCENTILE, make a global "
        "tier; on their own, a national one.",
    )
    network_tier_global_percentile: float = Field(
        default=99.0,
        ge=0,
        le=100,
        description="Influence percentile that global reach must come with for a global tier.",
    )
    network_tier_national_states: int = Field(
        default=5,
        ge=1,
        description="US states reached that, with an influence percentile of at least "
        "ACCORD_NETWORK_TIER_NATIONAL_PERCENTILE, make a national tier.",
    )
    network_tier_national_percentile: float = Field(
        default=90.0,
        ge=0,
        le=100,
        description="Influence percentile that national reach must come with.",
    )
    network_tier_regional_states: int = Field(
        default=2,
        ge=1,
        description="US states reached that make a regional tier.",
    )
    network_tier_regional_cities: int = Field(
        default=3,
        ge=1,
        description="Cities reached that make a regional tier.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
