"""The self-assessment quiz: attempts under a private link, retakes, the member pseudonym a
department's self-view counts by (the scorecards read and gate the self-view:
``scorecard_data.member_self_view``, ``analysis.scorecard.perception``) and invitations to
departments via the outbox. The item analysis for admins rests on the same members
(``survey.quiz.item_analysis``).

No account and no name. Anyone may take the quiz and gets a result and tips; only a *member*
counts toward a department's self-view: someone who came through a personal quiz invitation
(``/quiz/i/<token>``) or a signed-in user of the department. A member's attempt carries a keyed
pseudonym (``member_key`` = HMAC(pseudonym key, who, quarter): ``SURVEY_PSEUDONYM_KEY``, else the
secret key); the newest attempt of the quarter
takes it over from the older one, so one member counts once per quarter. Self-views cover one
calendar quarter (fixed, non-overlapping periods) and are published only once the quarter has
ended, from at least k members.

A first attempt creates a *series*: a 128-bit random key that only the taker holds (in the
private result URL ``/quiz/r/<key>``); the database keeps its SHA-256
(``QuizAttempt.series_hash``), never the key. A retake through the same link adds an attempt to
the series, so progress can be shown without knowing who the taker is. A department is optional
and only ever feeds figures resting on at least k distinct series.

Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.locales import DEFAULT_LOCALE, LOCALES
from survey.mail.bodies import render_bodies
from survey.models import (
    Department,
    Invitation,
    OutboxMessage,
    Person,
    Question,
    Questionnaire,
    QuizAttempt,
    User,
)
from survey.models.base import utcnow
from survey.periods import quarter_bounds, quarter_of
from survey.quiz.items import FREQUENCY_LABELS, install_quiz
from survey.quiz.scoring import (
    FREQUENCY,
    SCENARIO,
    ItemKey,
    ScoringError,
    score_attempt,
)
from survey.security import token_hash
from survey.services.erasure import erased_since
from survey.services.fatigue import FatiguePolicy, budget_left
from survey.services.invitations import issue_invitation, link_url
from survey.services.outbox import enqueue_message, recipient

__all__ = [
    "AttemptSummary",
    "InvitationReport",
    "Member",
    "QuizSeries",
    "ScoringError",
    "active_quiz",
    "ensure_quiz",
    "item_keys",
    "live_items",
    "member_key",
    "quiz_invitation_member",
    "send_quiz_invitations",
    "series_by_key",
    "start_attempt",
    "submit_attempt",
]

ITEM_TYPES = (FREQUENCY, SCENARIO)
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
INVITATION_DAYS = 30  # the opt-out link of a quiz invitation answers for this long at least
REINVITE_DAYS = 30  # a person gets at most one quiz invitation in this many days


# --- The questionnaire ------------------------------------------------------------------------


def active_quiz(session: Session) -> Questionnaire | None:
    """The newest active questionnaire of kind ``quiz`` that has items."""
    has_items = exists().where(
        Question.questionnaire_id == Questionnaire.id, Question.qtype.in_(ITEM_TYPES)
    )
    return session.scalar(
        select(Questionnaire)
        .where(Questionnaire.kind == "quiz", Questionnaire.active.is_(True), has_items)
        .order_by(Questionnaire.id.desc())
        .limit(1)
    )


def ensure_quiz(session: Session) -> Questionnaire:
    """The active quiz, installing the item bank first if there is none (the first visitor of
    a fresh database). Two requests racing to install it end with one questionnaire."""
    quiz = active_quiz(session)
    if quiz is not None:
        return quiz
    try:
        with session.begin_nested():
            install_quiz(session)
    except IntegrityError:
        pass  # another request installed it first
    quiz = active_quiz(session)
    assert quiz is not None
    return quiz


def live_items(questionnaire: Questionnaire) -> list[Question]:
    """The items shown and scored, in form order."""
    return [q for q in questionnaire.questions if q.retired_at is None and q.qtype in ITEM_TYPES]


def item_keys(items: Iterable[Question]) -> list[ItemKey]:
    return [
        ItemKey.from_options(q.code, q.dimension or "", q.qtype, q.options or {}) for q in items
    ]


def item_options(question: Question, locale: str) -> list[str]:
    """The option texts of an item in ``locale`` (English where missing): a scenario's choices,
    a statement's five scale labels."""
    field = "labels" if question.qtype == FREQUENCY else "options"
    for loc in (locale, "en"):
        values = (question.texts.get(loc) or {}).get(field)
        if values:
            return [str(v) for v in values]
    if question.qtype == FREQUENCY:
        return list(FREQUENCY_LABELS.get(locale, FREQUENCY_LABELS["en"]))
    return [str(i + 1) for i in range(len((question.options or {}).get("ratings") or ()))]


