"""Every figure published for a quarter, as a reader sees it: pages, CSV, PDF, API.

``collect`` walks, with a signed-in administrator's test client and an API key, the
organisation overview page (the "who serves whom" heatmap), each department's scorecard
page (its figures and comments), its CSV export, its PDF export (read as text by a real PDF
extractor, ``channels.pdf_figures``) and its API scorecard (``/api/v1/departments/<code>/
scorecard``, the machine-readable twin of the page). It returns ``Published`` facts: a
group (one provider's customer departments, or the provider overall), a metric (``T``: share
of satisfied post-interaction answers, ``R``: relationship score, ``Q``: the quiz self-view
of the department's members; ``D.<code>``: a quarterly dimension's mean over the answers to
it, of one provider or, for the organisation's value, of the providers whose own is shown;
all 0..100), the value,
the n shown beside it (None when none is shown) and the rounding tolerance of the number as
printed. Only the raw (unshrunk) figures are linear in the answers and so are what the
interval audit uses; shrunk values, ISQ and IQ are compared across
channels (``gaps``: a figure one channel shows and another hides) and judged by the
differential audit (``test_twin_worlds.py``). Comment texts and counts are collected as
well (``comments``).

Parsing is deliberately simple (regular expressions over the rendered HTML, the csv module,
JSON): a figure the parser cannot read fails the collection loudly instead of being skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient


class HarnessError(RuntimeError):
    """The harness could not do what a reader does (a page failed, a figure was unreadable,
    a figure could not be traced to answers). Deliberately not an AssertionError: the attack
    tests expect AssertionError (the attack succeeded) while a leak stands, and a harness
    failure must never pass for one."""


def check(condition: object, detail: object = "") -> None:
    if not condition:
        raise HarnessError(str(detail))


OVERALL = None  # the group "provider overall": every customer of the provider


@dataclass(frozen=True)
class Published:
    """One published figure: ``customers`` is a frozenset of customer codes, or None for the
    provider overall. ``metric`` is "T", "R", "Q" or "D.<code>", a quarterly dimension's mean
    over the answers to it."""

    provider: str
    customers: frozenset[str] | None
    metric: str
    value: float
    n: int | None
    tolerance: float
    source: str
    # a figure over several providers' answers (the organisation's value of a dimension):
    # their codes (``provider`` then names the figure, not a department)
    providers: frozenset[str] | None = None

    def key(self) -> tuple[Any, ...]:
        return (self.provider, self.customers, self.metric, self.source)


@dataclass
class Publication:
    facts: list[Published] = field(default_factory=list)
    # provider code -> (count served by the API or None, comment texts on the page)
    comments: dict[str, tuple[int | None, tuple[str, ...]]] = field(default_factory=dict)
    # figures that one channel (page, PDF, CSV, API) shows and another hides, per department
    gaps: list[str] = field(default_factory=list)

    def values(self) -> dict[tuple[Any, ...], tuple[float, int | None]]:
        """Each figure by where it was read: what a reader compares between two loads."""
        return {f.key(): (f.value, f.n) for f in self.facts}


_HEAT_TABLE = re.compile(r'<table class="matrix heatmap-table">(.*?)</table>', re.S)
_ABBR = re.compile(r"<abbr[^>]*>([^<]+)</abbr>")
_ROW = re.compile(r"<tr><th scope=\"row\">(.*?)</tr>", re.S)
_CELL = re.compile(r"<td class=\"([a-z]+)\"[^>]*>(.*?)</td>", re.S)
_COMMENT = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)


_HEAT_ALT = re.compile(
    r"Highest (-?[0-9][0-9,]*) \(([^\s()]+) for ([^\s()]+)\), "
    r"lowest (-?[0-9][0-9,]*) \(([^\s()]+) for ([^\s()]+)\)"
)


def _alt_facts(html: str) -> list[Published]:
    """The heatmap's text alternative names its highest and lowest pair with whole numbers:
    two more figures a reader (or a screen reader) gets."""
    out = []
    for desc in re.findall(r"<desc\b[^>]*>(.*?)</desc>", html, re.S):
        match = _HEAT_ALT.search(desc)
        if match is None:
            continue
        for value, provider, customer in (match.group(1, 2, 3), match.group(4, 5, 6)):
            out.append(
                Published(
                    provider,
                    frozenset([customer]),
                    "R",
                    float(value.replace(",", "")),
                    None,
                    0.5,
                    "overview heatmap text alternative",
                )
            )
    return out


def _number(text: str) -> float:
    cleaned = re.sub(r"<[^>]+>", "", text).strip().replace("\u2212", "-").replace(",", ".")
    return float(cleaned)


def _overview(client: FlaskClient, quarter: str) -> list[Published]:
    page = client.get(f"/scorecards/?quarter={quarter}")
    check(page.status_code == 200, page.status_code)
    html = page.get_data(as_text=True)
    table = _HEAT_TABLE.search(html)
    if table is None:
        return []
    alternatives = _alt_facts(html)
    head, _sep, body = table.group(1).partition("<tbody>")
    columns = _ABBR.findall(head)
    out = []
    for row in _ROW.finditer(body):
        provider = _ABBR.findall(row.group(1))[0]
        cells = _CELL.findall(row.group(1))
        check(len(cells) == len(columns), (provider, len(cells), columns))
        for customer, (kind, content) in zip(columns, cells, strict=True):
            if kind == "num":
                out.append(
                    Published(
                        provider,
                        frozenset([customer]),
                        "R",
                        _number(content),
                        None,
                        0.5,
                        "overview heatmap",
                    )
                )
    return out + alternatives


def _api(code: str, card: dict) -> tuple[list[Published], int | None, dict[str, float]]:
    """The figures of ``card`` (``code``'s API scorecard), its comment count and the
    organisation's value of each dimension ("D.<code>" -> value)."""
    out = []
    organisation: dict[str, float] = {}
    for metric in ("T", "R"):
        c = card["components"][metric]
        if c["raw"] is not None:
            out.append(Published(code, OVERALL, metric, c["raw"], c["n"], 0.005, "api component"))
    for row in card["customers"]:
        for metric, name in (("T", "satisfaction"), ("R", "relationship")):
            figure = row[name]
            if figure["value"] is not None:
                out.append(
                    Published(
                        code,
                        frozenset([row["code"]]),
                        metric,
                        figure["value"],
                        figure["n"],
                        0.005,
                        "api customers",
                    )
                )
    # The dimension profile: each dimension's mean over the answers to it about the provider
    # (its n counts them, fewer than R's people when some left it blank). The organisation's
    # value beside it is read by ``collect``, which knows which departments show theirs.
    for d in card.get("dimensions", []):
        if d["organisation"] is not None:
            organisation[f"D.{d['code']}"] = d["organisation"]
        figure = d["value"]
        if figure["value"] is not None:
            out.append(
                Published(
                    code,
                    OVERALL,
                    f"D.{d['code']}",
                    figure["value"],
                    figure["n"],
                    0.005,
                    f"api dimension {d['code']}",
                )
            )
    own = card["perception_gap"]["self_view"]
    if own["value"] is not None:
        out.append(Published(code, OVERALL, "Q", own["value"], own["n"], 0.005, "api self-view"))
    return out, card["comments"]["count"], organisation


def _dimension_organisation(
    values: dict[str, set[float]], facts: list[Published]
) -> tuple[list[Published], list[str]]:
    """The organisation's value of each dimension (``values``: every value printed beside a
    department's own, by metric "D.<code>"): the mean over the answers about the departments
    whose own figure of it is shown (``analysis.scorecard.dimension_org``), which the reader
    sees on their cards (``facts``, the API's). Different values on two cards are a gap."""
    providers: dict[str, set[str]] = {}
    for f in facts:
        if f.metric.startswith("D.") and f.source.startswith("api dimension"):
            providers.setdefault(f.metric, set()).add(f.provider)
    out, gaps = [], []
    for metric, seen in sorted(values.items()):
        if len(seen) > 1:
            gaps.append(f"the organisation's {metric} differs between cards: {sorted(seen)}")
        check(metric in providers, f"an organisation value of {metric} that no card shows")
        for value in sorted(seen):
            out.append(
                Published(
                    "organisation",
                    OVERALL,
                    metric,
                    value,
                    None,
                    0.005,
                    f"api dimension {metric[2:]} organisation",
                    frozenset(providers[metric]),
                )
            )
    return out, gaps


_COMPONENT = {"(T)": "T", "(R)": "R"}


def _csv(code: str, sheet: str) -> list[Published]:
    """The figures of ``sheet`` (``code``'s CSV export)."""
    rows = list(csv.DictReader(io.StringIO(sheet.lstrip("\ufeff"))))
    out = []
    for row in rows:
        if row["value"] in ("", None):
            continue
        section, item = row["section"], row["item"]
        n = int(row["n"]) if row["n"] else None
        if section == "component":
            metric = next((m for tag, m in _COMPONENT.items() if item.endswith(tag)), None)
            raw = re.match(r"raw (-?[0-9.]+)", row["note"] or "")
            if metric and raw:
                out.append(Published(code, OVERALL, metric, float(raw.group(1)), n, 0.005, "csv"))
        elif section in ("customer relationship", "customer satisfaction"):
            metric = "R" if section.endswith("relationship") else "T"
            customer = item.split(" ", 1)[0]
            out.append(
                Published(code, frozenset([customer]), metric, float(row["value"]), n, 0.005, "csv")
            )
    return out


def _page_comments(page: str) -> tuple[str, ...]:
    """The comments a department's page (its HTML) prints."""
    return tuple(m.strip() for m in _COMMENT.findall(page))


def _dimension_names(client: FlaskClient) -> dict[str, str]:
    """The printed name of each dimension code, in the reader's language."""
    from survey.scorecards.services.scorecard_export import labels

    with client.application.test_request_context():
        return dict(labels()["dimensions"])


def collect(client: FlaskClient, api_key: str, codes: Iterable[str], quarter: str) -> Publication:
    """Every figure of ``quarter`` on the overview and for each department in ``codes``
    (active or not: the API and the exports answer for an inactive department's code too)."""
    from tests.anonymity import channels

    publication = Publication(_overview(client, quarter))
    in_table = {f.key()[:3] for f in publication.facts if f.source == "overview heatmap"}
    publication.gaps.extend(
        f"the heatmap's text alternative names a pair its table hides: {f}"
        for f in publication.facts
        if f.source == "overview heatmap text alternative" and f.key()[:3] not in in_table
    )
    names = _dimension_names(client)
    organisation: dict[str, set[float]] = {}
    for code in codes:
        documents = channels.fetch(client, api_key, code, quarter)
        facts, count, org = _api(code, documents.api)
        for metric, value in org.items():
            organisation.setdefault(metric, set()).add(value)
        publication.facts.extend(facts)
        publication.facts.extend(_csv(code, documents.csv))
        publication.comments[code] = (count, _page_comments(documents.page))
        shown = channels.figures_of(documents, names)
        known_n = {
            (next(iter(f.customers)), f.metric): f.n
            for f in facts
            if f.customers and f.n is not None
        }
        publication.facts.extend(channels.pdf_facts(code, shown["pdf"], known_n))
        publication.facts.extend(
            channels.pdf_facts(code, shown["page"], known_n, source="page customers")
        )
        publication.gaps.extend(f"{code} {gap}" for gap in channels.disagreements(shown))
    org_facts, gaps = _dimension_organisation(organisation, publication.facts)
    publication.facts.extend(org_facts)
    publication.gaps.extend(gaps)
    return publication
