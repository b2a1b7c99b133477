"""Settings, read once from ``SURVEY_*`` environment variables.

Every setting has a safe default except ``SURVEY_SECRET_KEY``, which is required outside debug and
testing, at least ``MIN_SECRET_KEY_LENGTH`` characters long: sessions, CSRF tokens and sign-in
cookies are signed with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from analysis.anonymity import K_FIGURES
from analysis.business_time import parse_calendar
from survey.db import DATABASE_CONNECT_SECONDS, SQLITE_BUSY_TIMEOUT_MS
from survey.i18n import LOCALES
from survey.on_off import parse_on_off
from survey.security import DEFAULT_ARGON2

#: The fewest characters ``SURVEY_SECRET_KEY`` may have outside debug and testing (the example
#: the error gives, ``secrets.token_hex(32)``, has 64).
MIN_SECRET_KEY_LENGTH = 32

#: The least memory times passes (KiB) a password hash may cost outside debug and testing:
#: the weakest pairing commonly recommended for argon2id (7 MiB over 5 passes; 19 MiB over
#: 2 and 46 MiB over 1 cost more).
MIN_ARGON2_KIB_PASSES = 7 * 1024 * 5


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


def _calendar(text: str) -> str:
    """The ``SURVEY_BUSINESS_HOURS`` text, checked now so a typo stops the start-up."""
    text = text.strip()
    if text:
        try:
            parse_calendar(text)
        except ValueError as error:
            raise ConfigError(f"SURVEY_BUSINESS_HOURS: {error}") from None
    return text


def _timezone(text: str) -> str:
    """The ``SURVEY_TIMEZONE`` text (an IANA name such as ``Europe/Rome``; empty means UTC),
    checked now so that a typo stops the start-up instead of showing times in the wrong zone."""
    name = text.strip() or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"SURVEY_TIMEZONE must be an IANA time zone name such as Europe/Rome or UTC, "
            f"got {text!r}"
        ) from None
    return name


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _argon2(environ: Mapping[str, str]) -> tuple[int, int, int]:
    """The cost of a new password or API key hash: ``SURVEY_ARGON2_TIME_COST`` passes over
    ``SURVEY_ARGON2_MEMORY_KIB`` KiB of memory in ``SURVEY_ARGON2_PARALLELISM`` lanes (argon2
    needs at least 8 KiB a lane). ``check_settings`` refuses a cost below
    ``MIN_ARGON2_KIB_PASSES`` outside debug and testing."""
    time_cost, memory_kib, lanes = DEFAULT_ARGON2
    lanes = _int(environ, "SURVEY_ARGON2_PARALLELISM", lanes, 1)
    return (
        _int(environ, "SURVEY_ARGON2_TIME_COST", time_cost, 1),
        _int(environ, "SURVEY_ARGON2_MEMORY_KIB", memory_kib, 8 * lanes),
        lanes,
    )


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """The on/off setting ``name``: ``default`` when unset or empty, else read by
    ``survey.on_off`` (1/0, true/false, yes/no, on/off in any case); anything else (a typo
    such as ``flase``) is a ConfigError naming the setting, rather than quietly on or off."""
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return parse_on_off(raw, name)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _base_url_parts(base_url: str) -> SplitResult:
    """``base_url`` split, or a ConfigError naming ``SURVEY_BASE_URL``: an http(s) URL with a
    host, its brackets closed (``http://[::1``) and its port a number up to 65535, and nothing
    after the host and port (a trailing ``/`` is stripped before). The application answers at
    the root of its host: its pages link to ``/r/...``, ``/static/...``, so under a path such
    as ``https://host/surveys`` the emails' links would reach the pages and every form and
    stylesheet of those pages would miss; that is refused here rather than found by the first
    respondent."""
    try:
        parts = urlsplit(base_url)
        _port = parts.port  # raises ValueError on a port out of range or not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"SURVEY_BASE_URL must be an http(s) URL, got {base_url!r}")
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError(
            "SURVEY_BASE_URL must be the site's root, scheme, host and port only "
            f"(such as https://surveys.example.com): the service answers at /, got {base_url!r}"
        )
    return parts


#: The schemes ``SURVEY_DATABASE_URL`` may have: SQLite, and PostgreSQL through psycopg 3
#: (``survey.db.normalise_url`` maps the bare PostgreSQL names to it).
DATABASE_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgres", "postgresql", "postgresql+psycopg")


def _database_url(raw: str) -> str:
    """The ``SURVEY_DATABASE_URL`` text, checked now: a scheme of ``DATABASE_SCHEMES`` (another
    database, a typo or another PostgreSQL driver otherwise failed inside the app factory, and
    the command line then said only "No such command 'survey'"), and for a SQLite file, a
    folder that exists (otherwise the first command or page failed with "unable to open
    database file"). The message never repeats the URL, which may hold a password."""
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    if scheme not in DATABASE_SCHEMES:
        raise ConfigError(
            "SURVEY_DATABASE_URL must be sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME, "
            f"got a URL whose scheme is {scheme!r}"
        )
    if scheme.startswith("sqlite"):
        path = raw.split("://", 1)[1]
        # sqlite:///relative, sqlite:////absolute; sqlite:// alone is an in-memory database.
        path = path[1:].split("?", 1)[0] if path.startswith("/") else ""
        if path and path != ":memory:" and not Path(path).resolve().parent.is_dir():
            raise ConfigError(
                f"SURVEY_DATABASE_URL names a SQLite file in a folder that does not exist: "
                f"{Path(path).resolve().parent}"
            )
    return raw


def _mail_from(raw: str) -> str:
    """The ``SURVEY_MAIL_FROM`` text (``Name <address>`` or an address), checked now: it must
    hold an address with an ``@``, in ASCII (the SMTP envelope carries it; the name may be in
    any language). Otherwise every message would be refused by the relay or failed for good."""
    from email.utils import parseaddr

    address = parseaddr(raw)[1]
    if "@" not in address or not address.isascii() or address.startswith("@"):
        raise ConfigError(
            "SURVEY_MAIL_FROM must be an address or Name <address>, the address in ASCII "
            f"(such as Service IQ <service-iq@example.com>), got {raw!r}"
        )
    return raw


def _server_url(raw: str | None, name: str, forms: str) -> str | None:
    """The ``name`` setting (``SURVEY_SMTP_URL`` or ``SURVEY_BOUNCE_POP3_URL``; None when unset
    or empty), checked now as ``send-mail`` or ``process-bounces`` reads it, so that a typo
    stops the start-up instead of every run of the cron job. ``forms`` shows the accepted
    shapes. The message never repeats the URL, which holds a password."""
    if not raw:
        return None
    from survey.mail.bounces import Pop3Settings
    from survey.mail.smtp import SmtpSettings

    parse = SmtpSettings.from_url if name == "SURVEY_SMTP_URL" else Pop3Settings.from_url
    try:
        parse(raw)
        _port = urlsplit(raw).port  # a port out of range or not a number
    except ValueError as error:
        raise ConfigError(f"{name} must be {forms}: {error}") from None
    return raw


def load_settings(
    instance_path: str, environ: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Return Flask config keys built from ``environ`` (default: ``os.environ``).

    ``SURVEY_DATABASE_URL`` defaults to a SQLite file under the instance folder. Cookies are
    marked Secure unless ``SURVEY_BASE_URL`` is a plain-http loopback address (local demo), or
    ``SURVEY_SECURE_COOKIES=0`` says otherwise.
    """
    env = os.environ if environ is None else environ
    if env.get("SURVEY_SMTP_URL") and not env.get("SURVEY_BASE_URL"):
        # Mail would leave with every link (survey, reset, unsubscribe) on the default,
        # this machine's loopback address, where no recipient can open it; sent links
        # cannot be corrected afterwards.
        raise ConfigError(
            "SURVEY_SMTP_URL is set but SURVEY_BASE_URL is not: the emails' links would lead "
            "to http://127.0.0.1:5000. Set SURVEY_BASE_URL to the public address, such as "
            "https://surveys.example.com (or to that loopback address for a local test)"
        )
    base_url = env.get("SURVEY_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    parts = _base_url_parts(base_url)
    local_http = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    secure = _bool(env, "SURVEY_SECURE_COOKIES", not local_http)
    if secure and parts.scheme == "http" and not local_http:
        # Browsers do not keep a Secure cookie set over plain http (loopback aside): no
        # session, so every form, a respondent's included, is refused for want of its CSRF
        # token, and nobody can sign in.
        raise ConfigError(
            f"SURVEY_BASE_URL is plain http ({base_url}) and cookies are Secure, which "
            "browsers do not keep over http: no form could be sent. Serve the site over "
            "https (SURVEY_BASE_URL=https://...), or set SURVEY_SECURE_COOKIES=0"
        )
    fatigue_days = _int(env, "SURVEY_FATIGUE_DAYS", 14, 1)
    fatigue_period_days = _int(env, "SURVEY_FATIGUE_PERIOD_DAYS", 30, 1)
    retain_invitations = _int(env, "SURVEY_RETAIN_INVITATIONS_DAYS", 400, 1)
    if retain_invitations < max(fatigue_days, fatigue_period_days):
        # The survey budget counts invitations: purging them sooner would reset it.
        raise ConfigError(
            "SURVEY_RETAIN_INVITATIONS_DAYS must be at least SURVEY_FATIGUE_DAYS and "
            f"SURVEY_FATIGUE_PERIOD_DAYS ({max(fatigue_days, fatigue_period_days)}), "
            f"got {retain_invitations}"
        )
    explicit_database = env.get("SURVEY_DATABASE_URL")
    # The default's folder, the instance folder, is made by the app factory.
    database_url = (
        _database_url(explicit_database)
        if explicit_database
        else "sqlite:///" + str(Path(instance_path) / "survey.sqlite3")
    )
    return {
        "SECRET_KEY": env.get("SURVEY_SECRET_KEY") or None,
        # Key of the respondent pseudonyms (survey.pseudonyms); derived from the secret key
        # when unset.
        "PSEUDONYM_KEY": env.get("SURVEY_PSEUDONYM_KEY") or None,
        "DATABASE_URL": database_url,
        "BASE_URL": base_url,
        "SMTP_URL": _server_url(
            env.get("SURVEY_SMTP_URL"),
            "SURVEY_SMTP_URL",
            "smtp://user:pass@host:port?starttls=1 or smtps://user:pass@host:port",
        ),
        # Mailbox receiving bounces and complaints (pop3:// or pop3s://), read by
        # ``flask survey process-bounces``.
        "BOUNCE_POP3_URL": _server_url(
            env.get("SURVEY_BOUNCE_POP3_URL"),
            "SURVEY_BOUNCE_POP3_URL",
            "pop3://user:pass@host:110 or pop3s://user:pass@host:995",
        ),
        "MAIL_FROM": _mail_from(env.get("SURVEY_MAIL_FROM") or "Service IQ <service-iq@localhost>"),
        "MIN_GROUP_SIZE": _int(env, "SURVEY_MIN_GROUP_SIZE", 5, 2),
        "COMMENT_GROUP_SIZE": _int(env, "SURVEY_COMMENT_GROUP_SIZE", 10, 2),
        "PAGE_SIZE": _int(env, "SURVEY_PAGE_SIZE", 25, 5),
        "FATIGUE_DAYS": fatigue_days,
        # One budget per person across survey kinds: at most CAP invitations of any kind
        # (post-interaction, quarterly, quiz) in any PERIOD_DAYS days.
        "FATIGUE_CAP": _int(env, "SURVEY_FATIGUE_CAP", 4, 1),
        "FATIGUE_PERIOD_DAYS": fatigue_period_days,
        # Retention in days (services/retention.py, run by ``tick`` and ``survey purge``):
        # finished invitations with their link and unsubscribe tokens; drafts not touched;
        # sent and failed mail; requests' link to their requester.
        "RETAIN_INVITATIONS_DAYS": retain_invitations,
        "RETAIN_DRAFTS_DAYS": _int(env, "SURVEY_RETAIN_DRAFTS_DAYS", 60, 1),
        "RETAIN_OUTBOX_DAYS": _int(env, "SURVEY_RETAIN_OUTBOX_DAYS", 90, 1),
        "RETAIN_INTERACTIONS_DAYS": _int(env, "SURVEY_RETAIN_INTERACTIONS_DAYS", 730, 1),
        # Hours an API ``Idempotency-Key`` is replayed; ``purge`` forgets it afterwards.
        "RETAIN_IDEMPOTENCY_HOURS": _int(env, "SURVEY_RETAIN_IDEMPOTENCY_HOURS", 24, 1),
        # Service standards in working time, e.g. "Mon-Fri 09:00-17:00 Europe/Rome";
        # empty = round the clock (analysis/business_time.py).
        "BUSINESS_HOURS": _calendar(env.get("SURVEY_BUSINESS_HOURS", "")),
        # The organisation's time zone: every time and date a page or an email shows is in
        # it (survey/local_format.py); stored times stay UTC.
        "TIMEZONE": _timezone(env.get("SURVEY_TIMEZONE", "")),
        "LINK_DAYS": _int(env, "SURVEY_LINK_DAYS", 14, 1),
        # How long the link mailed to a new account to choose its password works (hours).
        "SET_PASSWORD_HOURS": _int(env, "SURVEY_SET_PASSWORD_HOURS", 72, 1),
        # Email the people who read scorecards when a quarter's figures are released
        # (``delivery/services/release_mail.py``).
        "RELEASE_MAIL": _bool(env, "SURVEY_RELEASE_MAIL", True),
        # A request resolved more than this many days before its survey decision is stored
        # and counts toward compliance, but is not surveyed (``reported_late``): a back-fill
        # or a replay after an outage must not mail people about old requests.
        "LATE_REPORT_DAYS": _int(env, "SURVEY_LATE_REPORT_DAYS", 14, 1),
        # Cost of a new password or API key hash (passes, KiB, lanes): ``security``.
        "ARGON2": _argon2(env),
        "SIGNIN_MAX_FAILURES": _int(env, "SURVEY_SIGNIN_MAX_FAILURES", 5, 1),
        "SIGNIN_LOCK_SECONDS": _int(env, "SURVEY_SIGNIN_LOCK_SECONDS", 900, 1),
        # Trusted reverse proxies in front of the app (0: none, X-Forwarded-For is ignored).
        "PROXY_FIX_FOR": _int(env, "SURVEY_PROXY_FIX_FOR", 0, 0),
        # PostgreSQL only: how long a new connection may take before the "try again" page (a
        # database host that takes connections and never answers); the URL's own wins.
        "DATABASE_CONNECT_SECONDS": _int(
            env, "SURVEY_DATABASE_CONNECT_SECONDS", DATABASE_CONNECT_SECONDS, 2
        ),
        # SQLite only: how long a write waits for another writer before the "try again" page.
        "SQLITE_BUSY_TIMEOUT_MS": _int(
            env, "SURVEY_SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS, 0
        ),
        # Link-page requests a minute from one address (respondent and quiz links): an office
        # behind one shared gateway address may need more on the morning invitations go out.
        "LINK_REQUESTS_PER_MINUTE": _int(env, "SURVEY_LINK_REQUESTS_PER_MINUTE", 120, 10),
        # API requests a minute per API key (``extensions.limit_api_keys``).
        "API_REQUESTS_PER_MINUTE": _int(env, "SURVEY_API_REQUESTS_PER_MINUTE", 3000, 10),
        # Where rate-limit counters live: memory (per process) unless e.g. redis://host:6379
        # is given, which several app hosts behind a load balancer should share.
        "RATELIMIT_STORAGE_URI": env.get("SURVEY_RATELIMIT_STORAGE_URL") or "memory://",
        # Off only where something else limits (a gateway) or for load tests from one address.
        # Unset: on, except under TESTING (``extensions.init_app``).
        **({} if _bool(env, "SURVEY_RATELIMIT_ENABLED", True) else {"RATELIMIT_ENABLED": False}),
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "siq_session",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # The site check of a secure form post is ``extensions.SiteCsrf``'s (``Origin``, then
        # ``Referer``), not Flask-WTF's (``Referer`` only).
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(
            Path(__file__).resolve().parent.parent / "translations"
        ),
        "LOCALES": LOCALES,
    }


def min_group_size(config: Mapping[str, object]) -> int:
    """The app's k (``MIN_GROUP_SIZE``): the fewest people a published figure may rest on and
    the number the emails promise; a campaign may promise more. ``load_settings`` always sets
    it; a configuration without it (a bare test app) gets the default of the figures' gate."""
    return int(str(config.get("MIN_GROUP_SIZE") or K_FIGURES))


def mail_domain(config: Mapping[str, object]) -> str:
    """The domain for Message-IDs: the sender's, else the base URL's host."""
    sender = str(config.get("MAIL_FROM") or "")
    if "@" in sender:
        return sender.rsplit("@", 1)[1].strip(" >") or "localhost"
    return urlsplit(str(config.get("BASE_URL") or "")).hostname or "localhost"


def _catalogs_compiled(config: Mapping[str, object]) -> None:
    """ConfigError unless every translated language has its compiled catalog
    (``<translations>/<lang>/LC_MESSAGES/messages.mo``): without it every page and email in
    that language is silently in English. The catalogs are built from the ``.po`` files after
    installing (README, "Running in production"). Also when a ``.mo`` is older than its
    ``.po`` and differs from it (``survey.catalogs.is_stale``): compiled before a change."""
    from survey.locales import TRANSLATED_LOCALES

    # Flask-Babel reads several folders separated by ";"; a catalog in any of them counts.
    folders = [
        Path(part)
        for part in str(config.get("BABEL_TRANSLATION_DIRECTORIES") or "translations").split(";")
    ]
    folder = folders[0]
    missing = [
        lang
        for lang in TRANSLATED_LOCALES
        if not any((f / lang / "LC_MESSAGES" / "messages.mo").is_file() for f in folders)
    ]
    if missing:
        raise ConfigError(
            f"the translations of {', '.join(missing)} are not compiled (no messages.mo under "
            f"{folder}): pages and emails in those languages would be in English. Run "
            f"`.venv/bin/pybabel compile -d {folder}` once after installing"
        )
    from survey.catalogs import is_stale

    stale = [
        lang
        for lang in TRANSLATED_LOCALES
        if any(
            is_stale(
                f / lang / "LC_MESSAGES" / "messages.mo", f / lang / "LC_MESSAGES" / "messages.po"
            )
            for f in folders
            if (f / lang / "LC_MESSAGES" / "messages.mo").is_file()
        )
    ]
    if stale:
        raise ConfigError(
            f"the translations of {', '.join(stale)} were compiled before their messages.po "
            f"changed (the .mo is older than the .po and says something else): pages and emails "
            f"would show the old texts. Run `.venv/bin/pybabel compile -d {folder}`"
        )


def check_settings(config: Mapping[str, object], debug: bool, testing: bool) -> None:
    """Stop start-up with a clear message when a required setting is missing or invalid."""
    config_timezone = config.get("TIMEZONE")
    if config_timezone is not None:
        # A test or an embedding app may set it directly, bypassing the environment.
        _timezone(str(config_timezone))
    if debug or testing:
        return
    secret = config.get("SECRET_KEY") or ""
    length = len(secret) if isinstance(secret, str | bytes) else 0
    example = (
        "Set it to a long random string, for example:\n"
        "  export SURVEY_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
    )
    if not secret:
        raise ConfigError(f"SURVEY_SECRET_KEY is not set. {example}")
    if length < MIN_SECRET_KEY_LENGTH:
        # Sessions, sign-in cookies, CSRF tokens and (unless SURVEY_PSEUDONYM_KEY is set) the
        # respondents' pseudonyms rest on it: a short one can be guessed offline from any
        # signed cookie.
        raise ConfigError(
            f"SURVEY_SECRET_KEY is {length} characters long; it needs at least "
            f"{MIN_SECRET_KEY_LENGTH}. {example}"
        )
    time_cost, memory_kib, _lanes = config.get("ARGON2", DEFAULT_ARGON2)  # type: ignore[misc]
    if time_cost * memory_kib < MIN_ARGON2_KIB_PASSES:
        # Passwords and API keys may be guessed offline from a copy of the database.
        raise ConfigError(
            f"SURVEY_ARGON2_MEMORY_KIB times SURVEY_ARGON2_TIME_COST is "
            f"{time_cost * memory_kib}; a password hash needs at least "
            f"{MIN_ARGON2_KIB_PASSES} (for example 19456 KiB over 2 passes), or leave both "
            "unset for the default (65536 KiB over 3 passes)"
        )
    pseudonym_key = config.get("PSEUDONYM_KEY")
    if isinstance(pseudonym_key, str | bytes) and 0 < len(pseudonym_key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SURVEY_PSEUDONYM_KEY is {len(pseudonym_key)} characters long; it needs at least "
            f"{MIN_SECRET_KEY_LENGTH}, as the secret key does (or leave it unset)"
        )
    _catalogs_compiled(config)
