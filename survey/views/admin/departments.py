"""Admin: departments (list and search, create, edit with a parent, deactivate/reactivate)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.admin import DepartmentForm
from survey.db import get_session
from survey.models import Department
from survey.services.audit import created, diff, snapshot
from survey.services.org import (
    OrgError,
    create_department,
    set_department_active,
    update_department,
)
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


def _department_or_404(department_id: int) -> Department:
    department = get_session().get(Department, department_id)
    if department is None:
        abort(404)
    return department


@bp.get("/departments")
def departments() -> str:
    db = get_session()
    query = search_arg()
    stmt = select(Department).options(joinedload(Department.parent))
    if query:
        stmt = stmt.where(matches(query, Department.code, Department.name))
    page = paginate(
        db, stmt.order_by(Department.code), page_arg(request.args.get("page")), per_page(), query
    )
    return render_template("admin/departments.html", page=page)


def _form(department: Department | None) -> DepartmentForm:
    if department is None:
        form = DepartmentForm()
    else:
        form = DepartmentForm(
            data={
                "code": department.code,
                "name": department.name,
                "parent": str(department.parent_id or ""),
            }
            if request.method == "GET"
            else None
        )
    form.parent.choices = department_choices(
        blank=_("(none: a top-level department)"),
        exclude=department.id if department is not None else None,
    )
    return form


def _save(form: DepartmentForm, department: Department | None) -> Department | None:
    """Create or update from a valid form and commit; None (errors on the form) if refused."""
    db = get_session()
    parent_id = chosen_id(form.parent.data)
    try:
        if department is None:
            department = create_department(
                db, form.code.data or "", form.name.data or "", parent_id
            )
            audit("create", department, created(snapshot(department)))
        else:
            before = snapshot(department)
            update_department(db, department, form.code.data or "", form.name.data or "", parent_id)
            audit("edit", department, diff(before, snapshot(department)))
        db.commit()
    except OrgError as error:
        db.rollback()
        show_error(form, error, "code")
        return None
    except IntegrityError:
        # Another request stored the same code between our check and our write.
        db.rollback()
        form.code.errors = [*form.code.errors, _("Another department already has this code.")]
        return None
    return department


@bp.route("/departments/new", methods=["GET", "POST"])
def department_new() -> Page:
    form = _form(None)
    if form.validate_on_submit():
        department = _save(form, None)
        if department is not None:
            flash(_("Department %(code)s created.", code=department.code), "success")
            return redirect(url_for("admin.departments"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/department_form.html", form=form, department=None), status


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int) -> Page:
    department = _department_or_404(department_id)
    form = _form(department)
    if form.validate_on_submit() and _save(form, department) is not None:
        flash(_("Department %(code)s saved.", code=department.code), "success")
        return redirect(url_for("admin.departments"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/department_form.html", form=form, department=department), status


def _set_active(department_id: int, active: bool) -> WerkzeugResponse:
    db = get_session()
    department = _department_or_404(department_id)
    before = snapshot(department, "active")
    set_department_active(db, department, active)
    audit("reactivate" if active else "deactivate", department, diff(before, {"active": active}))
    db.commit()
    if active:
        flash(_("Department %(code)s is active again.", code=department.code), "success")
    else:
        flash(_("Department %(code)s deactivated.", code=department.code), "success")
    return redirect(url_for("admin.department_edit", department_id=department.id))


@bp.post("/departments/<int:department_id>/deactivate")
def department_deactivate(department_id: int) -> WerkzeugResponse:
    return _set_active(department_id, False)


@bp.post("/departments/<int:department_id>/reactivate")
def department_reactivate(department_id: int) -> WerkzeugResponse:
    return _set_active(department_id, True)
