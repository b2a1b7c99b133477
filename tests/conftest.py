"""Shared fixtures: the app on a fresh database per test (SQLite always; PostgreSQL as well for
tests marked ``postgres``), the test client, the CLI runner, a session, and factory fixtures
over the builders of ``tests/factories.py``."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import text
from sqlalchemy.orm import Session

from survey import create_app
from survey.db import database, make_engine
from survey.migrate import upgrade
from survey.models import Department, Person, Questionnaire, User
from survey.quiz.items import install_quiz
from survey.quiz.scoring import ItemKey
from survey.quiz.services import item_keys, live_items
from tests import factories
from tests.factories import PASSWORD
from tests.pg import Cluster

_counter = itertools.count(1)

#: One pass over 1 MiB in one lane: about a millisecond a hash instead of a quarter second.
TEST_ARGON2 = (1, 1024, 1)


class SharedBytecode(BytecodeCache):
    """Compiled templates kept in memory for every app this process creates. Each test makes
    its own app, whose template environment would otherwise compile every page anew (about
    40 ms a template); the cache is keyed by template name and checked against its source, so
    an edited template is compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def _reuse_url_builders() -> None:
    """Each app compiles a URL builder for each of its hundred routes, generating and compiling
    Python source (about 0.4 ms a route: most of the 47 ms an app takes to create). A builder
    depends only on its rule's text, its parsed parts and whether it appends unknown
    arguments (the converters are reached through the rule at call time), so the builders of
    rules without defaults are compiled once per process and shared. Left alone when the
    routing module no longer has the method (a newer version): the suite is then slower, not
    wrong."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:
        return
    builders: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}

    def shared(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedBytecode()}
    _reuse_url_builders()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The soak tests (tests/soak, minutes of load and faults) run only when ``-m`` names them
    (``make soak``), never as part of a plain run or of another marker's selection."""
    if "soak" in (config.getoption("markexpr") or ""):
        return
    soak = [item for item in items if item.get_closest_marker("soak") is not None]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [item for item in items if item.get_closest_marker("soak") is None]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = ["sqlite"]
        if metafunc.definition.get_closest_marker("postgres"):
            backends.append("postgres")
        metafunc.parametrize("backend", backends)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    cluster.start()
    engine = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE DATABASE siq_template"))
    engine.dispose()
    template = make_engine(cluster.url("siq_template"))
    upgrade(template)
    template.dispose()
    yield cluster
    cluster.stop()


def fresh_database(
    backend: str, directory: Path, request: pytest.FixtureRequest, like: str | None = None
) -> str:
    """The URL of a new, migrated database: a copy of the SQLite template in ``directory``, or
    a PostgreSQL database made from the cluster's template; a copy of the database at ``like``
    (a URL this function returned, no longer connected) when given. Also usable inside a test
    that needs several (a hypothesis state machine starts each example on its own)."""
    if backend == "sqlite":
        target = directory / f"survey-{next(_counter)}.sqlite3"
        source = (
            like.removeprefix("sqlite:///") if like else request.getfixturevalue("sqlite_template")
        )
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = f"siq_test_{next(_counter)}"
    template = like.rsplit("/", 1)[1] if like else "siq_template"
    engine = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    engine.dispose()
    return cluster.url(name)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return fresh_database(backend, tmp_path, request)


@pytest.fixture
def app_config(db_url: str, tmp_path: Path) -> dict[str, Any]:
    """Override in a test module to change settings."""
    return {
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://localhost",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        # Cheap password hashes (still argon2id): the suite creates and signs in about a
        # thousand accounts. tests/test_password_cost.py checks the default cost.
        "ARGON2": TEST_ARGON2,
    }


@pytest.fixture
def app(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    app = create_app(app_config)
    app.instance_path = str(tmp_path / "instance")
    yield app
    app.extensions["survey.db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the test's own, outside any request: commit what the test sets up.

    It deliberately pushes no app context, so each client request gets its own context, its
    own session and its own signed-in user, as in production.
    """
    # Deferred transactions: the test's reads must not hold SQLite's write lock against the
    # app's requests and commands.
    engine = database(app).engine.execution_options(sqlite_begin="DEFERRED")
    db = Session(engine, expire_on_commit=False)
    yield db
    db.close()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, page: str = "/auth/sign-in") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    for url in (page, "/auth/sign-in", "/"):
        match = CSRF_RE.search(client.get(url).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError(f"no csrf_token on {page}, the sign-in page or /")


def post_form(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """POST ``data`` with a valid CSRF token, as a browser submitting the form would."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=payload, **kwargs)


@pytest.fixture
def make_department(session: Session) -> Callable[..., Department]:
    def make(code: str | None = None, name: str | None = None, **kw: Any) -> Department:
        return factories.department(session, code, name, **kw)

    return make


@pytest.fixture
def make_person(
    session: Session, make_department: Callable[..., Department]
) -> Callable[..., Person]:
    def make(email: str | None = None, department: Department | None = None, **kw: Any) -> Person:
        return factories.person(session, email, department, **kw)

    return make


@pytest.fixture
def make_user(session: Session, make_department: Callable[..., Department]) -> Callable[..., User]:
    def make(role: str = "admin", email: str | None = None, **kw: Any) -> User:
        return factories.user(session, role, email, **kw)

    return make


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[..., FlaskClient]:
    """Sign ``user`` in on the test client (or on the client ``on``, for a test that needs
    several people signed in at once) through the real form."""

    def do(user: User, on: FlaskClient | None = None) -> FlaskClient:
        target = on or client
        response = post_form(target, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return target

    return do


@pytest.fixture
def admin_client(
    make_user: Callable[..., User], sign_in: Callable[[User], FlaskClient]
) -> FlaskClient:
    return sign_in(make_user("admin"))


@pytest.fixture
def quiz(session: Session) -> Questionnaire:
    """The self-assessment quiz, installed."""
    questionnaire = install_quiz(session)
    session.commit()
    return questionnaire


@pytest.fixture
def keys(quiz: Questionnaire) -> list[ItemKey]:
    """The scoring key of each of the quiz's live items."""
    return item_keys(live_items(quiz))


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server on a free loopback port; see tests/smtp.py to script its replies."""
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


class LiveServer:
    """The app under gunicorn in a subprocess, on a free loopback port.

    ``threads=1`` gives gunicorn's sync workers (as in production); more gives threaded ones.
    The server's log goes to a file (a pipe nobody reads would fill and stall the workers),
    readable with ``log()``.
    """

    def __init__(self, db_url: str, workers: int = 2, threads: int = 4, **env: str) -> None:
        import os
        import subprocess
        import sys
        import tempfile

        from tests.smtp import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "SURVEY_DATABASE_URL": db_url,
            "SURVEY_SECRET_KEY": "live-test-secret-of-thirty-two-characters-at-least",
            "SURVEY_BASE_URL": self.url,
            **env,
        }
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            [
                gunicorn,
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=str(Path(__file__).resolve().parent.parent),
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        try:
            self._wait()
        except RuntimeError:
            self.stop()  # a server that would not start: its process and log are closed
            raise

    def log(self) -> str:
        """What the server wrote to its log so far (read without moving the file offset the
        server shares)."""
        import os

        fd = self._log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")

    def _wait(self) -> None:
        import time
        import urllib.request

        # Generous: workers import the whole app, and the machine may be busy.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log())
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
        self._log.close()


@pytest.fixture
def live_server(db_url: str) -> Iterator[LiveServer]:
    server = LiveServer(db_url)
    yield server
    server.stop()
