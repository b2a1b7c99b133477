"""A department's summary: what its scorecard means, in a few sentences a manager can act on.

Built from a ``Scorecard`` that already passed the anonymity gate (``scorecards``), never from
sums: it chooses among figures the page shows and computes no new one. The headline IQ with
its meaning in words (its 95 % interval against 100, the baseline's average department, and
the trend badge), the weakest part of the score (the shown component or dimension furthest
below the organisation), the customer department that rates that part lowest (only among the
customer rows the page shows: a hidden row is never named or ranked), and what changed since
the previous released quarter (only the change the model flags). When the IQ is hidden, the
summary says there are not enough answers yet and nothing else.

``summarise`` turns a built scorecard (``scorecards.build_scorecard``) into the ``Summary``
noun; ``summary_texts`` words it in the reader's language, numbers through Flask-Babel;
``page_summary`` is what the department page shows; ``summary_json`` is the API's object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from analysis.scorecard_results import CHANGE_TOO_FEW
from survey.periods import shift_quarter
from survey.scorecards.services.scorecard_export import labels, reason_text
from survey.scorecards.services.scorecards import (
    ChangeFlag,
    IqFigure,
    Scorecard,
)

#: The IQ of the baseline's average department (``IQ = 100 + 15·(ISQ − μ0)/σ0``).
IQ_CENTRE = 100.0
#: Where the IQ stands against ``IQ_CENTRE``: its 95 % interval wholly above, overlapping, below.
STANDINGS = ("above", "about", "below")


@dataclass(frozen=True)
class WeakPart:
    """The shown component (``kind`` "component", ``key`` T/R/C; its shrunk value) or
    dimension (``kind`` "dimension", ``key`` its code; its measured value) furthest below the
    organisation's value, both on 0..100; ``clearly`` when its 95 % interval lies wholly
    below the organisation's value."""

    kind: str
    key: str
    value: float
    organisation: float
    clearly: bool

    @property
    def difference(self) -> float:
        """Points below (negative) the organisation, on 0..100."""
        return self.value - self.organisation


@dataclass(frozen=True)
class LowestCustomer:
    """The shown customer row with the lowest figure for the weak part: ``metric`` is
    "satisfaction" (share 0..100 of requesters satisfied, for T) or "relationship" (the
    relationship score 0..100, for R and the dimensions, whose mean it is)."""

    code: str
    name: str
    metric: str
    value: float


@dataclass(frozen=True)
class Summary:
    """A department's summary for ``quarter``. ``reason`` (a hidden-figure reason of
    ``scorecards``) is set when the IQ is hidden: then only it is meaningful. ``previous``:
    the quarter before, when it is released (a change is tested only against it), else None;
    ``change``: the flagged change from it, if any (``change_status`` tells a change
    tested and not flagged from one with too few people to test);
    ``trend``/``trend_quarters``: the trend badge, if the department has one."""

    code: str
    quarter: str
    reason: str | None
    iq: IqFigure
    standing: str | None = None
    trend: str | None = None
    trend_quarters: int | None = None
    weakest: WeakPart | None = None
    lowest_customer: LowestCustomer | None = None
    previous: str | None = None
    change: ChangeFlag | None = None
    #: ``Scorecard.change_status``: a change not flagged may also be one never tested.
    change_status: str | None = None

    @property
    def shown(self) -> bool:
        return self.reason is None


def _standing(iq: IqFigure) -> str:
    """``above``/``below`` when the IQ's interval excludes 100 on that side, else ``about``."""
    if iq.low is not None and iq.low > IQ_CENTRE:
        return "above"
    if iq.high is not None and iq.high < IQ_CENTRE:
        return "below"
    return "about"


