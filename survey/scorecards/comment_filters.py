"""The department page's comment filters: read from the query string, handed to
``services.scorecard_comments`` (which gates every group)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from analysis.scorecard_results import Scorecard
from survey.db import get_session
from survey.i18n import current_locale
from survey.models import Department
from survey.scorecards.services.scorecard_comments import ReadableComments, readable_comments

# Longer filter values are no filter anyone was offered: refused without a lookup.
MAX_FILTER = 20


def readable_comments_of(
    department: Department, card: Scorecard, *, filtered: bool = True
) -> ReadableComments | None:
    """The grouped comments of ``card``, filtered by ``?comment_group=`` and
    ``?comment_band=`` unless ``filtered`` is false (the PDF prints them all); None when the
    card shows no comments (gate, no release, none)."""
    if card.comments_reason is not None or not card.comments:
        return None
    return readable_comments(
        get_session(),
        department.id,
        card.quarter,
        current_locale(),
        {"post_interaction": _("After a request"), "quarterly": _("Quarterly survey")},
        group=request.args.get("comment_group", "")[: MAX_FILTER + 1] if filtered else None,
        band=request.args.get("comment_band", "")[: MAX_FILTER + 1] if filtered else None,
        k=card.settings.comment_k,
    )
