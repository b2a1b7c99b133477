"""The front of a department's report: what its title page says, as one object.

``report_front(card)`` turns a gated ``Scorecard`` into a ``ReportFront``: the headline (the
IQ with its interval, the ISQ, where the department stands and where it is heading, in words
as the scorecard page gives them), the weakest component, summary lines (the components,
the flagged change, the customer departments shown) and the lines of "What to work on" and of
the actions. Priorities and actions start empty: they are filled from their own services
once those exist, here and nowhere else, so the PDF's title page (and any other front, such
as a page's summary) reads them from this one place.

Only shown figures enter: a hidden component or customer row is never the weakest, and its
reason is what a line says. Numbers are formatted for the reader's language (Babel).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from survey.scorecards.services.scorecard_export import labels, reason_text
from survey.scorecards.services.scorecards import Gated, Scorecard


@dataclass(frozen=True)
class ReportFront:
    """What a report's title page shows, each a tuple of finished lines in the reader's
    language. ``headline[0]`` is the IQ line and ``headline[1]`` the ISQ line; ``weakest`` is
    None when no component is shown; ``priorities`` and ``actions`` are empty until their
    services fill them (the page then says there are none yet)."""

    headline: tuple[str, ...]
    weakest: str | None
    summary: tuple[str, ...]
    priorities: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()


def number(value: float | None, digits: int = 1) -> str:
    """``value`` rounded to ``digits`` decimals in the reader's language ("–" for None)."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(round(value, digits), format=pattern))


def figure_text(g: Gated, card: Scorecard) -> str:
    """A gated figure as printed: "65.4 [54.6–76.1]", or why it is hidden."""
    if g.shown:
        interval = f" [{number(g.low)}–{number(g.high)}]" if g.low is not None else ""
        return f"{number(g.value)}{interval}"
    return reason_text(g.reason, card.settings.k, card.settings.comment_k)


def iq_text(card: Scorecard) -> str:
    iq = card.iq
    if not iq.shown:
        return reason_text(iq.reason, card.settings.k, card.settings.comment_k)
    return f"{number(iq.value, 0)} [{number(iq.low, 0)}–{number(iq.high, 0)}]"


def component_lines(card: Scorecard) -> list[str]:
    """One line per component: "Relationship score (R): 65.4 [54.6–76.1], n = 12"."""
    names = labels()["components"]
    out = []
    for c in card.components:
        value = (
            f"{number(c.value)} [{number(c.low)}–{number(c.high)}], n = {c.n}"
            if c.shown
            else reason_text(c.reason, card.settings.k, card.settings.comment_k)
        )
        out.append(f"{names[c.key]}: {value}")
    return out


def _headline(card: Scorecard) -> tuple[str, ...]:
    names = labels()
    lines = [
        _("Internal service IQ: %(v)s", v=iq_text(card)),
        _("ISQ (0–100): %(v)s", v=figure_text(card.isq, card))
        + (
            "  " + _("Organisation: %(v)s", v=number(card.org_isq))
            if card.org_isq is not None
            else ""
        ),
    ]
    if card.standing:
        lines.append(names["standing"][card.standing] + ".")
        differing = card.standing_depends()
        if differing:
            lines.append(
                _(
                    "This depends on the weights: with other weights it would be %(other)s.",
                    other=", ".join(names["standing"][d].lower() for d in differing),
                )
            )
    if card.trend_marker is not None:
        lines.append(
            _(
                "Trend: %(d)s (%(s)s ISQ points per quarter over %(n)s quarters).",
                d=names["trend"][card.trend_marker.direction],
                s=("+" if card.trend_marker.slope >= 0 else "") + number(card.trend_marker.slope),
                n=card.trend_marker.quarters,
            )
        )
    else:
        lines.append(_("A trend needs at least five quarters."))
    return tuple(lines)


def _weakest(card: Scorecard) -> str | None:
    shown = [c for c in card.components if c.shown]
    if not shown:
        return None
    weakest = min(shown, key=lambda c: (c.value, c.key))
    return _(
        "Weakest component: %(name)s, %(value)s",
        name=labels()["components"][weakest.key],
        value=number(weakest.value),
    )


def _summary(card: Scorecard) -> tuple[str, ...]:
    names = labels()
    lines = component_lines(card)
    if card.flag is not None:
        lines.append(
            _(
                "Since the previous quarter: %(d)s, ISQ %(a)s → %(b)s",
                d=names["direction"][card.flag.direction],
                a=number(card.flag.isq_before),
                b=number(card.flag.isq_after),
            )
        )
    else:
        lines.append(_("Since the previous quarter: %(d)s", d=names["change"][card.change_status]))
    rated = [c for c in card.customers if c.relationship.shown]
    if card.customers:
        lines.append(
            _(
                "Customer departments shown: %(shown)s of %(total)s; the others are hidden "
                "or have no answers.",
                shown=sum(
                    1 for c in card.customers if c.relationship.shown or c.satisfaction.shown
                ),
                total=len(card.customers),
            )
        )
    if rated:
        lowest = min(rated, key=lambda c: (c.relationship.value, c.code))
        lines.append(
            _(
                "Lowest relationship score from a customer: %(name)s · %(code)s, %(value)s",
                name=lowest.name,
                code=lowest.code,
                value=number(lowest.relationship.value),
            )
        )
    return tuple(lines)


def priority_lines(priorities: Any) -> tuple[str, ...]:
    """The report's "what to work on" lines from a ``scorecard_priorities.Priorities`` (or
    None): each dimension with its importance and where the department stands."""
    if not priorities or not priorities.items:
        return ()
    lines = []
    for p in priorities.items:
        parts = [
            priorities.dimension_name(p.code),
            _("importance %(share)s %%", share=p.share),
            _("your score %(mean)s", mean=number(p.mean)),
        ]
        if p.org_mean is not None:
            parts.append(_("organisation %(org)s", org=number(p.org_mean)))
        lines.append(" · ".join(parts))
    return tuple(lines)


def report_front(card: Scorecard) -> ReportFront:
    """The title page of ``card``'s report (see the module docstring); priorities and
    actions are empty for now."""
    return ReportFront(
        headline=_headline(card),
        weakest=_weakest(card),
        summary=_summary(card),
        priorities=(),
        actions=(),
    )
