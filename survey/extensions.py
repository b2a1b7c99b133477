"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect, validate_csrf
from wtforms import ValidationError

from survey.i18n import LOCALES, FastBabel


class SiteCsrf(CSRFProtect):
    """Flask-WTF's CSRF protection (a token in every form), with a site check of its own on
    secure requests: a token alone does not prove the post came from one of our pages.

    A browser names the page's site in ``Origin`` on every form post; some proxies and
    privacy tools strip ``Referer`` but not ``Origin``. So ``Origin`` decides when it is
    sent (it must be ``https://`` and this host: another site, plain http and ``null`` are
    refused), and only without it the ``Referer`` must come from this site, as Flask-WTF's
    own check (``WTF_CSRF_SSL_STRICT``, switched off in the config) asks. Exempt views
    (the respondent's and quiz pages, which answer a bad token with a page of their own)
    check the token only (``csrf_ok``).

    A plain-http request (a local run, or a TLS proxy in front that the app is not told of,
    ``SURVEY_PROXY_FIX_FOR`` 0) may lack ``Referer``, but a browser's ``Origin`` still names
    the form's site: one that is neither this host nor ``BASE_URL``'s site is refused there
    too (``_check_plain_origin``)."""

    def protect(self, apply_exemptions: bool = False) -> None:
        super().protect(apply_exemptions)
        if not g.get("csrf_valid"):
            return
        if request.is_secure:
            self._check_site()
        else:
            self._check_plain_origin()

    def _check_plain_origin(self) -> None:
        origin = request.headers.get("Origin")
        if origin is None:
            return  # not a browser's post, or an old one: the token decides
        ours = (request.host_url, str(current_app.config.get("BASE_URL", "")).rstrip("/") + "/")
        if origin == "null" or not any(_same_site(origin + "/", site) for site in ours):
            self._error_response("The origin does not match the host.")

    def _check_site(self) -> None:
        site = f"https://{request.host}/"
        origin = request.headers.get("Origin")
        if origin:
            if origin == "null" or not _same_site(origin + "/", site):
                self._error_response("The origin does not match the host.")
            return
        if not request.referrer:
            self._error_response("The referrer header is missing.")
        if not _same_site(request.referrer, site):
            self._error_response("The referrer does not match the host.")


def _same_site(url: str, site: str) -> bool:
    """Whether ``url`` has the scheme, host and port of ``site``, a scheme's default port
    written or not (``https://host:443`` is ``https://host``). A URL that cannot be read (an
    unclosed ``[``, a port out of range: no browser sends one) is not ours, rather than a
    server error."""
    try:
        return _origin(url) == _origin(site)
    except ValueError:
        return False


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str | None, int | None]:
    """Scheme, host and port of ``url``; ValueError when it cannot be read."""
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme)


babel = FastBabel()
csrf = SiteCsrf()
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.session_protection = "strong"
# Limits per client address (and per link token, see the views). Storage and switches come from
# the app config (RATELIMIT_*), read in init_app; off under TESTING unless a test turns it on.
limiter = Limiter(key_func=get_remote_address)

# Per address, shared by every page behind a private link (respondent links, quiz results), so a
# guesser cannot spread attempts over several routes. Generous: an office behind one address
# must never notice it in normal use; ``LINK_REQUESTS_PER_MINUTE``
# (``SURVEY_LINK_REQUESTS_PER_MINUTE``) raises it for a large office behind one gateway.
LINK_REQUESTS_PER_MINUTE = 120
# Per link: far above what one person answering a survey (or a few tabs) needs.
LINK_LIMIT_PER_LINK = "30 per minute"
# Sign-in POSTs per address, on top of the per-account throttle in services.accounts.
SIGN_IN_LIMIT_PER_ADDRESS = "30 per minute"