def _weakest(card: Scorecard) -> WeakPart | None:
    """The shown component or dimension furthest below the organisation, or, when none is
    below it, the one closest to it (None: nothing comparable is shown). Ties go to the
    component (the broader part), then to the earlier listed."""
    parts: list[WeakPart] = []
    for c in card.components:
        org = card.org_components.get(c.key)
        if c.shown and org is not None and c.value is not None:
            clearly = c.high is not None and c.high < org
            parts.append(WeakPart("component", c.key, c.value, org, clearly))
    for d in card.dimensions:
        g = d.value
        if g.shown and d.org_value is not None and g.value is not None:
            clearly = g.high is not None and g.high < d.org_value
            parts.append(WeakPart("dimension", d.code, g.value, d.org_value, clearly))
    if not parts:
        return None
    return min(parts, key=lambda p: p.difference)


def _lowest_customer(card: Scorecard, weak: WeakPart | None) -> LowestCustomer | None:
    """The customer department rating the weak part lowest, among the rows the page shows,
    and only when at least two are shown (one row is not a comparison). Compliance (C) is
    not rated by customers: no customer is named for it."""
    if weak is None or (weak.kind == "component" and weak.key == "C"):
        return None
    metric = "satisfaction" if weak.kind == "component" and weak.key == "T" else "relationship"
    shown = [
        (getattr(row, metric).value, row.code, row)
        for row in card.customers
        if getattr(row, metric).shown
    ]
    if len(shown) < 2:
        return None
    value, _code, row = min(shown, key=lambda item: (item[0], item[1]))
    return LowestCustomer(row.code, row.name, metric, float(value))


def summarise(card: Scorecard) -> Summary:
    """The summary of a built scorecard (no database: the page already has its card)."""
    if not card.iq.shown:
        return Summary(card.code, card.quarter, card.iq.reason or "no_data", card.iq)
    previous = shift_quarter(card.quarter, -1)
    marker = card.trend_marker
    weak = _weakest(card)
    return Summary(
        code=card.code,
        quarter=card.quarter,
        reason=None,
        iq=card.iq,
        standing=_standing(card.iq),
        trend=marker.direction if marker is not None else None,
        trend_quarters=marker.quarters if marker is not None else None,
        weakest=weak,
        lowest_customer=_lowest_customer(card, weak),
        previous=previous if previous in card.quarters else None,
        change=card.flag,
        change_status=card.change_status,
    )


# --- words ---


def _iq(value: float) -> str:
    return format_decimal(round(value), format="#,##0")


def _points(value: float) -> str:
    return format_decimal(round(value, 1), format="#,##0.0")


def _part_name(weak: WeakPart, names: dict[str, Any]) -> str:
    group = names["components"] if weak.kind == "component" else names["dimensions"]
    return str(group.get(weak.key, weak.key))


