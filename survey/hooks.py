"""Extension points: where the not-yet-split rest lets a feature package add to a page, an
email or an API answer without importing it (docs/architecture.md).

A feature package ``register``s a function for a named point when the app factory sets it up;
the rest calls ``gather(point, ...)`` and merges what every function returns (a dict of
template context or JSON keys) into its own. With nothing registered a point adds nothing, so
the rest works alone. Registrations belong to the app (``app.extensions``), so two apps in one
process never see each other's.

Points in use (arguments, then what a function returns):

- ``scorecards.department`` (session, department, card, settings): context of the department
  page's body; it is also part of the digest under which that body is kept, so it must be
  plain data (dataclasses, numbers, text, dates);
- ``scorecards.overview`` (session, overview): context of the overview's body, likewise;
- ``api.scorecard`` (session, department, card, settings): keys added to the scorecard JSON;
- ``admin.dashboard`` (session): context of the administration dashboard;
- ``report.front`` (session, department, card, settings): fields of the PDF report's title
  page (``scorecard_front.ReportFront``: ``priorities``, ``actions``, tuples of lines);
- ``mail.quarterly`` (session, provider ids): context of a quarterly invitation email;
- ``mail.release`` (session, department id, today): context of the email telling a manager
  that a quarter's results are out (``open_actions``, ``overdue_actions``);
- ``respond.thanks`` (session, provider ids): context of the thank-you page.

Points whose functions do work rather than add to something are called with ``run``:

- ``release.before`` (session): work that must run in a release's own transaction before
  it is decided (``publishing.publish_releases``): the respondent package files the queued
  submits there, so that answers given before the release count in what it publishes and
  never move it afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

KEY = "survey.hooks"


def register(app: Flask, point: str, function: Callable[..., Any]) -> None:
    app.extensions.setdefault(KEY, {}).setdefault(point, []).append(function)


def _registered(point: str) -> list[Callable[..., Any]]:
    if not has_app_context():
        return []
    return list(current_app.extensions.get(KEY, {}).get(point, ()))


def gather(point: str, *args: Any) -> dict[str, Any]:
    """Every registered function's answer for ``point``, merged in registration order (empty
    outside an app context or with nothing registered)."""
    merged: dict[str, Any] = {}
    for function in _registered(point):
        merged.update(function(*args))
    return merged


def run(point: str, *args: Any) -> None:
    """Call every function registered for ``point``, in registration order, for its work
    (nothing outside an app context or with nothing registered)."""
    for function in _registered(point):
        function(*args)
