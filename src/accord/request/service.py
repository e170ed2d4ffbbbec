"""Requests: received by anyone, handled by the function that owns them; MIRs are answered
by medical affairs only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accord.access import gate, permissions
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.audit import trail
from accord.db.base import utcnow
from accord.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from accord.product import service as product_service
from accord.product.models import Product
from accord.request.models import OPEN_STATUSES, Request, RequestKind, RequestStatus
from accord.request.schemas import RequestCreate, RequestUpdate
from accord.request.sla import due_date_for
from accord.user.models import Function, User

#: who handles each kind. Unsolicited questions, study proposals and grants stay in medical
#: (scientific exchange, no commercial influence on grants); speaker programs are run by
#: sales & marketing.
HANDLING_FUNCTION: dict[RequestKind, Function] = {
    RequestKind.mir: Function.medical,
    RequestKind.iss: Function.medical,
    RequestKind.grant: Function.medical,
    RequestKind.speaker: Function.commercial,
}
#: the statuses a request of each kind may end in
FINAL_STATUSES: dict[RequestKind, frozenset[RequestStatus]] = {
    RequestKind.mir: frozenset({RequestStatus.answered, RequestStatus.closed}),
    RequestKind.iss: frozenset({RequestStatus.approved, RequestStatus.declined}),
    RequestKind.grant: frozenset({RequestStatus.approved, RequestStatus.declined}),
    RequestKind.speaker: frozenset({RequestStatus.approved, RequestStatus.declined}),
}


def create_request(
    session: Session, actor: Principal, stakeholder_id: int, data: RequestCreate
) -> Request:
    """Receive a request; anyone who met the stakeholder may pass it on, and the due date
    follows the kind's service level."""
    stakeholder = gate.get_visible_stakeholder(session, actor, stakeholder_id)
    permissions.require(actor, permissions.REQUEST_RECEIVE)
    now = utcnow()
    received = data.received_at or now
    if received > now + timedelta(minutes=5):
        raise InvalidInput("a request is recorded once received", field="received_at")
    product = product_service.get_product(session, data.product) if data.product else None
    if data.off_label and data.kind != RequestKind.mir:
        raise InvalidInput(
            "only a medical information request is flagged off-label", field="off_label"
        )
    request = Request(
        stakeholder_id=stakeholder.id,
        kind=data.kind,
        status=RequestStatus.open,
        handling_function=HANDLING_FUNCTION[data.kind],
        product_id=product.id if product else None,
        question=data.question.strip(),
        off_label=data.off_label,
        received_via=data.received_via,
        received_at=received,
        due_date=due_date_for(data.kind, received),
        created_by_id=actor.user_id,
        created_at=now,
    )
    with trail.reason(session, f"{data.kind.value} received"):
        session.add(request)
        session.flush()
    return request


def get_request(session: Session, actor: Principal, request_id: int) -> Request:
    request = session.get(Request, request_id)
    if request is None:
        raise NotFound(f"no request {request_id}")
    gate.get_visible_stakeholder(session, actor, request.stakeholder_id)  # 404 out of scope
    return request


def update_request(
    session: Session, actor: Principal, request_id: int, data: RequestUpdate
) -> Request:
    """Answer or decide a request. Only the handling function may: a commercial user cannot
    record a MIR answer, because unsolicited requests stay in medical."""
    request = get_request(session, actor, request_id)
    if actor.function != request.handling_function:
        raise Forbidden(
            f"only {request.handling_function.value} handles a {request.kind.value} request; "
            f"{actor.function.value} may know it exists, not answer it"
        )
    if request.status not in OPEN_STATUSES:
        raise RuleViolation(
            f"request {request.id} is already {request.status.value}", field="status"
        )
    status = data.status
    if data.answer is not None:
        if request.kind != RequestKind.mir:
            raise InvalidInput("only a medical information request takes an answer", field="answer")
        status = status or RequestStatus.answered
        if status != RequestStatus.answered:
            raise InvalidInput("an answer marks the request answered", field="status")
    assert status is not None
    allowed = FINAL_STATUSES[request.kind] | {RequestStatus.in_review}
    if status not in allowed:
        raise InvalidInput(
            f"a {request.kind.value} request moves to one of "
            f"{', '.join(sorted(s.value for s in allowed))}",
            field="status",
        )
    if request.kind == RequestKind.mir and status == RequestStatus.answered and not data.answer:
        raise InvalidInput("an answered MIR needs its answer", field="answer")
    with trail.reason(session, f"{request.kind.value} {status.value}"):
        request.status = status
        if data.answer is not None:
            request.answer = data.answer
            request.answered_by_id = actor.user_id
            request.answered_at = utcnow()
        session.flush()
    return request


def requests_sections(session: Session, lens: Lens) -> dict[str, dict[str, Any]]:
    """requests_existence: kinds, statuses and due dates (no question, no product).
    requests_content: question, product, off-label flag and answer, record by record."""
    answered_by = aliased(User)
    rows = session.execute(
        select(Request, Product.code, answered_by.full_name)
        .outerjoin(Product, Product.id == Request.product_id)
        .outerjoin(answered_by, answered_by.id == Request.answered_by_id)
        .where(Request.stakeholder_id == lens.stakeholder.id)
        .order_by(Request.received_at.desc(), Request.id.desc())
    ).all()
    today = utcnow().date()
    out: dict[str, dict[str, Any]] = {}
    own = [r for r, _, _ in rows if r.created_by_id == lens.principal.user_id]
    if lens.level("requests_existence") > Level.none or own:
        visible = (
            rows
            if lens.level("requests_existence") > Level.none
            else [row for row in rows if row[0].created_by_id == lens.principal.user_id]
        )
        out["requests_existence"] = {
            "open": sum(1 for r, _, _ in visible if r.status in OPEN_STATUSES),
            "closed": sum(1 for r, _, _ in visible if r.status not in OPEN_STATUSES),
            "items": [
                {
                    "id": r.id,
                    "kind": r.kind.value,
                    "status": r.status.value,
                    "handled_by": r.handling_function.value,
                    "received_on": r.received_at.date().isoformat(),
                    "due_date": r.due_date.isoformat(),
                    "overdue": r.status in OPEN_STATUSES and r.due_date < today,
                }
                for r, _, _ in visible
            ],
        }
    content = []
    for r, code, answerer in rows:
        products = [r.product_id] if r.product_id else []
        if lens.record_level("requests_content", products, r.created_by_id) != Level.full:
            continue
        content.append(
            {
                "id": r.id,
                "kind": r.kind.value,
                "question": r.question,
                "product": code,
                "off_label": r.off_label,
                "answer": r.answer,
                "answered_by": answerer,
                "answered_at": r.answered_at.isoformat() if r.answered_at else None,
            }
        )
    if content or lens.level("requests_content") > Level.none:
        out["requests_content"] = {"items": content}
        if content:
            lens.audit_medical_read("requests_content")
    return out
