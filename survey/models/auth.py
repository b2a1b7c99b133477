"""Who signs in (users and their roles), machine access (API keys) and sign-in throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.locales import locale_check
from survey.models.base import Base, utcnow
from survey.models.org import Department

#: Who a signed-in user can be; the one list (the table's check constraint says the same).
ROLES = ("admin", "manager", "viewer")

#: What an API key may do: report requests (the interaction routes and webhooks), read
#: departments and scorecards, post bounce and complaint reports (``/mail/reports``).
API_SCOPES = ("interactions", "scorecards", "mail_reports")


class User(Base):
    """A signed-in reviewer or administrator.

    ``role`` is admin, manager (of ``department``) or viewer. ``session_version`` is part of the
    sign-in cookie: raising it signs the user out everywhere (password change, deactivation).
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="role_known"),
        CheckConstraint("role <> 'manager' OR department_id IS NOT NULL", name="manager_dept"),
        CheckConstraint(locale_check("locale", nullable=True), name="locale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(160), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]

    department: Mapped[Department | None] = relationship()

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class UserSession(Base):
    """One signed-in browser. The cookie holds a random session key; only its SHA-256 is stored
    here. Signing out deletes the row, so a copy of the cookie kept from before is worthless;
    a password change deletes every row of the user (and raises ``session_version``).
    Rows older than the session lifetime are swept at the next sign-in."""

    __tablename__ = "user_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class PasswordReset(Base):
    """A single-use password reset link: only the SHA-256 of its 128-bit token is stored.
    ``used_at`` is set when it sets a password; it no longer works after ``expires_at``."""

    __tablename__ = "password_resets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ApiKey(Base):
    """A bearer key for ticketing tools: ``siq_<prefix>_<secret>``.

    Only the argon2id hash of the whole key is stored; the 8-character public ``prefix`` finds
    the row. A revoked key keeps its row so logs stay readable. ``scopes``: the ``API_SCOPES``
    it was given, separated by spaces (keys made before scopes existed have them all).
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(255))
    scopes: Mapped[str] = mapped_column(String(100), default=" ".join(API_SCOPES))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    def allows(self, scope: str) -> bool:
        return scope in self.scopes.split()


class SignInThrottle(Base):
    """Failed sign-ins per key (an email address, known or not, or a client address).

    After ``SIGNIN_MAX_FAILURES`` failures inside the window the key is locked until
    ``locked_until``. An attempt counts as a failure from before its password is checked and
    is taken back if the password was right; a successful sign-in clears the account's row
    (``accounts.services.sign_in``).
    """

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
