"""Eight quarters of simulated history: handled requests with their timestamps, survey
decisions and invitations, quarterly answers and post-interaction answers.

Pure: takes database ids, returns rows and ``ResponseInput`` items for ``survey.demo.build``
to store. Everything is drawn from one ``random.Random`` in a fixed order, so a seed gives the
same history every time.

How an answer is drawn: a latent rating = the provider's level in that quarter + the offset of
the (provider, customer) relationship + the respondent's own leniency; each item adds its
dimension offset and noise and is rounded to 1..5. After an interaction, a late request lowers
the latent rating by a full point.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from survey.demo.clock import (
    LOCAL,
    REMINDER_EVERY_DAYS,
    days_of,
    earlier_office_time,
    later_office_time,
    moment_on,
    utc,
)
from survey.demo.org import DEPENDENCIES, SERVICES, ServiceSpec, StandardSpec
from survey.demo.profiles import (
    DEFAULT_PARTICIPATION,
    PAIR_OFFSETS,
    PARTICIPATION,
    POST_RESPONSE_RATE,
    PROFILES,
    SECTION_RATE,
)
from survey.demo.texts import pick_comment
from survey.periods import iso_week_of, quarter_of
from survey.respond.services.responses import QUARTERLY_DIMENSIONS, ResponseInput

FATIGUE_DAYS = 14
LINK_DAYS = 14
# Day of the campaign (0 = opening) on which quarterly answers arrive: most at once, with
# bumps after the two weekly reminders.
ANSWER_DAY_WEIGHTS = (
    5, 3, 2, 1.2, 1, 0.5, 0.4, 2.2, 1.2, 0.7, 0.5, 0.4, 0.3, 0.3,
    1.4, 0.8, 0.4, 0.3, 0.3, 0.2, 0.2,
)  # fmt: skip
QUARTERLY_COMMENT_RATE = 0.2
POST_COMMENT_RATE = 0.22
POST_COMMENT_RATE_UNHAPPY = 0.45
CONSENT_RATE = 0.3


@dataclass(frozen=True)
class DemoPerson:
    id: int
    department: str
    locale: str
    opted_out: bool


@dataclass(frozen=True)
class Ids:
    """Database ids the history refers to: departments and services by code, the campaign
    of each quarter, and the people."""

    departments: Mapping[str, int]
    services: Mapping[str, int]
    campaigns: Mapping[str, tuple[int, datetime, datetime]]  # quarter -> id, opens, closes
    people: Sequence[DemoPerson]


@dataclass
class History:
    """``post_invitations`` pair the index of an interaction with its invitation row."""

    interactions: list[dict[str, Any]] = field(default_factory=list)
    post_invitations: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    quarterly_invitations: list[dict[str, Any]] = field(default_factory=list)
    responses: list[ResponseInput] = field(default_factory=list)


@dataclass
class _Request:
    provider: str
    service: ServiceSpec
    person: DemoPerson
    opened: datetime
    first: datetime | None
    resolved: datetime
    compliant: bool
    quarter_index: int


def _likert(value: float) -> int:
    return min(5, max(1, round(value)))


def providers_of(customer: str) -> list[str]:
    """Providers a department rates, in the order of ``DEPENDENCIES``."""
    return [p for p, customers in DEPENDENCIES.items() if customer in customers]


def standard_in_force(service: ServiceSpec, quarter_index: int) -> StandardSpec:
    return max(
        (s for s in service.standards if s.from_quarter <= quarter_index),
        key=lambda s: s.from_quarter,
    )


class Simulation:
    """One run of the history; call ``run`` once."""

    def __init__(
        self,
        rng: random.Random,
        ids: Ids,
        quarters: Sequence[str],
        history_end: datetime,
        cutoff: datetime,
    ) -> None:
        """``history_end``: the first instant after the last history quarter (UTC); answers
        given later are left out. ``cutoff``: requests resolved later are left out (they
        would not have been reported yet)."""
        self.rng, self.ids, self.quarters = rng, ids, list(quarters)
        self.history_end, self.cutoff = history_end, cutoff
        self.leniency = {p.id: rng.gauss(0, 0.4) for p in ids.people}
        self.activity = {p.id: rng.lognormvariate(0, 0.6) for p in ids.people}
        self.by_department: dict[str, list[DemoPerson]] = defaultdict(list)
        for person in ids.people:
            self.by_department[person.department].append(person)
        self.out = History()

    def run(self) -> History:
        for index, quarter in enumerate(self.quarters):
            self._quarterly(index, quarter)
        requests = [
            request
            for index, quarter in enumerate(self.quarters)
            for provider in PROFILES
            for request in self._requests(index, quarter, provider)
        ]
        self._store_requests(requests)
        return self.out

    # --- quarterly relationship surveys ---

    def _latent(self, provider: str, customer: str, person: DemoPerson, index: int) -> float:
        profile = PROFILES[provider]
        return (
            profile.level(index)
            + PAIR_OFFSETS.get((provider, customer), 0.0)
            + self.leniency[person.id]
        )

    def _quarterly(self, index: int, quarter: str) -> None:
        rng = self.rng
        campaign_id, opens, closes = self.ids.campaigns[quarter]
        for department, people in self.by_department.items():
            providers = providers_of(department)
            rate = PARTICIPATION.get(department, DEFAULT_PARTICIPATION)
            for person in people:
                if person.opted_out:
                    continue
                answered = rng.random() < rate
                invitation = {
                    "person_id": person.id,
                    "kind": "quarterly",
                    "campaign_id": campaign_id,
                    "interaction_id": None,
                    "created_at": opens,
                    "expires_at": closes,
                    "status": "expired",
                    "reminders_sent": 2,
                    "last_mailed_at": opens + timedelta(days=2 * REMINDER_EVERY_DAYS),
                }
                self.out.quarterly_invitations.append(invitation)
                if not answered:
                    continue
                day = rng.choices(range(len(ANSWER_DAY_WEIGHTS)), ANSWER_DAY_WEIGHTS)[0]
                local_day = (opens + timedelta(days=day)).astimezone(LOCAL).date()
                reminders = min(2, day // REMINDER_EVERY_DAYS)
                invitation.update(
                    status="answered",
                    reminders_sent=reminders,
                    last_mailed_at=opens + timedelta(days=reminders * REMINDER_EVERY_DAYS),
                )
                for provider in providers:
                    if rng.random() < SECTION_RATE:
                        self._quarterly_response(index, quarter, provider, person, local_day)

    def _quarterly_response(
        self, index: int, quarter: str, provider: str, person: DemoPerson, day: date
    ) -> None:
        rng = self.rng
        offsets = PROFILES[provider].dimensions
        latent = self._latent(provider, person.department, person, index)
        answers: dict[str, Any] = {}
        for dimension in QUARTERLY_DIMENSIONS:
            value = _likert(latent + offsets.get(dimension, 0.0) + rng.gauss(0, 0.6))
            answers[dimension] = None if rng.random() < 0.04 else value
        overall = _likert(
            latent + sum(offsets.values()) / len(QUARTERLY_DIMENSIONS) + rng.gauss(0, 0.5)
        )
        answers["overall"] = overall
        if rng.random() < QUARTERLY_COMMENT_RATE:
            answers["comment"] = pick_comment(rng, provider, overall, person.locale)
        self.out.responses.append(
            ResponseInput(
                kind="quarterly",
                provider_department_id=self.ids.departments[provider],
                customer_department_id=self.ids.departments[person.department],
                quarter=quarter_of(day),
                iso_week=iso_week_of(day),
                answers=answers,
                person_id=person.id,
            )
        )

    # --- handled requests ---

    def _requests(self, index: int, quarter: str, provider: str) -> list[_Request]:
        rng = self.rng
        profile = PROFILES[provider]
        # The same volume every quarter: a steady department's figures rest on about as many
        # answers each quarter, so their shrinkage toward the organisation does not drift.
        count = round(profile.volume * rng.uniform(0.9, 1.1))
        days, day_weights = days_of(quarter)
        customers = DEPENDENCIES[provider]
        services = [s for s in SERVICES if s.provider == provider]
        compliance = min(0.99, max(0.05, profile.compliance(index)))
        requests = []
        for _ in range(count):
            customer = rng.choices(list(customers), weights=list(customers.values()))[0]
            people = self.by_department[customer]
            person = rng.choices(people, weights=[self.activity[p.id] for p in people])[0]
            service = rng.choices(services, weights=[s.weight for s in services])[0]
            opened = moment_on(rng, rng.choices(days, weights=day_weights)[0])
            compliant = rng.random() < compliance
            first, resolved = self._times(opened, standard_in_force(service, index), compliant)
            if utc(resolved) >= self.cutoff:
                continue  # still open: its request queue has not reported it yet
            requests.append(
                _Request(provider, service, person, opened, first, resolved, compliant, index)
            )
        return requests

    def _times(
        self, opened: datetime, standard: StandardSpec, compliant: bool
    ) -> tuple[datetime | None, datetime]:
        """First answer and resolution against ``standard``: both in time when
        ``compliant``, else at least one late. Times move into office hours (earlier when in
        time, later when late, so that the outcome holds)."""
        rng = self.rng
        limit_first, limit_resolved = standard.first_response, standard.resolution
        if compliant:
            late_first = late_resolved = False
            first_minutes = limit_first * rng.uniform(0.08, 0.9)
            resolved_minutes = max(first_minutes, limit_resolved * rng.uniform(0.15, 0.95))
        else:
            late_first = rng.random() < 0.5
            late_resolved = not late_first or rng.random() < 0.6
            first_minutes = limit_first * (
                rng.uniform(1.1, 3.0) if late_first else rng.uniform(0.2, 0.95)
            )
            resolved_minutes = limit_resolved * (
                rng.uniform(1.05, 2.2) if late_resolved else rng.uniform(0.4, 0.98)
            )
            resolved_minutes = max(first_minutes, resolved_minutes)
        first = opened + timedelta(minutes=first_minutes)
        first = (
            later_office_time(rng, first) if late_first else earlier_office_time(rng, first, opened)
        )
        resolved = opened + timedelta(minutes=resolved_minutes)
        resolved = (
            later_office_time(rng, resolved)
            if late_resolved
            else earlier_office_time(rng, resolved, first)
        )
        resolved = max(resolved, first)
        within_first = (resolved - opened) <= timedelta(minutes=limit_first)
        if within_first and rng.random() < 0.6:
            return None, resolved  # solved at the first contact: no separate answer
        return first, resolved

    def _store_requests(self, requests: list[_Request]) -> None:
        """Number the requests per provider in the order they were opened, then decide the
        surveys in the order they were resolved (as ``tick`` would have)."""
        requests.sort(key=lambda r: (r.opened, r.provider, r.person.id))
        counters: dict[str, int] = defaultdict(int)
        for request in requests:
            counters[request.provider] += 1
            self.out.interactions.append(
                {
                    "provider_department_id": self.ids.departments[request.provider],
                    "service_id": self.ids.services[request.service.code],
                    "requester_person_id": request.person.id,
                    "source": request.service.source,
                    "external_ref": f"{request.provider}-{counters[request.provider]:05d}",
                    "opened_at": utc(request.opened),
                    "first_response_at": utc(request.first) if request.first else None,
                    "resolved_at": utc(request.resolved),
                    "created_at": utc(request.resolved) + timedelta(minutes=1),
                    "survey_decision": "skipped",
                    "skip_reason": None,
                }
            )
        order = sorted(range(len(requests)), key=lambda i: (requests[i].resolved, i))
        last_invited: dict[int, datetime] = {}
        for index in order:
            self._decide(index, requests[index], last_invited)

    def _skip_reason(self, request: _Request, last_invited: Mapping[int, datetime]) -> str | None:
        person, resolved = request.person, utc(request.resolved)
        if person.opted_out:
            return "opted_out"
        if self.rng.random() >= request.service.sampling_rate:
            return "sampled_out"
        previous = last_invited.get(person.id)
        if previous is not None and resolved - previous < timedelta(days=FATIGUE_DAYS):
            return "fatigue_window"
        quarter = quarter_of(request.resolved)
        if quarter in self.ids.campaigns:
            # Skipped while the campaign is open, answered or not (as ``fatigue`` decides).
            _id, opens, closes = self.ids.campaigns[quarter]
            if opens <= resolved < closes:
                return "open_quarterly"
        return None

    def _decide(self, index: int, request: _Request, last_invited: dict[int, datetime]) -> None:
        rng = self.rng
        row = self.out.interactions[index]
        reason = self._skip_reason(request, last_invited)
        if reason is not None:
            row["skip_reason"] = reason
            return
        row["survey_decision"] = "invited"
        invited_at = utc(request.resolved) + timedelta(minutes=rng.uniform(2, 20))
        last_invited[request.person.id] = invited_at
        invitation = {
            "person_id": request.person.id,
            "kind": "post_interaction",
            "campaign_id": None,
            "created_at": invited_at,
            "expires_at": invited_at + timedelta(days=LINK_DAYS),
            "status": "expired",
            "reminders_sent": 0,
            "last_mailed_at": invited_at,
        }
        self.out.post_invitations.append((index, invitation))
        if rng.random() >= POST_RESPONSE_RATE:
            return
        answered_at = invited_at + timedelta(hours=min(300.0, rng.expovariate(1 / 12)))
        if answered_at >= self.history_end:
            return  # answered after the history ends: left out, the link counts as unused
        invitation["status"] = "answered"
        self.out.responses.append(self._post_response(request, answered_at.astimezone(LOCAL)))

    def _post_response(self, request: _Request, answered: datetime) -> ResponseInput:
        rng = self.rng
        person, provider = request.person, request.provider
        offsets = PROFILES[provider].dimensions
        latent = self._latent(provider, person.department, person, request.quarter_index)
        latent += 0.25 if request.compliant else -1.0
        overall = _likert(latent + rng.gauss(0, 0.55))
        answers: dict[str, Any] = {
            "overall": overall,
            "effort": _likert(latent + 0.5 * offsets.get("tools", 0.0) + rng.gauss(0, 0.7)),
            "opening": _likert(latent + 0.5 * offsets.get("courtesy", 0.0) + rng.gauss(0, 0.7)),
            "closing": _likert(latent + 0.3 * offsets.get("reliability", 0.0) + rng.gauss(0, 0.7)),
        }
        if rng.random() < 0.85:  # the rest answer "I don't know"
            on_time = request.compliant != (rng.random() < 0.07)
            answers["on_time"] = int(on_time)
        rate = POST_COMMENT_RATE_UNHAPPY if overall <= 2 else POST_COMMENT_RATE
        contact = None
        if rng.random() < rate:
            answers["comment"] = pick_comment(rng, provider, overall, person.locale)
            if rng.random() < CONSENT_RATE:
                answers["contact_consent"] = 1
                contact = person.id
        day = answered.date()
        return ResponseInput(
            kind="post_interaction",
            provider_department_id=self.ids.departments[provider],
            customer_department_id=self.ids.departments[person.department],
            quarter=quarter_of(day),
            iso_week=iso_week_of(day),
            answers=answers,
            contact_person_id=contact,
            person_id=person.id,
        )


def simulate(
    rng: random.Random,
    ids: Ids,
    quarters: Sequence[str],
    history_end: datetime,
    cutoff: datetime,
) -> History:
    """The whole history; see ``Simulation``."""
    return Simulation(rng, ids, quarters, history_end, cutoff).run()
