"""Every channel a reader can pull a department's figures from, read as that reader reads it.

Two uses:

- ``figures(...)``: the figures of one department and quarter as each channel shows them
  (the scorecard page, its PDF export, its CSV export, its API scorecard), keyed alike across
  channels (``("customer", "ENG", "R")``, ``("component", "T")``, ``("dimension",
  "Reliability")``, ``("ISQ",)``, ``("IQ",)``), so that ``disagreements`` can tell a figure
  one channel shows and another hides (or shows differently). The PDF is read as text by a
  real PDF text extractor (PDFium's, through ``pypdfium2``: what a reader copying from the
  document in a browser gets), from the bytes the export serves.
- ``snapshot(...)``: everything published, as documents (every overview and scorecard page
  with its charts' SVG and text alternatives, every CSV, every PDF's text and drawing
  operators, every API answer), with only what legitimately varies between two loads taken
  out (CSRF tokens, a PDF's creation date). Two worlds whose published group totals are equal
  must have equal snapshots (``test_twin_worlds.py``).

Parsing is deliberately plain (regular expressions over HTML and extracted PDF text, the csv
module, JSON); what cannot be read fails loudly (``HarnessError``) instead of being skipped.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.anonymity.publication import Published, check
from tests.pdf_text import page_texts

# A figure as printed: value and, optionally, its interval ("65.4 [54.6–76.1]").
_NUM = r"-?\d+(?:\.\d+)?"

Key = tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    """A shown figure: its value as printed and half its rounding step."""

    value: float
    tolerance: float


def pdf_pages(body: bytes) -> list[str]:
    """The text of each page of a PDF (``tests.pdf_text``: PDFium's extractor; lines end in
    ``\\n``), in page order; not a PDF is an audit failure."""
    check(body.startswith(b"%PDF"), body[:40])
    return page_texts(body)


def pdf_drawing(body: bytes) -> list[bytes]:
    """Each page's content stream (every line, bar and glyph placed): what a chart shows even
    where it prints no number."""
    reader = PdfReader(io.BytesIO(body))
    out = []
    for page in reader.pages:
        contents = page.get_contents()
        out.append(contents.get_data() if contents is not None else b"")
    return out


def _decimals(text: str) -> float:
    """Half the rounding step of a number as printed ("65.4" -> 0.05, "103" -> 0.5)."""
    _whole, _dot, fraction = text.partition(".")
    return 0.5 * 10 ** -len(fraction)


def _figure_at_start(text: str) -> Figure | None:
    match = re.match(rf"({_NUM})(?: \[{_NUM}–{_NUM}\])?(?=$|[ ,])", text.strip())
    return Figure(float(match.group(1)), _decimals(match.group(1))) if match else None


# --- PDF ---------------------------------------------------------------------------------

_COMPONENT_TAG = re.compile(r"\((T|R|C)\): (.*)$")
_CUSTOMER_LINE = re.compile(r"^(?P<name>.*) \((?P<code>[A-Za-z0-9_.-]+)\) (?P<rest>.*)$")
_FIG_WITH_INTERVAL = re.compile(rf"({_NUM}) \[{_NUM}–{_NUM}\]")


def pdf_figures(body: bytes, dimension_names: Iterable[str]) -> dict[Key, Figure | None]:
    """The figures of a scorecard PDF: headline IQ and ISQ, the components (their adjusted,
    i.e. shrunk, values), the dimension profile and the customer rows (relationship and
    satisfaction). A key maps to None when the PDF names the figure but hides it."""
    out: dict[Key, Figure | None] = {}
    dimensions = set(dimension_names)
    for page in pdf_pages(body):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        is_customers = any(line.startswith("Customer department ") for line in lines)
        for line in lines:
            if line.startswith("Internal service IQ: "):
                out[("IQ",)] = _figure_at_start(line.split(": ", 1)[1])
            elif line.startswith("ISQ (0–100): "):
                out[("ISQ",)] = _figure_at_start(line.split(": ", 1)[1])
            elif (tag := _COMPONENT_TAG.search(line)) and ":" in line:
                out[("component", tag.group(1))] = _figure_at_start(tag.group(2))
            elif is_customers and (row := _CUSTOMER_LINE.match(line)):
                if row.group("name") == "Customer department":
                    continue
                rest = row.group("rest")
                shown = list(_FIG_WITH_INTERVAL.finditer(rest))
                relationship = next((m for m in shown if m.start() == 0), None)
                satisfaction = next((m for m in shown if m.end() == len(rest)), None)
                if relationship is satisfaction and relationship is not None:
                    check(False, f"cannot tell the columns of {line!r}")
                code = row.group("code")
                for metric, m in (("R", relationship), ("T", satisfaction)):
                    out[("customer", code, metric)] = (
                        Figure(float(m.group(1)), _decimals(m.group(1))) if m else None
                    )
            else:
                label = next((d for d in dimensions if line.startswith(d + " ")), None)
                if label is not None:
                    out[("dimension", label)] = _figure_at_start(line[len(label) + 1 :])
    check(("ISQ",) in out, "the PDF's summary was not found")
    return out


# --- HTML --------------------------------------------------------------------------------


def _section(html: str, heading: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading}-heading">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def _cell_figure(cell: str) -> Figure | None:
    match = re.search(r'<span class="figure">([^<]+)</span>', cell)
    if match is None:
        return None
    text = match.group(1).strip().replace("\u2212", "-")
    return Figure(float(text), _decimals(text))


_TR = re.compile(r"<tr>(.*?)</tr>", re.S)
_TH = re.compile(r'<th scope="row">(.*?)</th>', re.S)
_TD = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def page_figures(html: str) -> dict[Key, Figure | None]:
    """The same figures from a scorecard page (the figures the PDF also carries)."""
    out: dict[Key, Figure | None] = {}
    headline = _section_headline(html)
    out[("IQ",)] = _cell_figure(headline.get("Internal service IQ", ""))
    out[("ISQ",)] = _cell_figure(headline.get("ISQ (0–100)", ""))
    for row in _TR.findall(_section(html, "components")):
        th = _TH.search(row)
        if th is None:
            continue
        tag = re.search(r"\((T|R|C)\)", th.group(1))
        check(tag is not None, th.group(1))
        cells = _TD.findall(row)
        adjusted = next((c for c in cells if 'class="figure"' in c), None)
        out[("component", tag.group(1))] = _cell_figure(adjusted) if adjusted else None  # type: ignore[union-attr]
    for row in _TR.findall(_section(html, "dimensions")):
        th = _TH.search(row)
        if th is None:
            continue
        cells = _TD.findall(row)
        out[("dimension", re.sub(r"<[^>]+>", "", th.group(1)).strip())] = _cell_figure(cells[0])
    for row in _TR.findall(_section(html, "customers")):
        th = _TH.search(row)
        if th is None:
            continue
        code = re.search(r'<span class="muted">([^<]+)</span>', th.group(1))
        check(code is not None, th.group(1))
        cells = _TD.findall(row)
        out[("customer", code.group(1).strip(), "R")] = _cell_figure(cells[0])  # type: ignore[union-attr]
        out[("customer", code.group(1).strip(), "T")] = _cell_figure(cells[1])  # type: ignore[union-attr]
    return out


def _section_headline(html: str) -> dict[str, str]:
    block = re.search(r'<section class="stats headline"[^>]*>(.*?)</section>', html, re.S)
    check(block is not None, "no headline on the scorecard page")
    out = {}
    for stat in re.findall(r'<div class="stat">(.*?)</div>', block.group(1), re.S):  # type: ignore[union-attr]
        label = re.search(r"<span>([^<]+)</span>", stat)
        if label:
            out[label.group(1).strip()] = stat
    return out


# --- CSV and API -------------------------------------------------------------------------


def csv_figures(text: str) -> dict[Key, Figure | None]:
    out: dict[Key, Figure | None] = {}
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        section, item, value = row["section"], row["item"], row["value"]
        figure = Figure(float(value), 0.005) if value not in ("", None) else None
        if section == "headline" and item in ("IQ", "ISQ"):
            out[(item,)] = figure
        elif section == "component":
            tag = re.search(r"\((T|R|C)\)$", item)
            check(tag is not None, item)
            out[("component", tag.group(1))] = figure  # type: ignore[union-attr]
        elif section == "dimension":
            out[("dimension", item)] = figure
        elif section in ("customer relationship", "customer satisfaction"):
            metric = "R" if section.endswith("relationship") else "T"
            out[("customer", item.split(" ", 1)[0], metric)] = figure
    return out


def api_figures(
    card: Mapping[str, object], dimension_names: Mapping[str, str]
) -> dict[Key, Figure | None]:
    """The API's scorecard: ``dimension_names`` maps the API's dimension codes to the
    printed names the other channels use."""
    out: dict[Key, Figure | None] = {}

    def fig(value: object) -> Figure | None:
        return Figure(float(value), 0.005) if isinstance(value, int | float) else None  # type: ignore[arg-type]

    iq, isq = card["iq"], card["isq"]
    out[("IQ",)] = fig(iq.get("value") if isinstance(iq, dict) else None)
    out[("ISQ",)] = fig(isq.get("value") if isinstance(isq, dict) else None)
    for key, component in card["components"].items():  # type: ignore[attr-defined]
        out[("component", key)] = fig(component.get("value"))
    for d in card.get("dimensions", []):  # type: ignore[attr-defined]
        out[("dimension", dimension_names.get(d["code"], d["code"]))] = fig(d["value"]["value"])
    for row in card["customers"]:  # type: ignore[attr-defined]
        out[("customer", row["code"], "R")] = fig(row["relationship"]["value"])
        out[("customer", row["code"], "T")] = fig(row["satisfaction"]["value"])
    return out


# --- together ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    key: Key
    channels: dict[str, Figure | None]

    def __str__(self) -> str:
        shown = {c: (f.value if f else "hidden") for c, f in self.channels.items()}
        return f"{'/'.join(self.key)}: {shown}"


def disagreements(by_channel: Mapping[str, Mapping[Key, Figure | None]]) -> list[Disagreement]:
    """Figures that one channel shows and another hides, or that two channels show with
    values further apart than their rounding: each is a figure some reader gets that another
    channel's gate withheld (or a misprint). A key a channel does not carry at all (the CSV has
    no whole-number IQ when none is set) is compared only among the channels carrying it."""
    keys = {key for figures in by_channel.values() for key in figures}
    out = []
    for key in sorted(keys):
        seen = {name: figures[key] for name, figures in by_channel.items() if key in figures}
        shown = [f for f in seen.values() if f is not None]
        if not shown:
            continue
        agree = len(shown) == len(seen) and all(
            abs(a.value - b.value) <= a.tolerance + b.tolerance + 1e-9 for a in shown for b in shown
        )
        if not agree:
            out.append(Disagreement(key, seen))
    return out


@dataclass(frozen=True)
class Documents:
    """What each channel serves for one department and quarter, fetched once: the page's
    HTML, the PDF's bytes, the CSV's text and the API scorecard's JSON."""

    page: str
    pdf: bytes
    csv: str
    api: dict


