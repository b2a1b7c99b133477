"""What a quarter's ISQ rests on, in the reader's language: the weights it used and why a
component is left out (``analysis.scorecard.measured_components``: the organisation measured
it nowhere that quarter, so the weights are renormalised over the others). Shared by the
page, the API, the CSV and the PDF, so that all four say the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from analysis.model import COMPONENTS
from survey.local_format import decimal


def used_weights(stated: Mapping[str, float], used: Mapping[str, float]) -> dict[str, float]:
    """The weights a quarter's ISQ used (T, R, C; 0 for a component left out): ``used`` as
    the model recorded it, or the ``stated`` ones normalised when it recorded none."""
    if used:
        return {key: float(used.get(key, 0.0)) for key in COMPONENTS}
    total = sum(float(stated.get(key, 0.0)) for key in COMPONENTS) or 1.0
    return {key: float(stated.get(key, 0.0)) / total for key in COMPONENTS}


def left_out(stated: Mapping[str, float], used: Mapping[str, float]) -> tuple[str, ...]:
    """The components with a stated weight that the quarter's ISQ left out (weight 0)."""
    weights = used_weights(stated, used)
    return tuple(key for key in COMPONENTS if stated.get(key, 0.0) > 0 and weights[key] == 0)


def basis_text(stated: Mapping[str, float], used: Mapping[str, float]) -> str | None:
    """A sentence or two naming what the quarter's ISQ rests on and why the rest is left out;
    None when it rests on every weighted component (the stated weights say it all)."""
    missing = left_out(stated, used)
    if not missing:
        return None
    weights = used_weights(stated, used)
    kept = [key for key in COMPONENTS if weights[key] > 0]
    parts = [
        _(
            "This quarter's ISQ rests on %(components)s only, with weights %(weights)s.",
            components=", ".join(kept),
            weights=", ".join(f"{key} {decimal(weights[key], 2)}" for key in kept),
        )
    ]
    why = {
        "T": _(
            "No requests were reported this quarter, so there is no post-interaction "
            "satisfaction (T)."
        ),
        "R": _("No quarterly survey ran this quarter, so there is no relationship score (R)."),
        "C": _(
            "No request was judged against a service standard this quarter, so there is no "
            "compliance (C)."
        ),
    }
    parts.extend(why[key] for key in missing)
    return " ".join(parts)
