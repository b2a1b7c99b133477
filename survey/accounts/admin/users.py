"""Admin: user accounts (list and search, create, change role, department and language,
deactivate/reactivate, send a set-password or password reset link). A new account has no
password: creating it mails its owner a link to choose one (``SET_PASSWORD_HOURS``), and its
page sends a new link until they have. An administrator can neither
demote nor deactivate themselves, so the organisation is never locked out by a slip."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.admin import NewUserForm, UserForm, role_choices
from survey.accounts.services.account_mail import queue_password_reset, queue_set_password
from survey.accounts.services.users import set_user_active, update_user, validate_new_user
from survey.config import mail_domain
from survey.db import get_session
from survey.models import User
from survey.services.accounts import create_user, has_password
from survey.views.admin import bp
from survey.views.admin.common import audit, chosen_id, department_choices, matches
from survey.views.admin.crud import CrudPages


def _acting() -> User:
    """The signed-in administrator as a row of this request's session."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


@bp.context_processor
def _role_labels() -> dict[str, object]:
    labels = {"admin": _("Administrator"), "manager": _("Manager"), "viewer": _("Viewer")}
    return {"role_label": lambda role: labels.get(role, role)}


def _choices(form: UserForm) -> None:
    form.role.choices = role_choices()
    form.department.choices = department_choices(blank=_("(none)"))


class UserPages(CrudPages[User]):
    """New accounts get a language and a mailed set-password link (``NewUserForm``); edits
    change the name, role, department and language (``UserForm``)."""

    model = User
    plural, singular = "users", "user"
    list_template, form_template = "admin/users.html", "admin/user_form.html"

    def list_statement(self, query: str) -> Select[Any]:
        stmt = select(User).options(joinedload(User.department))
        if query:
            stmt = stmt.where(matches(query, User.email, User.name))
        return stmt.order_by(User.email)

    def list_context(self) -> dict[str, Any]:
        return {"has_password": has_password}

    def make_form(self, row: User | None) -> UserForm:
        if row is None:
            form: UserForm = NewUserForm(
                data={"role": "viewer", "locale": "en"} if request.method == "GET" else None
            )
        else:
            # The language is kept when a post leaves it out (a form of an older page).
            data: dict[str, str] = {"locale": row.locale or ""}
            if request.method == "GET":
                data |= {
                    "name": row.name,
                    "role": row.role,
                    "department": str(row.department_id or ""),
                }
            form = UserForm(data=data)
        _choices(form)
        return form

    def create(self, db: Session, form: NewUserForm) -> User:  # type: ignore[override]
        department_id = chosen_id(form.department.data)
        email = validate_new_user(db, form.email.data or "", form.role.data or "", department_id)
        user = create_user(
            db,
            email,
            None,
            form.role.data or "",
            name=(form.name.data or "").strip(),
            department_id=department_id,
            locale=form.locale.data or "en",
        )
        _send_set_password(db, user)
        return user

    def update(self, db: Session, form: UserForm, row: User) -> None:  # type: ignore[override]
        update_user(
            db,
            row,
            _acting(),
            form.name.data or "",
            form.role.data or "",
            chosen_id(form.department.data),
            form.locale.data or None,
        )

    def set_active(self, db: Session, row: User, active: bool) -> None:
        set_user_active(db, row, _acting(), active)

    def form_page(self, form: UserForm, row: User | None, status: int) -> tuple[str, int]:  # type: ignore[override]
        page = render_template(
            self.form_template,
            form=form,
            user=row,
            has_password=row is None or has_password(row),
        )
        return page, status

    def error_field(self, row: User | None) -> str:
        return "email" if row is None else "role"

    def refused(self, form: UserForm, row: User | None) -> None:  # type: ignore[override]
        if row is None:
            message = _("A user with this email address already exists.")
            form.email.errors = [*form.email.errors, message]  # type: ignore[attr-defined]
        else:
            form.role.errors = [*form.role.errors, _("This change could not be stored.")]

    def created_text(self, row: User) -> str:
        return _(
            "Account %(email)s created. A link to choose a password is on its way to them.",
            email=row.email,
        )

    def saved_text(self, row: User) -> str:
        return _("Account %(email)s saved.", email=row.email)

    def active_text(self, row: User, active: bool) -> str:
        if active:
            return _("Account %(email)s is active again.", email=row.email)
        return _("Account %(email)s deactivated and signed out.", email=row.email)


PAGES = UserPages()
PAGES.register(bp)


def _send_set_password(db: Session, user: User) -> None:
    """Queue ``user``'s set-password link and log who sent it (in the caller's transaction)."""
    config = current_app.config
    queue_set_password(
        db,
        user,
        str(config["BASE_URL"]),
        mail_domain(config),
        int(config.get("SET_PASSWORD_HOURS", 72)),
    )
    audit("send_set_password", user)


@bp.post("/users/<int:user_id>/reset-password")
def user_reset_password(user_id: int) -> WerkzeugResponse:
    """Email the user a single-use link to choose a password: while the account has none yet,
    a new set-password link (the earlier one stops working); otherwise a reset link (their
    current password keeps working until they use it). The administrator never sees either."""
    db = get_session()
    user = PAGES.get_or_404(user_id)
    if not user.active:
        flash(_("A deactivated account cannot reset its password."), "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    if not has_password(user):
        _send_set_password(db, user)
        db.commit()
        flash(
            _("A new link to choose a password is on its way to %(email)s.", email=user.email),
            "success",
        )
        return redirect(url_for("admin.user_edit", user_id=user.id))
    queue_password_reset(
        db, user, str(current_app.config["BASE_URL"]), mail_domain(current_app.config)
    )
    audit("send_password_reset", user)
    db.commit()
    flash(_("A password reset link is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))