# --- Attempts and series ------------------------------------------------------------------------


def new_series_key() -> str:
    """A URL-safe key carrying 128 random bits."""
    return secrets.token_urlsafe(16)


def series_hash(key: str) -> str:
    return token_hash(key)


def valid_key(key: str) -> bool:
    return bool(_KEY.match(key or ""))


def _department_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    department = session.scalar(
        select(Department).where(Department.code == code, Department.active.is_(True))
    )
    if department is None:
        raise ValueError(f"unknown department {code!r}")
    return department.id


@dataclass(frozen=True)
class Member:
    """A taker known to belong to a department: ``subject`` names them for the pseudonym only
    (``person:<id>`` from a quiz invitation or an account with a person's address,
    ``user:<id>`` for any other signed-in account, ``account_member``); it is never stored.
    ``aliases``: the other subjects the same human may have taken the quiz under this quarter
    (the ``user:<id>`` of an account with the person's address: it may have taken the quiz
    before the person was in the directory); their attempts are taken over like older ones."""

    subject: str
    department_id: int
    aliases: tuple[str, ...] = ()


def member_key(secret: str | bytes, subject: str, quarter: str) -> str:
    """HMAC-SHA-256 (hex) of ``subject`` and ``quarter`` under ``secret``: the same member in
    the same quarter always gives the same value; without the secret it names no one."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"quiz-member|{subject}|{quarter}".encode(), hashlib.sha256).hexdigest()


def _member_secrets() -> tuple[str, ...]:
    """The keys of member keys, the one new keys are made with first: ``SURVEY_PSEUDONYM_KEY``
    when set, so that rotating the secret key mid-quarter does not make a member who takes the
    quiz again a second member (as the respondents' pseudonyms, ``survey.pseudonyms``), and
    otherwise the secret key. With a pseudonym key set, the secret key follows: the key of
    attempts made before member keys followed the pseudonym key, which a newer attempt of the
    quarter takes over like any other."""
    config = current_app.config
    secret = str(config["SECRET_KEY"])
    explicit = config.get("PSEUDONYM_KEY")
    return (str(explicit), secret) if explicit else (secret,)


def quiz_invitation_member(session: Session, token: str) -> Member | None:
    """The member behind an open personal quiz invitation link, or None (unknown, expired,
    cancelled, not a quiz invitation, or a person without an active department). The link
    stays usable until it expires, so a retake through it replaces the earlier attempt."""
    from survey.services.invitations import LinkState, look_up_link

    found = look_up_link(session, token)
    if found.state is not LinkState.OPEN or found.link is None or found.link.kind != "quiz":
        return None
    department_id = found.link.customer_department_id
    department = session.get(Department, department_id) if department_id is not None else None
    if department is None or not department.active:
        return None
    person = session.get(Person, found.link.person_id)
    accounts = _accounts_of(session, person.email) if person is not None else ()
    return Member(f"person:{found.link.person_id}", department.id, accounts)


def _accounts_of(session: Session, address: str) -> tuple[str, ...]:
    """The ``user:<id>`` subjects of the accounts with ``address`` (lower case)."""
    ids = session.scalars(select(User.id).where(User.email == address.strip().lower()))
    return tuple(f"user:{i}" for i in ids)


def account_member(
    session: Session,
    user_id: int,
    email: str,
    department_id: int | None,
    today: date | None = None,
) -> Member | None:
    """A signed-in account as a member of its (active) department ``department_id``, or
    None. When the directory holds a person with the account's address, the member is that
    person (``person:<id>``), as through their quiz invitation: one human taking the quiz
    through both doors is one member, and their newest attempt stands for both (counted
    twice, they would fill the k gate with themselves, attack 32), and an attempt the account
    made before the person was imported is taken over too. An account of no person is
    ``user:<id>``. None too for an address erased since the quarter (of ``today``, UTC)
    began and back since: a new id, they would be a second member (``erasure.erased_since``)."""
    department = session.get(Department, department_id) if department_id is not None else None
    if department is None or not department.active:
        return None
    address = email.strip().lower()
    began = quarter_bounds(quarter_of(today or datetime.now(UTC).date()))[0]
    if erased_since(session, [address], began):
        return None
    person_id = session.scalar(select(Person.id).where(Person.email == address))
    if person_id is None:
        return Member(f"user:{user_id}", department.id)
    return Member(f"person:{person_id}", department.id, (f"user:{user_id}",))


def _record(
    session: Session,
    questionnaire: Questionnaire,
    hashed: str,
    answers: Mapping[str, Any],
    *,
    sequence: int,
    department_code: str | None,
    locale: str,
    today: date | None,
    member: Member | None = None,
) -> QuizAttempt:
    keys = item_keys(live_items(questionnaire))
    result = score_attempt(keys, answers)
    day = today or datetime.now(UTC).date()
    quarter = quarter_of(day)
    department_id = _department_id(session, department_code)
    pseudonym = None
    if member is not None:
        # A member's attempt is about their own department, whatever the form said.
        department_id = member.department_id
        secrets = _member_secrets()
        pseudonym = member_key(secrets[0], member.subject, quarter)
        held = [
            member_key(secret, subject, quarter)
            for subject in (member.subject, *member.aliases)
            for secret in secrets
        ]
        for older in session.scalars(select(QuizAttempt).where(QuizAttempt.member_key.in_(held))):
            older.member_key = None  # the newest attempt of the quarter is the one that counts
        session.flush()
    attempt = QuizAttempt(
        series_hash=hashed,
        questionnaire_id=questionnaire.id,
        member_key=pseudonym,
        department_id=department_id,
        locale=locale,
        scoring_version=result.version,
        taken_on=day,
        quarter=quarter,
        answers={k.code: int(answers[k.code]) for k in keys},
        scores={**result.as_json(), "sequence": sequence},
        overall=result.overall,
    )
    session.add(attempt)
    session.flush()
    return attempt


def start_attempt(
    session: Session,
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    department_code: str | None = None,
    locale: str = "en",
    today: date | None = None,
    member: Member | None = None,
) -> tuple[str, QuizAttempt]:
    """Score and store a first attempt under a new private series; returns the series key
    (shown to the taker once, in the result URL; never stored).

    ``answers``: item code -> 1..5 for a statement, option index for a scenario. Raises
    ``ScoringError`` when an item is unanswered or invalid, ``ValueError`` for an unknown
    department code.
    """
    key = new_series_key()
    attempt = _record(
        session,
        questionnaire,
        series_hash(key),
        answers,
        sequence=1,
        department_code=department_code,
        locale=locale,
        today=today,
        member=member,
    )
    return key, attempt


def submit_attempt(
    session: Session,
    questionnaire: Questionnaire,
    key: str,
    answers: Mapping[str, Any],
    *,
    department_code: str | None = None,
    locale: str = "en",
    today: date | None = None,
    member: Member | None = None,
) -> QuizAttempt | None:
    """A retake: add an attempt to the series of ``key``. None when no series has that key
    (nothing is stored). Errors as ``start_attempt``."""
    if not valid_key(key):
        return None
    hashed = series_hash(key)
    earlier = list(session.scalars(select(QuizAttempt).where(QuizAttempt.series_hash == hashed)))
    if not earlier:
        return None
    sequence = max(_sequence(a) for a in earlier) + 1
    return _record(
        session,
        questionnaire,
        hashed,
        answers,
        sequence=sequence,
        department_code=department_code,
        locale=locale,
        today=today,
        member=member,
    )


def _sequence(attempt: QuizAttempt) -> int:
    value = (attempt.scores or {}).get("sequence")
    return int(value) if isinstance(value, int) else 0


def _order(attempt: QuizAttempt) -> tuple[date, int, str]:
    return (attempt.taken_on, _sequence(attempt), attempt.id)


@dataclass(frozen=True)
class AttemptSummary:
    """One attempt as the result page shows it (scores as stored, with their version)."""

    sequence: int
    taken_on: date
    quarter: str
    scoring_version: str
    department_id: int | None
    locale: str
    iq: int | None
    band: str | None
    overall: float
    practices: Mapping[str, float]
    strengths: tuple[str, ...]
    weakest: tuple[str, ...]

    @classmethod
    def of(cls, attempt: QuizAttempt) -> AttemptSummary:
        scores = attempt.scores or {}
        practices = scores.get("practices") or {}
        iq = scores.get("iq")
        return cls(
            sequence=_sequence(attempt),
            taken_on=attempt.taken_on,
            quarter=attempt.quarter,
            scoring_version=attempt.scoring_version,
            department_id=attempt.department_id,
            locale=attempt.locale,
            iq=int(iq) if isinstance(iq, int | float) else None,
            band=scores.get("band"),
            overall=float(attempt.overall),
            practices={str(p): float(v) for p, v in practices.items()},
            strengths=tuple(scores.get("strengths") or ()),
            weakest=tuple(scores.get("weakest") or ()),
        )


@dataclass(frozen=True)
class QuizSeries:
    """Every attempt of one private link, oldest first."""

    attempts: tuple[AttemptSummary, ...]

    @property
    def latest(self) -> AttemptSummary:
        return self.attempts[-1]

    @property
    def previous(self) -> AttemptSummary | None:
        return self.attempts[-2] if len(self.attempts) > 1 else None

    @property
    def first(self) -> AttemptSummary:
        return self.attempts[0]

    def change(self, practice: str, since: AttemptSummary | None = None) -> float | None:
        """Latest minus ``since`` (default: the previous attempt) on 0..100, or None."""
        base = since or self.previous
        if base is None or practice not in base.practices:
            return None
        if practice not in self.latest.practices:
            return None
        return self.latest.practices[practice] - base.practices[practice]

    @property
    def same_version(self) -> bool:
        return len({a.scoring_version for a in self.attempts}) == 1


def series_by_key(session: Session, key: str) -> QuizSeries | None:
    """The attempts behind a private key, or None for an unknown (or malformed) key."""
    if not valid_key(key):
        return None
    rows = list(
        session.scalars(select(QuizAttempt).where(QuizAttempt.series_hash == series_hash(key)))
    )
    if not rows:
        return None
    return QuizSeries(tuple(AttemptSummary.of(a) for a in sorted(rows, key=_order)))


# --- Administration ---------------------------------------------------------------------------


def attempts_by_version(
    session: Session, k: int, current: str, today: date | None = None
) -> list[tuple[str, int]]:
    """How many attempts were scored with each scoring version, by version, counting the
    ended quarters (by ``today``, UTC, default now) with at least ``k`` attempts only: the
    counts never move live, and a quarter in which fewer took the quiz adds nothing, so
    reading them before and after a known colleague takes the quiz tells nothing. The
    ``current`` version is always listed, with 0 when nothing of it is counted yet."""
    ended = QuizAttempt.quarter < quarter_of(today or datetime.now(UTC).date())
    counted = (
        select(QuizAttempt.quarter)
        .where(ended)
        .group_by(QuizAttempt.quarter)
        .having(func.count() >= max(k, 1))
    )
    counts = {
        str(version): int(count)
        for version, count in session.execute(
            select(QuizAttempt.scoring_version, func.count())
            .where(QuizAttempt.quarter.in_(counted))
            .group_by(QuizAttempt.scoring_version)
        )
    }
    counts.setdefault(current, 0)
    return sorted(counts.items())


def update_item_texts(
    session: Session, question: Question, texts: Mapping[str, Mapping[str, Any]]
) -> None:
    """Replace an item's wording (prompt, help, scenario options) in any locale. The scoring
    key on ``options`` is never touched; a scenario keeps its number of choices."""
    if question.qtype not in ITEM_TYPES:
        raise ValueError("not a quiz item")
    count = len((question.options or {}).get("ratings") or ())
    merged = {loc: dict(value) for loc, value in (question.texts or {}).items()}
    for loc, fields in texts.items():
        entry = merged.setdefault(loc, {})
        for name, value in fields.items():
            if name == "options":
                if question.qtype != SCENARIO or len(value) != count:
                    raise ValueError("a scenario keeps its number of choices")
                entry["options"] = [str(v) for v in value]
            elif name in ("prompt", "help"):
                entry[name] = str(value or "")
    question.texts = merged
    session.flush()


# --- Invitations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationReport:
    invited: int
    opted_out: int
    recently_invited: int
    over_budget: int = 0  # survey budget for the period spent (services/fatigue.py)
    erased_this_quarter: int = 0  # erased this quarter, imported again (erasure.erased_since)


def _queue_quiz_email(
    session: Session,
    invitation: Invitation,
    person: Person,
    token: str,
    base_url: str,
    mail_domain: str,
    k: int,
) -> OutboxMessage:
    locale = person.locale if person.locale in LOCALES else DEFAULT_LOCALE
    context = {
        "person": person,
        "quiz_link": f"{base_url.rstrip('/')}/quiz/i/{token}?lang={locale}",
        "stop_link": link_url(base_url, token) + "/stop",
        "k": k,
    }
    with force_locale(locale):
        subject = _("What is your internal service IQ? A short self-assessment")
        text, html = render_bodies("quiz_invitation", **context)
    return enqueue_message(
        session,
        to_addr=recipient(person.name, person.email),
        subject=subject,
        body_text=text,
        body_html=html,
        purpose="invitation:quiz",
        domain=mail_domain,
        invitation_id=invitation.id,
    )


def send_quiz_invitations(
    session: Session,
    department_ids: Iterable[int],
    base_url: str,
    mail_domain: str,
    k: int,
    now: datetime | None = None,
    policy: FatiguePolicy | None = None,
) -> InvitationReport:
    """Invite the active people of the departments to the quiz: one invitation row (for the
    opt-out link and the delivery status) and one queued email each, in the caller's
    transaction. Skips people who opted out of survey emails and people invited to the quiz
    in the last ``REINVITE_DAYS`` days (a second click sends nothing twice). The quiz link in
    the email is the personal ``/quiz/i/<token>``: an attempt made through it counts toward the
    department's self-view under a keyed pseudonym, never under the person or the invitation.
    People whose survey budget is spent (``fatigue.budget_left``; ``policy`` defaults to the
    app settings) are left out too, and so are people erased this quarter and imported again
    (``erasure.erased_since``: their attempt would make a second member). Needs an app
    context (templates)."""
    now = now or utcnow()
    ids = sorted(set(department_ids))
    if not ids:
        return InvitationReport(0, 0, 0)
    people = session.scalars(
        select(Person)
        .where(Person.department_id.in_(ids), Person.active.is_(True))
        .order_by(Person.id)
    ).all()
    recent = set(
        session.scalars(
            select(Invitation.person_id)
            .join(Person, Person.id == Invitation.person_id)
            .where(
                Person.department_id.in_(ids),
                Invitation.kind == "quiz",
                Invitation.created_at > now - timedelta(days=REINVITE_DAYS),
            )
        )
    )
    policy = policy or FatiguePolicy.from_config(current_app.config)
    left = budget_left(session, [p.id for p in people], policy, now)
    erased = erased_since(session, [p.email for p in people], quarter_bounds(quarter_of(now))[0])
    invited = opted_out = again = spent = returned = 0
    for person in people:
        if person.opted_out:
            opted_out += 1
            continue
        if person.email in erased:
            returned += 1
            continue
        if person.id in recent:
            again += 1
            continue
        if left[person.id] < 1:
            spent += 1
            continue
        invitation, token = issue_invitation(
            session, person, "quiz", now + timedelta(days=INVITATION_DAYS), now=now
        )
        _queue_quiz_email(session, invitation, person, token, base_url, mail_domain, k)
        invited += 1
    session.flush()
    return InvitationReport(
        invited=invited,
        opted_out=opted_out,
        recently_invited=again,
        over_budget=spent,
        erased_this_quarter=returned,
    )
