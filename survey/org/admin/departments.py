"""Admin: departments (list and search, create, edit with a parent, deactivate/reactivate)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from forms.admin import DepartmentForm
from survey.models import Department
from survey.org.admin.names import translated_names
from survey.org.services import create_department, set_department_active, update_department
from survey.views.admin import bp
from survey.views.admin.common import chosen_id, department_choices, matches
from survey.views.admin.crud import CrudPages


class DepartmentPages(CrudPages[Department]):
    model = Department
    plural, singular = "departments", "department"
    list_template, form_template = "admin/departments.html", "admin/department_form.html"

    def list_statement(self, query: str) -> Select[Any]:
        stmt = select(Department).options(joinedload(Department.parent))
        if query:
            stmt = stmt.where(matches(query, Department.code, Department.name))
        return stmt.order_by(Department.code)

    def make_form(self, row: Department | None) -> DepartmentForm:
        if row is None:
            form = DepartmentForm()
        else:
            form = DepartmentForm(
                data={
                    "code": row.code,
                    "name": row.name,
                    "name_it": (row.names or {}).get("it", ""),
                    "name_fr": (row.names or {}).get("fr", ""),
                    "parent": str(row.parent_id or ""),
                }
                if request.method == "GET"
                else None
            )
        form.parent.choices = department_choices(
            blank=_("(none: a top-level department)"),
            exclude=row.id if row is not None else None,
        )
        return form

    def create(self, db: Session, form: DepartmentForm) -> Department:  # type: ignore[override]
        return create_department(
            db,
            form.code.data or "",
            form.name.data or "",
            chosen_id(form.parent.data),
            names=translated_names(form),
        )

    def update(self, db: Session, form: DepartmentForm, row: Department) -> None:  # type: ignore[override]
        update_department(
            db,
            row,
            form.code.data or "",
            form.name.data or "",
            chosen_id(form.parent.data),
            names=translated_names(form),
        )

    def set_active(self, db: Session, row: Department, active: bool) -> None:
        set_department_active(db, row, active)

    def error_field(self, row: Department | None) -> str:
        return "code"

    def refused(self, form: DepartmentForm, row: Department | None) -> None:  # type: ignore[override]
        form.code.errors = [*form.code.errors, _("Another department already has this code.")]

    def created_text(self, row: Department) -> str:
        return _("Department %(code)s created.", code=row.code)

    def saved_text(self, row: Department) -> str:
        return _("Department %(code)s saved.", code=row.code)

    def active_text(self, row: Department, active: bool) -> str:
        if active:
            return _("Department %(code)s is active again.", code=row.code)
        return _("Department %(code)s deactivated.", code=row.code)


DepartmentPages().register(bp)
