"""Who may see what: role checks for views, and the user loader for Flask-Login."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from survey.db import get_session
from survey.extensions import login_manager
from survey.models import User

F = TypeVar("F", bound=Callable[..., Any])


def load_user(user_id: str) -> User | None:
    """Cookie value is ``<id>:<session_version>``; an old version is signed out."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = get_session().scalar(select(User).where(User.id == uid))
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def init_app(_app: object) -> None:
    login_manager.user_loader(load_user)


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


admin_required = roles_required("admin")
signed_in_required = roles_required("admin", "manager", "viewer")
