"""Fixtures for the soak tests: databases holding open links, and the app under gunicorn with
production settings (sync workers as in the README's deployment line, secret key, CSRF on).
Rate limits are off: all the load comes from one loopback address."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bench.fixtures import bench_session, open_invitations, seed_organisation
from tests.conftest import LiveServer
from tests.soak.traffic import ARTIFACTS

WORKERS = 4


def seed_links(url: str, links: int, organisation: bool = True) -> list[str]:
    """``links`` open post-interaction links (tokens) in the migrated database at ``url``;
    with ``organisation`` the departments, people and questionnaires are added first."""
    with bench_session(url) as session:
        if organisation:
            seed_organisation(session)
        return open_invitations(session, links)


@pytest.fixture
def serve(request: pytest.FixtureRequest) -> Iterator[Callable[..., LiveServer]]:
    """Start the app on a database URL (extra ``SURVEY_*`` settings as keywords); every server
    started is stopped at the end of the test, its log kept in test-artifacts/soak/logs/."""
    servers: list[LiveServer] = []

    def start(url: str, **env: str) -> LiveServer:
        server = LiveServer(url, workers=WORKERS, threads=1, SURVEY_RATELIMIT_ENABLED="0", **env)
        servers.append(server)
        return server

    yield start
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for n, server in enumerate(servers):
        (logs / f"{request.node.name}-{n}.log").write_text(server.log())
        server.stop()
