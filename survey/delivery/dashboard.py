"""What delivery adds to the administration dashboard: the ``attention`` section (open
campaigns and their response rates, failed mail, quarters released or held back, the
schedule, the latest change flags), registered at the ``admin.dashboard`` extension point."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from analysis.scorecard_results import Settings
from survey.delivery.services.attention import needs_attention


def dashboard_section(session: Session) -> dict[str, Any]:
    """``attention`` for ``templates/admin/_attention.html``, under the app's settings (k,
    weights) read from its config."""
    return {"attention": needs_attention(session, Settings.from_config(current_app.config))}
