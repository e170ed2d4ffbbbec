"""Service levels: how long the company takes to answer each kind of request."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from accord.request.models import RequestKind

#: calendar days from receipt to the due date. MIRs are answered within ten days (industry
#: practice for standard responses); ISS proposals go through a review committee (90 days);
#: grants through the grants office (60); speaker requests through speaker-program
#: onboarding (30).
SLA_DAYS: dict[RequestKind, int] = {
    RequestKind.mir: 10,
    RequestKind.iss: 90,
    RequestKind.grant: 60,
    RequestKind.speaker: 30,
}


def due_date_for(kind: RequestKind, received_at: datetime) -> date:
    return received_at.date() + timedelta(days=SLA_DAYS[kind])
