"""Attachments: content-detected types, caps, dedup, sealed proposals, licences, public annexes, names, audit."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import openpyxl
import pytest
from sqlmodel import Session, col, func, select

from portal import clock
from portal.domain.errors import NotAuthenticated, NotFound, PermissionDenied, RuleViolation, ValidationFailed
from portal.models import Attachment, AuditEvent, FileBlob, Scenario, ScenarioStatus
from portal.permissions import ANONYMOUS, Action, record_checks
from portal.services import attachments as att
from portal.services import bids, exports, scenarios
from tests.factories import World, after, bid_data, scenario_in
from tests.portal.fingerprint import changed_tables, db_fingerprint

S = ScenarioStatus
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return buf.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "指标"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _past_closing(s: Session, scenario_id: int):  # type: ignore[no-untyped-def]
    closing = s.get(Scenario, scenario_id).closing_date
    return clock.frozen(after((closing - clock.today()).days + 1))


def _live_count(s: Session) -> int:
    return s.exec(select(func.count(col(Attachment.id)))).one()


# ------------------------------------------------------------------------------------ types


@pytest.mark.parametrize(
    ("data", "name", "media", "stored"),
    [
        (PDF, "需求说明.pdf", att.PDF, "需求说明.pdf"),
        (PNG, "架构图.png", att.PNG, "架构图.png"),
        (JPEG, "photo.jpeg", att.JPEG, "photo.jpg"),
        (DOCX, "方案.docx", att.DOCX, "方案.docx"),
        (None, "指标.xlsx", att.XLSX, "指标.xlsx"),
        (PDF, "named-wrongly.png", att.PDF, "named-wrongly.pdf"),  # the content decides
    ],
)
def test_each_type_is_accepted_by_content(db, shared_world: World, data, name, media, stored):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    data = data if data is not None else _xlsx()
    info = att.upload(w.dept_a.actor, "scenario", sid, "annex", name, data, session=db)
    assert (info.media_type, info.filename, info.size) == (media, stored, len(data))
    got = att.download(w.dept_a.actor, info.id, session=db)
    assert got == (stored, media, data)
    assert got.content_disposition.startswith("attachment;")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "proposal.pdf"),  # a renamed .exe (PE)
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "annex.pdf"),  # a renamed Linux program
        (b"#!/bin/sh\nrm -rf ~\n", "readme.pdf"),  # a renamed script
        (b"@echo off\r\ndel /q *\r\n", "budget.xlsx"),  # a renamed batch file
        (
            _zip(
                {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"x", "word/vbaProject.bin": b"m"}
            ),
            "macro.docx",
        ),  # a .docm (macros) renamed .docx
        (b"<!DOCTYPE html><script>alert(1)</script>", "annex.pdf"),  # a renamed .html
        (b"<svg onload=alert(1)>", "diagram.png"),
        (_zip({"a.txt": b"hello"}), "sheet.xlsx"),  # a plain zip
        (
            _zip({"[Content_Types].xml": b"<Types/>", "content.xml": b"x"}),
            "doc.docx",
        ),  # neither word/ nor xl/
        (b"PK\x03\x04broken", "doc.docx"),
    ],
)
def test_other_content_is_refused_whatever_its_name(db, shared_world: World, data, name):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    db.commit()
    before = db_fingerprint(db)
    with pytest.raises(RuleViolation) as info:
        att.upload(w.dept_a.actor, "scenario", sid, "annex", name, data, session=db)
    assert info.value.key == "attachment.error.type"
    assert info.value.message("zh") != info.value.message("en")
    assert changed_tables(before, db_fingerprint(db)) == []


def test_a_zip_bomb_is_refused_without_unpacking(db, shared_world: World, monkeypatch):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * 5000})
    monkeypatch.setattr(att, "MAX_UNZIPPED_BYTES", 4000)
    with pytest.raises(RuleViolation) as info:
        att.upload(w.dept_a.actor, "scenario", sid, "annex", "bomb.docx", bomb, session=db)
    assert info.value.key == "attachment.error.zip_bomb"


def test_oversize_empty_and_total_cap_are_refused(db, shared_world: World, monkeypatch):
    w, a = shared_world, shared_world.dept_a.actor
    sid = scenario_in(db, w, S.DRAFT).id
    with pytest.raises(RuleViolation) as info:
        att.upload(a, "scenario", sid, "annex", "big.pdf", PDF + b"0" * att.MAX_FILE_BYTES, session=db)
    assert info.value.key == "attachment.error.too_large"
    with pytest.raises(RuleViolation) as info:
        att.upload(a, "scenario", sid, "annex", "empty.pdf", b"", session=db)
    assert info.value.key == "attachment.error.empty"

    monkeypatch.setattr(att, "MAX_OBJECT_BYTES", 2 * len(PDF) + 10)
    att.upload(a, "scenario", sid, "annex", "1.pdf", PDF, session=db)
    att.upload(a, "scenario", sid, "annex", "2.pdf", PDF + b"1", session=db)
    with pytest.raises(RuleViolation) as info:
        att.upload(a, "scenario", sid, "annex", "3.pdf", PDF + b"2", session=db)
    assert info.value.key == "attachment.error.total"
    assert len(att.list_for(a, "scenario", sid, session=db)) == 2


def test_the_same_bytes_are_stored_once(db, shared_world: World):
    w = shared_world
    one, two = scenario_in(db, w, S.DRAFT).id, scenario_in(db, w, S.DRAFT).id
    data = PDF + b"% dedup\n"
    first = att.upload(w.dept_a.actor, "scenario", one, "annex", "a.pdf", data, session=db)
    second = att.upload(w.dept_a.actor, "scenario", two, "annex", "b.pdf", data, session=db)
    assert first.id != second.id and first.sha256 == second.sha256
    assert (
        db.exec(select(func.count()).select_from(FileBlob).where(FileBlob.sha256 == first.sha256)).one() == 1
    )


def test_unknown_kind_and_object_type_are_refused(db, shared_world: World):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    with pytest.raises(RuleViolation):
        att.upload(w.dept_a.actor, "scenario", sid, "licence", "a.pdf", PDF, session=db)
    with pytest.raises(NotFound):
        att.upload(w.dept_a.actor, "user", 1, "annex", "a.pdf", PDF, session=db)


# ------------------------------------------------------------------------------------ rules


def test_annexes_are_public_only_once_the_scenario_is_published(db, shared_world: World):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    info = att.upload(w.dept_a.actor, "scenario", sid, "annex", "说明.pdf", PDF, session=db)
    for actor in (ANONYMOUS, w.vendor_x.actor, w.dept_b.actor):
        assert att.list_for(actor, "scenario", sid, session=db) == []
        with pytest.raises(NotFound):  # hidden, as the unpublished scenario itself is
            att.download(actor, info.id, session=db)
    assert att.list_for(w.authority.actor, "scenario", sid, session=db)[0].id == info.id
    with pytest.raises(PermissionDenied):  # only the owning department uploads
        att.upload(w.dept_b.actor, "scenario", sid, "annex", "x.pdf", PDF, session=db)

    scenarios.submit_scenario(w.dept_a.actor, sid, session=db)
    with pytest.raises(RuleViolation) as refused:  # no more changes once submitted
        att.upload(w.dept_a.actor, "scenario", sid, "annex", "x.pdf", PDF, session=db)
    assert refused.value.key == "attachment.error.not_editable"
    scenarios.publish_scenario(w.authority.actor, sid, session=db)
    for actor in (ANONYMOUS, w.vendor_x.actor, w.dept_b.actor):
        (listed,) = att.list_for(actor, "scenario", sid, session=db)
        assert not listed.can_remove
        assert att.download(actor, info.id, session=db).data == PDF
    annexes = exports.annex_records(db)
    assert any(r["attachment_id"] == info.id and r["sha256"] == info.sha256 for r in annexes)


def test_proposals_are_sealed_even_from_the_authority_until_closing(db, shared_world: World):
    w, x = shared_world, shared_world.vendor_x.actor
    sid = scenario_in(db, w, S.PUBLISHED).id
    bid = bids.save_bid(x, sid, bid_data(), session=db)
    with pytest.raises(PermissionDenied):
        att.upload(w.vendor_y.actor, "bid", bid.id, "proposal", "p.pdf", PDF, session=db)
    info = att.upload(x, "bid", bid.id, "proposal", "技术方案.docx", DOCX, session=db)
    bids.submit_bid(x, bid.id, session=db)
    att.upload(x, "bid", bid.id, "proposal", "报价.pdf", PDF, session=db)  # a submitted bid is still editable
    assert len(att.list_for(x, "bid", bid.id, session=db)) == 2

    sealed_from = (w.authority.actor, w.dept_a.actor, w.dept_b.actor, w.vendor_y.actor, ANONYMOUS)
    for actor in sealed_from:
        assert att.list_for(actor, "bid", bid.id, session=db) == []
        with pytest.raises(PermissionDenied):
            att.download(actor, info.id, session=db)

    with _past_closing(db, sid):
        with pytest.raises(RuleViolation):  # after the closing date the vendor can no longer add
            att.upload(x, "bid", bid.id, "proposal", "late.pdf", PDF, session=db)
        scenarios.close_scenario(w.dept_a.actor, sid, session=db)
    for actor in (w.authority.actor, w.dept_a.actor, x):
        assert len(att.list_for(actor, "bid", bid.id, session=db)) == 2
        assert att.download(actor, info.id, session=db).media_type == att.DOCX
    for actor in (w.dept_b.actor, w.vendor_y.actor):
        with pytest.raises(PermissionDenied):
            att.download(actor, info.id, session=db)
    with pytest.raises(NotAuthenticated):
        att.download(ANONYMOUS, info.id, session=db)


def test_a_licence_is_seen_only_by_the_authority_and_its_vendor(db, shared_world: World):
    w = shared_world
    org = w.vendor_p.org.id  # pending vendors upload their licence for verification
    info = att.upload(w.vendor_p.actor, "organization", org, "licence", "营业执照.jpg", JPEG, session=db)
    for actor in (w.authority.actor, w.vendor_p.actor):
        assert att.download(actor, info.id, session=db).data == JPEG
    for actor in (w.dept_a.actor, w.vendor_x.actor):
        assert att.list_for(actor, "organization", org, session=db) == []
        with pytest.raises(PermissionDenied):
            att.download(actor, info.id, session=db)
    for actor in (w.vendor_x.actor, w.authority.actor, w.dept_a.actor):
        with pytest.raises(PermissionDenied):
            att.upload(actor, "organization", org, "licence", "x.pdf", PDF, session=db)


def test_the_service_checks_the_named_actions(db, shared_world: World):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    with record_checks() as checks:
        info = att.upload(w.dept_a.actor, "scenario", sid, "annex", "a.pdf", PDF, session=db)
        att.download(w.dept_a.actor, info.id, session=db)
    assert {Action.ATTACHMENT_UPLOAD, Action.ATTACHMENT_VIEW} <= {a for a, _ in checks}


# ---------------------------------------------------------------------------- names, audit


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\王磊\\Desktop\\方案书.pdf", "方案书.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),  # bidi override gone, extension from content
        ("a\x00b\x1fc\u200b.pdf", "abc.pdf"),
        ('x"; filename=evil.html', "x__ filename=evil.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("   ...   ", "file.pdf"),
        ("", "file.pdf"),
        ("<script>.pdf", "_script_.pdf"),
        ("贵" * 300 + ".pdf", "贵" * (att.MAX_NAME_CHARS - 4) + ".pdf"),
    ],
)
def test_hostile_file_names_are_cleaned(name, expected):
    assert att.clean_filename(name, att.PDF) == expected


def test_content_disposition_is_always_an_attachment():
    value = att.content_disposition('报告 "x".pdf')
    assert value.startswith('attachment; filename="')
    assert "inline" not in value and "\n" not in value
    assert value.endswith("filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%22x%22.pdf")


def test_upload_download_and_removal_are_audited(db, shared_world: World):
    w, a = shared_world, shared_world.dept_a.actor
    sid = scenario_in(db, w, S.DRAFT).id
    info = att.upload(a, "scenario", sid, "annex", "a.pdf", PDF + b"% audit", session=db)
    att.download(w.authority.actor, info.id, session=db)
    att.remove(a, info.id, session=db)
    rows = db.exec(
        select(AuditEvent)
        .where(AuditEvent.object_type == "attachment", AuditEvent.object_id == info.id)
        .order_by(col(AuditEvent.id))
    ).all()
    assert [r.event for r in rows] == ["attachment.uploaded", "attachment.downloaded", "attachment.removed"]
    assert rows[0].payload["sha256"] == info.sha256 and rows[0].payload["on_id"] == sid
    assert rows[1].actor_id == w.authority.user.id
    assert att.list_for(a, "scenario", sid, session=db) == []
    with pytest.raises(NotFound):
        att.download(a, info.id, session=db)
    with pytest.raises(NotFound):
        att.remove(a, info.id, session=db)
    assert _live_count(db) >= 1  # removed rows stay for the audit trail


# ------------------------------------------------------------------ batches, nothing stored


def _rows(s: Session) -> tuple[int, int]:
    return (
        s.exec(select(func.count()).select_from(FileBlob)).one(),
        s.exec(select(func.count()).select_from(Attachment)).one(),
    )


def test_an_oversized_file_is_refused_translated_and_nothing_is_stored(db, shared_world: World, monkeypatch):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    monkeypatch.setattr(att, "MAX_FILE_BYTES", 1024)
    before = _rows(db)
    big = PDF + b"0" * 2048
    with pytest.raises(ValidationFailed) as info:
        att.upload_files(
            w.dept_a.actor, "scenario", sid, "annex", [("ok.pdf", PDF), ("大文件.pdf", big)], session=db
        )
    (err,) = info.value.errors
    assert err.key == "attachment.error.too_large"
    zh, en = err.message("zh"), err.message("en")
    assert "大文件.pdf" in zh and "超过单个文件上限" in zh and "1 KiB" in zh
    assert "more than the limit" in en and "大文件.pdf" in en
    assert _rows(db) == before  # not even the acceptable file of the batch


def test_every_problem_of_a_batch_is_reported_at_once(db, shared_world: World, monkeypatch):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    monkeypatch.setattr(att, "MAX_OBJECT_FILES", 2)
    before = _rows(db)
    batch = [("空.pdf", b""), ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 40), ("a.pdf", PDF)]
    with pytest.raises(ValidationFailed) as info:
        att.upload_files(w.dept_a.actor, "scenario", sid, "annex", batch, session=db)
    keys = [e.key for e in info.value.errors]
    assert keys == ["attachment.error.empty", "attachment.error.type", "attachment.error.too_many"]
    messages = [e.message("zh") for e in info.value.errors]
    assert "空.pdf" in messages[0] and "setup.pdf" in messages[1] and "2" in messages[2]
    assert all(m != e.message("en") for m, e in zip(messages, info.value.errors, strict=True))
    assert _rows(db) == before


def test_too_many_files_on_one_object(db, shared_world: World, monkeypatch):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    monkeypatch.setattr(att, "MAX_OBJECT_FILES", 2)
    att.upload_files(
        w.dept_a.actor, "scenario", sid, "annex", [("1.pdf", PDF), ("2.pdf", PDF + b"2")], session=db
    )
    before = _rows(db)
    with pytest.raises(RuleViolation) as info:
        att.upload(w.dept_a.actor, "scenario", sid, "annex", "3.pdf", PDF + b"3", session=db)
    assert info.value.key == "attachment.error.too_many"
    assert "最多 2 个附件" in info.value.message("zh")
    assert _rows(db) == before


def test_identical_content_twice_stores_one_blob(db, shared_world: World):
    w = shared_world
    sid = scenario_in(db, w, S.DRAFT).id
    data = PDF + b"% twice\n"
    blobs, rows = _rows(db)
    att.upload_files(w.dept_a.actor, "scenario", sid, "annex", [("a.pdf", data), ("b.pdf", data)], session=db)
    att.upload(w.dept_a.actor, "scenario", sid, "annex", "c.pdf", data, session=db)
    assert _rows(db) == (blobs + 1, rows + 3)


def test_the_open_data_export_lists_public_annexes_with_hashes(db, shared_world: World):
    w = shared_world
    public = scenario_in(db, w, S.DRAFT).id
    shown = att.upload(w.dept_a.actor, "scenario", public, "annex", "公开.pdf", PDF + b"% pub", session=db)
    scenarios.submit_scenario(w.dept_a.actor, public, session=db)
    scenarios.publish_scenario(w.authority.actor, public, session=db)
    draft = scenario_in(db, w, S.DRAFT).id
    hidden = att.upload(w.dept_a.actor, "scenario", draft, "annex", "草稿.pdf", PDF + b"% draft", session=db)
    files = exports.export_open_data(w.authority.actor, "json", session=db)
    annexes = json.loads(files["annexes.json"])
    rows = {r["attachment_id"]: r for r in annexes}
    assert rows[shown.id]["sha256"] == hashlib.sha256(PDF + b"% pub").hexdigest()
    assert rows[shown.id] | {"uploaded_at": None} == {
        "scenario_id": public,
        "attachment_id": shown.id,
        "filename": "公开.pdf",
        "media_type": att.PDF,
        "size": len(PDF) + 5,
        "sha256": shown.sha256,
        "uploaded_at": None,
    }
    assert hidden.id not in rows
    csv_text = exports.export_open_data(w.authority.actor, "csv", session=db)["annexes.csv"].decode(
        "utf-8-sig"
    )
    assert shown.sha256 in csv_text and hidden.sha256 not in csv_text
