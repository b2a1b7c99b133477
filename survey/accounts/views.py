"""Sign-in and sign-out for reviewers and administrators, their passwords (the owner's change,
current password asked; the emailed single-use reset link and its request page) and their
account's language.

The request page answers the same whether or not the address has an account, and is limited
per client address (``RESET_LIMIT_PER_ADDRESS``) and per account (one mail per
``RESET_MAIL_INTERVAL``), so it can neither probe for accounts nor flood someone's inbox."""

from __future__ import annotations

import time
from datetime import timedelta
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
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from forms.auth import (
    AccountLanguageForm,
    ChangePasswordForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignInForm,
)
from survey.access import SESSION_KEY, session_lifetime, signed_in_required
from survey.accounts.services.account_mail import queue_password_reset
from survey.accounts.services.devices import (
    COOKIE,
    MAX_AGE_DAYS,
    PATH,
    KnownBrowsers,
    key_from_secret,
)
from survey.accounts.services.passwords import (
    change_password,
    recent_reset,
    reset_password,
    reset_target,
)
from survey.accounts.services.sign_in import SignInLocked, ThrottlePolicy, authenticate
from survey.accounts.services.users import set_user_locale
from survey.config import mail_domain
from survey.db import get_session
from survey.extensions import SIGN_IN_LIMIT_PER_ADDRESS, limiter
from survey.models import User
from survey.models.base import utcnow
from survey.services.accounts import end_session, has_password, normalise_email, start_session
from survey.services.audit import diff, record, snapshot

bp = Blueprint("auth", __name__, url_prefix="/auth")

RESET_LIMIT_PER_ADDRESS = "5 per minute;30 per hour"
RESET_MAIL_INTERVAL = timedelta(minutes=5)
# Every answer to a reset request takes at least this long, well above what a request for an
# account costs (a token, the mail in two formats, a commit), so that its timing does not tell
# an account from none. A sleep, not work: the rate limit above bounds how often it happens.
RESET_ANSWER_SECONDS = 0.25


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
    """Where a signed-in user starts: an administrator on the admin dashboard, a manager on
    their department's scorecard, a viewer (or a manager without a department) on the
    scorecard overview; a visitor not signed in on the home page."""
    if not current_user.is_authenticated:
        return url_for("main.index")
    if current_user.role == "admin":
        return url_for("admin.dashboard")
    if current_user.role == "manager" and current_user.department is not None:
        return url_for("scorecards.department", code=current_user.department.code)
    return url_for("scorecards.overview")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT_PER_ADDRESS, methods=["POST"])
