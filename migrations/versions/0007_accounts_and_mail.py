"""accounts and mail: sessions, password resets, suppression list; sent mail keeps no token

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-04 05:10:00

- ``user_sessions``: one row per signed-in browser (the hash of the key in its cookie);
  signing out deletes it. Everyone signed in before this migration signs in again once.
- ``password_resets``: single-use reset links, stored as hashes.
- ``suppressed_addresses`` (bounce, complaint, unsubscribe, manual), ``soft_bounces`` (counted
  transient failures) and ``unsubscribe_tokens`` (one-click unsubscribe links, as hashes).
- Mail already sent still holds working link tokens in its stored body: they are replaced
  with the placeholder the dispatcher now writes after each send (``services.outbox``).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None

# As in survey.services.outbox (a migration does not import application code).
_LINK_TOKEN = re.compile(r"(/r/|/auth/reset/)[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])")
_PLACEHOLDER = "link-removed"


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _when("created_at"),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    op.create_index("ix_user_sessions_created_at", "user_sessions", ["created_at"])
    op.create_table(
        "password_resets",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", nullable=True),
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"])
    op.create_table(
        "suppressed_addresses",
        sa.Column("address", sa.String(254), primary_key=True),
        sa.Column("reason", sa.String(12), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        _when("created_at"),
        sa.CheckConstraint(
            "reason IN ('bounce', 'complaint', 'unsubscribe', 'manual')", name="reason_known"
        ),
    )
    op.create_table(
        "soft_bounces",
        sa.Column("address", sa.String(254), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.String(20), nullable=False),
        _when("last_at"),
    )
    op.create_table(
        "unsubscribe_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _when("created_at"),
    )
    op.create_index("ix_unsubscribe_tokens_person_id", "unsubscribe_tokens", ["person_id"])
    _scrub_sent_bodies()


def _scrub_sent_bodies() -> None:
    bind = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("body_text", sa.Text()),
        sa.column("body_html", sa.Text()),
    )
    rows = bind.execute(
        sa.select(outbox.c.id, outbox.c.body_text, outbox.c.body_html).where(
            outbox.c.status == "sent"
        )
    ).all()
    scrub = lambda body: _LINK_TOKEN.sub(lambda m: m.group(1) + _PLACEHOLDER, body or "")  # noqa: E731
    changed = [
        {"mid": i, "t": scrub(t), "h": scrub(h)}
        for i, t, h in rows
        if scrub(t) != (t or "") or scrub(h) != (h or "")
    ]
    if changed:
        bind.execute(
            outbox.update()
            .where(outbox.c.id == sa.bindparam("mid"))
            .values(body_text=sa.bindparam("t"), body_html=sa.bindparam("h")),
            changed,
        )


def downgrade() -> None:
    # Scrubbed tokens cannot come back (only their hashes were ever stored).
    op.drop_index("ix_unsubscribe_tokens_person_id", "unsubscribe_tokens")
    op.drop_table("unsubscribe_tokens")
    op.drop_table("soft_bounces")
    op.drop_table("suppressed_addresses")
    op.drop_index("ix_password_resets_user_id", "password_resets")
    op.drop_table("password_resets")
    op.drop_index("ix_user_sessions_created_at", "user_sessions")
    op.drop_index("ix_user_sessions_user_id", "user_sessions")
    op.drop_table("user_sessions")
