"""Sign-in and sign-out for reviewers and administrators."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from forms.auth import SignInForm
from survey.access import SESSION_KEY, session_lifetime
from survey.db import get_session
from survey.extensions import SIGN_IN_LIMIT_PER_ADDRESS, limiter
from survey.services.accounts import (
    SignInLocked,
    ThrottlePolicy,
    authenticate,
    end_session,
    start_session,
)

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target: str | None) -> str | None:
    """Only a local path (``/x``, not ``//host`` or ``/\\host``) may be a redirect target: it
    starts with a single "/", has no scheme or host, and is printable ASCII without spaces."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # Printable ASCII only: no backslash, control character or exotic space that a browser
    # might strip or fold into a "//host" (a local path from url_for is already %-encoded).
    if "\\" in target or not all(" " < c < "\x7f" for c in target):
        return None
    return target


def _landing() -> str:
    if current_user.is_authenticated and current_user.role == "admin":
        return url_for("admin.dashboard")
    return url_for("main.index")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT_PER_ADDRESS, methods=["POST"])
def sign_in() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(_landing())
    form = SignInForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form)
    db = get_session()
    policy = ThrottlePolicy(
        current_app.config["SIGNIN_MAX_FAILURES"], current_app.config["SIGNIN_LOCK_SECONDS"]
    )
    try:
        user = authenticate(
            db, form.email.data or "", form.password.data or "", request.remote_addr or "-", policy
        )
    except SignInLocked:
        db.commit()
        flash(_("Too many failed attempts. Please wait a few minutes and try again."), "error")
        return render_template("auth/sign_in.html", form=form), 429
    if user is None:
        db.commit()
        flash(_("The email or password is not right."), "error")
        return render_template("auth/sign_in.html", form=form), 200
    key = start_session(db, user, session_lifetime())
    db.commit()
    # A fresh session at sign-in: nothing planted before it survives (session fixation).
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[SESSION_KEY] = key
    login_user(user)
    return redirect(safe_next(form.next.data) or _landing())


@bp.post("/sign-out")
def sign_out() -> Response:
    """Ends the session on the server too: the cookie, even kept and replayed, is worthless."""
    db = get_session()
    end_session(db, session.get(SESSION_KEY))
    db.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))