def summary_texts(summary: Summary, k: int, comment_k: int) -> dict[str, str]:
    """The summary's sentences in the reader's language: ``headline`` always; ``weakest``,
    ``customer`` and ``change`` when the IQ is shown (``customer`` only when a customer
    department is named). ``k``/``comment_k`` word a hidden IQ's reason."""
    if not summary.shown:
        return {
            "headline": _("Not enough answers yet for a summary of this quarter."),
            "detail": reason_text(summary.reason, k, comment_k),
        }
    names = labels()
    iq = summary.iq
    base = _iq(IQ_CENTRE)
    standing = {
        "above": _("clearly above the organisation's baseline (%(base)s)", base=base),
        "about": _("about at the organisation's baseline (%(base)s)", base=base),
        "below": _("clearly below the organisation's baseline (%(base)s)", base=base),
    }[summary.standing or "about"]
    value = _iq(iq.value or 0.0)
    if summary.trend is not None and summary.trend_quarters:
        n = format_decimal(summary.trend_quarters)
        trend = {
            "rising": _("rising over the last %(n)s quarters", n=n),
            "falling": _("falling over the last %(n)s quarters", n=n),
            "flat": _("no clear trend over the last %(n)s quarters", n=n),
        }[summary.trend]
        headline = _("%(iq)s: %(standing)s, %(trend)s.", iq=value, standing=standing, trend=trend)
    else:
        headline = _("%(iq)s: %(standing)s.", iq=value, standing=standing)
    texts = {
        "headline": headline,
        "interval": _(
            "95%% interval %(low)s–%(high)s.", low=_iq(iq.low or 0.0), high=_iq(iq.high or 0.0)
        ),
    }
    weak = summary.weakest
    if weak is None:
        texts["weakest"] = _("No part of the score can be compared with the organisation yet.")
    else:
        arguments = {
            "part": _part_name(weak, names),
            "value": _points(weak.value),
            "org": _points(weak.organisation),
        }
        texts["weakest"] = (
            _(
                "No part of the score is below the organisation; the closest to it is "
                "%(part)s, %(value)s against %(org)s.",
                **arguments,
            )
            if weak.difference >= 0
            else _(
                "Weakest part: %(part)s, %(value)s against %(org)s for the organisation "
                "(clearly below it).",
                **arguments,
            )
            if weak.clearly
            else _(
                "Weakest part: %(part)s, %(value)s against %(org)s for the organisation.",
                **arguments,
            )
        )
    low = summary.lowest_customer
    if low is not None:
        if low.metric == "satisfaction":
            texts["customer"] = _(
                "Lowest among the customer departments shown: %(name)s, %(value)s%% satisfied "
                "after a request.",
                name=low.name,
                value=_points(low.value),
            )
        else:
            texts["customer"] = _(
                "Lowest among the customer departments shown: %(name)s, relationship score "
                "%(value)s.",
                name=low.name,
                value=_points(low.value),
            )
    flag = summary.change
    if flag is not None:
        words = {
            "before": _points(flag.isq_before),
            "after": _points(flag.isq_after),
            "previous": flag.previous,
        }
        if flag.direction == "up":
            texts["change"] = _(
                "Since %(previous)s: a significant improvement, ISQ %(before)s → %(after)s.",
                **words,
            )
        else:
            texts["change"] = _(
                "Since %(previous)s: a significant decline, ISQ %(before)s → %(after)s.", **words
            )
    elif summary.previous is not None and summary.change_status == CHANGE_TOO_FEW:
        texts["change"] = _(
            "Too few respondents to test a change since %(previous)s.", previous=summary.previous
        )
    elif summary.previous is not None:
        texts["change"] = _("No significant change since %(previous)s.", previous=summary.previous)
    else:
        texts["change"] = _("No earlier released quarter to compare with.")
    return texts


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def summary_json(summary: Summary, k: int, comment_k: int) -> dict[str, Any]:
    """The API's ``summary`` object: the choices as codes, the figures they rest on (all of
    them shown elsewhere in the same answer) and the sentences in the request's language."""
    weak = summary.weakest
    low = summary.lowest_customer
    flag = summary.change
    return {
        "available": summary.shown,
        "reason": summary.reason,
        "iq": _r(summary.iq.value, 0) if summary.shown else None,
        "standing": summary.standing,
        "trend": summary.trend,
        "trend_quarters": summary.trend_quarters,
        "weakest": None
        if weak is None
        else {
            "kind": weak.kind,
            "key": weak.key,
            "value": _r(weak.value),
            "organisation": _r(weak.organisation),
            "clearly_below": weak.clearly,
        },
        "lowest_customer": None
        if low is None
        else {"code": low.code, "name": low.name, "metric": low.metric, "value": _r(low.value)},
        "previous_quarter": summary.previous,
        "change": None
        if flag is None
        else {
            "direction": flag.direction,
            "isq_before": _r(flag.isq_before),
            "isq_after": _r(flag.isq_after),
        },
        "texts": summary_texts(summary, k, comment_k),
    }


@dataclass(frozen=True)
class PageSummary:
    """What the summary partial (``templates/scorecards/_summary.html``) renders."""

    summary: Summary
    texts: dict[str, str]


def page_summary(card: Scorecard) -> PageSummary:
    """The summary of ``card`` with its sentences, for the department page."""
    summary = summarise(card)
    return PageSummary(summary, summary_texts(summary, card.settings.k, card.settings.comment_k))
