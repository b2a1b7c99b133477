"""The demo's action plans: a few actions that departments recorded after reading their scores.

Each answers what the demo's profiles (``survey.demo.profiles``) make the department's weak
spot: IT its responsiveness and tools (before the new service desk) and its strained rating
by Engineering, HR its responsiveness as the team is stretched, Engineering its relationship
with Customer Service, Facilities its slowness. They are recorded a week after a past
quarter's campaign closed, so the department page compares the figure of that quarter
(before) with the latest released one (after), and they move through their statuses later,
as a manager would move them; one open action is past its due day (overdue). Every change
goes through the verbs of ``survey.actions.services``, so the audit log holds them too, dated
when they happened.

Nothing here draws random numbers: the actions are the same for every seed (the seed's
people and answers are not touched), and their days follow only the history's quarters and
``today``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.actions.services import ActionInput, change_status, create_action
from survey.demo.clock import LOCAL, campaign_window
from survey.models import Action, AuditEntry, Department, User


@dataclass(frozen=True)
class DemoAction:
    """One action: its department, what it answers (``dimension:<code>`` or
    ``customer:<department code>``), the history quarter it was recorded in (index, 0 =
    oldest), its later statuses with the days after recording each was reached, and its due
    day (``due_days`` after ``today`` when ``due_from_today``, else after recording); its title
    and public summary in Italian and French (``titles``, ``summaries``)."""

    department: str
    title: str
    description: str
    target: str
    owner: str
    recorded_in: int
    statuses: tuple[tuple[str, int], ...]
    due_days: int
    due_from_today: bool
    public_summary: str
    by_manager: bool = False
    # The title and the public summary in Italian and French: (locale, text) pairs.
    titles: tuple[tuple[str, str], ...] = ()
    summaries: tuple[tuple[str, str], ...] = ()


ACTIONS: tuple[DemoAction, ...] = (
    DemoAction(
        "IT",
        "Open one service desk with a self-service portal",
        "Every request reaches one desk, is logged in the portal and gets a named owner; "
        "the requester can follow it there.",
        "dimension:responsiveness",
        "Service desk lead",
        recorded_in=2,
        statuses=(("in_progress", 21), ("done", 190)),
        due_days=200,
        due_from_today=False,
        public_summary=(
            "You told us requests bounced between teams and nobody knew where they stood. "
            "One service desk now takes every request, and the portal shows who has yours."
        ),
        by_manager=True,
        titles=(
            ("it", "Un solo service desk con un portale self-service"),
            ("fr", "Un seul centre de services avec un portail en libre-service"),
        ),
        summaries=(
            (
                "it",
                (
                    "Ci avete detto che le richieste passavano da un gruppo all'altro senza"
                    " che si sapesse a che punto fossero. Ora un unico service desk "
                    "accoglie ogni richiesta e il portale mostra chi se ne occupa."
                ),
            ),
            (
                "fr",
                (
                    "Vous nous avez dit que les demandes passaient d'une équipe à l'autre "
                    "sans que personne sache où elles en étaient. Un seul centre de "
                    "services reçoit désormais chaque demande, et le portail indique qui "
                    "s'en occupe."
                ),
            ),
        ),
    ),
    DemoAction(
        "IT",
        "Short guides for the twenty most asked tasks",
        "Step-by-step pages for access, laptops and licences, linked from the portal's "
        "request forms.",
        "dimension:tools",
        "Service desk lead",
        recorded_in=5,
        statuses=(("in_progress", 30),),
        due_days=45,
        due_from_today=True,
        public_summary=(
            "You said our tools were hard to find your way in. We are writing short guides "
            "for the tasks you ask about most; the first ten are on the portal."
        ),
        by_manager=True,
        titles=(
            ("it", "Brevi guide per le venti operazioni più richieste"),
            ("fr", "Des guides courts pour les vingt tâches les plus demandées"),
        ),
        summaries=(
            (
                "it",
                (
                    "Ci avete detto che era difficile orientarsi tra i nostri strumenti. "
                    "Stiamo scrivendo brevi guide per le operazioni che chiedete più "
                    "spesso; le prime dieci sono già sul portale."
                ),
            ),
            (
                "fr",
                (
                    "Vous nous avez dit qu'il était difficile de s'y retrouver dans nos "
                    "outils. Nous écrivons de courts guides pour les tâches que vous "
                    "demandez le plus ; les dix premiers sont sur le portail."
                ),
            ),
        ),
    ),
    DemoAction(
        "IT",
        "Monthly review of open requests with Engineering",
        "One hour a month with Engineering's team leads on the requests still open and what "
        "blocks them.",
        "customer:ENG",
        "IT operations",
        recorded_in=6,
        statuses=(),
        due_days=30,
        due_from_today=True,
        public_summary="Engineering and IT now review open requests together every month.",
        by_manager=True,
        titles=(
            ("it", "Revisione mensile delle richieste aperte con Ingegneria"),
            ("fr", "Revue mensuelle des demandes ouvertes avec l'Ingénierie"),
        ),
        summaries=(
            ("it", "Ingegneria e IT ora esaminano insieme ogni mese le richieste ancora aperte."),
            (
                "fr",
                (
                    "L'Ingénierie et l'informatique passent désormais en revue ensemble, "
                    "chaque mois, les demandes encore ouvertes."
                ),
            ),
        ),
    ),
    DemoAction(
        "HR",
        "Cover for the payroll desk during absences",
        "A second person trained on payroll questions, so the desk is never left empty.",
        "dimension:responsiveness",
        "HR operations lead",
        recorded_in=5,
        statuses=(("in_progress", 14),),
        due_days=-20,  # past its due day: overdue
        due_from_today=True,
        public_summary=(
            "You told us payroll questions waited too long. A second colleague is being "
            "trained so the payroll desk stays open when someone is away."
        ),
        titles=(
            ("it", "Sostituzione allo sportello paghe durante le assenze"),
            ("fr", "Un remplaçant au guichet de la paie pendant les absences"),
        ),
        summaries=(
            (
                "it",
                (
                    "Ci avete detto che le domande sulle buste paga aspettavano troppo. "
                    "Stiamo formando una seconda persona perché lo sportello paghe resti "
                    "aperto quando qualcuno è assente."
                ),
            ),
            (
                "fr",
                (
                    "Vous nous avez dit que les questions de paie attendaient trop "
                    "longtemps. Une deuxième personne est en formation pour que le guichet "
                    "de la paie reste ouvert en cas d'absence."
                ),
            ),
        ),
    ),
    DemoAction(
        "HR",
        "Hire two HR generalists",
        "Two open positions to bring the team back to its former size.",
        "dimension:reliability",
        "Head of HR",
        recorded_in=6,
        statuses=(),
        due_days=90,
        due_from_today=True,
        public_summary="",  # internal: not shown to respondents
        titles=(
            ("it", "Assumere due generalisti delle risorse umane"),
            ("fr", "Recruter deux généralistes RH"),
        ),
    ),
    DemoAction(
        "ENG",
        "Weekly escalation review with Customer Service",
        "Engineering and Customer Service go through every open escalation together each "
        "week and agree who answers the customer.",
        "customer:CS",
        "Engineering support lead",
        recorded_in=5,
        statuses=(("in_progress", 10), ("done", 120)),
        due_days=150,
        due_from_today=False,
        public_summary=(
            "You said escalations got lost between us. Engineering and Customer Service now "
            "review every open escalation together once a week."
        ),
        titles=(
            ("it", "Revisione settimanale delle escalation con il Servizio clienti"),
            ("fr", "Revue hebdomadaire des escalades avec le Service client"),
        ),
        summaries=(
            (
                "it",
                (
                    "Ci avete detto che le escalation si perdevano tra noi. Ingegneria e "
                    "Servizio clienti ora esaminano insieme ogni escalation aperta una "
                    "volta alla settimana."
                ),
            ),
            (
                "fr",
                (
                    "Vous nous avez dit que les escalades se perdaient entre nous. "
                    "L'Ingénierie et le Service client passent désormais en revue ensemble "
                    "chaque escalade ouverte, une fois par semaine."
                ),
            ),
        ),
    ),
    DemoAction(
        "FAC",
        "Same-day triage of repair requests",
        "Each repair request is looked at on the day it arrives and given a date for the visit.",
        "dimension:responsiveness",
        "Facilities coordinator",
        recorded_in=4,
        statuses=(("in_progress", 21),),
        due_days=60,
        due_from_today=True,
        public_summary=(
            "You said repairs took too long to start. Every repair request is now looked at "
            "on the day it arrives and you are told when someone will come."
        ),
        titles=(
            ("it", "Esame in giornata delle richieste di riparazione"),
            ("fr", "Tri le jour même des demandes de réparation"),
        ),
        summaries=(
            (
                "it",
                (
                    "Ci avete detto che le riparazioni tardavano a partire. Ora ogni "
                    "richiesta viene esaminata il giorno stesso in cui arriva e vi diciamo "
                    "quando passerà qualcuno."
                ),
            ),
            (
                "fr",
                (
                    "Vous nous avez dit que les réparations tardaient à commencer. Chaque "
                    "demande est désormais examinée le jour même de son arrivée, et nous "
                    "vous disons quand quelqu'un passera."
                ),
            ),
        ),
    ),
)


def recorded_at(quarter: str) -> datetime:
    """A week after the quarter's campaign closed, at 10:00 local time (UTC)."""
    closes = campaign_window(quarter)[1].astimezone(LOCAL)
    return datetime.combine(closes.date() + timedelta(days=7), time(10), LOCAL)


