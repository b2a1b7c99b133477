"""Whether a compiled message catalog (``messages.mo``) still says what its source
(``messages.po``) says, checked at start-up (``config.check_settings``).

The ``.mo`` files are not in git; ``pybabel compile`` (``make install``) writes them. A ``.po``
changed afterwards (a pull bringing new or corrected texts) leaves the ``.mo`` older than it,
and the pages show the old texts. Modification times alone cannot tell: a checkout, a copy or
a deployment may give the ``.po`` a newer time with the same content. So a ``.mo`` newer than
its ``.po`` is trusted (two ``stat`` calls), and only an older one is compared by content:
the ``.po`` compiled in memory as ``pybabel compile`` would (no fuzzy entries) against the
``.mo``, message by message (about 0.2 s a language on this project's catalogs).
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

Entries = dict[tuple[str | None, object], object]


def _entries(catalog: Catalog) -> Entries:
    """Each message's translation by context and id, the header left out (it names the
    tool and time of the compilation, not texts)."""

    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {(m.context, plain(m.id)): plain(m.string) for m in catalog if m.id}


def compiled_entries(po: Path) -> Entries:
    """What ``pybabel compile`` would put in the ``.mo`` of ``po``."""
    with po.open("rb") as source:
        catalog = read_po(source)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _entries(read_mo(compiled))


def is_stale(mo: Path, po: Path) -> bool:
    """Whether ``mo`` misses or mistranslates something of ``po``: False without a ``.po``
    beside it or when ``mo`` is at least as new; otherwise a comparison by content."""
    if not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime:
        return False
    with mo.open("rb") as compiled:
        return _entries(read_mo(compiled)) != compiled_entries(po)
