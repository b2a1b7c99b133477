"""Scorecards for signed-in reviewers: the organisation overview and department scorecards,
with CSV and PDF exports.

Viewers and admins see every department; a manager sees the overview and their own
department (another department's page, CSV or PDF is 403). A bad ``?quarter=`` shows the
latest quarter with a note, never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from survey import hooks
from survey.access import department_for, signed_in_required
from survey.db import get_session
from survey.i18n import current_locale
from survey.local_format import duration, zone_name
from survey.models import Department
from survey.scorecards.comment_filters import readable_comments_of
from survey.scorecards.services import (
    chart_cache,
    isq_basis,
    scorecard_charts,
    scorecard_export,
    scorecard_overview_export,
)
from survey.scorecards.services.scorecard_data import department_names
from survey.scorecards.services.scorecard_documents import pdf_report
from survey.scorecards.services.scorecard_export import reason_text
from survey.scorecards.services.scorecard_names import localize_overview
from survey.scorecards.services.scorecard_priorities import department_priorities
from survey.scorecards.services.scorecard_summary import page_summary
from survey.scorecards.services.scorecards import (
    Settings,
    build_overview,
    build_scorecard,
)

bp = Blueprint("scorecards", __name__, url_prefix="/scorecards")


def settings() -> Settings:
    """The gate sizes and weights from the app's settings."""
    return Settings.from_config(current_app.config)


def may_see(department_id: int) -> bool:
    """Viewers and admins see every department; a manager only their own."""
    if current_user.role in ("admin", "viewer"):
        return True
    return current_user.role == "manager" and current_user.department_id == department_id


def _department(code: str) -> Department:
    return department_for(code, may_see)


def _page_helpers(result_settings: Settings) -> dict[str, Any]:
    # A large overview names a reason for hundreds of hidden cells: translate each once.
    reasons: dict[str | None, str] = {}

    def reason(why: str | None) -> str:
        if why not in reasons:
            reasons[why] = reason_text(why, result_settings.k, result_settings.comment_k)
        return reasons[why]

    return {
        "reason": reason,
        "duration": duration,
        "labels": scorecard_export.labels(),
        "isq_basis": isq_basis.basis_text,
        "isq_weights": isq_basis.used_weights,
    }


def quarter_notice(problem: str | None, raw: str | None, quarter: str) -> str | None:
    if problem == "invalid":
        return _(
            "“%(value)s” is not a quarter like 2026Q1; showing %(quarter)s instead.",
            value=(raw or "")[:20],
            quarter=quarter,
        )
    if problem == "no_data":
        return _(
            "%(value)s has no published figures (a quarter's figures appear once the quarter "
            "has ended and its surveys have closed); showing %(quarter)s instead.",
            value=(raw or "")[:20],
            quarter=quarter,
        )
    return None


@bp.get("/")
@signed_in_required
def overview() -> str:
    raw = request.args.get("quarter")
    result, problem = build_overview(get_session(), raw, settings())
    result = localize_overview(result, department_names(get_session(), current_locale()))
    helpers = _page_helpers(result.settings)
    own = _own_code()
    extras = hooks.gather("scorecards.overview", get_session(), result)
    # The figures (ranking, who serves whom, movers) at 200 departments are thousands of
    # table rows: rendered once per overview and access.
    body = _rendered_once(
        "scorecards/_overview_body.html",
        (scorecard_charts.overview_digests(result)["page"], own, extras),
        lambda: {
            "overview": result,
            "charts": scorecard_charts.overview_charts(result),
            "may_see_code": _visible_codes(own),
            **helpers,
            **extras,
        },
    )
    return render_template(
        "scorecards/overview.html",
        overview=result,
        notice=quarter_notice(problem, raw, result.quarter),
        body=body,
        **helpers,
    )


@bp.get("/overview.csv")
@signed_in_required
def overview_csv() -> WerkzeugResponse:
    """The overview's figures as CSV (``scorecard_overview_export``), for every signed-in
    reader, as the page: ``?quarter=`` as there, names in the reader's language."""
    result, _problem = build_overview(get_session(), request.args.get("quarter"), settings())
    result = localize_overview(result, department_names(get_session(), current_locale()))
    body = scorecard_overview_export.overview_csv(result).encode("utf-8-sig")
    return _download(body, "text/csv", f"overview-{result.quarter}.csv")


def _rendered_once(
    template: str, data: tuple[Any, ...], context: Callable[[], dict[str, Any]]
) -> Markup:
    """``template`` rendered with ``context()``, kept in the chart cache under a digest of
    ``data`` (everything the section shows), the reader's language, the organisation's time
    zone (dates and hours shown in it) and the site's path: rendered again only when one of
    them changes."""
    key = chart_cache.data_key(
        template,
        *data,
        scorecard_charts.locale_name(),
        zone_name(),
        request.script_root,
        scorecard_charts.RENDITIONS,
    )
    return chart_cache.cached(
        key,
        lambda: Markup(render_template(template, **context())),  # noqa: S704 - autoescaped
    )


ALL = "*"


def _own_code() -> str | None:
    """``ALL`` for readers who may open every department's page, else the reader's own
    department code (None: none)."""
    if current_user.role in ("admin", "viewer"):
        return ALL
    return current_user.department.code if current_user.department else None


def _visible_codes(own: str | None) -> Any:
    """A predicate for templates: may the reader open this department's page?"""
    if own == ALL:
        return lambda _code: True
    return lambda code: code == own


@bp.get("/<code>")
@signed_in_required
def department(code: str) -> str:
    dept = _department(code)
    raw = request.args.get("quarter")
    card, problem = build_scorecard(get_session(), dept, raw, settings(), locale=current_locale())
    notice = quarter_notice(problem, raw, card.quarter)
    priorities = department_priorities(get_session(), dept.id, card)
    helpers = _page_helpers(card.settings)
    extras = hooks.gather("scorecards.department", get_session(), dept, card, settings())
    comments = readable_comments_of(dept, card)
    # Rendered once per scorecard (its figures, comments included), notice, comment view and
    # extra sections.
    body = _rendered_once(
        "scorecards/_department_body.html",
        (card, notice, comments, priorities, extras),
        lambda: {
            "card": card,
            "notice": notice,
            "comments": comments,
            "priorities": priorities,
            "charts": scorecard_charts.scorecard_charts(card),
            "card_summary": page_summary(card),
            **helpers,
            **extras,
        },
    )
    return render_template(
        "scorecards/department.html", card=card, body=body, priorities=priorities
    )


def _download(body: bytes, mimetype: str, filename: str) -> WerkzeugResponse:
    response = WerkzeugResponse(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<code>.csv")
@signed_in_required
def department_csv(code: str) -> WerkzeugResponse:
    dept = _department(code)
    card, _problem = build_scorecard(
        get_session(), dept, request.args.get("quarter"), settings(), locale=current_locale()
    )
    body = scorecard_export.to_csv(card).encode("utf-8-sig")
    return _download(body, "text/csv", f"scorecard-{card.code}-{card.quarter}.csv")


@bp.get("/<code>.pdf")
@signed_in_required
def department_pdf(code: str) -> WerkzeugResponse:
    dept = _department(code)
    session, given = get_session(), settings()
    card, _problem = build_scorecard(
        session, dept, request.args.get("quarter"), given, locale=current_locale()
    )
    comments = readable_comments_of(dept, card, filtered=False)
    return _download(
        pdf_report(session, dept, card, given, comments),
        "application/pdf",
        f"scorecard-{card.code}-{card.quarter}.pdf",
    )