def _date_last_entry(session: Session, action: Action, moment: datetime) -> None:
    """Date the audit entry the verb just wrote at ``moment`` (the verbs date it now)."""
    entry = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.target_kind == "action", AuditEntry.target_id == str(action.id))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if entry is not None:
        entry.at = moment


def add_actions(
    session: Session, quarters: list[str], today: date, manager_email: str, admin_email: str
) -> int:
    """Record ``ACTIONS`` in the history ``quarters`` (oldest first), the IT ones by the user
    ``manager_email``, the others by ``admin_email``; a status reached after ``today`` is
    left for later. Returns how many actions were recorded. Flushes, never commits."""
    users = {u.email: u for u in session.scalars(select(User))}
    departments = {d.code: d for d in session.scalars(select(Department))}
    cutoff = datetime.combine(today, time.min, LOCAL)
    for spec in ACTIONS:
        moment = recorded_at(quarters[spec.recorded_in])
        actor = users[manager_email if spec.by_manager else admin_email]
        kind, _sep, value = spec.target.partition(":")
        target = f"customer:{departments[value].id}" if kind == "customer" else spec.target
        due = (today if spec.due_from_today else moment.date()) + timedelta(days=spec.due_days)
        action = create_action(
            session,
            actor,
            departments[spec.department],
            ActionInput(
                title=spec.title,
                description=spec.description,
                target=target,
                owner_name=spec.owner,
                owner_user_id=actor.id if spec.by_manager else None,
                due_on=due,
                status="planned",
                public_summary=spec.public_summary,
                translations={"title": dict(spec.titles), "public_summary": dict(spec.summaries)},
            ),
            now=moment,
        )
        _date_last_entry(session, action, moment)
        for status, days in spec.statuses:
            when = moment + timedelta(days=days)
            if when >= cutoff:
                break
            change_status(session, actor, action, status, now=when)
            _date_last_entry(session, action, when)
    session.flush()
    return len(ACTIONS)
