"""The plain-text emails as their readers write: in French a no-break space comes before the
colon that introduces a link ("Faire le quiz : https://..."), in English and Italian none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template
from flask_babel import force_locale

LINK = "https://survey.example.org/r/abc"
EMAILS = Path(__file__).resolve().parents[2] / "templates" / "email"


@pytest.mark.parametrize("locale", ["en", "it", "fr"])
def test_a_link_after_a_colon_is_written_as_the_reader_writes(app, locale: str) -> None:
    context = {"person": {"name": "Ada"}, "quiz_link": LINK, "stop_link": "-", "k": 5}
    with app.test_request_context(), force_locale(locale):
        text = render_template("email/quiz_invitation.txt", **context)
    line = next(row for row in text.splitlines() if LINK in row)
    if locale == "fr":
        assert line == f"Faire le quiz\u00a0: {LINK}"
    else:
        assert line.endswith(f": {LINK}") and not line.endswith(f" : {LINK}")
        assert "\u00a0" not in line


def test_no_email_writes_a_bare_colon_after_a_translated_label() -> None:
    """Every label of a text email is followed by ``colon()``, not by a literal ":"."""
    bare = re.compile(r'_\("[^"]*"\)\s*}}:')
    found = [p.name for p in EMAILS.glob("*.txt") if bare.search(p.read_text(encoding="utf-8"))]
    assert found == []
