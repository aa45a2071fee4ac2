"""Attachments: scenario annexes, sealed bid proposal documents, business-licence scans.

Why a module of its own: uploaded files are hostile input (a renamed ``.exe`` or ``.html``, a zip
bomb, a file name with a path, control or bidi characters) and some are as secret as a sealed bid.

* The type is detected from the content (magic bytes; DOCX/XLSX are ZIP packages with
  ``[Content_Types].xml`` and ``word/`` or ``xl/`` parts, read from the central directory only,
  never extracted), never from the name; only PDF, DOCX, XLSX, PNG and JPEG are accepted.
* At most ``MAX_FILE_BYTES`` per file, ``MAX_OBJECT_BYTES`` and ``MAX_OBJECT_FILES`` per object.
* Bytes are stored once per SHA-256 (``FileBlob``); every upload, removal and download is audited
  in the caller's transaction. Every check runs before anything is added, so a refusal writes nothing.
* Who may do what: ``Action.ATTACHMENT_UPLOAD`` / ``ATTACHMENT_VIEW`` on a ``Holder`` (see
  ``portal.permissions``); the status and deadline rules are ``check_upload``.
* Downloads are served as attachments, never inline: ``Download`` carries the detected media type
  and a ``Content-Disposition`` header value (``st.download_button`` with ``mime=``).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from urllib.parse import quote

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal import audit, clock
from portal.audit import EventType
from portal.domain.errors import FieldError, NotFound, PortalError, RuleViolation, ValidationFailed
from portal.models import Attachment, Bid, BidStatus, FileBlob, Organization, Scenario, ScenarioStatus
from portal.permissions import PUBLIC_STATUSES, Action, Actor, Holder, can, require
from portal.services import bids
from portal.services.door import add_once, get_or_404, lock_scenario
from portal.services.tabular import size_text

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_OBJECT_BYTES = 100 * 1024 * 1024
MAX_OBJECT_FILES = 20
#: A DOCX/XLSX whose parts would unpack beyond this, or with more parts, is refused (zip bomb).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
MAX_NAME_CHARS = 120

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", PNG: ".png", JPEG: ".jpg"}

#: Which kind of file each object type takes.
KINDS = {"scenario": ("annex",), "bid": ("proposal",), "organization": ("licence",)}
_EDITABLE_SCENARIO = (ScenarioStatus.DRAFT, ScenarioStatus.CHANGES_REQUESTED)
_EDITABLE_BID = (BidStatus.DRAFT, BidStatus.SUBMITTED)


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment as a screen or an export shows it (no bytes)."""

    id: int
    object_type: str
    object_id: int
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime
    can_remove: bool = False


class Download(NamedTuple):
    """A file to serve as a download: ``filename, media_type, data = download(...)``."""

    filename: str
    media_type: str
    data: bytes

    @property
    def content_disposition(self) -> str:
        """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987)."""
        return content_disposition(self.filename)


# ------------------------------------------------------------------------------ content checks


def detect_media_type(data: bytes) -> str:
    """The media type of ``data`` from its content, or raise ``attachment.error.type``.

    Example:
        >>> detect_media_type(b"%PDF-1.7\\n...")
        'application/pdf'
    """
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    raise RuleViolation("attachment.error.type")


def _office_type(data: bytes) -> str:
    """DOCX or XLSX from the package's part names (central directory only: nothing is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise RuleViolation("attachment.error.type") from None
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise RuleViolation("attachment.error.zip_bomb")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise RuleViolation("attachment.error.type")
    if any(n.lower().endswith(_ACTIVE_PARTS) for n in names):  # macros or embedded programs
        raise RuleViolation("attachment.error.type")
    word = any(n.startswith("word/") for n in names)
    sheet = any(n.startswith("xl/") for n in names)
    if word == sheet:  # neither (a plain zip, an .odt …) or both (a crafted package)
        raise RuleViolation("attachment.error.type")
    return DOCX if word else XLSX


#: Parts that carry code: VBA macros (a .docm/.xlsm renamed .docx/.xlsx), embedded programs.
_ACTIVE_PARTS = ("vbaproject.bin", "vbadata.xml", ".exe", ".dll", ".js", ".vbs", ".bat", ".cmd", ".ps1")

_UNSAFE = re.compile(r'[<>:"/\\|?*;]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


def _name_parts(name: object) -> tuple[str, str]:
    """(stem, extension without the dot) of a browser-sent name, cleaned as ``clean_filename`` says."""
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE.sub("_", text)
    text = " ".join(text.split()).strip(" .")
    stem, dot, ext = text.rpartition(".")
    if not dot or len(ext) > 5 or not ext.isalnum():
        stem, ext = text, ""
    stem = stem.strip(" .") or "file"
    if _RESERVED.match(stem):
        stem = "_" + stem
    return stem, ext


def clean_filename(name: object, media_type: str) -> str:
    """A file name safe to store, list and send back: no path, no control, format (bidi,
    zero-width) or surrogate characters, no characters Windows or a header would trip on, at most
    ``MAX_NAME_CHARS`` characters, ending in the extension of the detected type. CJK is kept.

    Example:
        >>> clean_filename("C:\\\\tmp\\\\..\\\\方案\\u202egnp.exe", "application/pdf")
        '方案gnp.pdf'
    """
    stem, _ext = _name_parts(name)
    ext_wanted = EXTENSIONS[media_type]
    stem = stem[: MAX_NAME_CHARS - len(ext_wanted)].rstrip(" .") or "file"
    return unicodedata.normalize("NFC", stem + ext_wanted)  # removed characters may have split a sequence


def display_name(name: object) -> str:
    """The cleaned name with the sender's own extension, shortened (for messages about a refused file)."""
    stem, ext = _name_parts(name)
    return (stem[:60] + "…" if len(stem) > 60 else stem) + (f".{ext}" if ext else "")


