"""Blueprints, one per journey."""

from __future__ import annotations

from flask import Flask, current_app


def has_endpoint(name: str) -> bool:
    """Templates link to a journey only once its blueprint is registered."""
    return name in current_app.view_functions


def register_blueprints(app: Flask) -> None:
    from survey.quiz import views as quiz
    from survey.views import (
        admin,
        api,
        auth,
        mail_reports,
        main,
        respond,
        scorecards,
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
    app.jinja_env.globals["has_endpoint"] = has_endpoint
