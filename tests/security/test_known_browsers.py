"""The known-browser cookie on its own (``survey/accounts/services/devices.py``): what makes
an entry valid, how long it lasts, and how many accounts one browser remembers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from survey.accounts.services.devices import (
    MAX_AGE_DAYS,
    MAX_ENTRIES,
    MAX_LENGTH,
    KnownBrowsers,
    key_from_secret,
)

KEY = key_from_secret("a secret key of the right length for tests")
NOW = datetime(2026, 12, 6, 10, 30, tzinfo=UTC)


@dataclass
class Account:
    id: int
    session_version: int = 1
    email: str = "someone@example.com"


def _signed_in(cookie: str | None, user: Account, now: datetime = NOW) -> str:
    return KnownBrowsers(KEY, cookie).renewed(user, now)


def test_an_entry_is_valid_for_its_account_only_and_until_it_is_a_year_old() -> None:
    alice, bob = Account(1), Account(2)
    cookie = _signed_in(None, alice)
    browsers = KnownBrowsers(KEY, cookie)
    assert browsers.nonce_for(alice, NOW) is not None
    assert browsers.nonce_for(bob, NOW) is None
    assert browsers.nonce_for(None, NOW) is None
    last_day = NOW + timedelta(days=MAX_AGE_DAYS - 1)
    assert browsers.nonce_for(alice, last_day) is not None
    assert browsers.nonce_for(alice, NOW + timedelta(days=MAX_AGE_DAYS)) is None
    # An entry dated after today is not one this app wrote.
    assert browsers.nonce_for(alice, NOW - timedelta(days=1)) is None


def test_a_new_session_version_or_another_key_ends_the_trust() -> None:
    alice = Account(1)
    cookie = _signed_in(None, alice)
    assert KnownBrowsers(KEY, cookie).nonce_for(Account(1, session_version=2), NOW) is None
    # An erased account's id given to a new one (SQLite), at the same version.
    assert (
        KnownBrowsers(KEY, cookie).nonce_for(Account(1, email="newcomer@example.com"), NOW) is None
    )
    other_key = key_from_secret("another installation's secret key")
    assert KnownBrowsers(other_key, cookie).nonce_for(alice, NOW) is None


def test_any_change_to_an_entry_makes_it_count_as_none() -> None:
    alice = Account(1)
    cookie = _signed_in(None, alice)
    nonce, day, tag = cookie.split(".")
    changed = [
        f"{nonce}x.{day}.{tag}",
        f"{nonce}.{int(day) - 1}.{tag}",
        f"{nonce}.{day}.{tag[:-1]}{'0' if tag[-1] != '0' else '1'}",
        f"{nonce}.{day}",
        f"{nonce}.{day}.{tag}.x",
        f"{nonce}.١٢.{tag}",
        "",
        "::::",
        cookie + ":" + "y" * MAX_LENGTH,
    ]
    for value in changed:
        assert KnownBrowsers(KEY, value).nonce_for(alice, NOW) is None, value


def test_a_shared_browser_remembers_its_newest_accounts() -> None:
    people = [Account(i) for i in range(1, MAX_ENTRIES + 2)]
    cookie = None
    for person in people:
        cookie = _signed_in(cookie, person)
    browsers = KnownBrowsers(KEY, cookie)
    assert browsers.nonce_for(people[0], NOW) is None  # the oldest is forgotten
    assert all(browsers.nonce_for(p, NOW) is not None for p in people[1:])
    assert len(cookie or "") <= MAX_LENGTH


def test_signing_in_again_gives_a_new_nonce_and_keeps_one_entry_per_account() -> None:
    alice, bob = Account(1), Account(2)
    first = _signed_in(_signed_in(None, bob), alice)
    again = _signed_in(first, alice, NOW + timedelta(days=3))
    later = NOW + timedelta(days=3)
    assert len(again.split(":")) == 2
    nonce = KnownBrowsers(KEY, again).nonce_for(alice, later)
    assert nonce is not None and nonce != KnownBrowsers(KEY, first).nonce_for(alice, NOW)
    assert KnownBrowsers(KEY, again).nonce_for(bob, later) is not None


def test_expired_entries_are_dropped_when_the_cookie_is_renewed() -> None:
    alice, bob = Account(1), Account(2)
    old = _signed_in(None, bob)
    renewed = _signed_in(old, alice, NOW + timedelta(days=MAX_AGE_DAYS + 1))
    assert len(renewed.split(":")) == 1


def test_an_entry_whose_tag_has_characters_no_tag_has_counts_as_none() -> None:
    """A tag is 32 hexadecimal digits. One of 32 other characters (a cookie left by another
    program on the host, or set by a sibling site) must count as none, not break the check: a
    constant-time comparison of text refuses anything but ASCII."""
    alice = Account(1)
    nonce, day, _tag = _signed_in(None, alice).split(".")
    for tag in ("é" * 32, "\u0663" * 32, "g" * 32):
        odd = f"{nonce}.{day}.{tag}"
        browsers = KnownBrowsers(KEY, odd)
        assert browsers.nonce_for(alice, NOW) is None, tag
        renewed = browsers.renewed(alice, NOW)
        assert odd not in renewed and KnownBrowsers(KEY, renewed).nonce_for(alice, NOW)


def test_every_value_sent_is_read_and_a_planted_one_hides_nothing() -> None:
    alice = Account(1)
    real = _signed_in(None, alice)
    planted = ["x" * (MAX_LENGTH + 1), "garbage", ":".join(["a.1.b"] * (MAX_ENTRIES + 3))]
    for value in planted:
        browsers = KnownBrowsers(KEY, [value, real])
        assert browsers.nonce_for(alice, NOW) == KnownBrowsers(KEY, real).nonce_for(alice, NOW)
        renewed = browsers.renewed(alice, NOW)
        assert value not in renewed and len(renewed.split(":")) == 1
    assert KnownBrowsers(KEY, []).nonce_for(alice, NOW) is None
