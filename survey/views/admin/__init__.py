"""Administration (admin role only): organisation, people, services, users, API keys; the
dashboard lists the setting-up steps still to take (``services.setup_steps``) and what needs
attention (added by ``survey/delivery/dashboard.py`` through the
``admin.dashboard`` extension point).

Every route of this blueprint is guarded by ``_admin_only`` before it runs, so a new route
cannot forget the check.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from survey import hooks
from survey.db import get_session
from survey.extensions import login_manager
from survey.models import ApiKey, Department, Person, Service, User
from survey.services.setup_steps import setup_steps

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.required_roles = ("admin",)  # type: ignore[attr-defined]


@bp.before_request
def _admin_only():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != "admin":
        abort(403)
    return None


@bp.get("/")
def dashboard() -> str:
    db = get_session()

    def count(model: type) -> int:
        return db.scalar(select(func.count()).select_from(model)) or 0

    counts = {
        "departments": count(Department),
        "people": count(Person),
        "services": count(Service),
        "users": count(User),
        "api_keys": count(ApiKey),
    }
    steps = setup_steps(db, mail_server=bool(current_app.config.get("SMTP_URL")))
    extras = hooks.gather("admin.dashboard", db)
    return render_template("admin/dashboard.html", counts=counts, steps=steps, **extras)


# Route modules register on ``bp``; imported last because they import ``bp`` from here. The
# feature packages' admin pages (``survey/quiz/admin.py``, ``survey/org/admin/``,
# ``survey/accounts/admin/``, ``survey/delivery/admin/``, ``survey/scorecards/admin.py``) import
# ``bp`` too; the app factory imports them before it registers ``bp``, so nothing here imports a
# feature package.
from survey.views.admin import (  # noqa: E402, F401
    audit,
    erasure,
    mailbox,
    outbox,
    questionnaires,
)
