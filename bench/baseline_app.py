"""The minimal app the respondent path is measured against: Flask + SQLAlchemy, same shape.

GET ``/r/<token>``: the token looked up by its hash (in a read transaction on SQLite: a read
takes no write lock), six questions rendered with a CSRF token. POST: CSRF checked, one
transaction that claims the invitation with a conditional UPDATE and inserts the response and
its answers; redirect to a thank-you page. No languages, no drafts, no aggregates, no security
headers: what any app doing this job cannot avoid.

Served by gunicorn as ``bench.baseline_app:app`` with ``BENCH_DATABASE_URL`` set to a database
prepared by ``bench.fixtures``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, redirect, render_template_string, request
from flask_wtf import CSRFProtect
from sqlalchemy import text

from survey.db import READ, make_engine

QUESTIONS = [
    ("overall", "How satisfied are you?", [1, 2, 3, 4, 5]),
    ("effort", "How easy was it?", [1, 2, 3, 4, 5]),
    ("on_time", "Was it on time?", [1, 0]),
    ("opening", "How was it opened?", [1, 2, 3, 4, 5]),
    ("closing", "How was it closed?", [1, 2, 3, 4, 5]),
    ("comment", "Anything to add?", []),
]
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Survey</title></head><body><main><h1>Survey</h1>
<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
{% for code, label, choices in questions %}<fieldset><legend>{{ label }}</legend>
{% if choices %}{% for c in choices %}<label><input type="radio" name="{{ code }}"
 value="{{ c }}">{{ c }}</label>{% endfor %}{% else %}<textarea name="{{ code }}"></textarea>
{% endif %}</fieldset>{% endfor %}<button>Send</button></form></main></body></html>"""

app = Flask(__name__)
app.config.update(SECRET_KEY="baseline-secret", SESSION_COOKIE_SECURE=True)
CSRFProtect(app)
engine = make_engine(os.environ.get("BENCH_DATABASE_URL", "sqlite://"))
# The engine factory begins SQLite transactions with the write lock (``BEGIN IMMEDIATE``);
# the page's lookup only reads, so it begins ``BEGIN DEFERRED`` (no lock: writers go on).
reader = engine.execution_options(sqlite_begin=READ)


def _question_ids() -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT q.code, q.id, n.id FROM questions q JOIN questionnaires n"
                " ON n.id = q.questionnaire_id WHERE n.kind = 'post_interaction'"
            )
        ).all()
    return {code: qid for code, qid, _n in rows} | {"": rows[0][2] if rows else 0}


IDS: dict[str, int] = {}


def _lookup(conn: Any, token: str) -> Any:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return conn.execute(
        text(
            "SELECT i.id, i.status, p.department_id, x.provider_department_id FROM"
            " invitation_tokens t JOIN invitations i ON i.id = t.invitation_id"
            " JOIN people p ON p.id = i.person_id"
            " JOIN interactions x ON x.id = i.interaction_id WHERE t.token_hash = :h"
        ),
        {"h": digest},
    ).first()


@app.get("/healthz")
def health() -> str:
    return "ok"


@app.get("/r/<token>")
def show(token: str) -> Any:
    with reader.connect() as conn:
        row = _lookup(conn, token)
    if row is None or row.status not in ("queued", "sent"):
        abort(404)
    return render_template_string(PAGE, questions=QUESTIONS)


@app.post("/r/<token>")
def submit(token: str) -> Any:
    if not IDS:
        IDS.update(_question_ids())
    answers = {code: request.form.get(code, "") for code, _l, _c in QUESTIONS}
    if answers["overall"] not in {"1", "2", "3", "4", "5"}:
        abort(400)
    now = datetime.now(UTC)
    year, week, _day = now.isocalendar()
    with engine.begin() as conn:
        row = _lookup(conn, token)
        if row is None:
            abort(404)
        claimed = conn.execute(
            text(
                "UPDATE invitations SET status = 'answered'"
                " WHERE id = :id AND status IN ('queued', 'sent')"
            ),
            {"id": row.id},
        ).rowcount
        if claimed != 1:
            abort(410)
        response_id = secrets.token_hex(16)
        conn.execute(
            text(
                "INSERT INTO responses (id, kind, questionnaire_id, provider_department_id,"
                " customer_department_id, quarter, iso_week) VALUES (:id, 'post_interaction',"
                " :qn, :provider, :customer, :quarter, :week)"
            ),
            {
                "id": response_id,
                "qn": IDS[""],
                "provider": row.provider_department_id,
                "customer": row.department_id,
                "quarter": f"{now.year}Q{(now.month - 1) // 3 + 1}",
                "week": f"{year}-W{week:02d}",
            },
        )
        conn.execute(
            text(
                "INSERT INTO answers (response_id, question_id, value, text)"
                " VALUES (:r, :q, :v, :t)"
            ),
            [
                {
                    "r": response_id,
                    "q": IDS[code],
                    "v": int(value) if code != "comment" else None,
                    "t": value if code == "comment" else None,
                }
                for code, value in answers.items()
                if value and code in IDS
            ],
        )
    return redirect("/thanks")
