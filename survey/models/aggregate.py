"""Running aggregates the scorecards read instead of scanning responses, and frozen baselines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import NO_ROW_ORDER, Base, utcnow


class ScoreCell(Base):
    """Sums for one (provider, customer department, quarter, metric).

    ``metric`` is named as ``survey.respond.services.responses`` documents: ``pi.<code>`` and
    ``q.<code>`` per question, ``pi.n`` / ``q.n`` respondent counts, or a derived
    respondent-level score (``R`` the respondent's mean of the quarterly dimensions on
    0..100, ``T`` 100 when overall satisfaction is 4-5).
    ``n`` counts respondents; ``total`` and ``total_sq`` sum their values (the distribution of
    per-person values the change tests need is read from ``respondent_marks``). Updated in the
    transaction that stores the response.
    A ``customer_department_id`` of 0 is not used: NULL customer means "unknown department".
    """

    __tablename__ = "score_cells"
    # Pages read the cells of a few quarters and metrics for every provider: this index lets
    # them do so without walking the table in primary-key (provider-first) order.
    __table_args__ = (
        Index(
            "ix_score_cells_quarter_metric",
            "quarter",
            "metric",
            "provider_department_id",
            "customer_department_id",
        ),
    )

    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    customer_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    total_sq: Mapped[float] = mapped_column(Float, default=0.0)


class ScoreTotal(Base):
    """Sums for one (metric, quarter, provider) over every customer department: the
    ``score_cells`` of the provider and quarter added up, so that pages read one row per
    department rather than one per pair.

    Kept by database triggers on ``score_cells`` (migration 0004; on PostgreSQL statement
    triggers since 0005) in the statement that changes a cell, whoever writes it, so the
    tables cannot drift apart. A table rebuild of ``score_cells`` (an SQLite batch migration)
    drops the triggers: such a migration must create them again.
    """

    __tablename__ = "score_totals"

    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    n: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    total_sq: Mapped[float] = mapped_column(Float, default=0.0)


class ScoreVersion(Base):
    """A quarter's version: ``version`` rises with every change to one of its score cells and
    ``responses`` counts its responses (its ``pi.n`` and ``q.n``). Pages cache what they build
    from a quarter's figures under its version, which is one small row to read. Kept by the
    same triggers as ``ScoreTotal``; both columns start from the existing cells."""

    __tablename__ = "score_versions"

    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    responses: Mapped[int] = mapped_column(Integer, default=0)


class Baseline(Base):
    """A frozen IQ baseline: ISQ mean and spread over the quarters it was built from, and
    everything those ISQs were computed with (method, weights, k, prior hyper-parameters),
    so that IQs computed against it mean the same thing for ever.

    One baseline is ``active``; a re-base by an administrator stores a new one and keeps the
    old with ``superseded_at`` set. ``frozen_by`` says who froze it: ``scheduler`` (after four
    released quarters), ``command`` (``survey freeze-baseline``) or an administrator's email.
    """

    __tablename__ = "baselines"

    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    mu0: Mapped[float] = mapped_column(Float)
    sigma0: Mapped[float] = mapped_column(Float)
    quarters: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(20), default="isq-1")
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    k: Mapped[int] = mapped_column(Integer, default=5)
    priors: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)
    frozen_by: Mapped[str] = mapped_column(String(200), default="")


class RespondentMark(Base):
    """One respondent's running contribution to one (provider, customer department, quarter),
    under a keyed pseudonym: how the scorecards count people, not responses.

    ``pseudonym`` is an HMAC of (person, provider, quarter) under a key kept out of the
    database (``survey.pseudonyms``), so the table holds no person: it lets a second answer of
    the same person about the same provider and quarter be recognised, so that the person is
    counted once and weighs one (``t_*``: their post-interaction satisfaction answers,
    0 or 100 each; ``r_*``: their quarterly relationship scores, 0..100). No column links a
    mark to a response (a reader of the database itself can: ``docs/anonymity.md``).
    ``responses`` counts the person's responses here (1: the first). Someone holding both
    the database and the key could recompute a person's pseudonym and read these sums:
    ``docs/anonymity.md`` says so. On SQLite the table has no ``rowid`` (``NO_ROW_ORDER``).

    A person has one mark per provider and quarter: their customer department is the one of
    their first answer there, and later answers join it even after a move to another
    department (``ADD_MARK`` looks the mark up by provider, quarter and pseudonym, the
    primary key's first columns; migration 0024). Marks written before that rule may hold a
    person twice in one quarter, under two customer departments; they stay as released.
    """

    __tablename__ = "respondent_marks"
    __table_args__ = (
        PrimaryKeyConstraint(
            "provider_department_id", "quarter", "pseudonym", "customer_department_id"
        ),
        NO_ROW_ORDER,
    )

    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    customer_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(32), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, default=0)
    t_count: Mapped[int] = mapped_column(Integer, default=0)
    t_sum: Mapped[float] = mapped_column(Float, default=0.0)
    r_count: Mapped[int] = mapped_column(Integer, default=0)
    r_sum: Mapped[float] = mapped_column(Float, default=0.0)


class QuarterRelease(Base):
    """The k a quarter's figures were first released under (``services.release``): the
    larger of the setting and its campaigns' k at that moment, recorded once by the tick (or
    when an administrator's close releases it). Every later publication of the quarter gates
    it with at least this k, so a lower ``SURVEY_MIN_GROUP_SIZE`` later shows no cell the first
    release hid: two suppression patterns of one quarter would let a reader subtract the cells
    one showed from the other's."""

    __tablename__ = "quarter_releases"

    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    min_group_size: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the quarter's compliance counts were frozen into ``released_compliance``
    #: (``scorecards.services.released_compliance``); None until then.
    compliance_frozen_at: Mapped[datetime | None]


class ReleasedCompliance(Base):
    """A released quarter's compliance counts (the C component), per provider and service, as
    they were when the quarter's release was recorded: every page, export and API answer
    reads these afterwards instead of the requests, so requests reported late (a ticketing
    tool back-filling, or replaying after an outage), requests resolved after the release and
    mere time passing move nothing that was published. No person, no request: counts only.
    ``service_id`` is a plain number, not a reference: a service removed later leaves its
    published counts in place."""

    __tablename__ = "released_compliance"
    __table_args__ = (PrimaryKeyConstraint("quarter", "provider_department_id", "service_id"),)

    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    provider_department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    judged: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[int] = mapped_column(Integer)
