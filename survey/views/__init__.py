"""Blueprints of the journeys not yet moved into a feature package, one per journey, and the
two several journeys share: ``api`` (``api.py``) and ``admin`` (``admin/``), which the feature
packages' API routes and admin pages join; the app factory (``survey/__init__.py``) registers
them with the feature packages' own. Nothing here imports a feature package."""

from __future__ import annotations

from flask import current_app


def has_endpoint(name: str) -> bool:
    """Templates link to a journey only once its blueprint is registered."""
    return name in current_app.view_functions
