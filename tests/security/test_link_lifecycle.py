"""The link lifecycle as a state machine (issue 6): invitations issued after a handled request
(recorded as the JSON API does, then decided by the scheduler) and by quarterly campaigns;
links opened, drafts saved and resumed, answers sent and sent again, reminders, expiry,
campaigns closed by the administrator, people opting out; in any order hypothesis finds,
against the real app (test client, real services, the scheduler's ``run_tick``), each example
on its own copy of a seeded database, SQLite and PostgreSQL.

A small model says what respondents are promised; after every step the database must agree:

- one invitation is answered at most once, and the stored responses are exactly the ones the
  model expects (counted per kind, provider, customer department and campaign);
- an answered, expired or closed link never gets a reminder, and no reminder follows a close
  or an opt-out;
- a saved draft survives until the survey is sent or the campaign closes, and a returning
  respondent continues where it stopped, with the saved answer ticked;
- an answered link says "already answered" (410), an expired or closed one "closed" (410),
  and neither stores anything; a GET never changes anything.

Time: the services take ``now``; the model keeps a clock that only moves forward and every
move is followed by a scheduler run at that time, which is how links expire in production.
The respondent pages read the real clock, which stays before the model's, so a link's
expiry reaches the pages through the status the scheduler wrote.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from survey import create_app
from survey.db import database, make_engine
from survey.delivery.services.campaigns import create_campaign
from survey.delivery.services.interactions import InteractionInput, record_interaction
from survey.delivery.tick_job import run_tick
from survey.models import (
    Interaction,
    Invitation,
    InvitationDraft,
    InvitationToken,
    OutboxMessage,
    Person,
    Response,
)
from survey.models.base import utcnow
from survey.periods import quarter_of
from survey.services.accounts import create_user
from tests.conftest import PASSWORD, csrf_token, fresh_database, post_form
from tests.delivery.conftest import Org, build_org
from tests.delivery.test_campaigns import SETTINGS
from tests.factories import file_submissions
from tests.security.conftest import changed_tables, db_digest

ADMIN_EMAIL = "admin@example.com"
ACTIVE = 4  # people 0..3 are active (Sales, Engineering, Sales, Engineering); the rest left
OPEN = ("fresh", "opened", "draft")
DB_STATUS = {
    "fresh": "queued",
    "opened": "queued",
    "draft": "queued",
    "answered": "answered",
    "expired": "expired",
    "closed": "expired",
}
FATIGUE_DAYS, LINK_DAYS, CAMPAIGN_DAYS = 14, 14, 21
REMINDER_MAX, REMINDER_MIN_DAYS = 2, 5
# The setting and every campaign's k: the people a quarter's release needs. The smallest k
# allowed, so that four people can release a quarter and the scheduler's cancel path runs.
K = 2
TICK_SETTINGS = replace(SETTINGS, min_group_size=K)
TOKEN_IN_MAIL = re.compile(r"/r/([A-Za-z0-9_-]{20,})")
STALE = st.sampled_from([False, False, False, True])  # mostly a link still open
USED_PAGE, CLOSED_PAGE = "already been answered", "This survey has closed"


@dataclass
class CampaignModel:
    id: int
    name: str
    quarter: str
    opens_at: datetime
    closes_at: datetime
    status: str = "draft"


@dataclass
class Link:
    """One invitation; every token mailed for it (first mail and reminders) leads here."""

    invitation_id: int
    person: int
    kind: str
    created_at: datetime
    expires_at: datetime
    sections: int
    tokens: list[str]
    campaign: CampaignModel | None = None
    provider_ids: tuple[int, ...] = ()
    # fresh (mailed), opened (seen, nothing changed), draft (a section saved), answered,
    # expired (post-interaction link past its time), closed (its campaign closed)
    state: str = "fresh"
    reminders: int = 0
    last_mailed_at: datetime | None = None
    # section index -> the values posted for it
    draft: dict[int, dict[str, str]] = field(default_factory=dict)
    reminders_when_settled: int | None = None

    @property
    def open(self) -> bool:
        return self.state in OPEN

    def resume_at(self) -> int:
        """Where a returning respondent continues: the first section not complete."""
        for index in range(self.sections):
            if not complete(self.draft.get(index)):
                return index
        return self.sections - 1

    def settle(self, state: str) -> None:
        self.state, self.draft = state, {}
        self.reminders_when_settled = self.reminders


def complete(values: dict[str, str] | None) -> bool:
    """A section the survey can be sent with: rated overall, or "did not deal with them"."""
    return values is not None and ("overall" in values or "not_applicable" in values)


def section_values(rating: int, skipped: bool) -> dict[str, str]:
    if skipped:
        return {"not_applicable": "y"}
    return {"overall": str(rating), "reliability": str(rating), "comment": f"rated {rating}"}


class LinkLifecycle(RuleBasedStateMachine):
    """Set the class attributes first: one app for every example (its templates compiled
    once), whose database ``restore`` puts back to the seeded state (``org``) before each
    example, and two clients: a respondent's and an administrator's, signed in again at the
    start of every example (the seed keeps the administrator, not the server-side session)."""

    app: Flask
    org: Org
    restore: Callable[[], None]
    respondent: FlaskClient
    admin: FlaskClient

    def __init__(self) -> None:
        super().__init__()
        type(self).restore()
        # The restored database has no session of the administrator's (sessions live on the
        # server): sign in again.
        signed_in = post_form(
            self.admin, "/auth/sign-in", {"email": ADMIN_EMAIL, "password": PASSWORD}
        )
        assert signed_in.status_code == 302
        self.people = [p.id for p in self.org.people[:ACTIVE]]
        self.departments = [p.department_id for p in self.org.people[:ACTIVE]]
        # Sales rates HR and IT (two sections, by name), Engineering rates IT only.
        self.providers = {
            self.org.sales.id: (self.org.hr.id, self.org.it.id),
            self.org.eng.id: (self.org.it.id,),
        }
        self.csrf = csrf_token(self.respondent)
        self.admin_csrf = csrf_token(self.admin, "/admin/campaigns")
        self.now = utcnow()
        self.links: list[Link] = []
        self.campaigns: list[CampaignModel] = []
        # (interaction id, person, resolved at) awaiting a decision
        self.pending: list[tuple[int, int, datetime]] = []
        self.decisions: dict[int, tuple[str, str | None]] = {}
        self.opted_out: set[int] = set()
        self.responses: Counter[tuple[str, int, int]] = Counter()
        # Who answered about each provider in each quarter: a post-interaction answer in the
        # quarter it arrives in (the app's clock), a quarterly one in its campaign's.
        self.answered: dict[tuple[str, int], set[int]] = defaultdict(set)
        self.last_message = 0
        self.refs = 0

    # --- helpers ---

    @contextmanager
    def db(self) -> Iterator[Session]:
        engine = database(self.app).engine.execution_options(sqlite_begin="DEFERRED")
        with Session(engine, expire_on_commit=False) as session:
            yield session

    def post(self, url: str, data: dict[str, str]) -> Any:
        return self.respondent.post(f"{url}?lang=en", data={"csrf_token": self.csrf, **data})

    def digest(self) -> dict[str, str]:
        return db_digest(self.app)

    def unchanged(self, before: dict[str, str]) -> None:
        assert changed_tables(before, self.digest()) == []

    def link_of(self, pick: int, among: list[Link] | None = None) -> tuple[Link, str]:
        links = among if among is not None else self.links
        link = links[pick % len(links)]
        return link, link.tokens[(pick // len(links)) % len(link.tokens)]

    def likely_open(self, pick: int, stale: bool, kind: str | None = None) -> tuple[Link, str]:
        """A link still open, unless ``stale`` (or none is open): then any link."""
        links = [x for x in self.links if kind is None or x.kind == kind]
        still_open = [x for x in links if x.open]
        return self.link_of(pick, links if stale or not still_open else still_open)

    def shows_resumed(self, link: Link, response: Any) -> None:
        """The page a returning respondent gets: the first incomplete section, with what was
        saved for it ticked."""
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        at = link.resume_at()
        assert f"Department {at + 1} of {link.sections}" in html
        saved = link.draft.get(at, {})
        if "reliability" in saved:
            value = int(saved["reliability"])
            assert f'<input checked id="reliability-{value - 1}" name="reliability"' in html

    def refused(self, link: Link, response: Any) -> None:
        """A used, expired or closed link gets its clear page (the callers check that nothing
        was stored)."""
        html = response.get_data(as_text=True)
        assert response.status_code == 410, (link.state, response.status_code)
        assert (USED_PAGE if link.state == "answered" else CLOSED_PAGE) in html, link.state

    # --- issuing ---

    @initialize(who=st.lists(st.integers(0, ACTIVE - 1), max_size=3), campaign=st.booleans())
    def start(self, who: list[int], campaign: bool) -> None:
        """Start with a few handled requests decided by a first scheduler run, and in half of
        the examples with a campaign running, so that short runs reach the later states."""
        for person in who:
            self.report_interaction(person)
        self.run_scheduler(0)
        if campaign:
            self.new_campaign()
            self.run_scheduler(0)

    @rule(who=st.integers(0, ACTIVE - 1))
    def report_interaction(self, who: int) -> None:
        """A handled request is recorded (as the JSON API does); the scheduler decides later."""
        self.refs += 1
        with self.db() as s:
            interaction, created = record_interaction(
                s,
                InteractionInput(
                    provider="IT",
                    service="IT-LAPTOP",
                    requester_email=self.org.people[who].email,
                    opened_at=utcnow() - timedelta(hours=2),
                    resolved_at=utcnow() - timedelta(hours=1),  # only resolved ones are decided
                    source="lifecycle",
                    external_ref=f"T-{self.refs}",
                ),
            )
            s.commit()
        assert created and interaction.survey_decision == "pending"
        assert interaction.resolved_at is not None
        self.pending.append((interaction.id, who, interaction.resolved_at))
        self.decisions[interaction.id] = ("pending", None)

    @precondition(lambda self: all(c.status in ("closed", "cancelled") for c in self.campaigns))
    @precondition(lambda self: len(self.campaigns) < 2)
    @rule()
    def new_campaign(self) -> None:
        """A quarterly campaign that opens now; the scheduler opens it at its next run."""
        with self.db() as s:
            campaign = create_campaign(
                s,
                name=f"Campaign {len(self.campaigns) + 1}",
                quarter=quarter_of(self.now),
                opens_at=self.now,
                closes_at=self.now + timedelta(days=CAMPAIGN_DAYS),
                min_group_size=K,
                reminder_max=REMINDER_MAX,
                reminder_min_days=REMINDER_MIN_DAYS,
            )
            s.commit()
            self.campaigns.append(
                CampaignModel(
                    campaign.id,
                    campaign.name,
                    campaign.quarter,
                    campaign.opens_at,
                    campaign.closes_at,
                )
            )

    def released(self, quarter: str, now: datetime) -> bool:
        """The model's release: ``quarter`` has ended at ``now``, at least k (5: the setting
        and every campaign's) people answered about one provider, and none of its campaigns
        is open."""
        return (
            quarter < quarter_of(now)
            and any(len(people) >= K for (q, _p), people in self.answered.items() if q == quarter)
            and not any(c.quarter == quarter and c.status == "open" for c in self.campaigns)
        )

    # --- the scheduler: close, open, remind, decide, expire ---

    @rule(days=st.sampled_from([0, 1, REMINDER_MIN_DAYS, 6, LINK_DAYS + 1, CAMPAIGN_DAYS + 1]))
    def run_scheduler(self, days: int) -> None:
        """Move the clock forward and run the scheduler at that time."""
        self.now += timedelta(days=days)
        now = self.now
        settled_before = {id(link) for link in self.links if not link.open}
        closed = []
        for c in self.campaigns:
            if c.status == "open" and c.closes_at <= now:
                c.status = "closed"
                closed.append(c.name)
                for link in self.links:
                    if link.campaign is c and link.open:
                        link.settle("closed")
        opened: dict[tuple[int, int], CampaignModel] = {}
        cancelled = []
        for c in self.campaigns:
            if c.status == "draft" and c.opens_at <= now < c.closes_at:
                if self.released(c.quarter, now):
                    # Its quarter ended with answers and no campaign open: released, so the
                    # draft can never open (a second release would differ by its answers).
                    c.status = "cancelled"
                    cancelled.append(c.name)
                    continue
                c.status = "open"
                for who in range(ACTIVE):
                    if who not in self.opted_out:
                        opened[(c.id, who)] = c
        reminded = {
            link.invitation_id
            for link in self.links
            if link.campaign is not None
            and link.campaign.status == "open"
            and link.campaign.closes_at > now
            and link.open
            and link.person not in self.opted_out
            and link.reminders < REMINDER_MAX
            and link.last_mailed_at is not None
            and link.last_mailed_at <= now - timedelta(days=REMINDER_MIN_DAYS)
        }
        invited: dict[int, int] = {}
        skipped: Counter[str] = Counter()
        for interaction_id, who, resolved_at in self.pending:
            # Resolved too long before the decision (the clock moved on): not surveyed.
            late = resolved_at < now - timedelta(days=TICK_SETTINGS.late_report_days)
            reason = "reported_late" if late else self.skip_reason(who, now, invited, opened)
            if reason is None:
                invited[interaction_id] = who
                self.decisions[interaction_id] = ("invited", None)
            else:
                skipped[reason] += 1
                self.decisions[interaction_id] = ("skipped", reason)
        self.pending = []
        expired = 0
        for link in self.links:
            if link.kind == "post_interaction" and link.open and link.expires_at <= now:
                link.settle("expired")
                expired += 1

        # As ``flask survey tick`` does: the queued submissions are filed first (the group's
        # callback), so the tick's release and cancel decisions see every answer sent.
        file_submissions(self.app)
        with self.app.app_context():
            # The k of the app and of the model: campaigns open with at least the tick's k.
            report = run_tick(database(self.app).sessionmaker, TICK_SETTINGS, now)

        assert report.closed == closed
        assert report.cancelled == cancelled
        assert sorted(report.opened) == sorted({c.name for c in opened.values()})
        assert report.reminders == len(reminded)
        assert report.post_interaction_invited == len(invited)
        assert report.post_interaction_skipped == dict(skipped)
        assert report.expired == expired
        self.read_mail(now, opened, reminded, invited)
        # A link that closed or expired just now shows the clear page to its next visitor.
        settled = [x for x in self.links if not x.open and id(x) not in settled_before]
        if settled:
            self.refused(settled[-1], self.respondent.get(f"/r/{settled[-1].tokens[-1]}?lang=en"))

    def skip_reason(
        self,
        who: int,
        now: datetime,
        invited: dict[int, int],
        opened: dict[tuple[int, int], CampaignModel],
    ) -> str | None:
        """The fatigue rules, as respondents are promised them."""
        if who in self.opted_out:
            return "opted_out"
        recent = now - timedelta(days=FATIGUE_DAYS)
        if who in invited.values() or any(
            link.person == who and link.kind == "post_interaction" and link.created_at > recent
            for link in self.links
        ):
            return "fatigue_window"
        if any(p == who for (_c, p) in opened) or any(
            link.person == who
            and link.campaign is not None
            and link.campaign.status == "open"
            and link.expires_at > now
            for link in self.links
        ):
            return "open_quarterly"
        return None

    def read_mail(
        self,
        now: datetime,
        opened: dict[tuple[int, int], CampaignModel],
        reminded: set[int],
        invited: dict[int, int],
    ) -> None:
        """The outbox holds exactly the mail the model expects; its links become tokens."""
        by_invitation = {link.invitation_id: link for link in self.links}
        with self.db() as s:
            rows = s.execute(
                select(OutboxMessage.id, OutboxMessage.purpose, OutboxMessage.body_text, Invitation)
                .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
                .where(OutboxMessage.id > self.last_message)
                .order_by(OutboxMessage.id)
            ).all()
            # The relay takes each mail at once (a reminder waits for the mail before it to
            # leave, and counts its days from then). Only the outbox row is marked: the model
            # reads an invitation whose link was not used as "queued" either way.
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([row[0] for row in rows]))
                .where(OutboxMessage.status == "queued")
                .values(status="sent", sent_at=now)
            )
            s.commit()
        got_opened, got_reminded, got_invited = set(), set(), {}
        for message_id, purpose, body, invitation in rows:
            self.last_message = max(self.last_message, message_id)
            tokens = set(TOKEN_IN_MAIL.findall(body))
            assert len(tokens) == 1, body
            token = tokens.pop()
            who = self.people.index(invitation.person_id)
            if purpose == "reminder:quarterly":
                link = by_invitation[invitation.id]
                link.tokens.append(token)
                link.reminders += 1
                link.last_mailed_at = now
                got_reminded.add(invitation.id)
                continue
            department = self.departments[who]
            if purpose == "invitation:quarterly":
                campaign = opened[(invitation.campaign_id, who)]
                got_opened.add((invitation.campaign_id, who))
                providers = self.providers[department]
                expires = campaign.closes_at
            else:
                assert purpose == "invitation:post_interaction", purpose
                got_invited[invitation.interaction_id] = who
                campaign, providers, expires = None, (self.org.it.id,), now + timedelta(LINK_DAYS)
            assert invitation.expires_at == expires
            self.links.append(
                Link(
                    invitation_id=invitation.id,
                    person=who,
                    kind=invitation.kind,
                    created_at=now,
                    expires_at=expires,
                    sections=len(providers),
                    tokens=[token],
                    campaign=campaign,
                    provider_ids=providers,
                    last_mailed_at=now,
                )
            )
        assert got_opened == set(opened)
        assert got_reminded == reminded
        assert got_invited == invited

    # --- the respondent ---

    @precondition(lambda self: self.links)
    @rule(pick=st.integers(0, 10_000), stale=STALE)
    def open_link(self, pick: int, stale: bool) -> None:
        """A click (or a mail scanner): shows the survey, or why not; changes nothing."""
        link, token = self.likely_open(pick, stale)
        before = self.digest()
        response = self.respondent.get(f"/r/{token}?lang=en")
        self.unchanged(before)
        if not link.open:
            self.refused(link, response)
            return
        if link.kind == "quarterly":
            self.shows_resumed(link, response)
        else:
            assert response.status_code == 200
            assert "Information Technology" in response.get_data(as_text=True)
        if link.state == "fresh":
            link.state = "opened"

    @precondition(lambda self: any(link.kind == "quarterly" for link in self.links))
    @rule(
        pick=st.integers(0, 10_000),
        stale=STALE,
        section=st.integers(0, 1),
        rating=st.integers(1, 5),
        half=st.booleans(),
    )
    def save_draft(self, pick: int, stale: bool, section: int, rating: int, half: bool) -> None:
        """'Save and finish later' on one section, half-answered or complete; coming back
        (through the newest link mailed) continues where it stopped."""
        link, token = self.likely_open(pick, stale, "quarterly")
        values = {"reliability": str(rating)} if half else section_values(rating, False)
        self.save(link, token, section % link.sections, values)

    def save(self, link: Link, token: str, section: int, values: dict[str, str]) -> None:
        before = self.digest()
        response = self.post(f"/r/{token}", {"section": str(section), "action": "save", **values})
        if not link.open:
            self.refused(link, response)
            self.unchanged(before)
            return
        assert response.status_code == 200
        assert "saved" in response.get_data(as_text=True).lower()
        link.draft[section] = values
        link.state = "draft"
        self.shows_resumed(link, self.respondent.get(f"/r/{link.tokens[-1]}?lang=en"))

    @precondition(lambda self: self.links)
    @rule(
        pick=st.integers(0, 10_000),
        stale=STALE,
        ratings=st.lists(st.integers(1, 5), min_size=2, max_size=2),
        skips=st.lists(st.booleans(), min_size=2, max_size=2),
        keep_draft=st.booleans(),
    )
    def submit(
        self, pick: int, stale: bool, ratings: list[int], skips: list[bool], keep_draft: bool
    ) -> None:
        """Send the survey: one POST after an interaction; section by section for a quarterly
        survey (sections already complete in the draft are kept when ``keep_draft``)."""
        link, token = self.likely_open(pick, stale)
        self.send(link, token, ratings, skips, keep_draft)

    @precondition(lambda self: any(x.open and x.kind == "quarterly" for x in self.links))
    @rule(
        pick=st.integers(0, 10_000),
        ratings=st.lists(st.integers(1, 5), min_size=2, max_size=2),
        skips=st.lists(st.booleans(), min_size=2, max_size=2),
    )
    def finish_later_then_send(self, pick: int, ratings: list[int], skips: list[bool]) -> None:
        """The whole journey at once: the first department answered and saved, then the
        survey finished (through the newest link mailed) without answering it again."""
        link, token = self.likely_open(pick, False, "quarterly")
        self.save(link, token, 0, section_values(ratings[0], skips[0]))
        self.send(link, link.tokens[-1], ratings, skips, keep_draft=True)

    @precondition(lambda self: any(link.state == "answered" for link in self.links))
    @rule(pick=st.integers(0, 10_000), rating=st.integers(1, 5))
    def resubmit(self, pick: int, rating: int) -> None:
        """A second POST of a used link (another tab, an old email): 'already answered'."""
        link, token = self.link_of(pick, [x for x in self.links if x.state == "answered"])
        self.send(link, token, [rating, rating], [False, False], False)

    def send(
        self, link: Link, token: str, ratings: list[int], skips: list[bool], keep_draft: bool
    ) -> None:
        url = f"/r/{token}"
        before = self.digest()
        customer = self.departments[link.person]
        if link.kind == "post_interaction":
            response = self.post(url, {"overall": str(ratings[0]), "comment": "thanks"})
            if not link.open:
                self.refused(link, response)
                self.unchanged(before)
                return
            assert response.status_code == 302, response.status_code
            self.responses[("post_interaction", self.org.it.id, customer)] += 1
            self.answered[(quarter_of(utcnow()), self.org.it.id)].add(link.person)
            link.settle("answered")
            return
        final: dict[int, dict[str, str]] = {}
        last = link.sections - 1
        for index in range(link.sections):
            if keep_draft and index < last and complete(link.draft.get(index)):
                final[index] = link.draft[index]
                continue
            final[index] = section_values(ratings[index], skips[index])
            action = "submit" if index == last else "next"
            response = self.post(url, {"section": str(index), "action": action, **final[index]})
            if not link.open:
                self.refused(link, response)
                self.unchanged(before)
                return
            if index < last:
                assert response.status_code == 200
                assert f"Department {index + 2} of {link.sections}" in response.get_data(
                    as_text=True
                )
        assert response.status_code == 302, response.status_code
        assert link.campaign is not None
        for index, values in final.items():
            if "not_applicable" not in values:
                provider = link.provider_ids[index]
                self.responses[("quarterly", provider, customer)] += 1
                self.answered[(link.campaign.quarter, provider)].add(link.person)
        link.settle("answered")

    @precondition(lambda self: self.links and len(self.opted_out) < 2)
    @rule(pick=st.integers(0, 10_000))
    def opt_out(self, pick: int) -> None:
        """'No more survey emails' from any link received, used or not."""
        link, token = self.link_of(pick)
        response = self.post(f"/r/{token}/stop", {})
        assert response.status_code == 200
        assert "You will receive no more survey emails" in response.get_data(as_text=True)
        self.opted_out.add(link.person)

    # --- the administrator ---

    @precondition(lambda self: any(c.status == "open" for c in self.campaigns))
    @rule()
    def close_campaign(self) -> None:
        """The administrator closes the running campaign."""
        campaign = next(c for c in self.campaigns if c.status == "open")
        response = self.admin.post(
            f"/admin/campaigns/{campaign.id}/close",
            data={"csrf_token": self.admin_csrf, "confirm": "1"},
        )
        assert response.status_code == 302
        assert "/auth/sign-in" not in response.headers["Location"]
        campaign.status = "closed"
        closed = [link for link in self.links if link.campaign is campaign and link.open]
        for link in closed:
            link.settle("closed")
        if closed:
            self.refused(closed[0], self.respondent.get(f"/r/{closed[0].tokens[0]}?lang=en"))

    # --- what must hold after every step ---

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        file_submissions(self.app)  # the responses are read below, as the next page would
        with self.db() as s:
            stored = Counter(
                {
                    (kind, provider, customer): n
                    for kind, provider, customer, n in s.execute(
                        select(
                            Response.kind,
                            Response.provider_department_id,
                            Response.customer_department_id,
                            func.count(),
                        ).group_by(
                            Response.kind,
                            Response.provider_department_id,
                            Response.customer_department_id,
                        )
                    )
                }
            )
            invitations = {i.id: i for i in s.scalars(select(Invitation))}
            drafts = set(s.scalars(select(InvitationDraft.invitation_id)))
            tokens = Counter(s.scalars(select(InvitationToken.invitation_id)))
            reminder_mail = Counter(
                s.scalars(
                    select(OutboxMessage.invitation_id).where(
                        OutboxMessage.purpose.like("reminder:%")
                    )
                )
            )
            decisions = {
                i: (decision, reason)
                for i, decision, reason in s.execute(
                    select(Interaction.id, Interaction.survey_decision, Interaction.skip_reason)
                )
            }
            opted_out = set(s.scalars(select(Person.id).where(Person.opted_out.is_(True))))
        assert +stored == +self.responses
        assert set(invitations) == {link.invitation_id for link in self.links}
        for link in self.links:
            row = invitations[link.invitation_id]
            assert row.status == DB_STATUS[link.state], (link.state, row.status)
            assert row.reminders_sent == link.reminders == reminder_mail[row.id]
            assert tokens[row.id] == len(link.tokens) == 1 + link.reminders
            assert (row.id in drafts) == (link.state == "draft")
            if not link.open:  # answered, expired or closed: no reminder since
                assert row.reminders_sent == link.reminders_when_settled
        assert decisions == self.decisions
        assert opted_out == {self.people[who] for who in self.opted_out}


# About 0.5 s an example on SQLite; on PostgreSQL each example also recreates its database,
# so fewer examples there: that run is for the backend's own statements (conditional UPDATEs,
# advisory locks, bulk INSERT ... RETURNING), the model is the same.
EXAMPLES = {"sqlite": 30, "postgres": 12}


def lifecycle_settings(backend: str) -> settings:
    return settings(
        max_examples=EXAMPLES[backend],
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def app_settings(url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "lifecycle-secret",
        "BASE_URL": "http://localhost",
        "SESSION_COOKIE_SECURE": False,
    }


@pytest.mark.postgres
def test_link_lifecycle(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    # One seeded database (the organisation, its API key and an administrator: the slow
    # password hashing happens once), copied over the app's database before every example.
    seed = fresh_database(backend, tmp_path, request)
    engine = make_engine(seed)
    with Session(engine, expire_on_commit=False) as s:
        org = build_org(s)
        s.execute(
            update(Person)
            .where(Person.id.in_([p.id for p in org.people[ACTIVE:]]))
            .values(active=False)
        )
        create_user(s, ADMIN_EMAIL, PASSWORD, "admin")
        s.commit()
    engine.dispose()
    assert not Path(seed.removeprefix("sqlite:///") + "-wal").exists()  # all in the main file
    work = f"{seed}-work" if backend == "sqlite" else f"{seed}_work"
    app = create_app({**app_settings(work), "MIN_GROUP_SIZE": K})

    def restore() -> None:
        database(app).engine.dispose()
        if backend == "sqlite":
            path = work.removeprefix("sqlite:///")
            for suffix in ("-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
            shutil.copy(seed.removeprefix("sqlite:///"), path)
            return
        cluster = request.getfixturevalue("pg_cluster")
        server = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        name, template = work.rsplit("/", 1)[1], seed.rsplit("/", 1)[1]
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"))
        server.dispose()

    restore()
    admin = app.test_client()
    signed_in = post_form(admin, "/auth/sign-in", {"email": ADMIN_EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 302
    machine = type(
        "LinkLifecycleOn" + backend.title(),
        (LinkLifecycle,),
        {
            "app": app,
            "org": org,
            "restore": staticmethod(restore),
            "respondent": app.test_client(),
            "admin": admin,
        },
    )
    try:
        run_state_machine_as_test(machine, settings=lifecycle_settings(backend))
    finally:
        database(app).engine.dispose()
