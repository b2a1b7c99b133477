"""Alembic, driven from code: the migrations folder lives at the top of the project."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from survey import ROOT


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (default the newest)."""
    command.upgrade(alembic_config(engine), revision)
