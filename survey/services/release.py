"""When a quarter's figures are released: the one definition the scorecards (what they may
show) and the campaigns (no campaign of a released quarter) both read.

A quarter is released once it has ended, no campaign of it is open, and at least k people
answered about one provider (its ``people`` total in ``score_totals``), k being the larger of
the setting and the k its campaigns promised. A quarter with fewer people everywhere is not
released at all, whatever they answered: it reads like a quarter without answers ("no data"),
so nobody learns from the list of quarters, a page's fallback or the API's reasons that
somebody answered in a quiet quarter (``docs/anonymity.md``, "Releases, not a live feed").
Nothing arrives for a quarter once it has ended and its campaigns have closed, so a quarter
once released stays released.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, exists, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from survey.models import Campaign, ScoreTotal

PEOPLE = "people"  # the score metric counting distinct people per provider and quarter
DEFAULT_K = 5


def release_floor(k: int | None = None) -> int:
    """``k`` when given, else the app's ``MIN_GROUP_SIZE`` (``DEFAULT_K`` outside an app)."""
    if k is not None:
        return k
    if has_app_context():
        return int(current_app.config.get("MIN_GROUP_SIZE", DEFAULT_K))
    return DEFAULT_K


def most_people(session: Session) -> dict[str, int]:
    """Per quarter, the most distinct people who answered about one provider (a lower bound
    of the quarter's people); quarters without answers are absent. One grouped read."""
    rows = session.execute(
        select(ScoreTotal.quarter, func.max(ScoreTotal.n))
        .where(ScoreTotal.metric == PEOPLE)
        .group_by(ScoreTotal.quarter)
    )
    return {quarter: int(n or 0) for quarter, n in rows}


def enough_people(
    quarter: str, people: Mapping[str, int], campaign_ks: Mapping[str, int], k: int
) -> bool:
    """Whether ``quarter`` has at least its k (``k``, or more if a campaign of it promised
    more) people about one provider."""
    return people.get(quarter, 0) >= max(k, campaign_ks.get(quarter, 0), 1)


def unreleased_sql(
    quarter: str, ended: bool, k: int, campaign_id: int | None = None
) -> ColumnElement[bool]:
    """SQL: the figures of ``quarter`` are not released (``ended``: the quarter has ended by
    the caller's clock): it has not ended, or a campaign of it (other than ``campaign_id``)
    is open, or no provider has its k people (``k``, or the largest k of its campaigns)."""
    if not ended:
        return true()
    other = aliased(Campaign)
    open_ = exists().where(other.quarter == quarter, other.status == "open")
    if campaign_id is not None:
        open_ = open_.where(other.id != campaign_id)
    promised = (
        select(func.coalesce(func.max(Campaign.min_group_size), 0))
        .where(Campaign.quarter == quarter)
        .scalar_subquery()
    )
    enough = exists().where(
        ScoreTotal.metric == PEOPLE,
        ScoreTotal.quarter == quarter,
        ScoreTotal.n >= max(k, 1),
        ScoreTotal.n >= promised,
    )
    return or_(open_, ~enough)
