"""The ``actions`` blueprint: a department's action plan for its manager and administrators.

``/actions/`` lists actions (an administrator every department's, or one with
``?department=CODE``; a manager their own department's only), paged by ``SURVEY_PAGE_SIZE``;
``/actions/export.csv`` exports the same selection; ``/actions/<code>/new`` records an action,
``/actions/<id>/edit`` changes one and ``/actions/<id>/status`` moves its status. Viewers and
managers of another department get 403 on every route; anonymous visitors go to sign-in.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.actions import ActionForm, StatusForm
from survey.access import department_for, roles_required
from survey.actions import services
from survey.actions.labels import action_target_label, status_labels, target_choices
from survey.db import get_session
from survey.local_time import local_today
from survey.models import Action, Department, User
from survey.models.action import TRANSLATED_FIELDS
from survey.names import TRANSLATED_LOCALES
from survey.services.paging import page_arg, paginate
from survey.services.refusals import OrgError
from survey.views.admin.common import per_page

bp = Blueprint("actions", __name__, url_prefix="/actions")

planners_required = roles_required("admin", "manager")

View = str | tuple[str, int] | WerkzeugResponse


def may_plan(department_id: int) -> bool:
    """Administrators plan for every department; a manager for their own only."""
    if current_user.role == "admin":
        return True
    return current_user.role == "manager" and current_user.department_id == department_id


def _department(code: str) -> Department:
    return department_for(code, may_plan)


def _action(action_id: int) -> Action:
    action = get_session().get(Action, action_id)
    if action is None:
        abort(404)
    if not may_plan(action.department_id):
        abort(403)
    return action


def _scope() -> Department | None:
    """The department a list shows: a manager's own (403 without one), or the administrator's
    ``?department=CODE`` (None: every department; an unknown code is 404)."""
    if current_user.role == "manager":
        if current_user.department_id is None:
            abort(403)
        return get_session().get(Department, current_user.department_id)
    code = (request.args.get("department") or "").strip()[:20]
    return _department(code) if code else None


@bp.get("/")
@planners_required
def index() -> str:
    department = _scope()
    page = paginate(
        get_session(),
        services.listing(department.id if department else None),
        page_arg(request.args.get("page")),
        per_page(),
    )
    departments = (
        list(get_session().scalars(select(Department).order_by(Department.name)))
        if current_user.role == "admin"
        else []
    )
    return render_template(
        "actions/list.html",
        page=page,
        department=department,
        departments=departments,
        statuses=status_labels(),
        status_form=StatusForm(),
        today=local_today(),
        is_overdue=services.is_overdue,
        target_label=action_target_label,
    )


@bp.get("/export.csv")
@planners_required
def export() -> WerkzeugResponse:
    department = _scope()
    body = services.to_csv(get_session(), department.id if department else None)
    response = WerkzeugResponse(body.encode("utf-8-sig"), mimetype="text/csv")
    name = f"actions-{department.code}.csv" if department else "actions.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(department: Department, action: Action | None) -> ActionForm:
    db = get_session()
    form = ActionForm(obj=None)
    form.target.choices = target_choices(db, department.id)
    form.status.choices = list(status_labels().items())
    users = db.scalars(
        select(User)
        .where(User.active.is_(True), User.department_id == department.id)
        .order_by(User.name, User.email)
    )
    form.owner_user.choices = [("", _("No account"))] + [
        (str(u.id), f"{u.name} <{u.email}>" if u.name else u.email) for u in users
    ]
    if action is not None and action.target not in {v for v, _label in form.target.choices}:
        form.target.choices.append((action.target, action_target_label(action)))
    if action is not None and owner_missing(form, action):
        form.owner_user.choices.append((str(action.owner_user_id), _("(former owner)")))
    if request.method == "GET":
        if action is not None:
            form.title.data = action.title
            form.description.data = action.description
            form.target.data = action.target
            form.owner_name.data = action.owner_name
            form.owner_user.data = str(action.owner_user_id or "")
            form.due_on.data = action.due_on
            form.status.data = action.status
            form.public_summary.data = action.public_summary
            for name in TRANSLATED_FIELDS:
                for locale, text in action.translated(name).items():
                    if locale in TRANSLATED_LOCALES:
                        getattr(form, f"{name}_{locale}").data = text
        else:
            form.status.data = "planned"
            form.target.data = request.args.get("target", "")
    return form


def owner_missing(form: ActionForm, action: Action) -> bool:
    values = {value for value, _label in form.owner_user.choices}  # type: ignore[misc]
    return action.owner_user_id is not None and str(action.owner_user_id) not in values


def _input(form: ActionForm) -> services.ActionInput:
    return services.ActionInput(
        title=form.title.data or "",
        description=form.description.data or "",
        target=form.target.data or "",
        owner_name=form.owner_name.data or "",
        owner_user_id=int(form.owner_user.data) if form.owner_user.data else None,
        due_on=form.due_on.data,
        status=form.status.data or "",
        public_summary=form.public_summary.data or "",
        translations={
            name: {
                locale: getattr(form, f"{name}_{locale}").data or ""
                for locale in TRANSLATED_LOCALES
            }
            for name in TRANSLATED_FIELDS
        },
    )


def _save(form: ActionForm, department: Department, action: Action | None) -> View | None:
    """Validate and save; None when the form must be shown again (errors attached)."""
    if not form.validate_on_submit():
        return None
    db = get_session()
    try:
        if action is None:
            action = services.create_action(db, current_user, department, _input(form))
        else:
            services.update_action(db, current_user, action, _input(form))
    except OrgError as refused:
        db.rollback()
        field = getattr(form, refused.field, None) or form.title
        field.errors = [*field.errors, str(refused.message)]
        return None
    db.commit()
    flash(_("The action is saved."), "success")
    return redirect(url_for("actions.index", department=department.code))


def _show(form: ActionForm, department: Department, action: Action | None) -> tuple[str, int]:
    status = 422 if request.method == "POST" else 200
    page = render_template("actions/form.html", form=form, department=department, action=action)
    return page, status


@bp.route("/<code>/new", methods=["GET", "POST"])
@planners_required
def new(code: str) -> View:
    department = _department(code)
    form = _form(department, None)
    return _save(form, department, None) or _show(form, department, None)


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@planners_required
def edit(action_id: int) -> View:
    action = _action(action_id)
    form = _form(action.department, action)
    return _save(form, action.department, action) or _show(form, action.department, action)


@bp.post("/<int:action_id>/status")
@planners_required
def status(action_id: int) -> View:
    action = _action(action_id)
    form = StatusForm()
    form.status.choices = list(status_labels().items())
    back = redirect(url_for("actions.index", department=action.department.code))
    if not form.validate_on_submit():
        flash(
            _("The status was not changed: the form had expired or the status was unknown."),
            "error",
        )
        return back
    db = get_session()
    services.change_status(db, current_user, action, form.status.data or "")
    db.commit()
    flash(_("The status is changed."), "success")
    return back
