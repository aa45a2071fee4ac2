"""Writing e-mails: the subject, a text part and an HTML part in the recipient's language.

Why separate from sending: composing happens inside the transaction of the action (so the message
is queued atomically with it, in the ``outbox``); sending happens afterwards, outside any
transaction. Every message carries a signed one-click unsubscribe link and ``List-Unsubscribe``.
Dynamic values (titles, names) are escaped for the HTML part by ``t(..., escape=html.escape)``.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlmodel import Session

from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from portal.models import Notification, User
from portal.services.subscriptions import unsubscribe_token

#: Where a notification about an object takes its reader (the portal's url paths, ``docs/ui.md``).
OBJECT_PATHS = {"scenario": "scenario", "bid": "my-bids", "offer": "offers", "showcase": "showcases"}


def base_url() -> str:
    """The portal's public address for links in e-mails (``PORTAL_BASE_URL``)."""
    return os.environ.get("PORTAL_BASE_URL", "http://localhost:8501").rstrip("/")


def link(path: str, **query: object) -> str:
    q = urlencode({k: v for k, v in query.items() if v is not None})
    return f"{base_url()}/{path}" + (f"?{q}" if q else "")


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str
    headers: dict[str, str]


def lang_of(user: User) -> str:
    """The language a user's mail is written in (their UI language)."""
    return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE


def wrap(
    session: Session, user: User, subject: str, lines: list[tuple[str, str, str | None]], intro: str = ""
) -> Mail:
    """Assemble one message from ``(text line, html line, link)`` items, plus the footer.

    ``lines`` are already translated; the HTML variant of each is already escaped.
    """
    lang = lang_of(user)
    unsub = link("unsubscribe", t=unsubscribe_token(session, user.id))  # type: ignore[arg-type]
    settings = link("subscriptions")
    text_parts = [t("mail.greeting", lang, name=user.display_name), ""]
    html_parts = [f"<p>{t('mail.greeting', lang, name=user.display_name, escape=html.escape)}</p>"]
    if intro:
        text_parts += [intro, ""]
        html_parts.append(f"<p>{html.escape(intro)}</p>")
    html_parts.append("<ul>")
    for text_line, html_line, href in lines:
        text_parts.append(f"- {text_line}" + (f"\n  {href}" if href else ""))
        body = f'<a href="{html.escape(href, quote=True)}">{html_line}</a>' if href else html_line
        html_parts.append(f"<li>{body}</li>")
    html_parts.append("</ul>")
    footer = t("mail.footer", lang)
    text_parts += [
        "",
        "--",
        footer,
        t("mail.settings_link", lang) + " " + settings,
        t("mail.unsubscribe", lang) + " " + unsub,
    ]
    html_parts.append(
        f'<hr><p style="color:#555;font-size:12px">{html.escape(footer)}<br>'
        f'<a href="{html.escape(settings, quote=True)}">{html.escape(t("mail.settings_link", lang))}</a> · '
        f'<a href="{html.escape(unsub, quote=True)}">{html.escape(t("mail.unsubscribe", lang))}</a></p>'
    )
    doc = (
        f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head><body>{''.join(html_parts)}</body></html>"
    )
    # No ``List-Unsubscribe-Post`` (RFC 8058): mail clients would POST to the link, and a Streamlit
    # page answers GET only, so the client's unsubscribe would fail silently. Opening the link (GET)
    # unsubscribes, and the page offers "resubscribe" in case a link scanner opened it.
    headers = {
        "List-Unsubscribe": f"<{unsub}>",
        "Content-Language": "zh-CN" if lang == "zh" else "en",
    }
    return Mail(subject=subject, text="\n".join(text_parts) + "\n", html=doc, headers=headers)


def _params(n: Notification) -> dict[str, object]:
    return dict(n.params or {})


def notification_line(n: Notification, lang: str) -> tuple[str, str, str | None]:
    """One notification as a text line, an escaped HTML line and its deep link."""
    key = f"notification.{n.kind}"
    path = OBJECT_PATHS.get(n.object_type or "")
    href = None if path is None else link(path, id=n.object_id if n.object_type == "scenario" else None)
    return (t(key, lang, **_params(n)), t(key, lang, escape=html.escape, **_params(n)), href)


def notification_mail(session: Session, user: User, n: Notification) -> Mail:
    """The immediate e-mail for one notification."""
    lang = lang_of(user)
    text_line, html_line, href = notification_line(n, lang)
    subject = t("mail.subject.notification", lang, text=text_line)[:250]
    return wrap(session, user, subject, [(text_line, html_line, href)])


def mail_notifications(session: Session, rows: list[Notification]) -> int:
    """Queue the immediate e-mails of freshly added notifications (``door.notify`` calls this)."""
    from portal.models import Channel
    from portal.services import outbox, subscriptions

    if not outbox.enabled():
        return 0
    session.flush()  # the notifications' ids key their messages
    queued = 0
    for n in rows:
        if subscriptions.channel_for(session, n.user_id, n.kind) != Channel.IMMEDIATE:
            continue
        user = session.get(User, n.user_id)
        if user is None or not user.email:
            continue
        if outbox.enqueue(session, user, f"notification:{n.id}", notification_mail(session, user, n)):
            queued += 1
    return queued
