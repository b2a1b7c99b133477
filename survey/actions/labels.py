"""The translated words of action plans: statuses, targets and the form's target choices."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.i18n import current_locale
from survey.models import Action, Department
from survey.models.action import ACTION_COMPONENTS, ACTION_DIMENSIONS
from survey.names import localized_name
from survey.scorecards.services.scorecard_export import labels


def status_labels() -> dict[str, str]:
    return {
        "planned": _("Planned"),
        "in_progress": _("In progress"),
        "done": _("Done"),
        "dropped": _("Dropped"),
    }


def target_choices(session: Session, department_id: int) -> list[tuple[str, str]]:
    """Every target an action of this department may answer: the quarterly dimensions, the
    ISQ components, then every other active department as a customer."""
    names = labels()
    choices = [("", _("Choose…"))]
    choices += [
        (f"dimension:{code}", _("Dimension: %(name)s", name=names["dimensions"][code]))
        for code in ACTION_DIMENSIONS
    ]
    choices += [
        (f"component:{code}", _("Component: %(name)s", name=names["components"][code]))
        for code in ACTION_COMPONENTS
    ]
    customers = session.scalars(
        select(Department).where(Department.active.is_(True), Department.id != department_id)
    )
    locale = current_locale()
    named = sorted(
        ((localized_name(d, locale), d) for d in customers), key=lambda n: (n[0], n[1].code)
    )
    choices += [
        (f"customer:{d.id}", _("Customer department: %(name)s", name=f"{name} ({d.code})"))
        for name, d in named
    ]
    return choices


def target_label(kind: str, code: str | None, customer_name: str | None) -> str:
    """What an action answers, in the reader's language."""
    names = labels()
    if kind == "dimension":
        return str(names["dimensions"].get(code or "", code))
    if kind == "component":
        return str(names["components"].get(code or "", code))
    return _("Customer department %(name)s", name=customer_name or "")


def action_target_label(action: Action) -> str:
    customer = action.customer
    return target_label(
        action.target_kind,
        action.target_code,
        localized_name(customer, current_locale()) if customer else None,
    )
