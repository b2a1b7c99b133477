"""Admin: user accounts (list and search, create with an initial password, change role and
department, deactivate/reactivate, send a password reset link). An administrator can neither
demote nor deactivate themselves, so the organisation is never locked out by a slip."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.admin import NewUserForm, UserForm, role_choices
from survey.config import mail_domain
from survey.db import get_session
from survey.models import User
from survey.services.account_mail import queue_password_reset
from survey.services.accounts import create_user
from survey.services.audit import created, diff, snapshot
from survey.services.org import OrgError, set_user_active, update_user, validate_new_user
from survey.services.paging import page_arg, paginate
from survey.views.admin import bp
from survey.views.admin.common import (
    audit,
    chosen_id,
    department_choices,
    matches,
    per_page,
    search_arg,
    show_error,
)

Page = str | tuple[str, int] | WerkzeugResponse


def _user_or_404(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _acting() -> User:
    """The signed-in administrator as a row of this request's session."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


@bp.context_processor
def _role_labels() -> dict[str, object]:
    labels = {"admin": _("Administrator"), "manager": _("Manager"), "viewer": _("Viewer")}
    return {"role_label": lambda role: labels.get(role, role)}


@bp.get("/users")
def users() -> str:
    db = get_session()
    query = search_arg()
    stmt = select(User).options(joinedload(User.department))
    if query:
        stmt = stmt.where(matches(query, User.email, User.name))
    page = paginate(
        db, stmt.order_by(User.email), page_arg(request.args.get("page")), per_page(), query
    )
    return render_template("admin/users.html", page=page)


def _choices(form: UserForm) -> None:
    form.role.choices = role_choices()
    form.department.choices = department_choices(blank=_("(none)"))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> Page:
    form = NewUserForm(data={"role": "viewer"} if request.method == "GET" else None)
    _choices(form)
    if form.validate_on_submit():
        db = get_session()
        department_id = chosen_id(form.department.data)
        try:
            email = validate_new_user(
                db, form.email.data or "", form.role.data or "", department_id
            )
            user = create_user(
                db,
                email,
                form.password.data or "",
                form.role.data or "",
                name=(form.name.data or "").strip(),
                department_id=department_id,
            )
            audit("create", user, created(snapshot(user)))
            db.commit()
        except OrgError as error:
            db.rollback()
            show_error(form, error, "email")
        except IntegrityError:
            db.rollback()
            form.email.errors = [
                *form.email.errors,
                _("A user with this email address already exists."),
            ]
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> Page:
    user = _user_or_404(user_id)
    data = None
    if request.method == "GET":
        data = {"name": user.name, "role": user.role, "department": str(user.department_id or "")}
    form = UserForm(data=data)
    _choices(form)
    if form.validate_on_submit():
        db = get_session()
        before = snapshot(user)
        try:
            update_user(
                db,
                user,
                _acting(),
                form.name.data or "",
                form.role.data or "",
                chosen_id(form.department.data),
            )
            audit("edit", user, diff(before, snapshot(user)))
            db.commit()
        except OrgError as error:
            db.rollback()
            show_error(form, error, "role")
        except IntegrityError:
            db.rollback()
            form.role.errors = [*form.role.errors, _("This change could not be stored.")]
        else:
            flash(_("Account %(email)s saved.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status


def _set_active(user_id: int, active: bool) -> WerkzeugResponse:
    db = get_session()
    user = _user_or_404(user_id)
    before = snapshot(user, "active")
    try:
        set_user_active(db, user, _acting(), active)
    except OrgError as error:
        db.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    audit("reactivate" if active else "deactivate", user, diff(before, {"active": active}))
    db.commit()
    if active:
        flash(_("Account %(email)s is active again.", email=user.email), "success")
    else:
        flash(_("Account %(email)s deactivated and signed out.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int) -> WerkzeugResponse:
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id: int) -> WerkzeugResponse:
    return _set_active(user_id, True)


@bp.post("/users/<int:user_id>/reset-password")
def user_reset_password(user_id: int) -> WerkzeugResponse:
    """Email the user a single-use link to choose a new password (their current one keeps
    working until they do; the administrator never sees either)."""
    db = get_session()
    user = _user_or_404(user_id)
    if not user.active:
        flash(_("A deactivated account cannot reset its password."), "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    queue_password_reset(
        db, user, str(current_app.config["BASE_URL"]), mail_domain(current_app.config)
    )
    audit("send_password_reset", user)
    db.commit()
    flash(_("A password reset link is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))
