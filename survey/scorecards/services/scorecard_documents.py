"""A department's scorecard as the documents it is published in: the JSON body of the API's
scorecard answer and the PDF report. Built here once for the routes that serve them
(``survey/scorecards/api.py``, ``views.department_pdf``) and for the ``export`` command
(``survey/scorecards/exports.py``), so a file written by the command holds what the page or
the API would serve for the same quarter and language.

Both take a scorecard already built (``scorecards.build_scorecard``: gated figures only) and
add what the page adds: the extension points' sections (``survey.hooks``), the summary and
the priorities. Texts come out in the current Flask-Babel locale.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from analysis.scorecard_results import Scorecard
from survey import hooks
from survey.models import Department
from survey.scorecards.services import scorecard_pdf
from survey.scorecards.services.scorecard_comments import (
    ReadableComments,
    readable_comments,
    shown_count,
)
from survey.scorecards.services.scorecard_export import to_json
from survey.scorecards.services.scorecard_front import priority_lines, report_front
from survey.scorecards.services.scorecard_priorities import department_priorities, priorities_json
from survey.scorecards.services.scorecard_summary import summarise, summary_json
from survey.scorecards.services.scorecards import Settings


def api_body(
    session: Session, department: Department, card: Scorecard, settings: Settings
) -> dict[str, Any]:
    """The API's JSON body for ``card``: its figures (``scorecard_export.to_json``; a figure
    under the gate is null with a reason), the count of the comments the page shows, the
    ``api.scorecard`` sections, the summary and the priorities."""
    body = {**to_json(card), **hooks.gather("api.scorecard", session, department, card, settings)}
    if card.comments_reason is None and card.comments:
        # The comments the page shows, no more: unnamed ones withheld (fewer than ten people
        # besides the named) are not counted either. The count is the same in any language.
        reading = readable_comments(
            session, department.id, card.quarter, "en", {}, k=card.settings.comment_k
        ).reading
        body["comments"] = {**body["comments"], "count": shown_count(reading)}
    body["summary"] = summary_json(summarise(card), card.settings.k, card.settings.comment_k)
    body["priorities"] = priorities_json(department_priorities(session, department.id, card))
    return body


def pdf_report(
    session: Session,
    department: Department,
    card: Scorecard,
    settings: Settings,
    comments: ReadableComments | None,
) -> bytes:
    """The PDF report of ``card``: a title page with the summary, the priorities and the
    ``report.front`` sections (an extension's priorities or actions replace the page's own),
    then the scorecard's pages and ``comments`` (all of them: None when the card shows
    none)."""
    front = replace(
        report_front(card),
        priorities=priority_lines(department_priorities(session, department.id, card)),
    )
    extra = hooks.gather("report.front", session, department, card, settings)
    front = replace(front, **{k: v for k, v in extra.items() if k in ("priorities", "actions")})
    return scorecard_pdf.to_pdf(card, front, comments)
