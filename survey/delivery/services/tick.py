"""``survey tick``: all scheduled work, safe to run from cron on several hosts at once.

Each step runs in its own transaction. On PostgreSQL a step first takes a transaction-scoped
advisory lock and is skipped when another host holds it; on SQLite the write lock taken at
``BEGIN IMMEDIATE`` serialises the steps. Inside, every change is a conditional UPDATE, so even
without the lock nothing would be done twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from survey.delivery.services.campaigns import (
    close_campaign,
    expire_post_interaction_links,
    open_campaign,
    send_reminders,
)
from survey.delivery.services.interactions import decide_pending_surveys
from survey.delivery.services.schedules import create_scheduled_campaigns
from survey.models import Campaign
from survey.models.base import utcnow
from survey.services import scorecard_data as data
from survey.services.fatigue import FatiguePolicy
from survey.services.retention import PurgeCounts, RetentionPolicy, purge
from survey.services.scorecards import ensure_baseline


@dataclass
class TickSettings:
    base_url: str
    mail_domain: str
    salt: str
    fatigue_days: int = 14
    fatigue_cap: int = 4  # invitations of any kind per person ...
    fatigue_period_days: int = 30  # ... in any this many days
    link_days: int = 14
    min_group_size: int = 5  # k of the settings: a campaign opens with at least this k
    #: The scorecard settings (weights, k) a baseline is frozen with; None: no baseline step.
    scores: Any = None
    #: Retention periods (services.retention); None: no purge step.
    retention: RetentionPolicy | None = None

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> TickSettings:
        """The settings of the app's configuration (``SURVEY_*``), as ``tick`` uses them."""
        from survey.config import mail_domain
        from survey.services.scorecards import Settings

        return cls(
            base_url=str(cfg["BASE_URL"]),
            mail_domain=mail_domain(cfg),
            salt=str(cfg["SECRET_KEY"]),
            fatigue_days=int(cfg["FATIGUE_DAYS"]),
            fatigue_cap=int(cfg["FATIGUE_CAP"]),
            fatigue_period_days=int(cfg["FATIGUE_PERIOD_DAYS"]),
            link_days=int(cfg["LINK_DAYS"]),
            min_group_size=int(cfg["MIN_GROUP_SIZE"]),
            scores=Settings.from_config(cfg),
            retention=RetentionPolicy.from_config(cfg),
        )

    @property
    def policy(self) -> FatiguePolicy:
        return FatiguePolicy(self.fatigue_days, self.fatigue_cap, self.fatigue_period_days)


@dataclass
class TickReport:
    opened: list[str] = field(default_factory=list)
    invited_quarterly: int = 0
    closed: list[str] = field(default_factory=list)
    reminders: int = 0
    post_interaction_invited: int = 0
    post_interaction_skipped: dict[str, int] = field(default_factory=dict)
    expired: int = 0
    baseline: str | None = None
    skipped_steps: list[str] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)  # campaigns created from schedules
    purged: PurgeCounts | None = None

    def describe(self) -> str:
        return (
            f"scheduled {len(self.scheduled)} campaign(s), "
            f"opened {len(self.opened)} campaign(s) ({self.invited_quarterly} invitations), "
            f"closed {len(self.closed)}, reminders {self.reminders}, "
            f"post-interaction invitations {self.post_interaction_invited} "
            f"(skipped: {self.post_interaction_skipped or 'none'}), expired links {self.expired}"
            + (f", baseline {self.baseline} frozen" if self.baseline else "")
            + (f", purged: {self.purged.describe()}" if self.purged and self.purged.total else "")
            + (f"; busy elsewhere: {', '.join(self.skipped_steps)}" if self.skipped_steps else "")
        )


def _locked(session: Session, name: str) -> bool:
    """Take the step's lock for this transaction; False when another host holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"service-iq:{name}".encode())
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))


def _step(
    sessions: sessionmaker[Session],
    name: str,
    report: TickReport,
    work: Callable[[Session], Any],
) -> None:
    with sessions() as session:
        if not _locked(session, name):
            report.skipped_steps.append(name)
            session.rollback()
            return
        work(session)
        session.commit()


def run_tick(
    sessions: sessionmaker[Session], settings: TickSettings, now: datetime | None = None
) -> TickReport:
    """Close ended campaigns, create the due campaigns of schedules, open due campaigns, send
    reminders, decide post-interaction surveys, expire old links, purge what is past its
    retention period and, once four quarters are released, freeze the IQ baseline, in that
    order. Mail lands in the outbox for
    ``send-mail``."""
    now = now or utcnow()
    report = TickReport()
    policy = settings.policy

    def open_due(session: Session) -> None:
        due = session.scalars(
            select(Campaign).where(
                Campaign.status == "draft", Campaign.opens_at <= now, Campaign.closes_at > now
            )
        ).all()
        for campaign in due:
            result = open_campaign(
                session,
                campaign,
                settings.base_url,
                settings.mail_domain,
                now,
                min_group_size=settings.min_group_size,
                policy=policy,
            )
            if result is not None:
                report.opened.append(campaign.name)
                report.invited_quarterly += result.invited

    def schedule(session: Session) -> None:
        result = create_scheduled_campaigns(session, now, default_k=settings.min_group_size)
        report.scheduled.extend(result.created)

    def close_due(session: Session) -> None:
        due = session.scalars(
            select(Campaign).where(Campaign.status == "open", Campaign.closes_at <= now)
        ).all()
        for campaign in due:
            if close_campaign(session, campaign, now):
                report.closed.append(campaign.name)

    def remind(session: Session) -> None:
        report.reminders = send_reminders(session, settings.base_url, settings.mail_domain, now)

    def decide(session: Session) -> None:
        result = decide_pending_surveys(
            session,
            settings.base_url,
            settings.mail_domain,
            settings.salt,
            policy,
            settings.link_days,
            now,
        )
        report.post_interaction_invited = result.invited
        report.post_interaction_skipped = result.skipped

    def expire(session: Session) -> None:
        report.expired = expire_post_interaction_links(session, now)

    _step(sessions, "close", report, close_due)
    _step(sessions, "schedule", report, schedule)
    _step(sessions, "open", report, open_due)
    _step(sessions, "remind", report, remind)
    _step(sessions, "decide", report, decide)
    def freeze(session: Session) -> None:
        if data.stored_baseline(session) is None:
            row = ensure_baseline(session, settings.scores, now, by="scheduler")
            report.baseline = row.version if row is not None else None

    def purge_old(session: Session) -> None:
        assert settings.retention is not None
        report.purged = purge(session, settings.retention, now)

    _step(sessions, "expire", report, expire)
    if settings.retention is not None:
        _step(sessions, "purge", report, purge_old)
    if settings.scores is not None:
        _step(sessions, "baseline", report, freeze)
    return report
