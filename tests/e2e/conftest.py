"""Browser fixtures for the end-to-end tests: Debian's Chromium driven by Playwright (never a
downloaded browser), browser contexts for a desktop and a phone, step screenshots, and
axe-core accessibility checks.

Every page is fetched over real HTTP: the quarterly journey runs the app under gunicorn
(``LiveServer`` from tests/conftest.py), the others under Werkzeug's threaded server in a thread
of the test process (``ThreadedServer``: the same HTTP without gunicorn's seconds of start-up).
The CLI (``tick``, ``send-mail``) and the test's ``session`` use the same database file.

- Chromium: ``/usr/bin/chromium`` (``SURVEY_CHROMIUM`` to use another binary). Missing, the
  tests fail with a message naming the fix; ``make test`` installs it as root.
- axe-core: ``.cache/axe/node_modules/axe-core/axe.min.js`` (``make system-deps`` installs it
  from npm). It is served to the page from the page's own origin by a Playwright route, so the
  site's Content-Security-Policy (``script-src 'self'``) stays in force during the checks.
- Screenshots: every step writes ``test-artifacts/e2e/<test>/<NN>-<step>.png``; steps named
  with ``doc=`` are copied to ``docs/screenshots/<doc>.png`` when the test passes and
  ``SURVEY_UPDATE_SCREENSHOTS=1`` is set (never in CI, so CI does not modify the repository).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError as error:  # pragma: no cover - a clear message instead of a bare one
    raise ImportError(
        "Playwright for Python is missing: `make test` installs it "
        "(pip install -e '.[test]'; the browser is Debian's chromium, never `playwright install`)"
    ) from error

from sqlalchemy.orm import Session
from werkzeug.serving import WSGIRequestHandler, make_server

from survey import create_app
from survey.config import MIN_ARGON2_KIB_PASSES
from survey.db import make_engine
from survey.demo import build_demo
from survey.models import Department, Dependency, Person, Service
from survey.services.accounts import create_api_key
from survey.services.questionnaires import install_default_questionnaires
from tests.conftest import PASSWORD
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SURVEY_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
DOC_SHOTS = ROOT / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("SURVEY_UPDATE_SCREENSHOTS") == "1"

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 860}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
}
AXE_PATH = "/__e2e__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so fixtures know whether it failed."""
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "e2e_report_call", None)
    return report is None or report.failed


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@functools.cache
def axe_source() -> str:
    """axe-core's script; fails the test (never skips it) when it is not installed."""
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core is not installed at {AXE_JS.relative_to(ROOT)}: run `make system-deps` "
            "(npm install --no-save --prefix .cache/axe axe-core@4)",
            pytrace=False,
        )
    return AXE_JS.read_text(encoding="utf-8")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log: the test output stays readable (errors are still logged)."""


#: The cheapest password hashing a production app accepts (``MIN_ARGON2_KIB_PASSES``, the
#: settings check; not the suite's ``TEST_ARGON2``, which only a TESTING app takes). The cost
#: is process-wide: the server's app sets it for every hash made while it runs, the demo's
#: accounts included, and the default would cost about 0.14 s a hash and a sign-in.
E2E_ARGON2 = (5, MIN_ARGON2_KIB_PASSES // 5, 1)


class ThreadedServer:
    """The app with production settings (not TESTING) under Werkzeug's threaded HTTP server in
    a thread of the test process, on a free loopback port.

    The same real HTTP as ``LiveServer`` (gunicorn), without its start-up cost (a fresh
    process importing scipy and matplotlib takes several seconds): used by the journeys that
    do not exercise the production server itself.
    """

    def __init__(self, db_url: str, **config: Any) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.app = create_app(
            {
                "DATABASE_URL": db_url,
                "SECRET_KEY": "e2e-test-secret-of-thirty-two-characters-at-least",
                "BASE_URL": self.url,
                "SESSION_COOKIE_SECURE": False,
                "REMEMBER_COOKIE_SECURE": False,
                "ARGON2": E2E_ARGON2,
                **config,
            }
        )
        self.server = make_server(
            "127.0.0.1", port, self.app, threaded=True, request_handler=_QuietHandler
        )
        self.thread = threading.Thread(
            target=self.server.serve_forever, name=f"e2e-server-{port}", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        self.app.extensions["survey.db"].engine.dispose()


@pytest.fixture
def server(db_url: str) -> Iterator[ThreadedServer]:
    """The app over HTTP on the test's database (the one ``app``, ``session`` and ``runner``
    use)."""
    running = ThreadedServer(db_url)
    yield running
    running.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the e2e package (closed before the other tests run, so that
    Playwright's event loop never meets theirs)."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `make test` installs it when run as root, or "
            "run `sudo apt-get install chromium chromium-driver` (set SURVEY_CHROMIUM to use "
            "another binary). Playwright's own browser downloads are not used.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _serve_axe(route: Any) -> None:
    try:
        body = axe_source()
    except pytest.fail.Exception:
        route.fulfill(status=404, body="axe-core missing")
        return
    route.fulfill(status=200, content_type="application/javascript", body=body)


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """This test's folder under test-artifacts/e2e/ (emptied first)."""
    folder = ARTIFACTS / _safe(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def new_context(
    browser: Browser, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context("desktop" | "phone", **playwright_options)``: a fresh browser profile
    (own cookies) in English on UTC. On failure every open page is saved as a screenshot."""
    contexts: list[BrowserContext] = []

    def make(device: str = "desktop", **options: Any) -> BrowserContext:
        settings = dict(PHONE if device == "phone" else DESKTOP)
        settings.update(locale="en-GB", timezone_id="UTC", accept_downloads=True)
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        context.route(f"**{AXE_PATH}", _serve_axe)
        contexts.append(context)
        return context

    yield make
    failed = _failed(request)
    for n, context in enumerate(contexts):
        if failed:
            for m, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(artifacts / f"failure-{n}-{m}.png"), full_page=True)
                except Exception as error:  # best effort while failing
                    print(f"no failure screenshot of {page.url}: {error}")
        context.close()


class Shots:
    """``shots(page, "step")`` saves ``<NN>-step.png`` (the whole page); ``doc="name"`` also
    marks it for docs/screenshots/name.png."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.docs: dict[str, Path] = {}

    def __call__(
        self, page: Page, step: str, *, doc: str | None = None, doc_full_page: bool = True
    ) -> Path:
        """The whole page; for the docs, only the screen as scrolled when ``doc_full_page``
        is False (long pages)."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{_safe(step)}.png"
        options: dict[str, Any] = {"animations": "disabled", "caret": "hide"}
        if doc and not doc_full_page:  # first: the whole-page shot may move the scroll
            screen = path.with_suffix(".screen.png")
            page.screenshot(path=str(screen), full_page=False, **options)
            self.docs[doc] = screen
        elif doc:
            self.docs[doc] = path
        page.screenshot(path=str(path), full_page=True, **options)
        return path


@pytest.fixture
def shots(artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Shots]:
    recorder = Shots(artifacts)
    yield recorder
    if UPDATE_SCREENSHOTS and recorder.docs and not _failed(request):
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        for name, path in recorder.docs.items():
            shutil.copyfile(path, DOC_SHOTS / f"{name}.png")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every WCAG 2.0/2.1 A and AA violation axe-core finds on the page as it is now."""
    axe_source()  # fail with the fix when it is missing
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return list(result["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())[:300]
            lines.append(f"    at {target}: {summary}")
            lines.append(f"       {node['html'][:200]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more elements")
    return "\n".join(lines)


class KnownAccessibilityProblem(AssertionError):
    """Only violations already reported (and marked xfail with ``raises=`` this) were found."""


def check_accessibility(
    page: Page, where: str, artifacts: Path | None = None, known: frozenset[str] = frozenset()
) -> None:
    """Assert that axe-core finds no serious or critical WCAG 2.1 AA violation; all findings
    (minor and moderate too) are written to ``axe-<where>.json`` beside the screenshots.

    Violations of the rules in ``known`` raise ``KnownAccessibilityProblem`` instead of a plain
    AssertionError, so that an ``xfail(raises=KnownAccessibilityProblem, strict=True)`` test
    still fails on any other violation, and passes (XPASS, strict: a failure) once fixed.
    """
    violations = axe_violations(page)
    if artifacts is not None:
        (artifacts / f"axe-{_safe(where)}.json").write_text(
            json.dumps(violations, indent=1), encoding="utf-8"
        )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    message = f"axe-core: serious/critical WCAG 2.1 AA violations on {where} ({page.url}):\n"
    unexpected = [v for v in blocking if v["id"] not in known]
    assert not unexpected, message + describe_violations(unexpected)
    if blocking:
        raise KnownAccessibilityProblem(message + describe_violations(blocking))


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form."""
    page.goto(f"{base_url}/auth/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/auth/sign-in" not in page.url, page.locator("main").inner_text()


@dataclass
class Org:
    """Four departments: Sales depends on IT and HR, Engineering on IT. Three people in Sales
    (English, Italian, French), two in Engineering; IT offers laptop repair; one API key."""

    it: Department
    hr: Department
    sales: Department
    eng: Department
    sales_people: list[Person]
    eng_people: list[Person]
    laptop: Service
    api_key: str


@pytest.fixture
def org(session: Session) -> Org:
    it = Department(code="IT", name="Information Technology")
    hr = Department(code="HR", name="Human Resources")
    sales = Department(code="SALES", name="Sales")
    eng = Department(code="ENG", name="Engineering")
    session.add_all([it, hr, sales, eng])
    session.flush()
    session.add_all(
        [
            Dependency(customer_department_id=sales.id, provider_department_id=it.id),
            Dependency(customer_department_id=sales.id, provider_department_id=hr.id),
            Dependency(customer_department_id=eng.id, provider_department_id=it.id),
        ]
    )
    sales_people = [
        Person(email="ada.rossi@example.com", name="Ada Rossi", department_id=sales.id),
        Person(
            email="bruno.conti@example.com", name="Bruno Conti", department_id=sales.id, locale="it"
        ),
        Person(
            email="claire.morel@example.com",
            name="Claire Morel",
            department_id=sales.id,
            locale="fr",
        ),
    ]
    eng_people = [
        Person(email="dev.one@example.com", name="Dana Byrne", department_id=eng.id),
        Person(email="dev.two@example.com", name="Eoin Walsh", department_id=eng.id),
    ]
    session.add_all([*sales_people, *eng_people])
    laptop = Service(provider_department_id=it.id, code="IT-LAPTOP", name="Laptop repair")
    session.add(laptop)
    install_default_questionnaires(session)
    _key, secret = create_api_key(session, "helpdesk")
    session.commit()
    return Org(it, hr, sales, eng, sales_people, eng_people, laptop, secret)


DEMO_PASSWORD = "demo-admin-pass"  # the documented demo sign-in


@pytest.fixture(scope="package")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo organisation (eight quarters of history, the demo sign-ins), built once for
    the package; tests get a copy. Without the demo's action plans: the journeys that use it
    record their own (test_screenshots_actions.py shows the demo's, built by its command)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as db:
        build_demo(db, seed=1, admin_password=DEMO_PASSWORD, actions=False)
        db.commit()
    engine.dispose()
    return path


@pytest.fixture
def demo_server(demo_template: Path, tmp_path: Path) -> Iterator[ThreadedServer]:
    """The app over HTTP on a fresh copy of the demo organisation."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    running = ThreadedServer(f"sqlite:///{path}")
    yield running
    running.stop()
