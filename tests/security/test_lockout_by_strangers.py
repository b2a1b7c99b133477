"""A stranger who knows someone's address locks their account with a few wrong passwords.

The attack: the sign-in throttle locks an account after ``SIGNIN_MAX_FAILURES`` wrong
passwords in its window, whoever typed them, so anyone who knows an administrator's address
could keep them out for good (a few requests every window). The defence: a browser where the
account signed in before carries a known-browser cookie (``accounts/services/devices.py``);
its attempts are counted under that browser's own budget, so a stranger's guesses lock the
browsers the account never used, not its owner's. The controls show that the lock still holds
for every browser without a valid cookie (a fresh one, a forged one, another account's), and
that guessing from a known browser locks that browser.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.accounts.services.devices import COOKIE
from survey.accounts.services.passwords import issue_password_reset
from survey.models import User
from survey.services.erasure import erase_person
from tests.conftest import CSRF_RE, PASSWORD, post_form

OWNER_ADDRESS = "198.51.100.7"
STRANGER_ADDRESS = "203.0.113.9"
FAILURES = 3
NEW_PASSWORD = "a new and long password"


def _sign_in(client: FlaskClient, email: str, password: str, address: str) -> Any:
    return post_form(
        client,
        "/auth/sign-in",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _signed_in(client: FlaskClient, address: str = OWNER_ADDRESS) -> bool:
    """Whether ``client`` is signed in, seen from ``address`` (a session is bound to it)."""
    page = client.get("/", environ_base={"REMOTE_ADDR": address})
    return "Sign out" in page.get_data(as_text=True)


def _known_browser(app: Flask, user: User, address: str = OWNER_ADDRESS) -> FlaskClient:
    """A browser where ``user`` signed in (and out again): it keeps its known-browser cookie."""
    browser = app.test_client()
    assert _sign_in(browser, user.email, PASSWORD, address).status_code == 302
    assert browser.get_cookie(COOKIE, path="/auth") is not None
    post_form(browser, "/auth/sign-out", {}, environ_base={"REMOTE_ADDR": address})
    assert not _signed_in(browser, address)
    return browser


def _lock_out(app: Flask, email: str) -> None:
    """A stranger's browser sends ``FAILURES`` wrong passwords for ``email``: the account is
    locked for every browser it never signed in on."""
    stranger = app.test_client()
    for _ in range(FAILURES):
        assert _sign_in(stranger, email, "a wrong guess", STRANGER_ADDRESS).status_code == 200
    assert _sign_in(stranger, email, PASSWORD, STRANGER_ADDRESS).status_code == 429


def _change_password(browser: FlaskClient) -> None:
    """The signed-in owner changes their password to ``NEW_PASSWORD`` on ``browser``."""
    page = browser.get("/auth/password", environ_base={"REMOTE_ADDR": OWNER_ADDRESS})
    assert page.status_code == 200
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match is not None
    reply = browser.post(
        "/auth/password",
        data={
            "csrf_token": match.group(1),
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        environ_base={"REMOTE_ADDR": OWNER_ADDRESS},
    )
    assert reply.status_code == 302 and "sign-in" not in reply.location, reply.status_code


@pytest.fixture
def few_failures(app: Flask) -> Flask:
    app.config["SIGNIN_MAX_FAILURES"] = FAILURES
    return app


@pytest.mark.postgres
def test_a_stranger_cannot_lock_out_someone_from_their_own_browser(few_failures, make_user):
    app, owner = few_failures, make_user("admin")
    browser = _known_browser(app, owner)
    _lock_out(app, owner.email)
    reply = _sign_in(browser, owner.email, PASSWORD, OWNER_ADDRESS)
    assert reply.status_code == 302
    assert _signed_in(browser)


def test_the_lock_still_holds_for_a_browser_the_account_never_used(few_failures, make_user):
    app, owner = few_failures, make_user("admin")
    _known_browser(app, owner)
    _lock_out(app, owner.email)
    fresh = app.test_client()
    assert _sign_in(fresh, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 429
    assert not _signed_in(fresh)


def test_a_forged_or_foreign_cookie_counts_as_none(few_failures, make_user):
    app, owner, stranger = few_failures, make_user("admin"), make_user("viewer")
    real = _known_browser(app, owner).get_cookie(COOKIE, path="/auth")
    assert real is not None
    # The stranger's own known browser: a valid cookie, of another account.
    theirs = _known_browser(app, stranger, STRANGER_ADDRESS).get_cookie(COOKIE, path="/auth")
    assert theirs is not None
    _lock_out(app, owner.email)
    forged = [theirs.value, real.value[:-4] + "AAAA", "[]", "not json at all", "x" * 3000]
    for value in forged:
        browser = app.test_client()
        browser.set_cookie(COOKIE, value, path="/auth")
        reply = _sign_in(browser, owner.email, PASSWORD, STRANGER_ADDRESS)
        assert reply.status_code == 429, value[:40]


def test_guessing_from_a_known_browser_locks_it_and_unknown_ones_not_the_owners_others(
    few_failures, make_user
):
    app, owner = few_failures, make_user("admin")
    thief, other = _known_browser(app, owner), _known_browser(app, owner)
    for _ in range(FAILURES):
        assert _sign_in(thief, owner.email, "a wrong guess", STRANGER_ADDRESS).status_code == 200
    assert _sign_in(thief, owner.email, PASSWORD, STRANGER_ADDRESS).status_code == 429
    # The guesses filled the account's budget too: no fresh browser gets more of them.
    assert _sign_in(app.test_client(), owner.email, PASSWORD, OWNER_ADDRESS).status_code == 429
    # The owner's other browser is not locked.
    assert _sign_in(other, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_the_owner_signing_in_does_not_give_a_copied_cookie_new_guesses(few_failures, make_user):
    """A thief holds a copy of the owner's cookie (the same nonce). The owner signing in on
    the original browser moves it to a new entry; the copy's count of failures must not start
    again, or every sign-in of the owner would buy the thief another budget."""
    app, owner = few_failures, make_user("admin")
    original = _known_browser(app, owner)
    entry = original.get_cookie(COOKIE, path="/auth")
    assert entry is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, entry.value, path="/auth")
    for _ in range(FAILURES - 1):
        assert _sign_in(thief, owner.email, "a wrong guess", STRANGER_ADDRESS).status_code == 200
    assert _sign_in(original, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    assert _sign_in(thief, owner.email, "a wrong guess", STRANGER_ADDRESS).status_code == 200
    # The copy has used its budget: even the right password is refused now.
    assert _sign_in(thief, owner.email, PASSWORD, STRANGER_ADDRESS).status_code == 429
    # The owner's browser, on its new entry, is not locked.
    post_form(original, "/auth/sign-out", {}, environ_base={"REMOTE_ADDR": OWNER_ADDRESS})
    assert _sign_in(original, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_a_cookie_planted_on_a_narrower_path_does_not_hide_the_owners(few_failures, make_user):
    """Someone able to set cookies for the site (a sibling host, plain http) plants a
    ``siq_device`` cookie on ``/auth/sign-in``: the browser sends it before the owner's (a
    longer path comes first), and read alone it would hide the owner's entry while a stranger
    holds the lock. Every value sent is read."""
    app, owner = few_failures, make_user("admin")
    browser = _known_browser(app, owner)
    real = browser.get_cookie(COOKIE, path="/auth")
    assert real is not None
    # Sent in a browser's order: the longer path first.
    browser.delete_cookie(COOKIE, path="/auth")
    browser.set_cookie(COOKIE, "planted", path="/auth/sign-in")
    browser.set_cookie(COOKIE, real.value, path="/auth")
    sent = browser.get("/auth/sign-in").request.headers.get("Cookie", "")
    assert sent.index(COOKIE + "=planted") < sent.rindex(COOKIE + "=")  # the planted one first
    _lock_out(app, owner.email)
    assert _sign_in(browser, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_a_password_change_ends_the_trust_of_every_other_browser(few_failures, make_user, session):
    app, owner = few_failures, make_user("admin")
    old = _known_browser(app, owner)
    current = _known_browser(app, owner)
    assert _sign_in(current, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    _change_password(current)
    post_form(current, "/auth/sign-out", {}, environ_base={"REMOTE_ADDR": OWNER_ADDRESS})
    stranger = app.test_client()
    for _ in range(FAILURES):
        _sign_in(stranger, owner.email, "a wrong guess", STRANGER_ADDRESS)
    # The browser that changed the password stays known; the one known before is not.
    assert _sign_in(current, owner.email, NEW_PASSWORD, OWNER_ADDRESS).status_code == 302
    assert _sign_in(old, owner.email, NEW_PASSWORD, OWNER_ADDRESS).status_code == 429


def test_the_owner_can_change_their_password_while_strangers_lock_the_account(
    few_failures, make_user
):
    app, owner = few_failures, make_user("admin")
    browser = _known_browser(app, owner)
    assert _sign_in(browser, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    _lock_out(app, owner.email)
    _change_password(browser)


def test_the_cookie_is_kept_to_the_sign_in_pages_and_names_nobody(app, make_user):
    owner = make_user("admin")
    browser = app.test_client()
    reply = _sign_in(browser, owner.email, PASSWORD, OWNER_ADDRESS)
    header = next(h for h in reply.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert {"httponly", "path", "max-age", "samesite"} <= attributes
    assert "Path=/auth" in header and "SameSite=Lax" in header
    value = header.split(";")[0].split("=", 1)[1]
    assert owner.email.split("@")[0] not in value and "@" not in value
    # Never sent with a respondent's link or a scorecard.
    assert "Path=/;" not in header


def test_a_cookie_of_odd_characters_does_not_break_the_sign_in(few_failures, make_user):
    """A ``siq_device`` cookie the app never wrote (another program on the host, a sibling
    site, a network attacker over plain http) whose tag has non-ASCII characters: the owner
    still signs in (and gets a good entry); a wrong guess is counted as from any unknown
    browser."""
    app, owner = few_failures, make_user("admin")
    today = int(time.time() // 86400)  # an entry of today: its tag is checked
    odd = f"AAAAAAAAAAAAAAAA.{today}.{'é' * 32}"
    browser = app.test_client()
    browser.set_cookie(COOKIE, odd, path="/auth")
    assert _sign_in(browser, owner.email, "a wrong guess", OWNER_ADDRESS).status_code == 200
    assert _sign_in(browser, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    renewed = browser.get_cookie(COOKIE, path="/auth")
    assert renewed is not None and "é" not in renewed.value


def test_the_owner_who_resets_their_password_while_locked_out_can_sign_in(
    few_failures, make_user, session
):
    """Locked out by a stranger, the owner does what the page suggests to anyone who cannot
    get in: asks for a reset link. The reset ends every browser's trust (``session_version``),
    so unless the browser that set the new password is known from then on, no browser is and
    the stranger keeps the owner out for as long as they keep guessing."""
    app, owner = few_failures, make_user("admin")
    old = _known_browser(app, owner)
    _lock_out(app, owner.email)
    user = session.get(User, owner.id)
    assert user is not None
    token = issue_password_reset(session, user)
    session.commit()
    mail_browser = app.test_client()  # the link opened from the mail, in any browser
    reply = post_form(
        mail_browser,
        f"/auth/reset/{token}",
        {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        environ_base={"REMOTE_ADDR": OWNER_ADDRESS},
    )
    assert reply.status_code == 302
    # The stranger's lock still holds for every other browser.
    fresh = app.test_client()
    assert _sign_in(fresh, owner.email, NEW_PASSWORD, OWNER_ADDRESS).status_code == 429
    assert _sign_in(mail_browser, owner.email, NEW_PASSWORD, OWNER_ADDRESS).status_code == 302
    assert _signed_in(mail_browser)
    # The browsers known before the reset are not any more.
    assert _sign_in(old, owner.email, NEW_PASSWORD, OWNER_ADDRESS).status_code == 429


def test_an_erased_accounts_cookie_does_not_count_for_the_account_that_takes_its_id(
    few_failures, make_user, session
):
    """An account is erased (``services/erasure.py`` deletes its row); SQLite gives the next
    account the same id, starting, like it, at ``session_version`` 1. The erased person's
    browser kept its cookie: its entry must not make that browser a known one for the new
    account, whose lock a stranger holds."""
    app = few_failures
    make_user("admin")  # so that the leaver may be erased
    leaver = make_user("viewer")
    leavers_browser = _known_browser(app, leaver, STRANGER_ADDRESS)
    leaver_id = leaver.id
    erase_person(session, leaver.email, actor=None)
    session.commit()
    session.expunge_all()  # the erasure deleted the row behind the session's back
    newcomer = make_user("viewer")
    if newcomer.id != leaver_id:
        pytest.skip("this database does not give an erased account's id again")
    _lock_out(app, newcomer.email)
    reply = _sign_in(leavers_browser, newcomer.email, "a guess", STRANGER_ADDRESS)
    assert reply.status_code == 429
