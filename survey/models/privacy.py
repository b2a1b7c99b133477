"""What erasure keeps: a hash of each erased address (never the address itself)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models.base import Base, utcnow


class ErasedAddress(Base):
    """An address whose person was erased (``services.erasure``), as the SHA-256 of
    ``"erased:" + address`` (lower case). It lets ``erase-person`` answer "already erased"
    when run again and, when ``suppressed`` (the address was on the suppression list at
    erasure), keeps mail from going to that address again, even after a re-import of the
    person: ``services.suppression.suppressed_among`` reads it."""

    __tablename__ = "erased_addresses"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
