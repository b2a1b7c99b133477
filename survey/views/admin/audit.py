"""Admin: the audit log of administrative changes (read only), filtered by actor, kind and
days, one page at a time or as a CSV export of everything the filter selects."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.db import get_session
from survey.services.audit import AuditFilter, entries, parse_filter, to_csv
from survey.services.paging import page_arg, paginate
from survey.views.admin import bp
from survey.views.admin.common import per_page


def kind_labels() -> dict[str, str]:
    """Every kind of target an entry can have, as shown on the page."""
    return {
        "department": _("Department"),
        "person": _("Person"),
        "people": _("People (import)"),
        "departments": _("Departments (import)"),
        "service": _("Service"),
        "user": _("User"),
        "dependencies": _("Dependencies"),
        "question": _("Question"),
        "quiz_item": _("Quiz item"),
        "campaign": _("Campaign"),
        "api_key": _("API key"),
        "baseline": _("IQ baseline"),
        "action": _("Action plan"),
        "schedule": _("Campaign schedule"),
        "interaction": _("Handled request"),
        "interactions": _("Handled requests (import)"),
        "invitation": _("Invitation"),
        "message": _("Email"),
        "address": _("Suppressed address"),
        "quiz_invitations": _("Quiz invitations"),
    }


def action_labels() -> dict[str, str]:
    return {
        "create": _("created"),
        "edit": _("changed"),
        "deactivate": _("deactivated"),
        "reactivate": _("reactivated"),
        "import": _("imported"),
        "add_standard": _("service standard added"),
        "save": _("saved"),
        "open": _("opened"),
        "close": _("closed"),
        "cancel": _("cancelled"),
        "revoke": _("revoked"),
        "status": _("status changed"),
        "retire": _("retired"),
        "move": _("moved"),
        "delete": _("deleted"),
        "freeze": _("frozen"),
        "rebase": _("re-based"),
        "send_password_reset": _("password reset link sent"),
        "send_set_password": _("set-password link sent"),
        "set_password": _("password set"),
        "schedule.save": _("saved"),
        "resend": _("resent with a new link"),
        "retry": _("queued to be sent again"),
        "suppress": _("put on the suppression list"),
        "unsuppress": _("taken off the suppression list"),
        "invite": _("sent"),
    }


def _filter() -> tuple[AuditFilter, list[str]]:
    return parse_filter(request.args, kind_labels())


@bp.get("/audit")
def audit() -> tuple[str, int]:
    flt, bad = _filter()
    page = paginate(get_session(), entries(flt), page_arg(request.args.get("page")), per_page())
    return render_template(
        "admin/audit.html",
        page=page,
        flt=flt,
        bad=bad,
        kinds=kind_labels(),
        actions=action_labels(),
    ), 200


@bp.get("/audit.csv")
def audit_export() -> WerkzeugResponse:
    flt, _bad = _filter()
    body = to_csv(get_session(), flt).encode("utf-8-sig")
    response = WerkzeugResponse(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
