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
    from survey import access, cli, config, db, errors, extensions, i18n, local_format, security

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

    app.url_map.converters["int"] = db.IdConverter  # before any route: ids the database holds
    db.init_app(app)
    local_format.init_app(app)  # before the extensions: Flask-Babel reads the time zone once
    extensions.init_app(app)
    access.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    _register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Every blueprint, in one place: the journeys still in ``survey/views/`` and the feature
    packages' (see docs/architecture.md). Importing a feature package's ``admin`` module adds its
    pages to the ``admin`` blueprint, and its ``api`` module its routes to the ``api``
    blueprint, so those imports come before the blueprints are registered;
    nothing in ``survey/views/`` or ``survey/services/`` imports a feature package."""
    from survey import actions, delivery
    from survey.accounts import admin as accounts_admin  # noqa: F401 (users, API keys of ``admin``)
    from survey.accounts import views as auth
    from survey.delivery import admin as delivery_admin  # noqa: F401 (its pages of ``admin``)
    from survey.delivery import api as delivery_api  # noqa: F401 (its routes of ``api``)
    from survey.org import admin as org_admin  # noqa: F401 (the organisation pages of ``admin``)
    from survey.quiz import admin as quiz_admin  # noqa: F401 (the quiz pages of ``admin``)
    from survey.quiz import views as quiz
    from survey.respond import views as respond
    from survey.scorecards import admin as scorecards_admin  # noqa: F401 (the baseline page)
    from survey.scorecards import api as scorecards_api  # noqa: F401 (its routes of ``api``)
    from survey.scorecards import views as scorecards
    from survey.views import (
        admin,
        api,
        has_endpoint,
        mail_reports,
        main,
        unsubscribe,
    )

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(respond.bp)
    app.register_blueprint(quiz.bp)
    app.register_blueprint(scorecards.bp)
    app.register_blueprint(unsubscribe.bp)
    app.register_blueprint(mail_reports.bp)
    actions.init_app(app)
    delivery.init_app(app)
    app.jinja_env.globals["has_endpoint"] = has_endpoint
