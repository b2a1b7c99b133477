"""Service IQ: internal-customer satisfaction surveys and department scorecards."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Reads like a table of contents: config, database, extensions, security,
    blueprints, errors, CLI."""
    from survey import access, cli, config, db, errors, extensions, i18n, security, views

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(config.load_settings(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    config.check_settings(app.config, debug=app.debug, testing=app.testing)
    if not app.config.get("SECRET_KEY"):
        # Debug or testing only (check_settings refuses otherwise): a per-process key.
        import secrets

        app.config["SECRET_KEY"] = secrets.token_hex(32)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    extensions.init_app(app)
    access.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    views.register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
