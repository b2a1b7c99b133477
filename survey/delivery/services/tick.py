"""``survey tick``: the steps of all scheduled work, safe to run from cron on several hosts.

The steps are verbs like any other: each takes a session and only flushes. Who runs them owns
the transactions: ``survey/delivery/tick_job.py`` (``run_tick``) runs each step in its own
transaction and commits it. On PostgreSQL a step first takes a transaction-scoped advisory lock
(``step_lock``) and is skipped when another host holds it; on SQLite the write lock taken at
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
from sqlalchemy.orm import Session

from survey.delivery.services.campaigns import (
    QuarterReleased,
    cancel_campaign,
    close_campaign,
    expire_post_interaction_links,
    open_campaign,
    send_reminders,
)
from survey.delivery.services.interactions import decide_pending_surveys
from survey.delivery.services.publishing import Published, publish_releases
from survey.delivery.services.release_mail import ReleaseMailSettings
from survey.delivery.services.schedules import create_scheduled_campaigns
from survey.models import Campaign
from survey.scorecards.services import scorecard_data as data
from survey.scorecards.services.scorecards import ensure_baseline
from survey.services.fatigue import FatiguePolicy
from survey.services.retention import PurgeCounts, RetentionPolicy, purge


@dataclass
class TickSettings:
    base_url: str
    mail_domain: str
    salt: str
    fatigue_days: int = 14
    fatigue_cap: int = 4  # invitations of any kind per person ...
    fatigue_period_days: int = 30  # ... in any this many days
    link_days: int = 14
    #: a request resolved more than this many days before its decision is not surveyed
    late_report_days: int = 14
    min_group_size: int = 5  # k of the settings: a campaign opens with at least this k
    #: The scorecard settings (weights, k) a baseline is frozen with; None: no baseline step.
    scores: Any = None
    #: Retention periods (services.retention); None: no purge step.
    retention: RetentionPolicy | None = None
    #: ``SURVEY_RELEASE_MAIL``: tell the readers of scorecards when a quarter is released.
    release_mail: bool = True

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> TickSettings:
        """The settings of the app's configuration (``SURVEY_*``), as ``tick`` uses them."""
        from survey.config import mail_domain
        from survey.scorecards.services.scorecards import Settings

        return cls(
            base_url=str(cfg["BASE_URL"]),
            mail_domain=mail_domain(cfg),
            salt=str(cfg["SECRET_KEY"]),
            fatigue_days=int(cfg["FATIGUE_DAYS"]),
            fatigue_cap=int(cfg["FATIGUE_CAP"]),
            fatigue_period_days=int(cfg["FATIGUE_PERIOD_DAYS"]),
            link_days=int(cfg["LINK_DAYS"]),
            late_report_days=int(cfg["LATE_REPORT_DAYS"]),
            min_group_size=int(cfg["MIN_GROUP_SIZE"]),
            scores=Settings.from_config(cfg),
            retention=RetentionPolicy.from_config(cfg),
            release_mail=bool(cfg.get("RELEASE_MAIL", True)),
        )

    @property
    def policy(self) -> FatiguePolicy:
        return FatiguePolicy(self.fatigue_days, self.fatigue_cap, self.fatigue_period_days)

    @property
    def mail(self) -> ReleaseMailSettings:
        """The settings of the release emails."""
        return ReleaseMailSettings(self.base_url, self.mail_domain, self.release_mail)


@dataclass(frozen=True)
class OpenedCampaign:
    """A campaign the tick opened: its invitations and who it left out, as stored on it
    (``Campaign.left_out_over_budget``, ``left_out_erased``; 0 when none)."""

    name: str
    invited: int
    over_budget: int
    erased: int

    def describe(self) -> str:
        """One line for the ``tick`` command's output."""
        return (
            f"opened campaign {self.name!r}: {self.invited} invitations; left out: "
            f"{self.over_budget} whose survey budget for the period is spent, "
            f"{self.erased} erased this quarter"
        )


