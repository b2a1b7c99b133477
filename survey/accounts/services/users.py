"""The administration side of user accounts: role, department, language, deactivation, and the
checks before ``accounts.create_user`` (creation and passwords live in ``accounts``).

Verbs taking a session; they validate, change, flush and never commit. A refused change raises
``OrgError`` naming the form field it concerns.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.locales import LOCALES
from survey.models import Department, User
from survey.models.auth import ROLES
from survey.services.accounts import check_email, end_all_sessions
from survey.services.outbox import NOT_ASCII, address_problem
from survey.services.refusals import Message, OrgError

# ``_l("...")`` marks a text for the message extractor and translates it late.
_l = Message


def check_new_user_email(session: Session, email: str) -> str:
    """The normalised address, or OrgError when it is invalid, already has an account, or is
    outside plain ASCII: a person may have such an address (the people import warns and keeps
    it), but an account is reached by mail first (its set-password link), which this service
    cannot send there (``outbox.NOT_ASCII``)."""
    email = check_email(email)
    if address_problem(email) == NOT_ASCII:
        raise OrgError(
            "email",
            _l(
                "This service cannot mail an address with characters outside plain ASCII, "
                "and a new account gets its password link by mail. Use a plain address."
            ),
        )
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise OrgError("email", _l("A user with this email address already exists."))
    return email


def _check_role(session: Session, role: str, department_id: int | None) -> None:
    if role not in ROLES:
        raise OrgError("role", _l("Choose a role."))
    if department_id is not None and session.get(Department, department_id) is None:
        raise OrgError("department", _l("This department does not exist."))
    if role == "manager" and department_id is None:
        raise OrgError("department", _l("A manager needs a department."))


def set_user_locale(session: Session, user: User, locale: str | None) -> None:
    """Set the account's language: one of ``LOCALES``, or None (blank) for none, when its pages
    follow the browser and its mail is in English. It is the language of the account's pages
    (``extensions.select_locale``: after this browser's pick on the header's switcher, before
    the browser's) and of the mail sent to it
    (set-password and reset links, ``account_mail``). OrgError on the ``locale`` field for
    another value."""
    locale = locale or None
    if locale is not None and locale not in LOCALES:
        raise OrgError("locale", _l("Choose English, Italian or French."))
    user.locale = locale
    session.flush()


def update_user(
    session: Session,
    user: User,
    acting: User,
    name: str,
    role: str,
    department_id: int | None,
    locale: str | None,
) -> User:
    """Change a user's name, role, department and language (``set_user_locale``). An
    administrator cannot take the admin role away from themselves (the organisation could be
    left without any)."""
    _check_role(session, role, department_id)
    if user.id == acting.id and role != "admin":
        raise OrgError("role", _l("You cannot remove your own administrator role."))
    user.name, user.role, user.department_id = name.strip()[:160], role, department_id
    set_user_locale(session, user, locale)
    return user


def set_user_active(session: Session, user: User, acting: User, active: bool) -> None:
    """Deactivate (signing the user out everywhere, every unused reset link expired, so a
    reactivated account is reached by a new link only) or reactivate an account; an
    administrator cannot deactivate themselves."""
    if not active and user.id == acting.id:
        raise OrgError("active", _l("You cannot deactivate your own account."))
    if user.active and not active:
        end_all_sessions(session, user)
    user.active = active
    session.flush()


def validate_new_user(session: Session, email: str, role: str, department_id: int | None) -> str:
    """Checks before ``accounts.create_user``: returns the normalised email or raises."""
    email = check_new_user_email(session, email)
    _check_role(session, role, department_id)
    return email
