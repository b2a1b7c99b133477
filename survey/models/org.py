"""The organisation: departments, people, services, service standards and dependencies."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.locales import locale_check
from survey.models.base import Base, utcnow


class Department(Base):
    """A department; ``code`` is short, upper case and unique (e.g. ``IT``, ``HR``)."""

    __tablename__ = "departments"
    __table_args__ = (
        CheckConstraint("code = upper(code) AND length(code) BETWEEN 2 AND 20", name="code_format"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # Translations of ``name``: locale -> text (``survey.names.localized_name`` reads them).
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Department | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class Person(Base):
    """An employee who may receive surveys. No account: they answer from emailed links.

    ``email`` is stored lower-cased (a check constraint holds it), which makes the unique
    constraint case-insensitive on every database.
    """

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower"),
        CheckConstraint(locale_check("locale"), name="locale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department] = relationship()


class Service(Base):
    """Something a provider department does for others (e.g. IT: laptop repair).

    ``sampling_rate`` is the share of handled interactions that may lead to a survey (0..1).
    """

    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("sampling_rate >= 0 AND sampling_rate <= 1", name="sampling_rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    # Translations of ``name``: locale -> text (``survey.names.localized_name`` reads them).
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    description: Mapped[str] = mapped_column(Text, default="")
    sampling_rate: Mapped[float] = mapped_column(Float, default=1.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    provider: Mapped[Department] = relationship()
    standards: Mapped[list[ServiceStandard]] = relationship(
        back_populates="service", order_by="ServiceStandard.effective_from"
    )


class ServiceStandard(Base):
    """Promised times of a service from ``effective_from`` on, in minutes of elapsed time.

    Several rows per service keep history: compliance of an interaction is judged against the
    standard in force on the day it was opened.
    """

    __tablename__ = "service_standards"
    __table_args__ = (
        CheckConstraint("first_response_minutes > 0", name="first_response_positive"),
        CheckConstraint("resolution_minutes >= first_response_minutes", name="resolution_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    effective_from: Mapped[date] = mapped_column(Date)
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)

    service: Mapped[Service] = relationship(back_populates="standards")


class Dependency(Base):
    """The customer department depends on the provider department."""

    __tablename__ = "dependencies"
    __table_args__ = (
        CheckConstraint("customer_department_id <> provider_department_id", name="not_self"),
    )

    customer_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True, index=True
    )
