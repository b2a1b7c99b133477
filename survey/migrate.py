"""Alembic, driven from code: the migrations folder lives at the top of the project."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from survey import ROOT
from survey.db import READ


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (default the newest)."""
    command.upgrade(alembic_config(engine), revision)


def head_revision(engine: Engine) -> str | None:
    """The newest revision of ``migrations/`` (what ``upgrade`` brings a database to)."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def database_revision(engine: Engine) -> str | None:
    """The revision the database is at, None when it has no schema (no ``alembic_version``
    table, or an empty one). Connection errors propagate."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # A read: no write lock taken (survey.db begins SQLite transactions IMMEDIATE).
            connection = connection.execution_options(sqlite_begin=READ)
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as error:
            if connection.dialect.name == "postgresql" and "alembic_version" not in str(error):
                raise
            if connection.dialect.name == "sqlite" and "no such table" not in str(error):
                raise
            return None