# Failed bearer API keys per address, on every keyed route together (``limit_api_keys``): a
# misconfigured tool never needs more to see its 401s, a guesser gets 30 tries a minute (each
# wrong key with a known prefix costs an argon2 check, so this also bounds that work).
API_KEY_FAILURES_PER_ADDRESS = "30 per minute"
# Requests a minute per API key (``API_REQUESTS_PER_MINUTE``, ``SURVEY_API_REQUESTS_PER_MINUTE``):
# about what two sync workers record (one records some 1,500 a minute on SQLite), so a tool
# back-filling thousands of requests is slowed by the server before the limit; it stops a
# runaway tool hammering several hosts that share the counters.
API_REQUESTS_PER_MINUTE = 3000


def api_key_identity() -> str:
    """The rate-limit key of a request's bearer API key: a digest of it (the key itself never
    reaches the counters' store); empty without one, which skips the per-key limit."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return ""
    return "api-key:" + hashlib.sha256(secret.strip().encode("utf-8", "replace")).hexdigest()[:32]


def _api_limit_per_key() -> str:
    per_minute = current_app.config.get("API_REQUESTS_PER_MINUTE", API_REQUESTS_PER_MINUTE)
    return f"{int(per_minute)} per minute"


def _key_refused(response: Response) -> bool:
    return response.status_code == 401


def _key_accepted(response: Response) -> bool:
    return response.status_code != 401


def limit_api_keys(view):  # type: ignore[no-untyped-def]
    """Both API limits on a key-protected view (``views.api.api_key_required``): the refused
    keys of the client address, and the requests of the key. Each is checked before the view
    and counted after it, the first only when the key was refused (401), the second only when
    it was not, so a guesser sending a real key's prefix cannot spend that key's budget and a
    busy tool does not spend its address's failures. Over either, 429 with Retry-After."""
    failures = limiter.shared_limit(
        API_KEY_FAILURES_PER_ADDRESS, scope="api-key-failures", deduct_when=_key_refused
    )
    per_key = limiter.shared_limit(
        _api_limit_per_key,
        scope="api-key",
        key_func=api_key_identity,
        deduct_when=_key_accepted,
    )
    return failures(per_key(view))


def link_key() -> str:
    """The rate-limit key of a private-link page: its token or quiz key from the URL."""
    args = request.view_args or {}
    return "link:" + str(args.get("token") or args.get("key") or "-")


def _link_limit_per_address() -> str:
    """The per-address link-page limit of the running app (read on each request)."""
    per_minute = current_app.config.get("LINK_REQUESTS_PER_MINUTE", LINK_REQUESTS_PER_MINUTE)
    return f"{int(per_minute)} per minute"


def limit_link_pages(view):  # type: ignore[no-untyped-def]
    """Both link limits on a view taking ``token`` or ``key``."""
    per_token = limiter.limit(LINK_LIMIT_PER_LINK, key_func=link_key)
    per_address = limiter.shared_limit(_link_limit_per_address, scope="link-pages")
    return per_address(per_token(view))


def csrf_ok() -> bool:
    """Whether the posted ``csrf_token`` is valid, for views whose blueprint is exempt from the
    automatic check because they answer a bad token with a page of their own."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def select_locale() -> str:
    """The page's language: the person's (a respondent's, forced by the view), else the
    header's ``?lang=`` (remembered for this browser's session), else the one this session
    chose before, else the signed-in account's, else the browser's. A click on the header's
    switcher thus changes the pages at once, for an account with a language too; the
    account's language (``/auth/language``) stays what its mail is written in."""
    forced = g.get("locale")
    if forced in LOCALES:
        return forced
    asked = request.args.get("lang")
    if asked in LOCALES:
        session["lang"] = asked
        return asked
    if session.get("lang") in LOCALES:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(LOCALES) or "en"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # A rate-limit store that is down must not take the survey down with it.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    login_manager.init_app(app)
    # Sign-in messages are translated at render time by the template.
    login_manager.login_message = None
