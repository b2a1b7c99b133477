"""The cost of password and API key hashes: argon2id at 65536 KiB over 3 passes in 4 lanes
unless ``SURVEY_ARGON2_*`` say otherwise; a cost too cheap to resist offline guessing stops the
start-up; a sign-in re-hashes a password made at another cost. (The rest of the suite hashes
cheaply, ``conftest.TEST_ARGON2``; this file is where the real cost is checked.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from survey import create_app
from survey.config import ConfigError, load_settings
from survey.models import User
from survey.security import NO_PASSWORD, hash_secret, verify_secret
from tests.conftest import PASSWORD, post_form

SECRET = "s" * 40


def _cost_of(stored_hash: str) -> tuple[int, int, int]:
    """(passes, KiB, lanes) read from an encoded argon2id hash."""
    assert stored_hash.startswith("$argon2id$v=19$"), stored_hash
    fields = dict(part.split("=") for part in stored_hash.split("$")[3].split(","))
    return int(fields["t"]), int(fields["m"]), int(fields["p"])


def test_by_default_a_hash_costs_64_mib_over_3_passes(app_config: dict[str, Any]) -> None:
    assert load_settings("/nonexistent")["ARGON2"] == (3, 65536, 4)
    settings = {key: value for key, value in app_config.items() if key != "ARGON2"}
    create_app(settings)
    stored = hash_secret("a long password")
    assert _cost_of(stored) == (3, 65536, 4)
    assert verify_secret(stored, "a long password")
    assert not verify_secret(stored, "a long passwore")


def test_the_settings_give_the_cost(
    monkeypatch: pytest.MonkeyPatch, app_config: dict[str, Any]
) -> None:
    monkeypatch.setenv("SURVEY_ARGON2_TIME_COST", "2")
    monkeypatch.setenv("SURVEY_ARGON2_MEMORY_KIB", "19456")
    monkeypatch.setenv("SURVEY_ARGON2_PARALLELISM", "1")
    assert load_settings("/nonexistent")["ARGON2"] == (2, 19456, 1)
    settings = {key: value for key, value in app_config.items() if key != "ARGON2"}
    create_app(settings)
    assert _cost_of(hash_secret("x")) == (2, 19456, 1)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SURVEY_ARGON2_TIME_COST", "three", "must be a whole number"),
        ("SURVEY_ARGON2_TIME_COST", "0", "must be at least 1"),
        ("SURVEY_ARGON2_PARALLELISM", "0", "must be at least 1"),
        # argon2 needs 8 KiB a lane: the library would refuse it at the first sign-in.
        ("SURVEY_ARGON2_MEMORY_KIB", "16", "must be at least 32"),
    ],
)
def test_a_malformed_cost_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"{variable} {message}"):
        load_settings("/nonexistent")


def test_a_cost_too_cheap_for_a_server_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """A copy of the database (a stolen backup) lets anyone guess passwords offline at the
    hash's cost: 1 MiB over one pass would let a graphics card try millions a second."""
    monkeypatch.setenv("SURVEY_SECRET_KEY", SECRET)
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("SURVEY_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("SURVEY_ARGON2_MEMORY_KIB", "1024")
    with pytest.raises(ConfigError, match="SURVEY_ARGON2_MEMORY_KIB times"):
        create_app()
    monkeypatch.setenv("SURVEY_ARGON2_TIME_COST", "2")
    monkeypatch.setenv("SURVEY_ARGON2_MEMORY_KIB", "19456")
    assert create_app().config["ARGON2"] == (2, 19456, 4)
    assert _cost_of(hash_secret("x")) == (2, 19456, 4)


def test_a_sign_in_rehashes_a_password_made_at_another_cost(
    app_config: dict[str, Any], make_user: Any, session: Any
) -> None:
    """An administrator who raises the cost gets every active account's hash upgraded as its
    owner signs in; the old hash still lets them in."""
    user = make_user("viewer")
    session.commit()
    assert _cost_of(user.password_hash) == app_config["ARGON2"]
    stronger = create_app({**app_config, "ARGON2": (2, 2048, 1)})
    response = post_form(
        stronger.test_client(), "/auth/sign-in", {"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    session.expire_all()
    stored = session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored is not None and _cost_of(stored) == (2, 2048, 1)
    assert verify_secret(stored, PASSWORD)


def test_no_account_and_no_password_match_nothing() -> None:
    assert not verify_secret(None, "")
    assert not verify_secret(None, "not-a-real-password")
    assert not verify_secret(NO_PASSWORD, NO_PASSWORD)
    assert not verify_secret("not a hash", "not a hash")
