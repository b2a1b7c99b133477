"""Renders the scorecard pages of a fixed demo, charts aside, so that two versions of the code
can be compared figure by figure (a refactoring of how the pages read or compute must not move
any figure).

    python -m bench.render_pages OUT_DIR [--seed 1]

Builds the demo (seed, today 2026-05-15, history only: no present, so no clock enters) into
a temporary SQLite database, signs in a viewer (who sees every department), and writes the
overview and every department's page for each of the last four quarters to ``OUT_DIR``, one
file a page, with each inline ``<svg>`` chart, the CSRF token and the CSP nonce replaced by a
placeholder and the comments of each list in text order (the demo's response ids, which
order comments within a week, are random). Run it before and after a change, then
``diff -r BEFORE AFTER``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from datetime import date
from pathlib import Path

TODAY = date(2026, 5, 15)
EMAIL = "render-viewer@render.example"
PASSWORD = "render password 1"  # a throwaway database


def _sorted_comments(match: re.Match[str]) -> str:
    """A comment list with its items in text order: the demo's response ids are random, so
    comments of the same week come in any order."""
    items = re.findall(r"<li>.*?</li>", match.group(2), flags=re.S)
    return match.group(1) + "\n".join(sorted(items)) + match.group(3)


def _plain(html: str) -> str:
    html = re.sub(r"<svg\b.*?</svg>", "<svg/>", html, flags=re.S)
    html = re.sub(r'(<ul class="comments">)(.*?)(</ul>)', _sorted_comments, html, flags=re.S)
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1-", html)
    html = re.sub(r'nonce="[^"]+"', 'nonce="-"', html)
    return html


def render(out: Path, seed: int) -> int:
    from sqlalchemy import select

    from bench.fixtures import sign_in
    from survey import create_app
    from survey.db import database
    from survey.demo import build_demo
    from survey.migrate import upgrade
    from survey.models import Department
    from survey.periods import shift_quarter
    from survey.services.accounts import create_user

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "render-secret-key-of-thirty-two-characters-at-least",
            }
        )
        with app.app_context():
            upgrade(database(app).engine)
            with database(app).sessionmaker() as session:
                build_demo(session, seed=seed, today=TODAY, present=False, actions=False)
                create_user(session, EMAIL, PASSWORD, role="viewer")
                session.commit()
                codes = list(session.scalars(select(Department.code).order_by(Department.code)))
        client = app.test_client()
        sign_in(client, EMAIL, PASSWORD)
        last = shift_quarter(f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}", -1)
        written = 0
        for back in range(4):
            quarter = shift_quarter(last, -back)
            paths = [("overview", f"/scorecards/?quarter={quarter}")]
            paths += [(code, f"/scorecards/{code}?quarter={quarter}") for code in codes]
            for name, path in paths:
                reply = client.get(path)
                if reply.status_code != 200:
                    raise RuntimeError(f"{path}: {reply.status_code}")
                (out / f"{quarter}-{name}.html").write_text(
                    _plain(reply.get_data(as_text=True)), encoding="utf-8"
                )
                written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"{render(args.out, args.seed)} pages written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
