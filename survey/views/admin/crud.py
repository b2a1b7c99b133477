"""The one shape of the organisation admin pages (departments, people, services, users): a
searchable, paged list; "new" and "edit" forms that save through a service verb and commit
once; and, where a row can be switched off, "deactivate" and "reactivate". Every save and
switch leaves an audit entry with the fields before and after.

A page family subclasses ``CrudPages``, names its model, endpoints and templates, fills the
hooks (the list's statement, the form, the service calls, the texts) and calls ``register``.
Endpoints keep the names ``admin.<plural>``, ``admin.<singular>_new``,
``admin.<singular>_edit``, ``admin.<singular>_deactivate`` and ``admin.<singular>_reactivate``,
with the row's key as ``<singular>_id``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.db import get_session
from survey.services.audit import created, diff, snapshot
from survey.services.paging import page_arg, paginate
from survey.services.refusals import OrgError
from survey.views.admin.common import audit, per_page, search_arg, show_error

Page = str | tuple[str, int] | WerkzeugResponse
M = TypeVar("M")


class CrudPages(Generic[M]):
    """List, new, edit and (de)activate for one model; subclasses fill the hooks."""

    model: ClassVar[type]
    plural: ClassVar[str]  # URL stem and list endpoint, e.g. "departments"
    singular: ClassVar[str]  # endpoint stem, URL argument and template variable
    list_template: ClassVar[str]
    form_template: ClassVar[str]
    can_deactivate: ClassVar[bool] = True

    # Hooks ------------------------------------------------------------------------------------

    def list_statement(self, query: str) -> Select[Any]:
        """The ordered statement of the list, narrowed by the search ``query`` when given."""
        raise NotImplementedError

    def list_context(self) -> dict[str, Any]:
        """More template variables for the list."""
        return {}

    def make_form(self, row: M | None) -> FlaskForm:
        """The form for a new row (``row`` None) or for ``row``, its choices filled."""
        raise NotImplementedError

    def create(self, db: Session, form: FlaskForm) -> M:
        """Store a new row from a valid form (a service verb); OrgError when refused."""
        raise NotImplementedError

    def update(self, db: Session, form: FlaskForm, row: M) -> None:
        """Change ``row`` from a valid form (a service verb); OrgError when refused."""
        raise NotImplementedError

    def set_active(self, db: Session, row: M, active: bool) -> None:
        """Switch ``row`` off or on (a service verb); OrgError when refused."""
        raise NotImplementedError

    def error_field(self, row: M | None) -> str:
        """The field that shows a refusal naming no field of the form."""
        raise NotImplementedError

    def refused(self, form: FlaskForm, row: M | None) -> None:
        """Say on the form that the database refused the write (a unique key taken by a
        concurrent request between the service's check and the write)."""
        raise NotImplementedError

    def created_text(self, row: M) -> str:
        raise NotImplementedError

    def saved_text(self, row: M) -> str:
        raise NotImplementedError

    def active_text(self, row: M, active: bool) -> str:
        raise NotImplementedError

    def after_create(self, row: M) -> str:
        """Where "new" goes once saved: the list."""
        return url_for(f"admin.{self.plural}")

    def after_save(self, row: M) -> str:
        """Where "edit" goes once saved: the list."""
        return url_for(f"admin.{self.plural}")

    def new_page(self, form: FlaskForm, status: int) -> Page:
        return self.form_page(form, None, status)

    def form_page(self, form: FlaskForm, row: M | None, status: int) -> Page:
        return render_template(self.form_template, form=form, **{self.singular: row}), status

    # The shape --------------------------------------------------------------------------------

    def get_or_404(self, ident: int) -> M:
        row = get_session().get(self.model, ident)
        if row is None:
            abort(404)
        return row  # type: ignore[no-any-return]

    def list_page(self) -> str:
        query = search_arg()
        page = paginate(
            get_session(),
            self.list_statement(query),
            page_arg(request.args.get("page")),
            per_page(),
            query,
        )
        return render_template(self.list_template, page=page, **self.list_context())

    def save(self, form: FlaskForm, row: M | None) -> M | None:
        """Create or update from a valid form, log it and commit; None (errors on the form)
        if refused, with nothing stored."""
        db = get_session()
        try:
            if row is None:
                row = self.create(db, form)
                audit("create", row, created(snapshot(row)))
            else:
                before = snapshot(row)
                self.update(db, form, row)
                audit("edit", row, diff(before, snapshot(row)))
            db.commit()
        except OrgError as error:
            db.rollback()
            show_error(form, error, self.error_field(row))
            return None
        except IntegrityError:
            db.rollback()
            self.refused(form, row)
            return None
        return row

    def new(self) -> Page:
        form = self.make_form(None)
        if form.validate_on_submit():
            row = self.save(form, None)
            if row is not None:
                flash(self.created_text(row), "success")
                return redirect(self.after_create(row))
        return self.new_page(form, 422 if request.method == "POST" else 200)

    def edit(self, ident: int) -> Page:
        row = self.get_or_404(ident)
        form = self.make_form(row)
        if form.validate_on_submit() and self.save(form, row) is not None:
            flash(self.saved_text(row), "success")
            return redirect(self.after_save(row))
        return self.form_page(form, row, 422 if request.method == "POST" else 200)

    def switch(self, ident: int, active: bool) -> WerkzeugResponse:
        db = get_session()
        row = self.get_or_404(ident)
        before = snapshot(row, "active")
        back = url_for(f"admin.{self.singular}_edit", **{f"{self.singular}_id": ident})
        try:
            self.set_active(db, row, active)
        except OrgError as error:
            db.rollback()
            flash(str(error.message), "error")
            return redirect(back)
        audit("reactivate" if active else "deactivate", row, diff(before, {"active": active}))
        db.commit()
        flash(self.active_text(row, active), "success")
        return redirect(back)

    def register(self, bp: Blueprint) -> None:
        """Add the routes to ``bp`` under the endpoint names the templates use."""
        one, key = self.singular, f"<int:{self.singular}_id>"

        def listing() -> str:
            return self.list_page()

        def new() -> Page:
            return self.new()

        def edit(**ident: int) -> Page:
            return self.edit(ident[f"{one}_id"])

        def deactivate(**ident: int) -> WerkzeugResponse:
            return self.switch(ident[f"{one}_id"], False)

        def reactivate(**ident: int) -> WerkzeugResponse:
            return self.switch(ident[f"{one}_id"], True)

        base = f"/{self.plural}"
        bp.add_url_rule(base, self.plural, listing, methods=["GET"])
        bp.add_url_rule(f"{base}/new", f"{one}_new", new, methods=["GET", "POST"])
        bp.add_url_rule(f"{base}/{key}", f"{one}_edit", edit, methods=["GET", "POST"])
        if self.can_deactivate:
            bp.add_url_rule(
                f"{base}/{key}/deactivate", f"{one}_deactivate", deactivate, methods=["POST"]
            )
            bp.add_url_rule(
                f"{base}/{key}/reactivate", f"{one}_reactivate", reactivate, methods=["POST"]
            )
