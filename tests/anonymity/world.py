"""A small organisation driven as people drive it, with a ledger of who answered what.

Answers go in through the respondent link flow (an invitation issued by the real service,
then ``POST /r/<token>`` from the respondent's own client), departments are deactivated
through the administrators' pages, campaigns closed through them too. The ledger is the
test's ground truth (what the app must never store): each answer's person, provider,
customer department, metric and value on 0..100. ``audit`` turns a ``Publication`` into
interval-audit constraints over per-person unknowns and checks every group of fewer than k
people the reader might want to isolate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from survey.delivery.services.campaigns import create_campaign
from survey.models import Campaign, Department, Dependency, Interaction, Person, Service
from survey.models.base import utcnow
from survey.periods import quarter_of, shift_quarter
from survey.services.accounts import create_api_key, create_user
from survey.services.invitations import issue_invitation
from survey.services.questionnaires import install_default_questionnaires
from tests.anonymity.lp_audit import (
    Auditor,
    Constraint,
    Finding,
    Target,
    growth_link,
    linear_fact,
    mean_fact,
    unions_below_k,
)
from tests.anonymity.publication import HarnessError, Publication, Published, check, collect
from tests.conftest import PASSWORD, csrf_token, post_form
from tests.factories import best_answer, file_submissions, worst_answer

DIMENSIONS = ("reliability", "responsiveness", "competence", "courtesy", "tools")


@dataclass(frozen=True)
class Event:
    """One answer of the ledger: ``metric`` "T" (a post-interaction answer), "R" (a quarterly
    answer's mean of the dimensions it answered, ``answered`` naming them), "D.<code>" (that
    answer's rating of one dimension) or "Q" (a quiz attempt's overall score)."""

    metric: str
    provider: str
    customer: str
    person: str
    value: float  # 0..100
    answered: tuple[str, ...] = ()


@dataclass
class World:
    app: Flask
    session: Session
    admin: FlaskClient
    api_key: str
    departments: dict[str, Department] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    collections: list[tuple[int, Publication]] = field(default_factory=list)
    campaign: Campaign | None = None
    # Quarterly campaigns run for the quarter just ended (as a real one does in its first
    # weeks), so closing the campaign releases its figures; post-interaction answers land in
    # the quarter in progress, which is never published (``read(current=True)`` looks).
    quarter: str = field(default_factory=lambda: shift_quarter(quarter_of(utcnow()), -1))
    _campaign_answers: set[str] = field(default_factory=set)
    # When set, the moment requests are handled (interaction timestamps): two worlds built a
    # few seconds apart then publish the same hours of the day (``twins.py``).
    clock: datetime | None = None

    # --- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, app: Flask, session: Session, sizes: dict[str, int]) -> World:
        """Departments with ``sizes[code]`` people each, every department depending on every
        other (so a quarterly link rates all of them), one service per department, the default
        questionnaires, an administrator signed in and an API key."""
        install_default_questionnaires(session)
        _key, secret = create_api_key(session, "auditor")
        user = create_user(session, "auditor-admin@example.com", PASSWORD, "admin")
        session.commit()
        admin = app.test_client()
        signed = post_form(admin, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
        check(signed.status_code == 302)
        world = cls(app, session, admin, secret)
        for code in sizes:
            world.add_department(code, sizes[code])
        return world

    def add_department(self, code: str, size: int) -> None:
        dept = Department(code=code, name=f"Department {code}")
        self.session.add(dept)
        self.session.flush()
        self.session.add(
            Service(provider_department_id=dept.id, code=f"{code}-HELP", name=f"{code} help")
        )
        for other in self.departments.values():
            self.session.add(
                Dependency(customer_department_id=dept.id, provider_department_id=other.id)
            )
            self.session.add(
                Dependency(customer_department_id=other.id, provider_department_id=dept.id)
            )
        self.departments[code] = dept
        for i in range(size):
            key = f"{code}-{i}"
            self.people[key] = Person(
                email=f"{key.lower()}@example.com", name=f"Member {key}", department_id=dept.id
            )
            self.session.add(self.people[key])
        self.session.commit()

    def members(self, code: str) -> list[str]:
        return [key for key in self.people if key.rsplit("-", 1)[0] == code]

    def customer_of(self, person: str) -> str:
        """A person's department code ("ANON" for a quiz taker who is nobody's member)."""
        if person.startswith("anon"):
            return "ANON"
        return person.rsplit("-", 1)[0]

    # --- what people do -------------------------------------------------------------------

    def _answer(self, token: str, data: dict[str, Any]) -> None:
        self.session.commit()  # no read transaction of ours stays open across a request
        respondent = self.app.test_client()
        url = f"/r/{token}"
        response = respondent.post(url, data={"csrf_token": csrf_token(respondent, url), **data})
        check(response.status_code == 302, response.get_data(as_text=True)[:800])

    def handled_request(self, person: str, provider: str) -> str:
        """``person`` had a request handled by ``provider``, and its survey was sent: the
        link's token (nothing answered yet)."""
        self.session.commit()  # a fresh transaction: an old snapshot cannot become a writer
        now = self.clock or utcnow()
        dept = self.departments[provider]
        service = next(s for s in dept_services(self.session, dept.id))
        interaction = Interaction(
            provider_department_id=dept.id,
            service_id=service.id,
            requester_person_id=self.people[person].id,
            opened_at=now - timedelta(hours=5),
            first_response_at=now - timedelta(hours=4),
            resolved_at=now - timedelta(hours=1),
            survey_decision="invited",
        )
        self.session.add(interaction)
        self.session.flush()
        _inv, token = issue_invitation(
            self.session,
            self.people[person],
            "post_interaction",
            now + timedelta(days=14),
            interaction=interaction,
            now=now,
        )
        self.session.commit()
        return token

    def post_interaction(
        self, person: str, provider: str, overall: int, comment: str = "", consent: bool = False
    ) -> None:
        """``person`` had a request handled by ``provider`` and answers the survey link with
        ``overall`` (1..5), an optional comment and, with ``consent``, the box "they may
        contact me about my comment" ticked."""
        token = self.handled_request(person, provider)
        answers: dict[str, Any] = {"overall": str(overall)}
        if comment:
            answers["comment"] = comment
        if consent:
            answers["contact_consent"] = "y"
        self._answer(token, answers)
        value = 100.0 if overall >= 4 else 0.0
        self.events.append(Event("T", provider, self.customer_of(person), person, value))

    def quiz(self, taker: str, department: str, seed: int) -> None:
        """``taker`` (anyone: the form asks no account) takes the public quiz naming
        ``department``; answers drawn from ``seed``. The ledger records the attempt's overall
        score (0..100) as the taker's value of the department's self-view ``Q``."""
        from sqlalchemy import select

        from survey.models import QuizAttempt
        from survey.quiz.items import install_quiz
        from survey.quiz.services import item_keys, live_items

        self.session.commit()
        keys = item_keys(live_items(install_quiz(self.session)))
        self.session.commit()
        answers = {
            k.code: (best_answer(k) if (seed >> i) & 1 else worst_answer(k))
            for i, k in enumerate(keys)
        }
        client = self.app.test_client()
        data = {"csrf_token": csrf_token(client, "/quiz"), "department": department}
        data.update({code: str(value) for code, value in answers.items()})
        response = client.post("/quiz", data=data)
        check(response.status_code == 302, response.get_data(as_text=True)[:800])
        overall = self.session.scalar(
            select(QuizAttempt.overall).order_by(QuizAttempt.id.desc()).limit(1)
        )
        self.session.commit()
        self.events.append(Event("Q", department, department, taker, float(overall or 0.0)))

    def open_campaign(
        self,
        quarter: str | None = None,
        k: int = 5,
        audience: Iterable[str] | None = None,
        name: str = "Quarterly",
    ) -> Campaign:
        """A campaign of ``quarter`` (default: the world's) promising ``k``, for the
        departments of ``audience`` (codes; default: everyone), opened now and the world's
        campaign from then on."""
        now = utcnow()
        campaign = create_campaign(
            self.session,
            name=name,
            quarter=quarter or self.quarter,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=21),
            min_group_size=k,
            department_ids=None
            if audience is None
            else [self.departments[code].id for code in audience],
        )
        campaign.status = "open"
        self.session.commit()
        self.campaign = campaign
        self._campaign_answers = set()
        return campaign

    def quarterly(self, person: str, ratings: Mapping[str, int | Mapping[str, int]]) -> None:
        """``person`` answers the open campaign's link: ``ratings[provider]`` (1..5, every
        dimension alike, or a rating per dimension code, a dimension left out left blank) for
        the providers named, "did not deal with them" for the others. Sections come in the
        order the page shows them (providers by name)."""
        self.session.commit()
        campaign = self.campaign or self.open_campaign()
        now = utcnow()
        _inv, token = issue_invitation(
            self.session,
            self.people[person],
            "quarterly",
            now + timedelta(days=14),
            campaign=campaign,
            now=now,
        )
        self.session.commit()
        providers = self._sections(token)
        for index, code in enumerate(providers):
            action = "submit" if index == len(providers) - 1 else "save"
            data: dict[str, Any] = {"section": str(index), "action": action}
            if code in ratings:
                data.update({d: str(x) for d, x in _per_dimension(ratings[code]).items()})
                data["overall"] = "3"
            else:
                data["not_applicable"] = "y"
            respondent = self.app.test_client()
            url = f"/r/{token}"
            response = respondent.post(
                url, data={"csrf_token": csrf_token(respondent, url), **data}
            )
            check(response.status_code in (200, 302), response.get_data(as_text=True)[:800])
            if action == "submit":
                check(response.status_code == 302, response.get_data(as_text=True)[:800])
        self._campaign_answers.add(person)
        customer = self.customer_of(person)
        for code, rating in ratings.items():
            answered = _per_dimension(rating)
            value = sum(25.0 * (x - 1) for x in answered.values()) / len(answered)
            self.events.append(Event("R", code, customer, person, value, tuple(answered)))
            for dimension, x in answered.items():
                self.events.append(Event(f"D.{dimension}", code, customer, person, 25.0 * (x - 1)))

    def campaign_possible(self) -> bool:
        """Whether people can still answer a quarterly survey of the world's quarter: its
        campaign is open, or one may be created (a released quarter gets none,
        ``campaigns.quarter_released``)."""
        from survey.delivery.services.campaigns import quarter_released

        self.session.commit()
        possible = self.campaign is not None or not quarter_released(self.session, self.quarter)
        self.session.commit()
        return possible

    def answered_quarterly(self, person: str) -> bool:
        """Whether ``person`` already answered the open campaign (one link each)."""
        return person in self._campaign_answers

    def _sections(self, token: str) -> list[str]:
        from survey.respond.services.answering import quarterly_providers
        from survey.services.invitations import look_up_link

        lookup = look_up_link(self.session, token)
        check(lookup.link is not None)
        from survey.models import Invitation

        invitation = self.session.get(Invitation, lookup.link.invitation_id)
        codes = [d.code for d in quarterly_providers(self.session, invitation)]
        self.session.commit()  # end the read: a kept snapshot could not write later
        return codes

    def deactivate(self, code: str) -> None:
        self.session.commit()
        url = f"/admin/departments/{self.departments[code].id}/deactivate"
        check(post_form(self.admin, url, {"confirm": "1"}).status_code == 302)

    def rename(self, code: str, name: str) -> None:
        url = f"/admin/departments/{self.departments[code].id}"
        response = post_form(self.admin, url, {"code": code, "name": name, "parent": ""})
        check(response.status_code == 302, response.get_data(as_text=True)[:800])
        self.session.commit()
        self.session.refresh(self.departments[code])
        check(self.departments[code].name == name)
        self.session.commit()

    def close_campaign(self) -> None:
        if self.campaign is None:
            return
        url = f"/admin/campaigns/{self.campaign.id}/close"
        check(post_form(self.admin, url, {"confirm": "1"}).status_code == 302)
        self.campaign = None

    # --- reading and auditing -------------------------------------------------------------

    def end_quarter(self, requests: bool = False) -> None:
        """Time passes: the post-interaction answers of the quarter in progress become
        answers of the campaign's quarter (just ended), which is released once no campaign of
        it is open; with ``requests``, the requests they followed move 100 days back too (into
        that quarter, for the compliance section). Only for worlds whose campaign quarter has
        no answers yet. The answers queued by the links are filed first, as the next reader
        would have filed them while their quarter was in progress."""
        file_submissions(self.app)
        self.session.commit()
        current = quarter_of(utcnow())
        taken = self.session.execute(
            text("SELECT count(*) FROM score_cells WHERE quarter = :q"), {"q": self.quarter}
        ).scalar()
        assert taken == 0, "end_quarter needs an empty campaign quarter"
        for table in ("responses", "score_cells", "respondent_marks"):
            self.session.execute(
                text(f"UPDATE {table} SET quarter = :q WHERE quarter = :c"),
                {"q": self.quarter, "c": current},
            )
        if requests:
            self.session.execute(
                text(
                    "UPDATE interactions SET opened_at = opened_at - :d,"
                    " resolved_at = resolved_at - :d, first_response_at = first_response_at - :d"
                ).bindparams(d=timedelta(days=100))
                if self.session.get_bind().dialect.name == "postgresql"
                else text(
                    "UPDATE interactions SET opened_at = datetime(opened_at, '-100 days'),"
                    " resolved_at = datetime(resolved_at, '-100 days'),"
                    " first_response_at = datetime(first_response_at, '-100 days')"
                )
            )
        self.session.commit()

    def api_scorecard(self, code: str, quarter: str) -> dict[str, Any]:
        """The API's scorecard of department ``code`` for ``quarter``, read with the world's
        key."""
        response = self.admin.get(
            f"/api/v1/departments/{code}/scorecard?quarter={quarter}",
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        check(response.status_code == 200, response.status_code)
        return response.get_json()

    def read(self, current: bool = False) -> Publication:
        """Everything published for the campaign's quarter now (``current``: for the quarter
        in progress, where post-interaction answers land); remembered for the audit."""
        self.session.commit()
        quarter = quarter_of(utcnow()) if current else self.quarter
        publication = collect(self.admin, self.api_key, list(self.departments), quarter)
        self.collections.append((len(self.events), publication))
        return publication

    def audit(self, k: int = 5) -> list[Finding]:
        """The interval audit over every collection read so far. A figure one channel (page,
        PDF, CSV, API, a chart's text) showed and another hid fails it first: that reader
        would take the telling channel."""
        gaps = [gap for _at, publication in self.collections for gap in publication.gaps]
        assert not gaps, "channels disagree: " + "; ".join(gaps)
        auditor = Auditor()
        for at, publication in self.collections:
            for fact in publication.facts:
                auditor.add(self._constraint(fact, at))
        versions: dict[tuple[str, str, str], int] = defaultdict(int)
        for e in self.events:
            versions[(e.metric, e.provider, e.person)] += 1
        for (metric, provider, person), count in versions.items():
            for r in range(1, count):
                auditor.add(
                    growth_link(
                        (metric, provider, person, r), (metric, provider, person, r + 1), r, r + 1
                    )
                )
        auditor.extend(self._dimension_links())
        return auditor.audit(self.targets(k), k)

    def _dimension_links(self) -> list[Constraint]:
        """What the reader knows of how R is made: each quarterly answer's R is the mean of
        the dimensions it answered (a blank left out), and a person's R is the mean of their
        answers' R. In the unknowns (each a mean over a person's first r answers), the
        person's c-th answer adds ``c·R_c − (c − 1)·R_(c−1)`` to R and ``i·D_i − (i − 1)·D_(i−1)``
        to each dimension it answered (its i-th answer to that dimension), and the first is
        the mean of the second over the dimensions answered."""
        out = []
        counts: dict[tuple[str, str, str], int] = defaultdict(int)

        def step(metric: str, provider: str, person: str, weight: float, coefs: dict) -> None:
            n = counts[(metric, provider, person)] = counts[(metric, provider, person)] + 1
            key = (metric, provider, person)
            coefs[(*key, n)] = coefs.get((*key, n), 0.0) + weight * n
            if n > 1:
                coefs[(*key, n - 1)] = coefs.get((*key, n - 1), 0.0) - weight * (n - 1)

        for e in self.events:
            if e.metric != "R" or not e.answered:
                continue
            coefs: dict[Hashable, float] = {}
            step("R", e.provider, e.person, 1.0, coefs)
            for dimension in e.answered:
                step(f"D.{dimension}", e.provider, e.person, -1.0 / len(e.answered), coefs)
            out.append(linear_fact(coefs, label=f"R of {e.person} about {e.provider}"))
        return out

    def _state(self, at: int) -> dict[tuple[str, str, str], int]:
        """(metric, provider, person) -> answers counted after the first ``at`` events."""
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        for e in self.events[:at]:
            counts[(e.metric, e.provider, e.person)] += 1
        return counts

    def _members(self, fact: Published, at: int) -> dict[Hashable, float]:
        """The unknowns a figure rests on and their weights, at the latest moment up to
        ``at`` whose counts match the n shown (a release shows an earlier moment); weights per
        answer when n counts answers, one per person when it counts people."""
        for moment in range(at, -1, -1):
            state = self._state(moment)
            providers = fact.providers or {fact.provider}
            group = {
                (provider, person): count
                for (metric, provider, person), count in state.items()
                if metric == fact.metric
                and provider in providers
                and (fact.customers is None or self.customer_of(person) in fact.customers)
            }
            if not group:
                continue
            answers, people = sum(group.values()), len(group)
            key = lambda pp, c: (fact.metric, *pp, c)  # noqa: E731
            if fact.n is None or fact.n == answers:
                return {key(pp, c): float(c) for pp, c in group.items()}
            if fact.n == people:
                return {key(pp, c): 1.0 for pp, c in group.items()}
            if fact.n is None:
                break
        raise HarnessError(f"cannot tell which answers {fact} rests on")

    def _constraint(self, fact: Published, at: int) -> Any:
        return mean_fact(
            self._members(fact, at),
            fact.value,
            fact.tolerance,
            f"{fact.source}: {sorted(fact.providers or [fact.provider])}"
            f" {sorted(fact.customers or ['all'])} {fact.metric}",
        )

    def targets(self, k: int = 5) -> list[Target]:
        """Groups of fewer than k people a reader would want, each at every collection: every
        union of a provider's customer cells, and the people who answered between two
        collections (overall and per cell), on each metric (T, R, each dimension "D.<code>"
        over the group's people who answered it, Q); every person alone on each metric; and
        the people who left a dimension blank about a provider (each dimension's, and all of
        them together), on R and on each dimension."""
        out: list[Target] = []
        moments = sorted({at for at, _p in self.collections})
        previous: dict[tuple[str, str, str], set[str]] = {}
        for at in moments:
            state = self._state(at)
            rows: dict[tuple[str, str], dict[str, list[Hashable]]] = defaultdict(
                lambda: defaultdict(list)
            )
            people: dict[tuple[str, str, str], set[str]] = defaultdict(set)
            for (metric, provider, person), count in state.items():
                customer = self.customer_of(person)
                rows[(metric, provider)][customer].append((metric, provider, person, count))
                people[(metric, provider, customer)].add(person)
                people[(metric, provider, "*")].add(person)
            for (metric, provider), cells in rows.items():
                out.extend(unions_below_k(cells, k, f"{metric} {provider}"))
            for group, now in people.items():
                new = now - previous.get(group, set())
                if 0 < len(new) < k and previous.get(group):
                    metric, provider, customer = group
                    members = frozenset(
                        (metric, provider, p, state[(metric, provider, p)]) for p in new
                    )
                    out.append(Target(members, len(new), f"{metric} {provider} {customer} new"))
            previous = {g: set(v) for g, v in people.items()}
            for (metric, provider, person), count in state.items():
                key = (metric, provider, person, count)
                out.append(Target(frozenset([key]), 1, f"{metric} {provider} {person}"))
            out.extend(_blank_targets(state, k))
        return out

    def truth(self, metric: str, provider: str, persons: Iterable[str]) -> float:
        """The true mean of ``persons`` (each person's own mean first)."""
        values: dict[str, list[float]] = defaultdict(list)
        wanted = set(persons)
        for e in self.events:
            if e.metric == metric and e.provider == provider and e.person in wanted:
                values[e.person].append(e.value)
        means = [sum(v) / len(v) for v in values.values()]
        return sum(means) / len(means)


def _blank_targets(state: Mapping[tuple[str, str, str], int], k: int) -> list[Target]:
    """The people who left a dimension blank about a provider (``state``: answers counted
    per (metric, provider, person)), for each dimension and all of them together, when
    fewer than k: their mean on R and on each dimension, over those of them who answered
    it. The count of a dimension beside R's tells how many they are."""
    rated: dict[str, set[str]] = defaultdict(set)
    for metric, provider, person in state:
        if metric == "R":
            rated[provider].add(person)
    out = []
    for provider, people in rated.items():
        groups = {
            d: {p for p in people if not state.get((f"D.{d}", provider, p))} for d in DIMENSIONS
        }
        groups["any dimension"] = set().union(*groups.values())
        for blank, group in groups.items():
            if not 0 < len(group) < k:
                continue
            for metric in ("R", *(f"D.{d}" for d in DIMENSIONS)):
                members = frozenset(
                    (metric, provider, p, state[(metric, provider, p)])
                    for p in group
                    if state.get((metric, provider, p))
                )
                if members:
                    label = f"{metric} {provider}: those who left {blank} blank"
                    out.append(Target(members, len(members), label))
    return out


def one_department_rates(
    app: Flask, session: Session, ratings: Sequence[Mapping[str, int]]
) -> dict[str, Any]:
    """IT rated by ENG's people (``ratings``: one per person, a rating per dimension code, a
    code left out left blank) in the campaign of the quarter just ended, closed: the API's
    scorecard of IT for that quarter (its R resting on every one of them, else the world is
    not what the caller expects)."""
    w = World.build(app, session, {"IT": 1, "ENG": len(ratings)})
    w.open_campaign(audience=["ENG"])
    for i, answers in enumerate(ratings):
        w.quarterly(f"ENG-{i}", {"IT": answers})
    w.close_campaign()
    card = w.api_scorecard("IT", w.quarter)
    check(card["components"]["R"]["n"] == len(ratings), "no control: the quarter is not released")
    return card


def _per_dimension(rating: int | Mapping[str, int]) -> dict[str, int]:
    """A rating per dimension code: ``rating`` for each, or the ratings given (at least one)."""
    if isinstance(rating, int):
        return {d: rating for d in DIMENSIONS}
    assert rating and set(rating) <= set(DIMENSIONS), rating
    return dict(rating)


def dept_services(session: Session, department_id: int) -> Sequence[Service]:
    from sqlalchemy import select

    return session.scalars(
        select(Service).where(Service.provider_department_id == department_id)
    ).all()
