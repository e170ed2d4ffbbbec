"""Spend reports and the payments section of a stakeholder, exact to the cent."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.errors import InvalidInput
from accord.payment.models import Payment
from accord.stakeholder.models import Stakeholder

GROUPS = ("stakeholder", "manufacturer", "nature", "year")


def dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def _visible(principal: Principal) -> ColumnElement[bool]:
    """Payments to stakeholders in the principal's territories, and payments whose recipient
    Accord does not hold (teaching hospitals, unmatched physicians)."""
    return or_(
        Payment.stakeholder_id.is_(None),
        Payment.stakeholder_id.in_(gate.visible_stakeholders(select(Stakeholder.id), principal)),
    )


def spend_report(
    session: Session, actor: Principal, *, group_by: str, year: int | None = None
) -> dict[str, Any]:
    """Totals per stakeholder, manufacturer (by CMS id), nature of payment or program year,
    summed as whole cents so they reproduce CMS's totals exactly."""
    permissions.require(actor, permissions.PAYMENTS_REPORT)
    if group_by not in GROUPS:
        raise InvalidInput(f"group_by is one of {', '.join(GROUPS)}", field="group_by")
    key: Any
    label: Any
    stmt = select().select_from(Payment)
    if group_by == "stakeholder":
        stmt = stmt.outerjoin(Stakeholder, Stakeholder.id == Payment.stakeholder_id)
        key, label = Payment.stakeholder_id, func.max(Stakeholder.name)
    elif group_by == "manufacturer":
        key, label = Payment.manufacturer_id, func.max(Payment.manufacturer_name)
    elif group_by == "nature":
        key = func.coalesce(Payment.nature, "Research")
        label = func.coalesce(Payment.nature, "Research")
    else:
        key, label = Payment.program_year, func.max(Payment.program_year)
    stmt = (
        stmt.add_columns(key, label, func.count(), func.sum(Payment.amount_cents))
        .where(_visible(actor))
        .group_by(key)
        .order_by(func.sum(Payment.amount_cents).desc())
    )
    if year is not None:
        stmt = stmt.where(Payment.program_year == year)
    items = []
    total = 0
    for k, name, count, cents in session.execute(stmt):
        cents = int(cents or 0)
        total += cents
        items.append(
            {
                "key": None if k is None else str(k),
                "label": "Unmatched recipients"
                if k is None and group_by == "stakeholder"
                else str(name),
                "payments": int(count),
                "total": dollars(cents),
                "total_cents": cents,
            }
        )
    return {"group_by": group_by, "year": year, "items": items, "total": dollars(total)}


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([report["group_by"], "label", "payments", "total_usd"])
    for item in report["items"]:
        writer.writerow([item["key"], item["label"], item["payments"], item["total"]])
    return out.getvalue()


def payments_section(session: Session, lens: Lens) -> dict[str, Any] | None:
    """Full: every transfer of value (the newest 50 listed) and totals per year.
    Summary: totals per year."""
    sid = lens.stakeholder.id
    years = session.execute(
        select(Payment.program_year, func.count(), func.sum(Payment.amount_cents))
        .where(Payment.stakeholder_id == sid)
        .group_by(Payment.program_year)
        .order_by(Payment.program_year.desc())
    ).all()
    if not years:
        return None
    body: dict[str, Any] = {
        "by_year": [
            {"year": y, "payments": int(n), "total": dollars(int(c or 0))} for y, n, c in years
        ]
    }
    if lens.level("payments") == Level.full:
        rows = session.scalars(
            select(Payment)
            .where(Payment.stakeholder_id == sid)
            .order_by(Payment.paid_on.desc(), Payment.id.desc())
            .limit(50)
        )
        body["items"] = [
            {
                "kind": p.kind.value,
                "paid_on": p.paid_on.isoformat(),
                "manufacturer": p.manufacturer_name,
                "amount": dollars(p.amount_cents),
                "nature": p.nature,
                "form": p.form,
                "products": p.products,
                "study": p.study_name,
            }
            for p in rows
        ]
    return body
