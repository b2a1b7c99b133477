"""The two bodies of an email, from its pair of templates."""

from __future__ import annotations

from typing import Any

from flask import render_template


def render_bodies(name: str, **context: Any) -> tuple[str, str]:
    """The text and HTML bodies of ``templates/email/<name>.txt`` and ``<name>.html``, in the
    current language (call it inside ``force_locale`` for a reader's). Needs an app context."""
    return (
        render_template(f"email/{name}.txt", **context),
        render_template(f"email/{name}.html", **context),
    )
