"""Rendering pages: the layout's context (navigation, CSRF token, flash) and error pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from accord.access import permissions
from accord.access.deps import csrf_token
from accord.access.principal import Principal

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def _datetime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M UTC") -> str:
    return value.strftime(fmt) if value else ""


templates.env.filters["datetime"] = _datetime


def _date(value: str | date | None, fmt: str = "%d %b %Y") -> str:
    """A date, a datetime or their ISO text (as the view's sections carry them), as a day."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).strftime(fmt)
        except ValueError:
            return value
    return value.strftime(fmt)


def _month(value: str) -> str:
    """A month such as 2026-11, as Nov 2026."""
    try:
        return date.fromisoformat(f"{value}-01").strftime("%b %Y")
    except ValueError:
        return value


templates.env.filters["date"] = _date
templates.env.filters["month"] = _month

_ACRONYMS = {"hcp": "HCP", "idn": "IDN", "pbm": "PBM", "npi": "NPI", "mir": "MIR", "iss": "ISS"}


def _label(value: object) -> str:
    """A code such as academic_medical_center or hcp, as people write it."""
    text = str(getattr(value, "value", value))
    if text in _ACRONYMS:
        return _ACRONYMS[text]
    return text.replace("_", " ").capitalize()


templates.env.filters["label"] = _label


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    icon: str
    allowed: Callable[[Principal], bool]
    active: bool = False


def _everyone(_principal: Principal) -> bool:
    return True


#: the left navigation; each domain adds its pages here, with who may use them
NAVIGATION: list[NavItem] = [
    NavItem("Home", "/", "home", _everyone),
    NavItem("Stakeholders", "/stakeholders", "stakeholders", _everyone),
    NavItem(
        "Network", "/network", "network", lambda p: permissions.has(p, permissions.NETWORK_READ)
    ),
    NavItem("Policy", "/policy", "policy", lambda p: permissions.has(p, permissions.POLICY_READ)),
    NavItem("Audit trail", "/audit", "audit", lambda p: permissions.has(p, permissions.AUDIT_READ)),
    NavItem("Users", "/users", "users", lambda p: permissions.has(p, permissions.USERS_MANAGE)),
    NavItem(
        "Data stewardship",
        "/stewardship",
        "check",
        lambda p: permissions.has(p, permissions.CHANGE_DECIDE),
    ),
    NavItem("Imports", "/imports", "content", lambda p: permissions.has(p, permissions.IMPORT_RUN)),
    NavItem("API tokens", "/account/tokens", "key", _everyone),
]


def navigation(principal: Principal | None, path: str) -> list[NavItem]:
    if principal is None:
        return []
    items = []
    for item in NAVIGATION:
        if not item.allowed(principal):
            continue
        active = path == item.href if item.href == "/" else path.startswith(item.href)
        items.append(NavItem(item.label, item.href, item.icon, item.allowed, active))
    return items


@dataclass(frozen=True)
class Flash:
    kind: str
    text: str


def flash(request: Request, kind: str, text: str) -> None:
    """Show `text` on the next page the user sees."""
    pending = list(request.session.get("flash", []))
    pending.append([kind, text])
    request.session["flash"] = pending


def _take_flash(request: Request) -> list[Flash]:
    if "session" not in request.scope:
        return []
    pending = request.session.pop("flash", [])
    return [Flash(kind, text) for kind, text in pending]


def render(
    request: Request,
    template: str,
    *,
    principal: Principal | None,
    page_title: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    token = csrf_token(request) if "session" in request.scope else ""
    settings = getattr(request.app.state, "settings", None)
    base = {
        "request": request,
        "principal": principal,
        "page_title": page_title,
        "nav": navigation(principal, request.url.path),
        "csrf_token": token,
        "flash": _take_flash(request),
        "demo_mode": bool(settings and settings.demo_mode),
    }
    base.update(context)
    return templates.TemplateResponse(
        request, template, base, status_code=status_code, headers=headers
    )


def render_error(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
) -> Response:
    principal = getattr(request.state, "principal", None)
    return render(
        request,
        "errors/error.html",
        principal=principal,
        page_title=title,
        status_code=status,
        headers=headers,
        status=status,
        title=title,
        detail=detail,
    )
