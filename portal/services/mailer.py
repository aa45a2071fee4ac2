"""SMTP delivery through the standard library (``smtplib`` + ``email``), configured by one URL.

Why a URL: one variable, ``PORTAL_SMTP_URL``, says everything a deployment differs in:
``smtp://user:pw@host:587`` (STARTTLS when the server offers it, required with ``?starttls=1``),
``smtps://host:465`` (TLS from the first byte), ``smtp://127.0.0.1:2525?starttls=0`` (a loopback
relay, plain). Unset means in-app notifications only: nothing is queued, nothing is sent.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_FROM = "场景通 Scenario Bridge <no-reply@scenario-bridge.invalid>"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    starttls: str  # "auto" (if offered), "1" (required), "0" (never)
    username: str
    password: str
    sender: str
    timeout: float = 20.0


def smtp_config(url: str | None = None) -> SmtpConfig | None:
    """Parse ``PORTAL_SMTP_URL`` (``None`` when unset: the in-app-only default).

    Raises:
        ValueError: a scheme other than smtp/smtps, or no host.
    """
    url = os.environ.get("PORTAL_SMTP_URL", "") if url is None else url
    if not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(
            f"PORTAL_SMTP_URL must be smtp://host[:port] or smtps://host[:port], got {parts.scheme}://"
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    tls = parts.scheme == "smtps"
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or (465 if tls else 587),
        tls=tls,
        starttls="0" if tls else query.get("starttls", "auto"),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        sender=query.get("from") or os.environ.get("PORTAL_MAIL_FROM") or DEFAULT_FROM,
        timeout=float(query.get("timeout", "20")),
    )


def build_message(
    cfg: SmtpConfig, to_addr: str, subject: str, text: str, html: str, headers: dict[str, str]
) -> EmailMessage:
    """A multipart/alternative message (text first, HTML second), UTF-8 throughout."""
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = formataddr(("", to_addr))
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="scenario-bridge.invalid")
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(text, charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def send(cfg: SmtpConfig, msg: EmailMessage) -> None:
    """Hand one message to the server (raises ``smtplib.SMTPException`` / ``OSError`` on failure)."""
    context = ssl.create_default_context()
    if cfg.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
    else:
        client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    with client:
        client.ehlo()
        if not cfg.tls and cfg.starttls != "0":
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            elif cfg.starttls == "1":
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
        if cfg.username:
            client.login(cfg.username, cfg.password)
        client.send_message(msg)
