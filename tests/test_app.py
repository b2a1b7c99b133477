"""The app shell: settings, security headers, error pages, landing page."""

from __future__ import annotations

import pytest

from survey import create_app
from survey.config import ConfigError, load_settings

BASE = "https://surveys.example.com"


def test_missing_secret_key_stops_start_up(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    with pytest.raises(ConfigError, match="SURVEY_SECRET_KEY"):
        create_app()


def test_settings_come_from_environment(tmp_path) -> None:
    cfg = load_settings(
        str(tmp_path),
        {
            "SURVEY_DATABASE_URL": "postgresql://u@h/db",
            "SURVEY_BASE_URL": "https://surveys.example.com/",
            "SURVEY_MIN_GROUP_SIZE": "7",
            "SURVEY_SECRET_KEY": "s",
        },
    )
    assert cfg["DATABASE_URL"] == "postgresql://u@h/db"
    assert cfg["BASE_URL"] == "https://surveys.example.com"
    assert cfg["MIN_GROUP_SIZE"] == 7
    assert cfg["SESSION_COOKIE_SECURE"] is True


def test_local_http_base_url_allows_plain_cookies(tmp_path) -> None:
    cfg = load_settings(str(tmp_path), {"SURVEY_BASE_URL": "http://127.0.0.1:5000"})
    assert cfg["SESSION_COOKIE_SECURE"] is False
    assert str(cfg["DATABASE_URL"]).startswith("sqlite:///")


@pytest.mark.parametrize(
    "raw",
    [
        "ftp://x",
        "surveys.example.com",
        "http://[::1",
        "http://x:99999",
        "https://x:port",
        "http://",
    ],
)
def test_a_bad_base_url_is_a_clear_configuration_error(tmp_path, raw: str) -> None:
    with pytest.raises(ConfigError, match="SURVEY_BASE_URL must be an http"):
        load_settings(str(tmp_path), {"SURVEY_BASE_URL": raw})


def test_an_ipv6_loopback_base_url_is_local(tmp_path) -> None:
    cfg = load_settings(str(tmp_path), {"SURVEY_BASE_URL": "http://[::1]:5000"})
    assert cfg["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("raw", ["zero", "1", "-3"])
def test_bad_group_size_is_refused(tmp_path, raw: str) -> None:
    with pytest.raises(ConfigError, match="SURVEY_MIN_GROUP_SIZE"):
        load_settings(str(tmp_path), {"SURVEY_MIN_GROUP_SIZE": raw})


def test_landing_page_has_three_doors_and_security_headers(client) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="door"') == 3
    assert "<script" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(app, client) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.get("/auth/sign-in")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_unknown_page_is_a_friendly_404(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_api_errors_are_json(client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_unexpected_error_is_a_500_page_without_traceback(app, client) -> None:
    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = client.get("/boom-for-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body


def test_a_connection_lost_at_the_end_of_a_request_keeps_its_reply(
    app, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database restarted after the page was made: closing the request's session fails
    (its connection is gone), and that must not turn the finished page into a server error."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    def lost(_session: Session) -> None:
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection"))

    @app.get("/read-for-test")
    def read() -> str:
        from survey.db import get_session

        get_session()
        return "made"

    monkeypatch.setattr(Session, "close", lost)
    response = client.get("/read-for-test")
    assert response.status_code == 200 and response.get_data(as_text=True) == "made"


@pytest.mark.parametrize(
    ("lang", "word"), [("en", "Sign in"), ("it", "Accedi"), ("fr", "Se connecter")]
)
def test_language_from_query_and_browser(client, lang: str, word: str) -> None:
    assert word in client.get(f"/auth/sign-in?lang={lang}").get_data(as_text=True)
    # remembered for the next page
    assert word in client.get("/auth/sign-in").get_data(as_text=True)


def test_language_from_browser(client) -> None:
    html = client.get("/auth/sign-in", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="fr">' in html


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SURVEY_SECRET_KEY", "changeme"), ("SURVEY_PSEUDONYM_KEY", "p" * 31)],
)
def test_a_short_key_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path, variable: str, value: str
) -> None:
    """Sessions, sign-in cookies and CSRF tokens are signed with the secret key, and the
    respondents' pseudonyms keyed with one of the two: a key of a few characters can be
    guessed offline from any signed cookie. The README asks for a long random string; a
    short one is refused at start with the length it needs."""
    monkeypatch.setenv("SURVEY_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"{variable} is {len(value)} characters long"):
        create_app()
    monkeypatch.setenv(variable, "k" * 32)
    assert (
        create_app().config["SECRET_KEY"] == ("s" if variable != "SURVEY_SECRET_KEY" else "k") * 32
    )


@pytest.mark.parametrize(
    "raw",
    [
        "https://surveys.example.com/surveys",
        "https://surveys.example.com/surveys/",
        "https://surveys.example.com/?site=1",
        "https://surveys.example.com/#top",
        "https://admin:pw@surveys.example.com",
    ],
)
def test_a_base_url_that_is_not_the_sites_root_stops_start_up(tmp_path, raw: str) -> None:
    """The service answers at the root of its host (its pages link to /r/..., /static/...):
    with a path in the base URL the emails' links would lead under it and the pages' own
    links out of it, so the first respondent would find the broken form. Refused at start."""
    with pytest.raises(ConfigError, match="SURVEY_BASE_URL must be the site's root"):
        load_settings(str(tmp_path), {"SURVEY_BASE_URL": raw})
    root = load_settings(str(tmp_path), {"SURVEY_BASE_URL": "https://surveys.example.com:8443/"})
    assert root["BASE_URL"] == "https://surveys.example.com:8443"


@pytest.mark.parametrize(
    "raw",
    [
        "http://user:Secr3t@relay.example.com",
        "user:Secr3t@relay.example.com:587",
        "smtp://user:Secr3t@",
        "smtp://user:Secr3t@relay:99999",
        "smtp://user:Secr3t@relay?timeout=soon",
    ],
)
def test_an_smtp_url_that_cannot_be_used_stops_start_up(tmp_path, raw: str) -> None:
    """A mistyped ``SURVEY_SMTP_URL`` was read only by ``send-mail``, which then failed with a
    traceback on every run while the service took answers and queued their mail; the start is
    refused instead, naming the setting (and never echoing the password the URL holds)."""
    with pytest.raises(ConfigError, match="SURVEY_SMTP_URL must be") as refused:
        load_settings(str(tmp_path), {"SURVEY_SMTP_URL": raw, "SURVEY_BASE_URL": BASE})
    assert "Secr3t" not in str(refused.value)
    good = "smtp://user:p%40ss@relay.example.com:587?starttls=1"
    assert (
        load_settings(str(tmp_path), {"SURVEY_SMTP_URL": good, "SURVEY_BASE_URL": BASE})["SMTP_URL"]
        == good
    )
    assert load_settings(str(tmp_path), {"SURVEY_SMTP_URL": ""})["SMTP_URL"] is None


@pytest.mark.parametrize(
    "raw",
    [
        "mysql://siq:Secr3t@db/siq",
        "postgresq://siq:Secr3t@db/siq",
        "postgresql+psycopg2://siq:Secr3t@db/siq",
        "db.example.com/siq",
    ],
)
def test_a_database_url_the_app_cannot_use_stops_start_up(tmp_path, raw: str) -> None:
    """Another database, a typo in the scheme or another PostgreSQL driver failed inside the
    app factory with a driver's traceback, after which the command line said only "No such
    command 'survey'"; the start is refused naming the setting, never its password."""
    with pytest.raises(ConfigError, match="SURVEY_DATABASE_URL must be") as refused:
        load_settings(str(tmp_path), {"SURVEY_DATABASE_URL": raw})
    assert "Secr3t" not in str(refused.value)


def test_a_sqlite_file_in_a_missing_folder_stops_start_up(tmp_path) -> None:
    missing = tmp_path / "no-such-folder" / "survey.sqlite3"
    with pytest.raises(ConfigError, match="folder that does not exist"):
        load_settings(str(tmp_path), {"SURVEY_DATABASE_URL": f"sqlite:///{missing}"})
    for good in (
        f"sqlite:///{tmp_path}/survey.sqlite3",
        "sqlite://",
        "postgres://siq@db/siq",
        "postgresql+psycopg://siq@db/siq",
    ):
        assert load_settings(str(tmp_path), {"SURVEY_DATABASE_URL": good})["DATABASE_URL"] == good


@pytest.mark.parametrize("raw", ["Service IQ", "Servizio <qualità@example.it>", "<@example.com>"])
def test_a_sender_without_a_usable_address_stops_start_up(tmp_path, raw: str) -> None:
    """Every message carries ``SURVEY_MAIL_FROM``'s address as its envelope sender: without
    one, or with one in non-ASCII, every message would fail. A name in any language is
    fine."""
    with pytest.raises(ConfigError, match="SURVEY_MAIL_FROM must be"):
        load_settings(str(tmp_path), {"SURVEY_MAIL_FROM": raw})
    named = "Qualità del servizio <qualita@example.it>"
    assert load_settings(str(tmp_path), {"SURVEY_MAIL_FROM": named})["MAIL_FROM"] == named


def test_mail_without_a_base_url_stops_start_up(tmp_path) -> None:
    """With SMTP set and SURVEY_BASE_URL forgotten, every email left with links to the
    default http://127.0.0.1:5000, which no recipient can open, and sent links cannot be
    corrected: the start is refused. A base URL given, even a loopback one, is taken."""
    smtp = "smtp://relay.example.com:587"
    with pytest.raises(ConfigError, match="SURVEY_BASE_URL is not"):
        load_settings(str(tmp_path), {"SURVEY_SMTP_URL": smtp})
    for base in ("https://surveys.example.com", "http://127.0.0.1:5000"):
        given = {"SURVEY_SMTP_URL": smtp, "SURVEY_BASE_URL": base}
        assert load_settings(str(tmp_path), given)["BASE_URL"] == base


@pytest.mark.parametrize(
    "raw",
    [
        "imap://bounces:Secr3t@mail.example.com",
        "pop3://mail.example.com",
        "pop3s://bounces:Secr3t@mail.example.com:99999",
    ],
)
def test_a_bounce_mailbox_url_that_cannot_be_used_stops_start_up(tmp_path, raw: str) -> None:
    """As for the SMTP URL: a mistyped ``SURVEY_BOUNCE_POP3_URL`` was found only by each run
    of ``process-bounces`` from cron; the start is refused, naming the setting, not the
    password."""
    with pytest.raises(ConfigError, match="SURVEY_BOUNCE_POP3_URL must be") as refused:
        load_settings(str(tmp_path), {"SURVEY_BOUNCE_POP3_URL": raw})
    assert "Secr3t" not in str(refused.value)
    good = "pop3s://bounces:p%40ss@mail.example.com:995"
    assert load_settings(str(tmp_path), {"SURVEY_BOUNCE_POP3_URL": good})["BOUNCE_POP3_URL"] == good


def test_uncompiled_translations_stop_start_up(tmp_path) -> None:
    """``pip install .`` leaves the catalogs as ``.po`` files, and the README asks to compile
    them after installing: forgotten, every Italian and French page and email came out in
    English without a word. Outside debug and testing the start is refused, naming the
    languages and the command."""
    import shutil

    from survey import ROOT

    for lang in ("it", "fr"):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", folder)
    settings = {
        "SECRET_KEY": "k" * 32,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
    }
    with pytest.raises(ConfigError, match="translations of it, fr are not compiled"):
        create_app(settings)
    for lang in ("it", "fr"):
        compiled = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.mo"
        shutil.copy(compiled, tmp_path / lang / "LC_MESSAGES")
    assert create_app(settings).config["BABEL_TRANSLATION_DIRECTORIES"] == str(tmp_path)


def test_translations_changed_after_compiling_stop_start_up(tmp_path) -> None:
    """A ``git pull`` brings new or corrected Italian texts in the ``.po``; the ``.mo`` compiled
    before still has the old ones, and the pages showed them (or English) without a word.
    A ``.mo`` older than its ``.po`` is compared with it by content: different, the start is
    refused naming the language; the same (a fresh checkout or a copy that gave both files new
    times), it starts."""
    import os
    import shutil

    from survey import ROOT

    for lang in ("it", "fr"):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        for name in ("messages.mo", "messages.po"):
            shutil.copy(ROOT / "translations" / lang / "LC_MESSAGES" / name, folder)
    settings = {
        "SECRET_KEY": "k" * 32,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
    }

    def older_mo(lang: str) -> None:
        mo = tmp_path / lang / "LC_MESSAGES" / "messages.mo"
        os.utime(mo, (1_000_000_000, 1_000_000_000))

    for lang in ("it", "fr"):
        older_mo(lang)
    assert create_app(settings) is not None  # older, yet the same messages
    po = tmp_path / "it" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "Pagina non trovata"' in text
    po.write_text(text.replace('msgstr "Pagina non trovata"', 'msgstr "Pagina inesistente"'))
    with pytest.raises(ConfigError, match=r"translations of it .*older than") as refused:
        create_app(settings)
    assert "pybabel compile" in str(refused.value) and "of it were compiled" in str(refused.value)
    # Newer than its .po: trusted without reading either.
    os.utime(tmp_path / "it" / "LC_MESSAGES" / "messages.mo")
    assert create_app(settings) is not None


@pytest.mark.parametrize(
    "name", ["SURVEY_SECURE_COOKIES", "SURVEY_RATELIMIT_ENABLED", "SURVEY_RELEASE_MAIL"]
)
def test_every_boolean_setting_reads_the_same_words(tmp_path, name: str) -> None:
    """One reading of every on/off setting: 1/0, true/false, yes/no, on/off in any case and
    spacing (``off`` used to leave Secure cookies and rate limits on); anything else, a typo
    such as ``flase``, stops the start-up naming the setting instead of meaning "on"."""
    key = {
        "SURVEY_SECURE_COOKIES": "SESSION_COOKIE_SECURE",
        "SURVEY_RATELIMIT_ENABLED": None,
        "SURVEY_RELEASE_MAIL": "RELEASE_MAIL",
    }
    https = {"SURVEY_BASE_URL": BASE}

    def reads(raw: str) -> bool:
        cfg = load_settings(str(tmp_path), {**https, name: raw})
        if key[name] is None:
            return cfg.get("RATELIMIT_ENABLED", True) is not False
        return bool(cfg[key[name]])

    for raw in ("0", "false", "no", "off", "OFF", " Off ", "False", "NO"):
        assert reads(raw) is False, raw
    for raw in ("1", "true", "yes", "on", "ON", " True ", "Yes"):
        assert reads(raw) is True, raw
    for raw in ("flase", "2", "disabled", "y"):
        with pytest.raises(ConfigError, match=name):
            reads(raw)


def test_secure_cookies_on_a_plain_http_site_stop_start_up(tmp_path) -> None:
    """An intranet site served over plain http (SURVEY_BASE_URL=http://surveys.intranet...)
    got Secure cookies by default, which a browser does not keep over http: tried in the
    headless browser against the app under gunicorn, the sign-in page set no cookie and the
    sign-in answered 400, as would every respondent's form. The start is refused with both
    ways out; https, loopback, and an explicit SURVEY_SECURE_COOKIES=0 start."""
    http = {"SURVEY_BASE_URL": "http://surveys.intranet.example.com"}
    with pytest.raises(ConfigError, match="browsers do not keep over http"):
        load_settings(str(tmp_path), http)
    with pytest.raises(ConfigError, match="SURVEY_SECURE_COOKIES=0"):
        load_settings(str(tmp_path), {**http, "SURVEY_SECURE_COOKIES": "1"})
    plain = load_settings(str(tmp_path), {**http, "SURVEY_SECURE_COOKIES": "0"})
    assert plain["SESSION_COOKIE_SECURE"] is False
    for base in ("https://surveys.intranet.example.com", "http://localhost:8000"):
        assert load_settings(str(tmp_path), {"SURVEY_BASE_URL": base})["BASE_URL"] == base
