"""The attachments part of a screen: the files the actor may see, and whether it may add or remove.

Every screen with files (a scenario's annexes, a bid's proposal documents, a vendor's licence) gets
one ``FilePanel`` from ``file_panel``; the rules are the service's own (``attachments.list_for``
lists only what ``attachment.view`` allows, ``attachments.check_upload`` says whether files may be
added or removed now), so no page decides who sees a sealed proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from portal.permissions import Actor
from portal.services import attachments
from portal.views.base import HasActions, actions, allows


@dataclass(frozen=True)
class FileItem(HasActions):
    """One file as a list shows it (actions: ``download``, ``remove``)."""

    id: int
    filename: str  # cleaned at upload: no path, control or bidi characters
    media_type: str
    size: int
    size_text: str
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True)
class FilePanel(HasActions):
    """The files of one object (actions: ``upload``, which also covers removing)."""

    object_type: str
    object_id: int
    kind: str
    items: tuple[FileItem, ...]
    max_file: str  # the limits, as the upload help states them
    max_files: int


def file_items(infos: list[attachments.AttachmentInfo]) -> tuple[FileItem, ...]:
    """Listed files are downloadable by whoever they were listed for; ``remove`` as the service says."""
    return tuple(
        FileItem(
            actions=actions(download=True, remove=i.can_remove),
            id=i.id,
            filename=i.filename,
            media_type=i.media_type,
            size=i.size,
            size_text=attachments.size_text(i.size),
            sha256=i.sha256,
            uploaded_at=i.created_at,
        )
        for i in infos
    )


def file_panel(actor: Actor, object_type: str, object_id: int, kind: str, *, session: Session) -> FilePanel:
    """The files of ``object_type``/``object_id`` that ``actor`` may see (empty while sealed).

    Raises:
        NotFound: no such object.
    """
    infos = attachments.list_for(actor, object_type, object_id, session=session)
    target = attachments.holder(object_type, object_id, session=session)
    return FilePanel(
        actions=actions(upload=allows(attachments.check_upload, actor, target, session=session)),
        object_type=object_type,
        object_id=object_id,
        kind=kind,
        items=file_items([i for i in infos if i.kind == kind]),
        max_file=attachments.size_text(attachments.MAX_FILE_BYTES),
        max_files=attachments.MAX_OBJECT_FILES,
    )