def fetch(client: FlaskClient, api_key: str, code: str, quarter: str) -> Documents:
    """One department's page, PDF, CSV and API scorecard of ``quarter``, as a reader gets
    them (every answer must be a 200 of the expected type)."""
    page = client.get(f"/scorecards/{code}?quarter={quarter}")
    check(page.status_code == 200, (code, page.status_code))
    pdf = client.get(f"/scorecards/{code}.pdf?quarter={quarter}")
    check(pdf.status_code == 200 and pdf.mimetype == "application/pdf", (code, pdf.status_code))
    sheet = client.get(f"/scorecards/{code}.csv?quarter={quarter}")
    check(sheet.status_code == 200, (code, sheet.status_code))
    api = client.get(
        f"/api/v1/departments/{code}/scorecard?quarter={quarter}",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    check(api.status_code == 200, (code, api.status_code))
    return Documents(
        page.get_data(as_text=True), pdf.data, sheet.get_data(as_text=True), api.get_json()
    )


def figures_of(
    documents: Documents, dimension_names: Mapping[str, str]
) -> dict[str, dict[Key, Figure | None]]:
    """The figures each channel of ``documents`` shows."""
    return {
        "page": page_figures(documents.page),
        "pdf": pdf_figures(documents.pdf, dimension_names.values()),
        "csv": csv_figures(documents.csv),
        "api": api_figures(documents.api, dimension_names),
    }


def figures(
    client: FlaskClient, api_key: str, code: str, quarter: str, dimension_names: Mapping[str, str]
) -> dict[str, dict[Key, Figure | None]]:
    """One department's figures of ``quarter`` in each channel: page, PDF, CSV, API."""
    return figures_of(fetch(client, api_key, code, quarter), dimension_names)


def pdf_facts(
    provider: str,
    pdf: Mapping[Key, Figure | None],
    known_n: Mapping[tuple[str, str], int],
    source: str = "pdf customers",
) -> list[Published]:
    """The customer rows of a PDF (or of a page: same keys) as interval-audit facts. The PDF
    prints no n beside a row; the reader takes it from the API beside it (``known_n``:
    (customer, metric) -> n), and a row whose n no other channel shows gets None (the audit
    then weighs answers)."""
    out = []
    for key, figure in pdf.items():
        if key[0] != "customer" or figure is None:
            continue
        _kind, customer, metric = key
        out.append(
            Published(
                provider,
                frozenset([customer]),
                metric,
                figure.value,
                known_n.get((customer, metric)),
                figure.tolerance,
                source,
            )
        )
    return out


# --- snapshots for the differential audit ------------------------------------------------

_CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')
_CSRF_META = re.compile(r'(<meta name="csrf-token" content=")[^"]+(")')


def _page_document(html: str) -> str:
    html = _CSRF.sub(r"\1-\2", html)
    return _CSRF_META.sub(r"\1-\2", html)


def alt_texts(html: str) -> list[str]:
    """Every chart's title and text alternative on a page (the ``<title>`` and ``<desc>`` of
    its inline SVG), whitespace folded."""
    return [
        re.sub(r"\s+", " ", text).strip()
        for _tag, text in re.findall(r"<(title|desc)\b[^>]*>(.*?)</\1>", html, re.S)
    ]


def quarters_offered(client: FlaskClient) -> list[str]:
    """The quarters the overview's quarter picker offers."""
    page = client.get("/scorecards/")
    check(page.status_code == 200, page.status_code)
    return re.findall(r'<option value="(\d{4}Q[1-4])"', page.get_data(as_text=True))


def snapshot(
    client: FlaskClient, api_key: str, codes: Iterable[str], quarters: Iterable[str]
) -> dict[str, str | bytes]:
    """Every document published for ``quarters`` (the overview and, per department, page,
    CSV, PDF text and drawing, API scorecard), plus the API's department list: named by where
    it was read. Only CSRF tokens and the PDF's metadata (its creation date) are left out."""
    out: dict[str, str | bytes] = {}
    auth = {"Authorization": f"Bearer {api_key}"}
    listing = client.get("/api/v1/departments", headers=auth)
    check(listing.status_code == 200, listing.status_code)
    out["api departments"] = json.dumps(listing.get_json(), sort_keys=True)
    for quarter in quarters:
        overview = client.get(f"/scorecards/?quarter={quarter}")
        check(overview.status_code == 200, overview.status_code)
        out[f"overview {quarter}"] = _page_document(overview.get_data(as_text=True))
        for code in codes:
            base = f"{code} {quarter}"
            page = client.get(f"/scorecards/{code}?quarter={quarter}")
            check(page.status_code == 200, (code, page.status_code))
            out[f"page {base}"] = _page_document(page.get_data(as_text=True))
            sheet = client.get(f"/scorecards/{code}.csv?quarter={quarter}")
            check(sheet.status_code == 200, (code, sheet.status_code))
            out[f"csv {base}"] = sheet.get_data(as_text=True)
            pdf = client.get(f"/scorecards/{code}.pdf?quarter={quarter}")
            check(pdf.status_code == 200, (code, pdf.status_code))
            out[f"pdf text {base}"] = "\n\f".join(pdf_pages(pdf.data))
            out[f"pdf drawing {base}"] = b"\n\f".join(pdf_drawing(pdf.data))
            api = client.get(
                f"/api/v1/departments/{code}/scorecard?quarter={quarter}", headers=auth
            )
            check(api.status_code == 200, (code, api.status_code))
            out[f"api {base}"] = json.dumps(api.get_json(), sort_keys=True)
    return out


def differences(a: Mapping[str, str | bytes], b: Mapping[str, str | bytes]) -> list[str]:
    """Where two snapshots differ: the document and the first differing stretch of each."""
    out = []
    for name in sorted(set(a) | set(b)):
        x, y = a.get(name), b.get(name)
        if x == y:
            continue
        if x is None or y is None:
            out.append(f"{name}: only in one world")
            continue
        at = next(
            (i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y))
        )
        start = max(0, at - 120)
        out.append(f"{name} at {at}: {x[start : at + 120]!r} != {y[start : at + 120]!r}")
    return out
