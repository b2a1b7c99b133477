"""Who may see what: role checks for views, and the user loader for Flask-Login."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from hashlib import sha512
from typing import Any, TypeVar

from flask import abort, current_app, request, session
from flask_login import current_user
from sqlalchemy import select

from survey.db import get_session
from survey.extensions import login_manager
from survey.models import Department, User
from survey.models.auth import ROLES
from survey.services.accounts import session_is_live

# The key of the server-side session (``models.UserSession``) in the signed cookie.
SESSION_KEY = "sid"

F = TypeVar("F", bound=Callable[..., Any])


def session_lifetime() -> timedelta:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=int(lifetime))


def load_user(user_id: str) -> User | None:
    """Cookie value is ``<id>:<session_version>``; an old version is signed out, and so is a
    cookie whose server-side session has ended (signed out, password changed) or expired."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    db = get_session()
    user = db.scalar(select(User).where(User.id == uid))
    if user is None or not user.active or user.session_version != version:
        return None
    if not session_is_live(db, uid, session.get(SESSION_KEY), session_lifetime()):
        return None
    return user


def session_identifier() -> str:
    """What binds a sign-in cookie to its browser (Flask-Login's "strong" protection): the client
    address and User-Agent. The address is ``request.remote_addr``, which is the connecting peer
    unless ``SURVEY_PROXY_FIX_FOR`` names trusted proxies in front (``security.init_app``); a
    client-supplied ``X-Forwarded-For`` is never read here (Flask-Login's own generator would)."""
    agent = request.headers.get("User-Agent", "")
    return sha512(f"{request.remote_addr}|{agent}".encode("utf-8", "replace")).hexdigest()


def init_app(_app: object) -> None:
    login_manager.user_loader(load_user)
    login_manager._session_identifier_generator = session_identifier  # type: ignore[attr-defined]


def roles_required(*roles: str) -> Callable[[F], F]:
    """Anonymous visitors go to sign-in; signed-in users without one of ``roles`` get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


signed_in_required = roles_required(*ROLES)


def department_for(code: str, allowed: Callable[[int], bool]) -> Department:
    """The department with ``code`` (any case: codes are stored upper case) for the signed-in
    user: 404 when there is none, 403 when ``allowed(department_id)`` says the user may not
    act on it (each page family says who may: see or plan)."""
    department = get_session().scalar(
        select(Department).where(Department.code == code.strip().upper())
    )
    if department is None:
        abort(404)
    if not allowed(department.id):
        abort(403)
    return department
