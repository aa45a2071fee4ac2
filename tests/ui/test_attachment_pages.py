"""Attachments on pages: annexes on the edit and public pages, proposals on the bid and comparison.

Every refusal is the service's, translated; nothing is stored when a file is refused; a sealed
proposal is on no page but its vendor's until closing; a download is one audited service call.
"""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from portal import clock
from portal.domain.errors import NotFound
from portal.models import Attachment, AuditEvent, FileBlob, Scenario, ScenarioStatus
from portal.permissions import ANONYMOUS
from portal.services import attachments as att
from portal.services import bids, scenarios
from portal.ui import files
from tests.factories import after, bid_data, scenario_in
from tests.ui.conftest import no_errors, texts

S = ScenarioStatus
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def _plain(at) -> str:  # type: ignore[no-untyped-def]
    """The page's texts with the Markdown escapes (``名\\.pdf``) taken out."""
    return texts(at).replace("\\", "")


def _rows(session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(FileBlob)).one(),
        session.exec(select(func.count()).select_from(Attachment)).one(),
    )


def _upload(at, key: str, *named: tuple[str, bytes]):  # type: ignore[no-untyped-def]
    (uploader,) = [u for u in at.get("file_uploader") if getattr(u, "key", None) == f"{key}_up_0"]
    uploader.set_value([(n, d, "application/pdf") for n, d in named])
    at.button(key=f"{key}_send").click().run()
    return at


def test_the_department_uploads_and_removes_an_annex_on_its_edit_page(app, session, world):
    sid = scenario_in(session, world, S.DRAFT).id
    session.commit()
    at = app(world.dept_a, page="edit-scenario", id=sid)
    no_errors(at)
    assert "暂无附件" in _plain(at)
    _upload(at, "ed_annex", ("../../需求说明\u202etxt.pdf", PDF))
    no_errors(at)
    assert "已上传 1 个文件" in _plain(at)
    (row,) = session.exec(select(Attachment).where(Attachment.object_id == sid)).all()
    assert row.filename == "需求说明txt.pdf" and row.kind == "annex"
    assert "需求说明txt" in _plain(at)
    assert len(at.get("download_button")) == 1
    at.button(key=f"ed_annex_rm_{row.id}").click().run()
    no_errors(at)
    assert "附件已删除" in _plain(at)
    session.expire_all()
    assert session.get(Attachment, row.id).removed_at is not None


def test_refused_files_are_translated_and_nothing_is_stored(app, session, world, monkeypatch):
    sid = scenario_in(session, world, S.DRAFT).id
    session.commit()
    monkeypatch.setattr(att, "MAX_FILE_BYTES", 1024)
    before = _rows(session)
    at = app(world.dept_a, page="edit-scenario", id=sid)
    _upload(at, "ed_annex", ("setup.pdf", ELF), ("大.pdf", PDF + b"0" * 4096), ("空.pdf", b""))
    assert not at.exception
    shown = "\n".join(str(e.value) for e in at.error).replace("\\", "")  # unescape Markdown
    assert "setup.pdf" in shown and "文件类型按内容识别" in shown  # a renamed program, refused by content
    assert "超过单个文件上限 1 KiB" in shown
    assert "空.pdf" in shown and "文件为空" in shown
    assert _rows(session) == before

    en = app(world.dept_a, page="edit-scenario", id=sid, lang="en")
    _upload(en, "ed_annex", ("setup.pdf", ELF))
    assert "recognised from the content" in "\n".join(str(e.value) for e in en.error)
    assert _rows(session) == before


def test_too_many_files_are_refused_on_the_page(app, session, world, monkeypatch):
    sid = scenario_in(session, world, S.DRAFT).id
    session.commit()
    monkeypatch.setattr(att, "MAX_OBJECT_FILES", 1)
    before = _rows(session)
    at = app(world.dept_a, page="edit-scenario", id=sid)
    _upload(at, "ed_annex", ("a.pdf", PDF), ("b.pdf", PDF + b"b"))
    assert "最多 1 个附件" in "\n".join(str(e.value) for e in at.error)
    assert _rows(session) == before


