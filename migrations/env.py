"""Alembic environment: the engine comes from the caller (``survey.migrate``) or from
``SURVEY_DATABASE_URL`` when alembic is run by hand.

On SQLite the migrations run with foreign keys off, as SQLite asks of anything that rebuilds a
table (batch mode copies a table, drops the old one and renames the copy): with them on, the
DROP first deletes every row of the old table, and ON DELETE CASCADE and SET NULL reach the
rows of every table that refers to it (an upgrade through 0013 emptied ``invitations``). Before
the migrations' one transaction (one for the whole run, on both databases) commits,
``PRAGMA foreign_key_check`` must find no row pointing nowhere, or the whole run is rolled
back; foreign keys are switched on again either way.
"""

from __future__ import annotations

import os
from typing import Any

from alembic import context

from survey.db import make_engine
from survey.models import Base

config = context.config
target_metadata = Base.metadata


def _check_foreign_keys(connection: Any) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(
            f"the migrations would leave {len(broken)} row(s) referring to nothing "
            f"(in {', '.join(tables)}); nothing was changed"
        )


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(
            os.environ.get("SURVEY_DATABASE_URL", "sqlite:///instance/survey.sqlite3")
        )
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        # On the driver, before the transaction begins: SQLite ignores the pragma inside one.
        driver = connection.connection.dbapi_connection if sqlite else None
        if driver is not None:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
                # One transaction for the whole run on SQLite too (it has transactional DDL),
                # so that a refused check leaves the database at the revision it was.
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
            connection.commit()
        finally:
            if driver is not None:
                connection.rollback()
                driver.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
