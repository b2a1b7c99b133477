"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_babel import Babel
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from survey.config import LOCALES

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.session_protection = "strong"


def select_locale() -> str:
    """The person's or user's language, then ``?lang=`` (remembered), then the browser's."""
    forced = g.get("locale")
    if forced in LOCALES:
        return forced
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    asked = request.args.get("lang")
    if asked in LOCALES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LOCALES:
        return session["lang"]
    return request.accept_languages.best_match(LOCALES) or "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    # Sign-in messages are translated at render time by the template.
    login_manager.login_message = None