@dataclass
class TickReport:
    opened: list[str] = field(default_factory=list)
    #: the campaigns in ``opened``, with their counts, in the same order
    openings: list[OpenedCampaign] = field(default_factory=list)
    invited_quarterly: int = 0
    closed: list[str] = field(default_factory=list)
    reminders: int = 0
    post_interaction_invited: int = 0
    post_interaction_skipped: dict[str, int] = field(default_factory=dict)
    expired: int = 0
    baseline: str | None = None
    skipped_steps: list[str] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)  # campaigns created from schedules
    #: drafts cancelled instead of opened: their quarter was released meanwhile
    cancelled: list[str] = field(default_factory=list)
    purged: PurgeCounts | None = None
    #: quarters whose release k was recorded (``release.record_releases``), by the close of
    #: their last campaign or by the release step
    released: list[str] = field(default_factory=list)
    #: release emails queued for them (``release_mail``)
    release_mails: int = 0

    def add_release(self, published: Published) -> None:
        self.released.extend(published.quarters)
        self.release_mails += published.mails

    def _skipped(self) -> str:
        reasons = sorted(self.post_interaction_skipped.items(), key=lambda r: (-r[1], r[0]))
        return ", ".join(f"{reason} {n}" for reason, n in reasons) or "none"

    def describe(self) -> str:
        return (
            f"scheduled {len(self.scheduled)} campaign(s), "
            f"opened {len(self.opened)} campaign(s) ({self.invited_quarterly} invitations), "
            f"closed {len(self.closed)}, "
            + (
                f"released {', '.join(self.released)} (release emails {self.release_mails}), "
                if self.released
                else ""
            )
            + (f"cancelled {len(self.cancelled)} (quarter released), " if self.cancelled else "")
            + f"reminders {self.reminders}, "
            f"post-interaction invitations {self.post_interaction_invited} "
            f"(skipped: {self._skipped()}), expired links {self.expired}"
            + (f", baseline {self.baseline} frozen" if self.baseline else "")
            + (f", purged: {self.purged.describe()}" if self.purged and self.purged.total else "")
            + (f"; busy elsewhere: {', '.join(self.skipped_steps)}" if self.skipped_steps else "")
        )


def step_lock(session: Session, name: str) -> bool:
    """Take the step's lock for this transaction; False when another host holds it (PostgreSQL:
    a transaction-level advisory lock, released at commit or rollback; elsewhere always True)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"service-iq:{name}".encode())
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))


@dataclass(frozen=True)
class TickStep:
    """One step of the tick: its lock name and its work, which takes a session and flushes
    only (the runner commits)."""

    name: str
    work: Callable[[Session], None]


def tick_steps(settings: TickSettings, report: TickReport, now: datetime) -> list[TickStep]:
    """Close ended campaigns, record the k of quarters released since the last tick
    (``release.record_releases``), freeze their compliance counts (``released_compliance``)
    and queue their emails to the readers of scorecards (``release_mail``; the close of a
    quarter's last campaign does all three, ``publishing.publish_releases``), create the due
    campaigns of schedules, open due campaigns (a draft whose quarter was released since it
    was created is cancelled instead), send reminders, decide post-interaction surveys,
    expire old links, purge what is past its retention period (with ``settings.retention``)
    and, once four quarters are released, freeze the IQ baseline (with ``settings.scores``),
    in that order; each step writes what it did into ``report``. Mail lands in the outbox for
    ``send-mail``."""
    policy = settings.policy

    def open_due(session: Session) -> None:
        due = session.scalars(
            select(Campaign).where(
                Campaign.status == "draft", Campaign.opens_at <= now, Campaign.closes_at > now
            )
        ).all()
        for campaign in due:
            try:
                result = open_campaign(
                    session,
                    campaign,
                    settings.base_url,
                    settings.mail_domain,
                    now,
                    min_group_size=settings.min_group_size,
                    policy=policy,
                )
            except QuarterReleased:
                # Its quarter was released since it was created: it can never open.
                if cancel_campaign(session, campaign):
                    report.cancelled.append(campaign.name)
                continue
            if result is not None:
                report.opened.append(campaign.name)
                report.invited_quarterly += result.invited
                report.openings.append(
                    OpenedCampaign(
                        campaign.name,
                        result.invited,
                        campaign.left_out_over_budget or 0,
                        campaign.left_out_erased or 0,
                    )
                )

    def release(session: Session) -> None:
        report.add_release(publish_releases(session, now, settings.min_group_size, settings.mail))

    def schedule(session: Session) -> None:
        result = create_scheduled_campaigns(session, now, default_k=settings.min_group_size)
        report.scheduled.extend(result.created)

    def close_due(session: Session) -> None:
        due = session.scalars(
            select(Campaign).where(Campaign.status == "open", Campaign.closes_at <= now)
        ).all()
        for campaign in due:
            published = close_campaign(session, campaign, now, mail=settings.mail)
            if published is not None:
                report.closed.append(campaign.name)
                report.add_release(published)

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
            late_days=settings.late_report_days,
        )
        report.post_interaction_invited = result.invited
        report.post_interaction_skipped = result.skipped

    def expire(session: Session) -> None:
        report.expired = expire_post_interaction_links(session, now)

    def freeze(session: Session) -> None:
        if data.stored_baseline(session) is None:
            row = ensure_baseline(session, settings.scores, now, by="scheduler")
            report.baseline = row.version if row is not None else None

    def purge_old(session: Session) -> None:
        assert settings.retention is not None
        report.purged = purge(session, settings.retention, now)

    steps = [
        TickStep("close", close_due),
        TickStep("release", release),
        TickStep("schedule", schedule),
        TickStep("open", open_due),
        TickStep("remind", remind),
        TickStep("decide", decide),
        TickStep("expire", expire),
    ]
    if settings.retention is not None:
        steps.append(TickStep("purge", purge_old))
    if settings.scores is not None:
        steps.append(TickStep("baseline", freeze))
    return steps
