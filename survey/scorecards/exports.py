"""Scorecards written to files by the operator's ``export`` command (``survey/cli.py``): every
active department's scorecard of a released quarter (or the departments named) as CSV, JSON
and PDF, each the very document the page's CSV and PDF links and the API serve for that
quarter and language (``services.scorecard_documents``), and with every department in CSV the
overview's CSV: only gated figures, CSV cells safe in a spreadsheet.

Everything is built before anything is written, so a refused request (an unknown
department, a malformed quarter, a quarter not released) writes nothing; files are then
written each under a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.locales import DEFAULT_LOCALE, LOCALES
from survey.models import Department
from survey.periods import parse_quarter
from survey.scorecards.comment_filters import readable_comments_of
from survey.scorecards.services import scorecard_export
from survey.scorecards.services.scorecard_data import department_names, score_versions
from survey.scorecards.services.scorecard_documents import api_body, pdf_report
from survey.scorecards.services.scorecard_names import localize_overview
from survey.scorecards.services.scorecard_overview_export import overview_csv
from survey.scorecards.services.scorecards import Settings, build_overview, build_scorecard

#: The formats the command writes, in the order it writes them.
FORMATS = ("csv", "json", "pdf")


class ExportError(ValueError):
    """An export the command refuses; the message says why, for the operator."""


@dataclass(frozen=True)
class ExportedFile:
    """One file of an export: its ``name`` (``scorecard-<code>-<quarter>.<format>``) and
    its bytes."""

    name: str
    body: bytes


def _departments(session: Session, codes: Sequence[str]) -> list[Department]:
    """The departments of ``codes`` in the order given (an inactive one too, when named),
    or every active department by code; ExportError naming every unknown code."""
    if not codes:
        return list(
            session.scalars(
                select(Department).where(Department.active.is_(True)).order_by(Department.code)
            )
        )
    found = {
        d.code: d for d in session.scalars(select(Department).where(Department.code.in_(codes)))
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ExportError(f"no department with the code {', '.join(map(repr, unknown))}")
    return [found[code] for code in dict.fromkeys(codes)]


def _quarter(session: Session, asked: str | None, now: datetime) -> str:
    """The quarter to export: ``asked`` when it is well formed and released, else the latest
    released quarter; ExportError when there is none, or ``asked`` is malformed or not
    released (its figures are not published yet, so there is nothing to write)."""
    released = score_versions(session, now).quarters
    if not asked:
        if not released:
            raise ExportError("no quarter is released yet: nothing to export")
        return released[-1]
    try:
        parse_quarter(asked)
    except ValueError:
        raise ExportError(f"the quarter must look like 2026Q1, not {asked[:20]!r}") from None
    if asked not in released:
        shown = ", ".join(released) if released else "none yet"
        raise ExportError(
            f"{asked} is not released (a quarter is released once it has ended, none of its "
            f"campaigns is open and it has answers); released: {shown}"
        )
    return asked


def scorecard_files(
    session: Session,
    settings: Settings,
    *,
    codes: Sequence[str] = (),
    quarter: str | None = None,
    formats: Sequence[str] = ("csv",),
    locale: str = DEFAULT_LOCALE,
    now: datetime | None = None,
) -> list[ExportedFile]:
    """The files of an export, built in memory: for each department (``codes``, or every
    active one) the scorecard of ``quarter`` (default: the latest released) in each of
    ``formats`` (of ``FORMATS``), texts and names in ``locale``; when every active department
    is exported as CSV, the overview too (``overview-<quarter>.csv``, as the overview page's
    download). Needs an app context;
    raises ExportError (nothing built) for an unknown department, format or language, or a
    quarter malformed or not released."""
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ExportError(f"formats are {', '.join(FORMATS)}")
    if locale not in LOCALES:
        raise ExportError(f"languages are {', '.join(LOCALES)}")
    departments = _departments(session, codes)
    chosen = _quarter(session, quarter, now or datetime.now(UTC))
    files: list[ExportedFile] = []
    with force_locale(locale):
        for department in departments:
            card, _problem = build_scorecard(
                session, department, chosen, settings, now=now, fallback=False, locale=locale
            )
            stem = f"scorecard-{card.code}-{card.quarter}"
            for form in dict.fromkeys(formats):
                if form == "csv":
                    body = scorecard_export.to_csv(card).encode("utf-8-sig")
                elif form == "json":
                    document = api_body(session, department, card, settings)
                    body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
                else:
                    comments = readable_comments_of(department, card, filtered=False)
                    body = pdf_report(session, department, card, settings, comments)
                files.append(ExportedFile(f"{stem}.{form}", body))
        if not codes and "csv" in formats:
            overview, _problem = build_overview(session, chosen, settings, now)
            overview = localize_overview(overview, department_names(session, locale))
            body = overview_csv(overview).encode("utf-8-sig")
            files.append(ExportedFile(f"overview-{chosen}.csv", body))
    return files


def _file_mode() -> int:
    """The mode a new file gets under the process's umask (a temporary file is made 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_files(folder: Path, files: Sequence[ExportedFile]) -> list[Path]:
    """Write ``files`` into ``folder`` (created if need be), each through a temporary file
    renamed into place (an existing file of the same name is replaced whole) with the mode
    any new file of the operator gets (the umask's); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    mode = _file_mode()
    written = []
    for item in files:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".export-")
        try:
            os.fchmod(handle, mode)
            with os.fdopen(handle, "wb") as out:
                out.write(item.body)
            os.replace(temporary, folder / item.name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(folder / item.name)
    return written