def test_public_visitors_download_a_published_annex_but_never_a_drafts(app, session, world):
    owner = world.dept_a.actor
    published = scenario_in(session, world, S.DRAFT).id
    info = att.upload(owner, "scenario", published, "annex", "公开说明.pdf", PDF, session=session)
    scenarios.submit_scenario(owner, published, session=session)
    scenarios.publish_scenario(world.authority.actor, published, session=session)
    draft = scenario_in(session, world, S.DRAFT).id
    secret = att.upload(owner, "scenario", draft, "annex", "草稿附件.pdf", PDF + b"d", session=session)
    session.commit()

    at = app(None, page="scenario", id=published)
    no_errors(at)
    assert "公开说明.pdf" in _plain(at)
    (button,) = at.get("download_button")
    assert button.label == "下载"
    assert not at.get("file_uploader")  # the public page only lists and downloads

    # the download itself: the deferred call the button makes, audited, anonymous
    assert files.fetcher(ANONYMOUS, info.id)() == PDF
    events = session.exec(
        select(AuditEvent).where(AuditEvent.event == "attachment.downloaded", AuditEvent.object_id == info.id)
    ).all()
    assert len(events) == 1 and events[0].actor_id is None

    hidden = app(None, page="scenario", id=draft)
    assert "草稿附件" not in _plain(hidden) and not hidden.get("download_button")
    with pytest.raises(NotFound):  # the service refuses, whatever page asks
        files.fetcher(ANONYMOUS, secret.id)()


def test_a_vendor_uploads_a_proposal_sealed_until_closing(app, session, world):
    sid = scenario_in(session, world, S.PUBLISHED).id
    bid = bids.save_bid(world.vendor_x.actor, sid, bid_data(), session=session)
    bids.submit_bid(world.vendor_x.actor, bid.id, session=session)  # a submitted bid still takes files
    session.commit()
    at = app(world.vendor_x, page="scenario", id=sid)
    no_errors(at)
    assert "投标文件密封至截止日期" in _plain(at)
    _upload(at, "bid_prop", ("技术方案.pdf", PDF + b"% proposal"))
    no_errors(at)
    (row,) = session.exec(select(Attachment).where(Attachment.object_type == "bid")).all()
    assert row.object_id == bid.id and row.filename == "技术方案.pdf"
    assert "技术方案.pdf" in _plain(at)

    for party, page in ((world.vendor_y, "scenario"), (world.dept_a, "manage"), (world.dept_a, "scenario")):
        other = app(party, page=page, id=sid)
        assert not other.exception
        assert "技术方案" not in _plain(other), (party.user.username, page)
        assert not other.get("download_button")

    closing = session.get(Scenario, sid).closing_date
    with clock.frozen(after((closing - clock.today()).days + 1)):
        scenarios.close_scenario(world.dept_a.actor, sid, session=session)
        session.commit()
        manage = app(world.dept_a, page="manage", id=sid)
        no_errors(manage)
        assert "技术方案.pdf" in _plain(manage)
        assert len(manage.get("download_button")) == 1
        rival = app(world.vendor_y, page="scenario", id=sid)
        assert "技术方案" not in _plain(rival) and not rival.get("download_button")
        assert files.fetcher(world.dept_a.actor, row.id)() == PDF + b"% proposal"
    downloads = session.exec(
        select(func.count(col(AuditEvent.id))).where(
            AuditEvent.event == "attachment.downloaded", AuditEvent.object_id == row.id
        )
    ).one()
    assert downloads == 1


def test_a_vendor_uploads_its_licence_and_the_authority_sees_it(app, session, world):
    at = app(world.vendor_p, page="profile")
    no_errors(at)
    _upload(at, "org_lic", ("营业执照.pdf", PDF + b"% licence"))
    no_errors(at)
    (row,) = session.exec(select(Attachment).where(Attachment.object_type == "organization")).all()
    assert row.object_id == world.vendor_p.org.id and row.kind == "licence"
    review = app(world.authority, page="vendors")
    no_errors(review)
    assert "营业执照.pdf" in _plain(review) and len(review.get("download_button")) == 1
    other = app(world.vendor_x, page="profile")
    assert "营业执照.pdf" not in _plain(other)