def content_disposition(filename: str) -> str:
    """A ``Content-Disposition`` value that always downloads (never renders inline)."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# ------------------------------------------------------------------------------- holders, rules


def holder(object_type: str, object_id: int, *, session: Session) -> Holder:
    """Load what an attachment hangs on (``NotFound`` when it does not exist)."""
    if object_type == "scenario":
        return Holder("scenario", get_or_404(session, Scenario, object_id))
    if object_type == "bid":
        bid = get_or_404(session, Bid, object_id)
        return Holder("bid", bid, get_or_404(session, Scenario, bid.scenario_id))
    if object_type == "organization":
        return Holder("organization", get_or_404(session, Organization, object_id))
    raise NotFound(what="object.attachment")


def check_upload(actor: Actor, target: Holder, *, session: Session) -> None:
    """May ``actor`` add or remove files on ``target`` now? Raises when not.

    Annexes while the scenario is a draft or has changes requested; proposal documents while the
    bid is a draft or submitted and bidding is open (``bids.check_bidding``: verified vendor,
    published, before the closing date); a licence on one's own vendor organisation at any time.
    """
    require(actor, Action.ATTACHMENT_UPLOAD, target)
    if target.kind == "scenario" and target.obj.status not in _EDITABLE_SCENARIO:
        raise RuleViolation("attachment.error.not_editable", status=f"status.{target.obj.status}")
    if target.kind == "bid":
        if target.obj.status not in _EDITABLE_BID:
            raise RuleViolation("error.bid_not_editable", status=f"bid_status.{target.obj.status}")
        assert target.scenario is not None
        bids.check_bidding(actor, target.scenario, session=session)


def _live(object_type: str, object_id: int):  # type: ignore[no-untyped-def]
    return (
        Attachment.object_type == object_type,
        Attachment.object_id == object_id,
        col(Attachment.removed_at).is_(None),
    )


def _room(session: Session, target: Holder) -> tuple[int, int]:
    """(count, total bytes) of the live attachments of ``target``."""
    count, total = session.exec(
        select(func.count(col(Attachment.id)), func.coalesce(func.sum(Attachment.size), 0)).where(
            *_live(target.kind, target.obj.id)
        )
    ).one()
    return int(count), int(total)


def check_file(filename: object, data: object) -> str:
    """The media type of one uploaded file, or the refusal (``RuleViolation`` naming the file).

    Empty, over ``MAX_FILE_BYTES``, or a content other than PDF/DOCX/XLSX/PNG/JPEG (whatever the
    name says: an ELF, PE or script called ``x.pdf`` is refused), or a zip bomb.
    """
    name = display_name(filename)
    if not isinstance(data, (bytes, bytearray, memoryview)) or not len(data):
        raise RuleViolation("attachment.error.empty", name=name)
    if len(data) > MAX_FILE_BYTES:
        raise RuleViolation(
            "attachment.error.too_large",
            name=name,
            size=size_text(len(data)),
            limit=size_text(MAX_FILE_BYTES),
        )
    try:
        return detect_media_type(bytes(data))
    except RuleViolation as err:
        raise RuleViolation(err.key, name=name) from None


def _problems(
    session: Session, target: Holder, kind: str, files: Sequence[tuple[str, bytes]]
) -> list[FieldError]:
    """Every reason to refuse this batch, at once (empty: all files may be stored)."""
    if kind not in KINDS[target.kind]:
        return [FieldError("file", "attachment.error.kind", {"kind": str(kind)[:20]})]
    errors: list[FieldError] = []
    if not files:
        errors.append(FieldError("file", "attachment.error.none", {}))
    for name, data in files:
        try:
            check_file(name, data)
        except RuleViolation as err:
            errors.append(FieldError("file", err.key, dict(err.params)))
    count, total = _room(session, target)
    if count + len(files) > MAX_OBJECT_FILES:
        errors.append(
            FieldError("file", "attachment.error.too_many", {"limit": MAX_OBJECT_FILES, "count": count})
        )
    added = sum(len(d) for _n, d in files if isinstance(d, (bytes, bytearray, memoryview)))
    if files and total + added > MAX_OBJECT_BYTES:
        errors.append(
            FieldError(
                "file",
                "attachment.error.total",
                {"size": size_text(total + added), "limit": size_text(MAX_OBJECT_BYTES)},
            )
        )
    return errors


def _lock(actor: Actor, target: Holder, *, session: Session) -> None:
    """Check who may upload first, then take the scenario's lock, so that no status change (submit,
    close) can slip between the rule checks and the write; the holder is re-read under it."""
    require(actor, Action.ATTACHMENT_UPLOAD, target)
    if target.kind == "scenario":
        lock_scenario(session, target.obj.id)
    elif target.kind == "bid":
        lock_scenario(session, target.obj.scenario_id)
        session.refresh(target.obj)


def _store(
    actor: Actor, target: Holder, kind: str, filename: str, data: bytes, *, session: Session
) -> AttachmentInfo:
    media_type = detect_media_type(data)
    sha = hashlib.sha256(data).hexdigest()
    known = session.exec(select(FileBlob.sha256).where(FileBlob.sha256 == sha)).first()  # no bytes loaded
    if known is None:
        add_once(session, FileBlob(sha256=sha, size=len(data), media_type=media_type, data=data))
    row = Attachment(
        object_type=target.kind,
        object_id=target.obj.id,
        kind=kind,
        sha256=sha,
        filename=clean_filename(filename, media_type),
        media_type=media_type,
        size=len(data),
        uploaded_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, EventType.ATTACHMENT_UPLOADED, "attachment", row.id, **_payload(row))
    return _info(row, can_remove=True)


def _info(row: Attachment, can_remove: bool = False) -> AttachmentInfo:
    assert row.id is not None
    return AttachmentInfo(
        row.id,
        row.object_type,
        row.object_id,
        row.kind,
        row.filename,
        row.media_type,
        row.size,
        row.sha256,
        row.created_at,
        can_remove,
    )


def _payload(row: Attachment) -> dict[str, object]:
    return {
        "on_type": row.object_type,
        "on_id": row.object_id,
        "kind": row.kind,
        "filename": row.filename,
        "size": row.size,
        "media_type": row.media_type,
        "sha256": row.sha256,
    }


# ------------------------------------------------------------------------------------ use cases


def upload_files(
    actor: Actor,
    object_type: str,
    object_id: int,
    kind: str,
    files: Sequence[tuple[str, bytes]],
    *,
    session: Session,
) -> tuple[AttachmentInfo, ...]:
    """Attach files to a scenario, a bid or an organisation: all of them, or none.

    Args:
        object_type: ``scenario`` | ``bid`` | ``organization``.
        kind: the files' role on it (``KINDS``: annex, proposal, licence).
        files: ``(name as the browser sent it, bytes)`` pairs; names are cleaned
            (``clean_filename``), extensions come from the content.

    Returns:
        The new attachments; a blob is shared when the same bytes were stored before (one
        ``file_blob`` row per SHA-256). One ``attachment.uploaded`` audit row per file.

    Raises:
        NotFound: no such object (or unknown object type).
        PermissionDenied: ``ATTACHMENT_UPLOAD`` refused.
        RuleViolation: wrong status or deadline (``check_upload``).
        ValidationFailed: every problem of the batch at once (unknown kind, no file, an empty, too
            large or forbidden file — each named —, too many files, over the object's total);
            nothing is stored.

    Example:
        >>> upload_files(dept, "scenario", 7, "annex", [("需求说明.pdf", pdf_bytes)], session=s)  # doctest: +SKIP
    """
    target = holder(object_type, object_id, session=session)
    _lock(actor, target, session=session)
    check_upload(actor, target, session=session)
    errors = _problems(session, target, kind, files)
    if errors:
        raise ValidationFailed(errors)
    stored = tuple(_store(actor, target, kind, name, bytes(data), session=session) for name, data in files)
    session.flush()
    return stored


def upload(
    actor: Actor,
    object_type: str,
    object_id: int,
    kind: str,
    filename: str,
    data: bytes,
    *,
    session: Session,
) -> AttachmentInfo:
    """Attach one file (``upload_files`` with one file; its one problem raised as ``RuleViolation``).

    Example:
        >>> info = upload(dept, "scenario", 7, "annex", "需求说明.pdf", pdf_bytes, session=s)  # doctest: +SKIP
    """
    try:
        (info,) = upload_files(actor, object_type, object_id, kind, [(filename, data)], session=session)
    except ValidationFailed as err:
        first = err.errors[0]
        raise RuleViolation(first.key, **first.params) from None
    return info


def list_for(actor: Actor, object_type: str, object_id: int, *, session: Session) -> list[AttachmentInfo]:
    """The live attachments of an object that ``actor`` may see, oldest first (empty when none
    may be seen: a sealed proposal is simply not listed). ``can_remove`` tells the screen whether to
    draw a remove button (``check_upload``).

    Raises:
        NotFound: no such object.
    """
    target = holder(object_type, object_id, session=session)
    if not can(actor, Action.ATTACHMENT_VIEW, target):
        return []
    removable = _allows(actor, target, session=session)
    rows = session.exec(
        select(Attachment).where(*_live(target.kind, target.obj.id)).order_by(col(Attachment.id))
    ).all()
    return [_info(r, removable) for r in rows]


def _allows(actor: Actor, target: Holder, *, session: Session) -> bool:
    try:
        check_upload(actor, target, session=session)
    except PortalError:
        return False
    return True


def download(actor: Actor, attachment_id: int, *, session: Session) -> Download:
    """The file of an attachment, for a download (audited: ``attachment.downloaded``).

    Returns:
        ``Download(filename, media_type, data)``: serve it with ``media_type`` and
        ``content_disposition`` (always ``attachment``), never inline.

    Raises:
        NotFound: no such attachment, it was removed, or it is an annex of a scenario the actor may
            not see (an unpublished one: its existence stays hidden, as the scenario's does).
        PermissionDenied / NotAuthenticated: ``ATTACHMENT_VIEW`` refused (a sealed proposal before
            closing, someone else's licence).
    """
    row = get_or_404(session, Attachment, attachment_id)
    if row.removed_at is not None:
        raise NotFound(what="object.attachment")
    target = holder(row.object_type, row.object_id, session=session)
    if target.kind == "scenario" and not can(actor, Action.SCENARIO_VIEW, target.obj):
        raise NotFound(what="object.attachment")  # an unpublished scenario's annexes stay secret, as it does
    require(actor, Action.ATTACHMENT_VIEW, target)
    blob = session.get(FileBlob, row.sha256)
    if blob is None:
        raise NotFound(what="object.attachment")
    audit.record(
        session,
        actor,
        EventType.ATTACHMENT_DOWNLOADED,
        "attachment",
        row.id,
        on_type=row.object_type,
        on_id=row.object_id,
        kind=row.kind,
        sha256=row.sha256,
    )
    session.flush()
    return Download(row.filename, row.media_type, bytes(blob.data))


def remove(actor: Actor, attachment_id: int, *, session: Session) -> AttachmentInfo:
    """Remove an attachment (same rule as uploading; audited). The blob stays for other users of it.

    Raises:
        NotFound: no such attachment, or already removed.
        PermissionDenied / RuleViolation: as ``check_upload``.
    """
    row = get_or_404(session, Attachment, attachment_id)
    if row.removed_at is not None:
        raise NotFound(what="object.attachment")
    target = holder(row.object_type, row.object_id, session=session)
    _lock(actor, target, session=session)
    check_upload(actor, target, session=session)
    row.removed_at = clock.now()
    row.removed_by = actor.user_id
    session.add(row)
    audit.record(session, actor, EventType.ATTACHMENT_REMOVED, "attachment", row.id, **_payload(row))
    session.flush()
    return _info(row)


def public_annexes(session: Session) -> list[AttachmentInfo]:
    """Annexes of public (published or later) scenarios, for open data."""
    rows = session.exec(
        select(Attachment)
        .join(Scenario, Scenario.id == Attachment.object_id)  # type: ignore[arg-type]
        .where(
            Attachment.object_type == "scenario",
            col(Attachment.removed_at).is_(None),
            col(Scenario.status).in_(PUBLIC_STATUSES),
        )
        .order_by(col(Attachment.id))
    ).all()
    return [_info(r) for r in rows]
