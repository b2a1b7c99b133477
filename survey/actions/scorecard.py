"""Actions on the scorecards: each beside the figure it targets, before and after.

"Before" is the targeted figure in the latest released quarter before the one the action
was recorded in: what the page showed when the action was recorded (a quarter is released
only once it has ended), whose answers came before the action. "After" is the figure in the
latest released quarter from the recording quarter on: the answers given since (a quarter's
survey runs after its start, so the recording quarter's answers mostly follow the action).
Until such a quarter is released the row waits for it ("after 2026Q3 is released"). Both
are read from the department's scorecard of those quarters (``build_scorecard``), so they are
figures the scorecard pages already publish, behind the same gates: a comparison is shown only
when both figures are shown; otherwise it says it cannot be made, and nothing of a hidden figure
appears. Nothing here counts answers or people.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from analysis.scorecard_results import Scorecard, Settings
from survey.actions import services
from survey.actions.labels import action_target_label, status_labels
from survey.local_format import day as local_day
from survey.local_time import local_today
from survey.models import Action, Department
from survey.models.action import TranslatedText
from survey.names import localized_name, pick_name
from survey.periods import quarter_of
from survey.scorecards.services.scorecards import build_scorecard

MAX_ROWS = 50  # actions shown on a department page (the list page has them all)


@dataclass(frozen=True)
class Compared:
    """The targeted figure in two released quarters (values 0..100 on the page's scale), or
    None for either when no comparison can be shown."""

    before_quarter: str | None
    after_quarter: str | None
    before: float | None
    after: float | None
    #: The recording quarter while no quarter from it on is released (else None).
    waiting_for: str | None = None

    @property
    def shown(self) -> bool:
        return self.before is not None and self.after is not None


@dataclass(frozen=True)
class ActionRow:
    """One action as a page, the API or an email shows it (texts in the reader's language).

    ``due_on`` is the due day as ISO text (the API's and the PDF's), ``due_day`` the same day
    as a date for pages (printed with the ``day`` filter); ``title_names`` the title's
    translations as ``(locale, text)`` pairs (``title_text|localized`` on a page)."""

    id: int
    title: str
    target: str
    target_kind: str
    target_code: str
    status: str
    status_label: str
    owner: str
    due_on: date | None
    overdue: bool
    public_summary: str
    compared: Compared
    due_day: date | None = None
    title_names: tuple[tuple[str, str], ...] = ()

    @property
    def title_text(self) -> TranslatedText:
        return TranslatedText(self.title, dict(self.title_names))


def figure_of(card: Scorecard, action: Action) -> float | None:
    """The value the scorecard ``card`` shows for what ``action`` targets, None when hidden
    or absent."""
    if action.target_kind == "dimension":
        for row in card.dimensions:
            if row.code == action.target_code:
                return row.value.value if row.value.shown else None
    elif action.target_kind == "component":
        for component in card.components:
            if component.key == action.target_code:
                return component.value if component.shown else None
    elif action.customer is not None:
        for customer in card.customers:
            if customer.code == action.customer.code:
                gated = customer.relationship
                return gated.value if gated.shown else None
    return None


def before_quarter(released: list[str], recorded: str) -> str | None:
    """The latest released quarter before ``recorded`` (quarters as ``YYYYQn``, sorted)."""
    at = bisect_left(released, recorded)
    return released[at - 1] if at else None


def compare(
    session: Session,
    department: Department,
    card: Scorecard,
    settings: Settings,
    actions: list[Action],
) -> dict[int, Compared]:
    """Before and after for every action of ``department``; each quarter's scorecard built
    once (``card`` is reused for its own quarter). Both figures, or neither, are given
    (a hidden one hides the other), except while the after quarter is awaited, when the
    before figure is given alone (a figure its own quarter's page shows)."""
    released = sorted(card.quarters)
    latest = released[-1] if released else None
    cards: dict[str, Scorecard] = {card.quarter: card}

    def card_for(quarter: str) -> Scorecard:
        if quarter not in cards:
            cards[quarter] = build_scorecard(session, department, quarter, settings)[0]
        return cards[quarter]

    out = {}
    for action in actions:
        recorded = quarter_of(action.created_at)
        first = before_quarter(released, recorded)
        last = latest if latest is not None and latest >= recorded else None
        before = figure_of(card_for(first), action) if first is not None else None
        if last is None:
            out[action.id] = Compared(first, None, before, None, waiting_for=recorded)
            continue
        after = figure_of(card_for(last), action) if before is not None else None
        if before is None or after is None:
            before = after = None
        out[action.id] = Compared(first, last, before, after)
    return out


def rows(
    actions: list[Action], compared: dict[int, Compared], today: date
) -> tuple[ActionRow, ...]:
    statuses = status_labels()
    none = Compared(None, None, None, None)
    return tuple(
        ActionRow(
            id=a.id,
            title=a.title,
            target=action_target_label(a),
            target_kind=a.target_kind,
            target_code=a.target_code or (a.customer.code if a.customer else ""),
            status=a.status,
            status_label=statuses.get(a.status, a.status),
            owner=a.owner_name,
            due_on=a.due_on.isoformat() if a.due_on else None,
            overdue=services.is_overdue(a, today),
            public_summary=a.public_summary,
            compared=compared.get(a.id, none),
            due_day=a.due_on,
            title_names=tuple(sorted(a.translated("title").items())),
        )
        for a in actions
    )


def _may_plan(department_id: int) -> bool:
    from survey.actions.views import may_plan

    return bool(current_user and current_user.is_authenticated and may_plan(department_id))


def department_section(
    session: Session, department: Department, card: Scorecard, settings: Settings
) -> dict[str, Any]:
    """The department page's actions (at most ``MAX_ROWS``) with their comparisons, and
    whether the reader may record and edit actions."""
    actions = services.actions_of(session, department.id)[:MAX_ROWS]
    today = local_today()
    return {
        "actions": rows(actions, compare(session, department, card, settings, actions), today),
        "actions_editable": _may_plan(department.id),
        "actions_today": today.isoformat(),
    }


@dataclass(frozen=True)
class OpenAction:
    department_code: str
    department_name: str
    title: str
    status_label: str
    due_on: date | None
    overdue: bool


def open_rows(session: Session, today: date) -> tuple[OpenAction, ...]:
    """Every open action of an active department (overdue first, see ``open_actions``), its
    department named in the reader's language."""
    statuses = status_labels()
    locale = str(get_locale() or "")
    return tuple(
        OpenAction(
            a.department.code,
            localized_name(a.department, locale),
            pick_name(a.title, a.translated("title"), locale),
            statuses.get(a.status, a.status),
            a.due_on,
            services.is_overdue(a, today),
        )
        for a in services.open_actions(session)
    )


def overview_section(session: Session, overview: Any) -> dict[str, Any]:
    """The overview's open actions of every active department, overdue ones first."""
    today = local_today()
    return {"open_actions": open_rows(session, today), "actions_today": today.isoformat()}


def api_actions(
    session: Session, department: Department, card: Scorecard, settings: Settings
) -> dict[str, Any]:
    """The ``actions`` list of the scorecard JSON: every action of the department with its
    before and after (null unless both are shown), its title and public summary in the
    answer's language (the API sets Flask-Babel's locale from ``?lang=`` or the request's
    languages), the default text where no translation was given."""
    actions = services.actions_of(session, department.id)
    compared = compare(session, department, card, settings, actions)
    locale = str(get_locale() or "")
    summaries = {a.id: a.translated("public_summary") for a in actions}
    return {
        "actions": [
            {
                "title": pick_name(row.title, dict(row.title_names), locale),
                "answers": {"kind": row.target_kind, "code": row.target_code},
                "status": row.status,
                "owner": row.owner,
                "due_on": row.due_on,
                "overdue": row.overdue,
                "public_summary": pick_name(row.public_summary, summaries[row.id], locale),
                "before": {
                    "quarter": row.compared.before_quarter if row.compared.shown else None,
                    "value": _r(row.compared.before) if row.compared.shown else None,
                },
                "after": {
                    "quarter": row.compared.after_quarter if row.compared.shown else None,
                    "value": _r(row.compared.after) if row.compared.shown else None,
                },
            }
            for row in rows(actions, compared, local_today())
        ]
    }


def dashboard_section(session: Session) -> dict[str, Any]:
    """The admin dashboard's overdue actions (open, due before today), earliest due first,
    and how many actions are open in all."""
    found = open_rows(session, local_today())
    return {
        "overdue_actions": tuple(a for a in found if a.overdue),
        "open_action_count": len(found),
    }


def report_lines(
    session: Session, department: Department, card: Scorecard, settings: Settings
) -> dict[str, Any]:
    """The PDF report's title page lines for the department's open and recent actions (at
    most eight, open ones first): title (in the reader's language), what it answers, status,
    due date (in the reader's format), and before → after when both figures are shown."""
    actions = services.actions_of(session, department.id)
    compared = compare(session, department, card, settings, actions)
    found = rows(actions, compared, local_today())
    ordered = sorted(found, key=lambda r: (r.status in ("done", "dropped"), not r.overdue))[:8]
    locale = str(get_locale() or "")
    lines = []
    for row in ordered:
        parts = [pick_name(row.title, dict(row.title_names), locale), row.target, row.status_label]
        if row.due_day:
            parts.append(_("due %(day)s", day=local_day(row.due_day)))
        if row.compared.shown:
            parts.append(
                f"{row.compared.before_quarter} {row.compared.before:.1f} → "
                f"{row.compared.after_quarter} {row.compared.after:.1f}"
            )
        lines.append(" · ".join(parts))
    return {"actions": tuple(lines)}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
