"""Daily digests and deadline reminders: jobs that are safe to run from cron at any frequency.

Why the ``DeliveryLog``: each digest (``digest:<user>:<day>``) and each reminder
(``reminder:<kind>:<scenario>:<user>``) is recorded under a unique key *before* it is composed,
inside a savepoint. A second run, or a second process running at the same moment, hits the
unique key and skips: nothing goes out twice. The log row, the in-app notification and the
queued e-mail commit together, so a crash leaves either all of them or none.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from portal import clock
from portal.domain.errors import PortalError
from portal.i18n import label, t
from portal.models import (
    Bid,
    BidStatus,
    Channel,
    DeliveryLog,
    Follow,
    MailSettings,
    Notification,
    Organization,
    Role,
    Scenario,
    ScenarioInvite,
    ScenarioStatus,
    User,
)
from portal.permissions import actor_for
from portal.services import mail_compose, outbox, subscriptions
from portal.services.door import add_once, notify, org_user_ids

log = logging.getLogger(__name__)
MAX_ITEMS = 20  # scenarios per digest; the rest are one click away


def _claim(session: Session, key: str, user_id: int | None) -> bool:
    """Record ``key`` as dispatched; False when it already was (by this or another process)."""
    if session.get(DeliveryLog, key) is not None:
        return False
    return add_once(session, DeliveryLog(key=key, user_id=user_id))


# ------------------------------------------------------------------------------------ digests


@dataclass(frozen=True)
class DigestItem:
    scenario_id: int
    title: str
    title_en: str
    org_name: str
    sector: str
    region: str
    closing_date: date
    score: float | None
    reasons: tuple[str, ...]  # already translated into the recipient's language


def _new_scenarios(session: Session, since: datetime) -> list[Scenario]:
    q = select(Scenario).where(
        Scenario.status == ScenarioStatus.PUBLISHED,
        col(Scenario.published_at).is_not(None),
        col(Scenario.published_at) > since,
        Scenario.closing_date >= clock.today(),
    )
    return list(session.exec(q.order_by(col(Scenario.published_at).desc())).all())


def _ranked(
    session: Session, user: User, org: Organization, fresh: list[Scenario], rank: bool
) -> list[DigestItem]:
    """The new scenarios this user follows, best match first (with the matching engine's reasons)."""
    lang = mail_compose.lang_of(user)
    subs = subscriptions.subscriptions_of(session, user.id)  # type: ignore[arg-type]
    sectors = {s.value for s in subs if s.kind == "sector"}
    if user.role == Role.VENDOR and subscriptions.follows_profile_sectors(session, user.id):  # type: ignore[arg-type]
        sectors |= set(org.sectors)
    regions = {s.value for s in subs if s.kind == "region"}
    why: dict[int, list[str]] = {}
    for sc in fresh:
        if sc.sector in sectors:
            why.setdefault(sc.id, []).append(
                t("mail.reason.sector", lang, sector=label("sector", sc.sector, lang))
            )  # type: ignore[arg-type]
        if sc.region in regions:
            why.setdefault(sc.id, []).append(
                t("mail.reason.region", lang, region=label("region", sc.region, lang))
            )  # type: ignore[arg-type]
    fresh_ids = {sc.id for sc in fresh}
    actor = actor_for(user, org)
    scores: dict[int, float] = {}
    if rank or any(s.kind == "search" for s in subs):
        from portal.services import matchmaking  # the engine loads the model: only when needed

        for s in (x for x in subs if x.kind == "search"):
            f = s.filters or {}
            hits: list = []
            try:
                if s.value:
                    hits = matchmaking.search_scenarios(
                        actor,
                        s.value,
                        session=session,
                        k=100,
                        sectors=f.get("sectors") or None,
                        regions=f.get("regions") or None,
                    )
                else:
                    for sc in fresh:
                        if (not f.get("sectors") or sc.sector in f["sectors"]) and (
                            not f.get("regions") or sc.region in f["regions"]
                        ):
                            why.setdefault(sc.id, []).append(
                                t("mail.reason.search", lang, query=_filters_label(f, lang))
                            )  # type: ignore[arg-type]
            except PortalError:
                hits = []
            for h in hits:
                if h.scenario.id in fresh_ids and h.score > 0:
                    why.setdefault(h.scenario.id, []).append(t("mail.reason.search", lang, query=s.value))
                    scores[h.scenario.id] = max(scores.get(h.scenario.id, 0.0), h.score)
        if rank and user.role == Role.VENDOR and actor.verified:
            try:
                for h in matchmaking.recommend_scenarios(actor, session=session, k=200):
                    if h.scenario.id in why:
                        scores[h.scenario.id] = max(scores.get(h.scenario.id, 0.0), h.score)
                        why[h.scenario.id] += matchmaking.explain(h.reasons, lang)[:2]
            except PortalError:
                pass
    names = {
        o.id: o
        for o in session.exec(
            select(Organization).where(col(Organization.id).in_({sc.org_id for sc in fresh}))
        ).all()
    }
    items = []
    for sc in fresh:
        if sc.id not in why:
            continue
        owner = names.get(sc.org_id)
        owner_name = (
            (owner.name_en or owner.name) if owner and lang == "en" else (owner.name if owner else "")
        )
        items.append(
            DigestItem(
                sc.id,  # type: ignore[arg-type]
                sc.title,
                sc.title_en,
                owner_name,
                sc.sector,
                sc.region,
                sc.closing_date,
                scores.get(sc.id),  # type: ignore[arg-type]
                tuple(dict.fromkeys(why[sc.id])),  # type: ignore[index]
            )
        )
    items.sort(key=lambda i: (-(i.score or 0.0), -i.scenario_id))
    return items[:MAX_ITEMS]


def _filters_label(f: dict, lang: str) -> str:
    parts = [label("sector", s, lang) for s in f.get("sectors", [])] + [
        label("region", r, lang) for r in f.get("regions", [])
    ]
    return "、".join(parts) if lang == "zh" else ", ".join(parts)


def _digest_news(session: Session, user_id: int, since: datetime) -> list[Notification]:
    """In-app notifications of kinds the user routes to the digest, since the last one."""
    rows = session.exec(
        select(Notification)
        .where(Notification.user_id == user_id, col(Notification.created_at) > since)
        .order_by(col(Notification.created_at))
    ).all()
    return [n for n in rows if subscriptions.channel_for(session, user_id, n.kind) == Channel.DIGEST][
        :MAX_ITEMS
    ]


def digest_mail(
    session: Session, user: User, items: list[DigestItem], news: list[Notification]
) -> mail_compose.Mail:
    lang = mail_compose.lang_of(user)
    lines: list[tuple[str, str, str | None]] = []
    for it in items:
        title = it.title_en if lang == "en" and it.title_en else it.title
        meta = t("mail.digest.item", lang, org=it.org_name, closing=it.closing_date.isoformat())
        reasons = ("；" if lang == "zh" else "; ").join(it.reasons)
        text_line = f"{title} — {meta}" + (f" ({reasons})" if reasons else "")
        html_line = f"<strong>{html.escape(title)}</strong> — {html.escape(meta)}" + (
            f"<br><small>{html.escape(reasons)}</small>" if reasons else ""
        )
        lines.append((text_line, html_line, mail_compose.link("scenario", id=it.scenario_id)))
    for n in news:
        lines.append(mail_compose.notification_line(n, lang))
    subject = t("mail.subject.digest", lang, count=len(items), news=len(news))
    return mail_compose.wrap(session, user, subject, lines, intro=t("mail.digest.intro", lang))


@dataclass(frozen=True)
class JobReport:
    considered: int
    sent: int
    skipped: int  # already sent (today / before), or nothing new

    def as_dict(self) -> dict[str, int]:
        return {"considered": self.considered, "sent": self.sent, "skipped": self.skipped}


def send_digests(
    session_factory: Callable,
    *,
    rank: bool = True,
    now: datetime | None = None,
    only: Iterable[int] | None = None,
) -> JobReport:
    """Queue today's digest for every subscriber who has something new; one transaction per user."""
    now = now or clock.now()
    day = (now + timedelta(hours=8)).date().isoformat()  # the day in China Standard Time
    if not outbox.enabled():
        return JobReport(0, 0, 0)
    with session_factory() as s:
        q = select(User.id).where(User.is_active == True, User.email != "")  # noqa: E712
        wanted = None if only is None else set(only)
        user_ids = [u for u in s.exec(q.order_by(col(User.id))).all() if wanted is None or u in wanted]
    sent = skipped = 0
    for uid in user_ids:
        with session_factory() as s:
            user = s.get(User, uid)
            org = s.get(Organization, user.org_id) if user else None
            if (
                user is None
                or org is None
                or subscriptions.channel_for(s, uid, "new_scenarios") != Channel.DIGEST
            ):
                skipped += 1
                continue
            row = s.get(MailSettings, uid)
            since = row.last_digest_at if row and row.last_digest_at else now - timedelta(days=1)
            items = _ranked(s, user, org, _new_scenarios(s, since), rank)
            news = _digest_news(s, uid, since)
            if not items and not news:
                skipped += 1
                continue
            if not _claim(s, f"digest:{uid}:{day}", uid):
                s.rollback()
                skipped += 1
                continue
            outbox.enqueue(s, user, f"digest:{uid}:{day}", digest_mail(s, user, items, news))
            row = row or MailSettings(user_id=uid)
            row.last_digest_at = now
            s.add(row)
            s.commit()
            sent += 1
    return JobReport(len(user_ids), sent, skipped)


# ---------------------------------------------------------------------------------- reminders


def _audience(session: Session, sc: Scenario) -> set[int]:
    """Followers, invited vendors and vendors with a draft or submitted bid (their active users)."""
    users = set(session.exec(select(Follow.user_id).where(Follow.scenario_id == sc.id)).all())
    orgs = set(
        session.exec(select(ScenarioInvite.vendor_org_id).where(ScenarioInvite.scenario_id == sc.id)).all()
    )
    orgs |= set(
        session.exec(
            select(Bid.vendor_org_id).where(
                Bid.scenario_id == sc.id, col(Bid.status).in_((BidStatus.DRAFT, BidStatus.SUBMITTED))
            )
        ).all()
    )
    for org_id in orgs:
        users |= set(org_user_ids(session, org_id))
    return users


def _remind(session: Session, sc: Scenario, users: Iterable[int], kind: str, key: str, when: date) -> int:
    sent = 0
    for uid in sorted(set(users)):
        if not _claim(session, f"{key}:{uid}", uid):
            continue
        sent += notify(
            session,
            [uid],
            kind,
            object_type="scenario",
            object_id=sc.id,
            title=sc.title,
            date=when.isoformat(),
        )
    return sent


def send_reminders(session_factory: Callable, *, today: date | None = None) -> JobReport:
    """Deadline reminders for open scenarios; one transaction per scenario; never twice (``DeliveryLog``)."""
    today = today or clock.today()
    with session_factory() as s:
        soon = today + timedelta(days=3)
        q = select(Scenario.id).where(
            Scenario.status == ScenarioStatus.PUBLISHED,
            or_(
                col(Scenario.closing_date).between(today, soon),
                col(Scenario.question_deadline).between(today, soon),
            ),
        )
        ids = [i for i in s.exec(q).all() if i is not None]
    sent = skipped = 0
    for sid in sorted(ids):
        with session_factory() as s:
            sc = s.get(Scenario, sid)
            if sc is None or sc.status != ScenarioStatus.PUBLISHED:
                continue
            audience = _audience(s, sc)
            n = 0
            q_left = (sc.question_deadline - today).days
            if 0 <= q_left <= 3:
                n += _remind(
                    s, sc, audience, "reminder_question", f"reminder:question:{sid}", sc.question_deadline
                )
            c_left = (sc.closing_date - today).days
            if 0 <= c_left <= 1:
                n += _remind(s, sc, audience, "reminder_closing", f"reminder:closing1:{sid}", sc.closing_date)
            elif 0 <= c_left <= 3:
                n += _remind(s, sc, audience, "reminder_closing", f"reminder:closing3:{sid}", sc.closing_date)
            if 0 <= c_left <= 3:
                drafts = s.exec(
                    select(Bid.vendor_org_id).where(Bid.scenario_id == sid, Bid.status == BidStatus.DRAFT)
                ).all()
                users = {u for org in drafts for u in org_user_ids(s, org)}
                n += _remind(s, sc, users, "reminder_draft_bid", f"reminder:draft:{sid}", sc.closing_date)
            s.commit()
            sent += n
            skipped += 0 if n else 1
    return JobReport(len(ids), sent, skipped)