def sign_in() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(_landing())
    form = SignInForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form)
    db = get_session()
    try:
        user = authenticate(
            db,
            form.email.data or "",
            form.password.data or "",
            request.remote_addr or "-",
            _throttle_policy(),
            browsers=_known_browsers(),
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
    _fresh_session(user, key)
    return _remember_browser(redirect(safe_next(form.next.data) or _landing()), user)


def _known_browsers() -> KnownBrowsers:
    """The request's known-browser cookie (``devices``), checked with the app's secret."""
    key = key_from_secret(current_app.config["SECRET_KEY"])
    return KnownBrowsers(key, request.cookies.getlist(COOKIE))


def _remember_browser(response: Response, user: User) -> Response:
    """``response`` with this browser's known-browser cookie renewed for ``user`` (who just
    proved their password here)."""
    response.set_cookie(
        COOKIE,
        _known_browsers().renewed(user, utcnow()),
        max_age=MAX_AGE_DAYS * 86400,
        path=PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


def _throttle_policy() -> ThrottlePolicy:
    """The sign-in throttle's settings, shared by every password check of a person."""
    return ThrottlePolicy(
        current_app.config["SIGNIN_MAX_FAILURES"], current_app.config["SIGNIN_LOCK_SECONDS"]
    )


def _fresh_session(user: User, key: str) -> None:
    """Replace the browser's session with a new one signed in as ``user`` under ``key``."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[SESSION_KEY] = key
    login_user(user)


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


@bp.route("/password", methods=["GET", "POST"])
@signed_in_required
def change_password_page() -> str | Response | tuple[str, int]:
    """The owner changes their password. Every session ends (other browsers are signed out);
    this browser gets a fresh one."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), (
            422 if request.method == "POST" else 200
        )
    db = get_session()
    user = db.get(User, current_user.id)
    assert user is not None
    try:
        changed = change_password(
            db,
            user,
            form.current_password.data or "",
            form.new_password.data or "",
            request.remote_addr or "-",
            _throttle_policy(),
            browsers=_known_browsers(),
        )
    except SignInLocked:
        form.current_password.errors = [
            _("Too many failed attempts. Please wait a few minutes and try again.")
        ]
        return render_template("auth/password.html", form=form), 429
    if not changed:
        db.commit()  # the failed guess counts
        form.current_password.errors = [_("The current password is not right.")]
        return render_template("auth/password.html", form=form), 422
    key = start_session(db, user, session_lifetime())
    db.commit()
    _fresh_session(user, key)
    flash(_("Your password is changed. Other browsers are signed out."), "success")
    return _remember_browser(redirect(_landing()), user)


@bp.route("/language", methods=["GET", "POST"])
@signed_in_required
def language_page() -> str | Response | tuple[str, int]:
    """The owner chooses their account's language (pages and account mail); audit-logged as
    an edit of the account, by its owner."""
    user = get_session().get(User, current_user.id)
    assert user is not None
    form = AccountLanguageForm(data={"locale": user.locale or ""})
    if not form.validate_on_submit():
        return render_template("auth/language.html", form=form), (
            422 if request.method == "POST" else 200
        )
    db = get_session()
    before = snapshot(user, "locale")
    set_user_locale(db, user, form.locale.data or None)
    changes = diff(before, snapshot(user, "locale"))
    if changes:
        record(db, user, "edit", user, changes)
    db.commit()
    refresh()
    # This browser's earlier pick on the header's switcher gives way to the saved choice.
    session.pop("lang", None)
    flash(_("Your language is saved."), "success")
    return redirect(url_for("auth.language_page"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT_PER_ADDRESS, methods=["POST"])
def forgot() -> str | tuple[str, int]:
    """Ask for a reset link. The answer never tells whether the address has an account: the
    same page, after the same time (``RESET_ANSWER_SECONDS``). One mail per account per
    ``RESET_MAIL_INTERVAL``, requests sent at once included."""
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form, sent=False), (
            422 if request.method == "POST" else 200
        )
    started = time.monotonic()
    db = get_session()
    # The account's row is locked until the commit, so that parallel requests take turns and
    # the later ones see the reset just made (on SQLite a writer holds the whole database).
    email = normalise_email(form.email.data or "")
    user = db.scalar(select(User).where(User.email == email).with_for_update())
    if user is not None and user.active and not recent_reset(db, user, RESET_MAIL_INTERVAL):
        queue_password_reset(
            db, user, str(current_app.config["BASE_URL"]), mail_domain(current_app.config)
        )
    db.commit()  # the mail, if any; and the lock ends before the wait below
    page = render_template("auth/forgot.html", form=form, sent=True)
    time.sleep(max(0.0, started + RESET_ANSWER_SECONDS - time.monotonic()))
    return page


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT_PER_ADDRESS, methods=["POST"])
def reset(token: str) -> str | Response | tuple[str, int]:
    """Choose a new password through an emailed link (single use, one hour; a new account's
    set-password link, ``SET_PASSWORD_HOURS``, opens the same page headed for a first
    password). Opening the link
    changes nothing; only the form's POST uses it up. The reset ends every browser's trust
    (``devices``); the one that set the password is known from then on, so that an owner
    locked out by a stranger's guesses who resets can sign in there."""
    db = get_session()
    target = reset_target(db, token)
    if target is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        first = not has_password(target)  # a new account's first password
        return render_template("auth/reset.html", form=form, token=token, first=first), (
            422 if request.method == "POST" else 200
        )
    user = reset_password(db, token, form.new_password.data or "")
    if user is None:
        db.rollback()
        return render_template("auth/reset_invalid.html"), 404
    db.commit()
    logout_user()
    session.clear()
    flash(_("Your password is set. Please sign in with it."), "success")
    return _remember_browser(redirect(url_for("auth.sign_in")), user)
