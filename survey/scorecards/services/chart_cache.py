"""Chart images and rendered page figures cached by the data they show, and SVG made fit to
inline in a page.

Charts are drawn by ``analysis.charts`` (matplotlib figures); drawing one costs tens of
milliseconds (seconds for a 200-department organisation), so images are kept in a small
in-process LRU keyed by the SHA-256 of everything that decides the picture: the chart's name,
its data, the format and the language of its texts. The scorecard pages keep their rendered
figures (tables and charts) in the same cache, keyed alike. The cache is bounded by entries
and by bytes. Several app hosts each keep their own cache; nothing is shared or written to
disk.

Inline SVG meets the site's Content-Security-Policy (``style-src 'self'``, which blocks
``style`` attributes and ``<style>`` elements inside the page): matplotlib's inline styles are
rewritten as SVG presentation attributes, which the policy does not govern. Element ids get a
per-chart prefix so that several charts on one page do not share clip paths or glyphs.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, TypeVar

from survey.services.lru import Lru

T = TypeVar("T")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

# CSS properties that SVG also accepts as presentation attributes.
PRESENTATION = frozenset(
    {
        "clip-path",
        "clip-rule",
        "color",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "image-rendering",
        "letter-spacing",
        "marker",
        "marker-end",
        "marker-mid",
        "marker-start",
        "mask",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "visibility",
        "white-space",
    }
)
_URL_REF = re.compile(r"url\(#([^)]+)\)")

MAX_ENTRIES = 256
# A 200-department overview's figures run to about a megabyte of markup, a department page to
# a fifth of that: the budget keeps a few dozen pages without letting a worker grow unbounded.
MAX_BYTES = 40 * 1024 * 1024


def _weight(value: Any) -> int:
    """About the bytes a cached value holds: its text or bytes (sizes of str count characters,
    which for this ASCII-heavy markup is close enough)."""
    if value is None:
        return 0
    if isinstance(value, str | bytes):
        return len(value)
    return sum(len(getattr(value, name, "") or "") for name in ("svg", "title", "alt_text"))


_cache: Lru[Any] = Lru(MAX_ENTRIES, MAX_BYTES, _weight)


def data_key(*parts: Any) -> str:
    """SHA-256 hex of ``parts`` as canonical JSON (tuples as lists, sets sorted)."""

    def default(value: Any) -> Any:
        if isinstance(value, set | frozenset):
            return sorted(value)
        if hasattr(value, "__dataclass_fields__"):
            return {f: getattr(value, f) for f in value.__dataclass_fields__}
        return str(value)

    payload = json.dumps(parts, sort_keys=True, default=default, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def cached(key: str, render: Callable[[], T]) -> T:
    """The value (image bytes, inline markup) stored under ``key``, rendering and storing it
    on a miss. Values must not be mutated by callers."""
    return _cache.get_or_make(key, render)  # type: ignore[no-any-return]


def clear() -> None:
    _cache.clear()


def _split_style(style: str) -> dict[str, str]:
    out = {}
    for declaration in style.split(";"):
        name, sep, value = declaration.partition(":")
        if sep and name.strip():
            out[name.strip().lower()] = value.strip()
    return out


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def inline_svg(svg: bytes, title: str, description: str, prefix: str) -> str:
    """SVG markup for inlining in HTML: no XML prolog, ``role="img"``, a ``<title>`` and a
    ``<desc>`` (the text alternative) referenced by ``aria-labelledby``, no ``style``
    attribute or element, ids prefixed with ``prefix``. Text is escaped by the serialiser."""
    root = ET.fromstring(svg)  # noqa: S314 - our own matplotlib output, never user input
    ids: dict[str, str] = {}
    for element in root.iter():
        old = element.get("id")
        if old:
            ids[old] = f"{prefix}-{old}"
    for element in list(root.iter()):
        for child in list(element):
            if _tag(child) in ("style", "title", "desc", "metadata"):
                element.remove(child)
        style = element.attrib.pop("style", None)
        if style:
            for name, value in _split_style(style).items():
                if name in PRESENTATION and name not in element.attrib:
                    element.set(name, value)
        for attr, value in list(element.attrib.items()):
            if attr == "id":
                element.set(attr, ids.get(value, value))
            elif attr.endswith("href") and value.startswith("#"):
                element.set(attr, "#" + ids.get(value[1:], value[1:]))
            elif "url(#" in value:
                element.set(attr, _URL_REF.sub(lambda m: f"url(#{ids.get(m[1], m[1])})", value))
    # matplotlib's <style> set these for every element; keep them as root attributes.
    root.set("stroke-linejoin", root.get("stroke-linejoin", "round"))
    root.set("stroke-linecap", root.get("stroke-linecap", "butt"))
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    title_el = ET.Element(f"{{{SVG_NS}}}title", {"id": title_id})
    title_el.text = title
    desc_el = ET.Element(f"{{{SVG_NS}}}desc", {"id": desc_id})
    desc_el.text = description
    root.insert(0, desc_el)
    root.insert(0, title_el)
    root.set("role", "img")
    root.set("aria-labelledby", f"{title_id} {desc_id}")
    root.set("focusable", "false")
    root.set("class", "chart")
    # The natural size (width and height in pt) stays: CSS stretches the chart to the column
    # on wide screens and, on phones, shows it at this size in a frame that scrolls on its
    # own, so that its text keeps its size in points (style.css, "scorecards on phones").
    return ET.tostring(root, encoding="unicode")
