"""When a quarter's figures are released: the one definition the scorecards (what they may
show) and the campaigns (no campaign of a released quarter) both read.

A quarter is released once it has ended, no campaign of it is open, and at least k people
answered about one provider (its ``people`` total in ``score_totals``), k being the largest of
the setting, the k its campaigns promised and the k it was first released under
(``record_releases``: a later, lower setting does not publish it again under another
suppression pattern). A quarter with fewer people everywhere is not
released at all, whatever they answered: it reads like a quarter without answers ("no data"),
so nobody learns from the list of quarters, a page's fallback or the API's reasons that
somebody answered in a quiet quarter (``docs/anonymity.md``, "Releases, not a live feed").
Nothing arrives for a quarter once it has ended and its campaigns have closed, so a quarter
once released stays released.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, and_, exists, func, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey.config import min_group_size
from survey.models import Campaign, QuarterRelease, ScoreTotal, ScoreVersion
from survey.periods import quarter_of

PEOPLE = "people"  # the score metric counting distinct people per provider and quarter


def release_floor(k: int | None = None) -> int:
    """``k`` when given, else the app's (``config.min_group_size``; its default outside an
    app context)."""
    if k is not None:
        return k
    return min_group_size(current_app.config if has_app_context() else {})


def _largest_k(model: type[Campaign] | type[QuarterRelease], quarter: Any) -> Any:
    """SQL: the largest ``min_group_size`` of ``model``'s rows of ``quarter`` (a quarter
    text, or a column of the outermost query), 0 without any: the k a quarter's campaigns
    promised, or the k it was first released under."""
    # A Core alias of the table: an ORM ``aliased`` entity costs about ten times as much to
    # build, and the scorecards build this on every page (``score_versions``).
    row = model.__table__.alias()
    return (
        select(func.coalesce(func.max(row.c.min_group_size), 0))
        .where(row.c.quarter == quarter)
        .correlate_except(row)
        .scalar_subquery()
    )


@functools.lru_cache(maxsize=256)
def released_sql(
    quarter: Any,
    current: str,
    k: int,
    *,
    campaign_id: int | None = None,
    open_campaigns: bool = True,
) -> ColumnElement[bool]:
    """SQL: the figures of ``quarter`` (a quarter text, or a column holding quarters) are
    released while ``current`` is the quarter in progress: the quarter is before it, no
    campaign of it is open (campaign ``campaign_id`` aside; with ``open_campaigns`` False
    open campaigns are not looked at, for "released but for its open campaign"), and one
    provider has at least its k people (``k``, or the largest k of its campaigns or of its
    first release, ``record_releases``). Quarter
    texts (``YYYYQn``) compare in SQL as in Python.

    SQL expressions never change once built, so the last 256 are kept by their arguments
    (a column is kept by its identity): every scorecard asks for the same one, and building it
    costs more than running it (about 1.5 ms)."""
    enough = exists().where(
        ScoreTotal.metric == PEOPLE,
        ScoreTotal.quarter == quarter,
        ScoreTotal.n >= max(k, 1),
        ScoreTotal.n >= _largest_k(Campaign, quarter),
        ScoreTotal.n >= _largest_k(QuarterRelease, quarter),
    )
    closed: ColumnElement[bool] = true()
    if open_campaigns:
        other = Campaign.__table__.alias()
        still_open = exists().where(other.c.quarter == quarter, other.c.status == "open")
        if campaign_id is not None:
            still_open = still_open.where(other.c.id != campaign_id)
        closed = ~still_open
    return and_(quarter < current, closed, enough)


def record_releases(session: Session, now: datetime, k: int) -> list[str]:
    """Record the k of every quarter released at ``now`` (UTC) that has no record yet: the
    larger of ``k`` (the setting) and its campaigns' k. Returns the quarters this call
    recorded, oldest first: a quarter another transaction recorded first (a close and a tick
    at once) is not among them, so what follows a release (its email) happens once. The tick
    calls it, and so does an administrator's close of a campaign, so a quarter is recorded at
    the latest one tick after its release; from then on every page gates it with at least
    that k (``scorecard_data.quarter_group_sizes``). Writes in the session's transaction;
    commits nothing."""
    current = quarter_of(now)
    # A row per quarter with answers, with its campaigns' largest k.
    quarters = session.execute(
        select(ScoreVersion.quarter, _largest_k(Campaign, ScoreVersion.quarter))
        .where(
            released_sql(ScoreVersion.quarter, current, k),
            ~exists().where(QuarterRelease.quarter == ScoreVersion.quarter),
        )
        .order_by(ScoreVersion.quarter)
    ).all()
    if not quarters:
        return []
    rows = [
        {"quarter": q, "min_group_size": max(k, int(promised)), "recorded_at": now}
        for q, promised in quarters
    ]
    # A close and a tick on another host may record one quarter at once (PostgreSQL): the
    # first record stands, the other is nothing and returns no row. (SQLite has one writer:
    # the second transaction reads the first one's record, or cannot write at all.)
    make_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    recorded = session.scalars(
        make_insert(QuarterRelease)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(QuarterRelease.quarter)
    ).all()
    return sorted(recorded)
