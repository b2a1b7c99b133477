"""Setting up the organisation: departments, people, services and their standards, who depends
on whom (the administration side of user accounts is in ``survey/accounts/services/users.py``).

Verbs taking a session; they validate, change, flush and never commit. A refused change raises
``OrgError`` naming the form field it concerns, so a view can show the message next to that
field. Checks made here (unique codes, parent cycles) can still be raced by a concurrent
request: the database constraints then raise ``IntegrityError`` at flush, which the caller
turns into the same form error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import NamedTuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from survey.i18n import LOCALES
from survey.models import Department, Dependency, Person, Service, ServiceStandard
from survey.names import clean_names
from survey.services.accounts import check_email
from survey.services.invitations import end_links_to_old_address
from survey.services.refusals import Message, OrgError

DEPARTMENT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
SERVICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


# ``_l("...")`` marks a text for the message extractor and translates it late.
_l = Message


# Departments ----------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """Department codes are stored upper case without surrounding blanks."""
    return code.strip().upper()


def _check_department_code(session: Session, code: str, own_id: int | None) -> str:
    code = normalise_code(code)
    if not DEPARTMENT_CODE.match(code):
        raise OrgError(
            "code",
            _l("Use 2 to 20 letters, digits, - or _, starting with a letter or a digit."),
        )
    # Stored codes are upper case (a check constraint holds it): comparing the upper-cased
    # input is a case-insensitive comparison.
    clash = session.scalar(select(Department.id).where(Department.code == code))
    if clash is not None and clash != own_id:
        raise OrgError("code", _l("Another department already has the code %(code)s.", code=code))
    return code


def _check_parent(session: Session, department: Department | None, parent_id: int | None) -> None:
    """The parent must exist and must not be the department itself or one of its
    descendants (that would make the department its own ancestor)."""
    if parent_id is None:
        return
    parent = session.get(Department, parent_id)
    if parent is None:
        raise OrgError("parent", _l("This department does not exist."))
    if department is None or department.id is None:
        return
    seen: set[int] = set()
    node: Department | None = parent
    while node is not None and node.id not in seen:
        if node.id == department.id:
            raise OrgError(
                "parent",
                _l("A department cannot be placed under itself or one of its sub-departments."),
            )
        seen.add(node.id)
        node = node.parent


def _check_name(name: str, limit: int) -> str:
    name = name.strip()
    if not name:
        raise OrgError("name", _l("Please enter a name."))
    if len(name) > limit:
        raise OrgError("name", _l("At most %(n)s characters.", n=limit))
    return name


def _check_names(names: Mapping[str, str | None] | None, limit: int) -> dict[str, str]:
    """Translations of a name (locale -> text; blank ones dropped), each at most ``limit``."""
    cleaned = clean_names(names or {})
    for locale, text in cleaned.items():
        if len(text) > limit:
            raise OrgError(f"name_{locale}", _l("At most %(n)s characters.", n=limit))
    return cleaned


def create_department(
    session: Session,
    code: str,
    name: str,
    parent_id: int | None = None,
    names: Mapping[str, str | None] | None = None,
) -> Department:
    """Add a department. ``code`` is upper-cased; it must be unique whatever its case.
    ``names`` holds the translations of ``name`` (``it``, ``fr``; blank ones are dropped)."""
    code = _check_department_code(session, code, None)
    name = _check_name(name, 120)
    translations = _check_names(names, 120)
    _check_parent(session, None, parent_id)
    department = Department(code=code, name=name, names=translations, parent_id=parent_id)
    session.add(department)
    session.flush()
    return department


def update_department(
    session: Session,
    department: Department,
    code: str,
    name: str,
    parent_id: int | None,
    names: Mapping[str, str | None] | None = None,
) -> Department:
    """Change code, name (with its translations: None keeps them) and parent; refuses a
    parent that would create a cycle."""
    code = _check_department_code(session, code, department.id)
    name = _check_name(name, 120)
    _check_parent(session, department, parent_id)
    if names is not None:
        department.names = _check_names(names, 120)
    department.code, department.name, department.parent_id = code, name, parent_id
    session.flush()
    return department


def set_department_active(session: Session, department: Department, active: bool) -> None:
    """Deactivate or reactivate. An inactive department keeps its history and people but is
    no longer offered for new interactions, campaigns or the API list."""
    department.active = active
    session.flush()


def set_dependencies(
    session: Session, department_ids: Iterable[int], pairs: Iterable[tuple[int, int]]
) -> int:
    """Make ``pairs`` (customer id, provider id) the dependencies among ``department_ids``.

    Pairs involving a department outside ``department_ids`` are left as they are (the matrix
    only shows active departments; an inactive one keeps its links). Self-pairs and pairs
    naming departments outside the scope raise OrgError. Returns the number of pairs stored.
    """
    scope = set(department_ids)
    wanted = set(pairs)
    for customer, provider in wanted:
        if customer == provider:
            raise OrgError("matrix", _l("A department cannot depend on itself."))
        if customer not in scope or provider not in scope:
            raise OrgError("matrix", _l("This department does not exist."))
    if scope:
        session.execute(
            delete(Dependency).where(
                Dependency.customer_department_id.in_(scope),
                Dependency.provider_department_id.in_(scope),
            )
        )
    session.add_all(
        Dependency(customer_department_id=c, provider_department_id=p) for c, p in sorted(wanted)
    )
    session.flush()
    return len(wanted)


# People ---------------------------------------------------------------------------------------


def _check_person_fields(
    session: Session, person: Person | None, email: str, department_id: int, locale: str
) -> str:
    email = check_email(email)
    clash = session.scalar(select(Person.id).where(Person.email == email))
    if clash is not None and (person is None or clash != person.id):
        raise OrgError("email", _l("Another person already has this email address."))
    if session.get(Department, department_id) is None:
        raise OrgError("department", _l("This department does not exist."))
    if locale not in LOCALES:
        raise OrgError("locale", _l("Choose English, Italian or French."))
    return email


def create_person(
    session: Session,
    email: str,
    name: str,
    department_id: int,
    locale: str = "en",
    active: bool = True,
    opted_out: bool = False,
) -> Person:
    """Add a person; ``email`` is stored lower-cased and must be unique."""
    email = _check_person_fields(session, None, email, department_id, locale)
    person = Person(
        email=email,
        name=_check_name(name, 160),
        department_id=department_id,
        locale=locale,
        active=active,
        opted_out=opted_out,
    )
    session.add(person)
    session.flush()
    return person


def update_person(
    session: Session,
    person: Person,
    email: str,
    name: str,
    department_id: int,
    locale: str,
    active: bool,
    opted_out: bool,
) -> Person:
    """Change a person's details. A new address ends the links of their unanswered quarterly
    surveys mailed to the old one and discards a survey saved part way
    (``invitations.end_links_to_old_address``)."""
    email = _check_person_fields(session, person, email, department_id, locale)
    if email != person.email:
        end_links_to_old_address(session, person.id)
    person.email, person.name = email, _check_name(name, 160)
    person.department_id, person.locale = department_id, locale
    person.active, person.opted_out = active, opted_out
    session.flush()
    return person


def set_person_active(session: Session, person: Person, active: bool) -> None:
    """An inactive person receives no survey; their past answers stay (they are anonymous).
    Deactivating is ``deactivate_people`` of this one person."""
    if active:
        person.active = True
        session.flush()
    else:
        deactivate_people(session, [person.id])


class Deactivated(NamedTuple):
    """A person ``deactivate_people`` switched off: key and address (the audit's target)."""

    id: int
    email: str


_CHUNK = 500  # ids per statement: well under SQLite's and PostgreSQL's parameter limits


def deactivate_people(session: Session, person_ids: Iterable[int]) -> list[Deactivated]:
    """Deactivate the active ones among ``person_ids``, one set-based UPDATE per 500 of them
    (the single deactivation of the people page and a people sync's leavers alike), and return
    them in key order; those already inactive or unknown are left out. Nothing else changes:
    they are not erased, their invitations, answers and accounts stay, and their survey mail
    still waiting is withdrawn when the dispatcher reaches it (``outbox.withdrawal_reasons``,
    ``WITHDRAWN_LEFT``: no new survey goes to an inactive person). People of the session
    already loaded see the change. The caller audits (one ``deactivate`` entry each)."""
    ids = sorted(set(person_ids))
    done: list[Deactivated] = []
    for i in range(0, len(ids), _CHUNK):
        rows = session.execute(
            update(Person)
            .where(Person.id.in_(ids[i : i + _CHUNK]), Person.active.is_(True))
            .values(active=False)
            .returning(Person.id, Person.email)
        )
        done += [Deactivated(*row) for row in rows]
    session.flush()
    return sorted(done)


# Services -------------------------------------------------------------------------------------


def _check_service_fields(
    session: Session,
    service: Service | None,
    provider_department_id: int,
    code: str,
    sampling_rate: float,
) -> str:
    code = code.strip()
    if not SERVICE_CODE.match(code):
        raise OrgError(
            "code", _l("Use up to 40 letters, digits, ., - or _, starting with a letter or digit.")
        )
    clash = session.scalar(select(Service.id).where(func.lower(Service.code) == code.lower()))
    if clash is not None and (service is None or clash != service.id):
        raise OrgError("code", _l("Another service already has the code %(code)s.", code=code))
    if session.get(Department, provider_department_id) is None:
        raise OrgError("provider", _l("This department does not exist."))
    if not 0 <= sampling_rate <= 1:
        raise OrgError("sampling_rate", _l("Enter a share between 0 and 1."))
    return code


def create_service(
    session: Session,
    provider_department_id: int,
    code: str,
    name: str,
    description: str = "",
    sampling_rate: float = 1.0,
    names: Mapping[str, str | None] | None = None,
) -> Service:
    """Add a service. Codes keep their case (ticketing tools send them as they are) but must
    be unique whatever their case. ``names`` holds the translations of ``name``."""
    code = _check_service_fields(session, None, provider_department_id, code, sampling_rate)
    service = Service(
        provider_department_id=provider_department_id,
        code=code,
        name=_check_name(name, 160),
        names=_check_names(names, 160),
        description=description.strip(),
        sampling_rate=sampling_rate,
    )
    session.add(service)
    session.flush()
    return service


def update_service(
    session: Session,
    service: Service,
    provider_department_id: int,
    code: str,
    name: str,
    description: str,
    sampling_rate: float,
    active: bool,
    names: Mapping[str, str | None] | None = None,
) -> Service:
    """Change a service; ``names`` (its name's translations) None keeps them."""
    code = _check_service_fields(session, service, provider_department_id, code, sampling_rate)
    if names is not None:
        service.names = _check_names(names, 160)
    service.provider_department_id, service.code = provider_department_id, code
    service.name, service.description = _check_name(name, 160), description.strip()
    service.sampling_rate, service.active = sampling_rate, active
    session.flush()
    return service


def add_standard(
    session: Session,
    service: Service,
    effective_from: date,
    first_response_minutes: int,
    resolution_minutes: int,
) -> ServiceStandard:
    """Add the promised times in force from ``effective_from`` (minutes of elapsed time).

    Standards are never edited in place: past interactions are judged against the standard in
    force when they were opened, so a change is a new row. Two rows starting the same day
    would be ambiguous and are refused.
    """
    if first_response_minutes < 1:
        raise OrgError("first_response_minutes", _l("Enter at least 1 minute."))
    if resolution_minutes < first_response_minutes:
        raise OrgError(
            "resolution_minutes",
            _l("The resolution time cannot be shorter than the first response time."),
        )
    same_day = session.scalar(
        select(ServiceStandard.id).where(
            ServiceStandard.service_id == service.id,
            ServiceStandard.effective_from == effective_from,
        )
    )
    if same_day is not None:
        raise OrgError(
            "effective_from", _l("A standard of this service already starts on that day.")
        )
    standard = ServiceStandard(
        service_id=service.id,
        effective_from=effective_from,
        first_response_minutes=first_response_minutes,
        resolution_minutes=resolution_minutes,
    )
    session.add(standard)
    session.flush()
    return standard
