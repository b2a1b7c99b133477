"""Blueprints of the journeys not yet moved into a feature package, one per journey; the app
factory (``survey/__init__.py``) registers them with the feature packages' own."""

from __future__ import annotations

from flask import current_app


def has_endpoint(name: str) -> bool:
    """Templates link to a journey only once its blueprint is registered."""
    return name in current_app.view_functions
