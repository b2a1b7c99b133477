"""Alembic environment: the engine comes from the caller (``survey.migrate``) or from
``SURVEY_DATABASE_URL`` when alembic is run by hand."""

from __future__ import annotations

import os

from alembic import context

from survey.db import make_engine
from survey.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(
            os.environ.get("SURVEY_DATABASE_URL", "sqlite:///instance/survey.sqlite3")
        )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
