"""Small helpers shared by the organisation admin pages: the search box, department choices,
showing a service's refusal next to the right form field, recording an audit entry, and saying
who an invitation run left out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import SelectChoice

from survey.db import get_session
from survey.models import Department
from survey.services.audit import record
from survey.services.refusals import OrgError

MAX_QUERY = 100


def per_page() -> int:
    """Rows per page of every admin list: the ``SURVEY_PAGE_SIZE`` setting (default 25)."""
    return int(current_app.config["PAGE_SIZE"])


def search_arg() -> str:
    """``?q=`` stripped and capped (a search box, not a place for essays). One with a NUL
    never gets here (``errors.refuse_nul``)."""
    return (request.args.get("q") or "").strip()[:MAX_QUERY]


def matches(query: str, *columns: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """Case-insensitive "contains" on any of ``columns``; % and _ in the query are literal."""
    needle = query.lower()
    return or_(*(func.lower(c).contains(needle, autoescape=True) for c in columns))


def department_choices(blank: str | None = None, exclude: int | None = None) -> list[SelectChoice]:
    """Every department as (id, "Name (CODE)"), inactive ones marked; ``blank`` adds an
    empty first choice with that label."""
    rows = get_session().scalars(select(Department).order_by(Department.name, Department.code))
    choices = [SelectChoice("", blank)] if blank is not None else []
    for d in rows:
        if d.id == exclude:
            continue
        label = f"{d.name} ({d.code})"
        if not d.active:
            label += " " + _("(inactive)")
        choices.append(SelectChoice(str(d.id), label))
    return choices


def chosen_id(value: str | None) -> int | None:
    """The id a select field chose ("" for none). The field has already checked that the value
    is one of its choices."""
    return int(value) if value else None


def show_error(form: FlaskForm, error: OrgError, fallback: str) -> None:
    """Put ``error`` on the form field it names, or on ``fallback`` when the form has none."""
    name = error.field if error.field in form else fallback
    field = form[name]
    field.errors = [*field.errors, str(error.message)]


def audit(action: str, target: object, changes: Mapping[str, Any] | None = None) -> None:
    """Record an administrative change by the signed-in administrator (flushed with the change;
    the view's commit stores both or neither)."""
    record(get_session(), current_user._get_current_object(), action, target, changes)


def flash_left_out(over_budget: int, erased: int) -> None:
    """Tell the administrator who sent invitations how many people were left out and why:
    ``over_budget`` whose survey budget for the period is spent (``fatigue.budget_left``),
    ``erased`` erased this quarter and imported again (``erasure.erased_since``). Nothing
    when both are 0."""
    if over_budget or erased:
        flash(
            _(
                "Left out: %(budget)s whose survey budget for the period is spent, %(erased)s "
                "erased this quarter (they are surveyed again from the next one).",
                budget=over_budget,
                erased=erased,
            ),
            "info",
        )
