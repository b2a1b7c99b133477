"""Password and secret hashing, token generation, and the security headers on every response.

Passwords and API keys are hashed with argon2id (slow on purpose: they may be guessed offline),
at the cost the settings give (``SURVEY_ARGON2_*``, set by ``init_app``; a stored hash keeps the
cost it was made with, and a sign-in re-hashes it at the current one).
Respondent link tokens are 128 random bits; for them a SHA-256 is enough, since no dictionary
can reach them, and it allows the lookup by hash that every link click needs.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response

#: The cost of a new hash: passes over the memory, KiB of memory, lanes. These defaults take
#: about a quarter of a second on one core of a small server; ``ARGON2_*`` settings change them.
DEFAULT_ARGON2 = (3, 65536, 4)

_hasher = PasswordHasher(*DEFAULT_ARGON2)
_dummy_hash: str | None = None


def configure_hashing(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Make new hashes at this cost (process-wide: every app of one process shares the
    settings). Existing hashes keep verifying at their own cost; ``needs_rehash`` is then
    True for them, so a sign-in re-hashes its password at the new one."""
    global _hasher, _dummy_hash
    if (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism) == (
        time_cost,
        memory_kib,
        parallelism,
    ):
        return
    _hasher = PasswordHasher(time_cost, memory_kib, parallelism)
    _dummy_hash = None


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)


def hash_secret(secret: str) -> str:
    """argon2id hash of a password or API key."""
    return _hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """True when ``secret`` matches; never raises on a malformed hash. ``None`` (no such
    account) and ``NO_PASSWORD`` match nothing, after the time a real check at the current
    cost takes, so that the answer's timing tells neither an unknown address nor an account
    waiting for its owner's password."""
    if stored_hash is None or stored_hash == NO_PASSWORD:
        _verify_dummy(secret)
        return False
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def _verify_dummy(secret: str) -> None:
    """Spend the time of checking ``secret`` against a hash of the current cost (made once
    per cost, on first need rather than at import: it costs as much as a real hash)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not-a-real-password")
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash, secret)


# The stored "hash" of an account whose owner has not chosen a password yet (created by an
# administrator, who never knows one): no text matches it, and it is no argon2 hash.
NO_PASSWORD = "!no-password-yet"  # noqa: S105 (a marker, not a password)


def new_token() -> str:
    """A URL-safe token carrying 128 random bits."""
    return secrets.token_urlsafe(16)


def token_hash(token: str) -> str:
    """Hex SHA-256 of a link token (what the database stores and looks up)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# "same-origin": a page's address (a link token in it) never goes to another site, while our
# own form posts carry a Referer, which the CSRF check wants on HTTPS when a post has no Origin
# (``extensions.SiteCsrf``).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def set_security_headers(response: Response) -> Response:
    """Add the headers above (and ``Cache-Control: no-store`` to HTML) unless the view set
    its own; one pass over the response's headers."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    missing = [(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present]
    if "cache-control" not in present and response.mimetype == "text/html":
        missing.append(("Cache-Control", "no-store"))
    headers.extend(missing)
    return response


def init_app(app: Flask) -> None:
    """The hashing cost (``ARGON2``), security headers on every response, and the client
    address. ``request.remote_addr`` (what
    sign-in throttling, rate limits and the session binding use) is the connecting peer unless
    ``PROXY_FIX_FOR`` (``SURVEY_PROXY_FIX_FOR``) says how many trusted proxies sit in front; only
    then are that many ``X-Forwarded-For``/``X-Forwarded-Proto`` entries believed. Default none:
    a client cannot pick its own address by sending the header."""
    configure_hashing(*app.config.get("ARGON2", DEFAULT_ARGON2))
    hops = int(app.config.get("PROXY_FIX_FOR") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.after_request(set_security_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
