"""The authority's data screens: bulk import (template, preview), open-data export, the audit log."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from portal.domain.errors import PortalError
from portal.permissions import Action, Actor, require
from portal.services import exports, imports, reports
from portal.services.imports import ImportPreview
from portal.views.base import HasActions, actions, allows


class Do(enum.StrEnum):
    COMMIT = "commit"  # create every row of the previewed file (all or nothing)
    EXPORT = "export"  # produce the open-data files (audited)


@dataclass(frozen=True)
class ImportPage(HasActions):
    template: bytes  # the empty workbook to fill in, in the page's language
    preview: ImportPreview | None  # None: no file yet, or the file as a whole was refused
    refused: PortalError | None  # why the file cannot be read at all (empty, broken, wrong header …)


def import_page(
    actor: Actor,
    lang: str,
    filename: str | None = None,
    content: bytes | None = None,
    *,
    session: Session,
    submit: bool = False,
) -> ImportPage:
    """The import screen, with the preview of an uploaded file (nothing is written).

    ``commit`` is offered exactly when every row of the preview is valid, the condition
    ``imports.commit_import`` enforces again when it runs.
    """
    require(actor, Action.SCENARIO_IMPORT)
    preview, refused = None, None
    if filename is not None and content is not None:
        try:
            preview = imports.preview_import(actor, filename, content, session=session, submit=submit)
        except PortalError as err:
            refused = err
    return ImportPage(
        actions=actions(commit=preview is not None and preview.ok),
        template=imports.import_template(lang),
        preview=preview,
        refused=refused,
    )


@dataclass(frozen=True)
class ExportPage(HasActions):
    formats: tuple[str, ...]  # the formats the actor may export in (``exports.check_export``)


def export_page(actor: Actor, *, session: Session) -> ExportPage:
    """The open-data export screen (refused for anyone without ``DATA_EXPORT``)."""
    require(actor, Action.DATA_EXPORT)
    del session  # nothing to read: the files are made by the (audited) command
    formats = tuple(f for f in exports.FORMATS if allows(exports.check_export, actor, f))
    return ExportPage(actions=actions(export=bool(formats)), formats=formats)


#: The object types the audit log can be filtered by ("" = all).
AUDIT_OBJECT_TYPES = (
    "",
    "scenario",
    "bid",
    "offer",
    "question",
    "showcase",
    "call",
    "organization",
    "user",
    "outcome",
)


@dataclass(frozen=True)
class AuditLogPage:
    rows: tuple[reports.AuditRow, ...]  # newest first
    total: int  # events matching the filters
    page: int
    pages: int


def audit_log_page(
    actor: Actor,
    *,
    session: Session,
    since: date | None = None,
    until: date | None = None,
    event_prefix: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    actor_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> AuditLogPage:
    """One page of the filtered audit log (``reports.audit_log``; refused without ``AUDIT_VIEW``)."""
    found = reports.audit_log(
        actor,
        session=session,
        since=since,
        until=until,
        event_prefix=(event_prefix or "").strip() or None,
        object_type=object_type or None,
        object_id=object_id,
        actor_id=actor_id,
        page=page,
        page_size=page_size,
    )
    return AuditLogPage(tuple(found.rows), found.total, found.page, found.pages)
