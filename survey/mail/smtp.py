"""SMTP connection settings from one URL, and a connection that is opened once and reused.

``smtp://user:pass@host:port?starttls=1`` (plain, upgraded with STARTTLS when asked),
``smtps://user:pass@host:port`` (TLS from the start). User and password are URL-decoded.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from survey.on_off import parse_on_off


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    use_ssl: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    verify_tls: bool = True

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Parse ``SURVEY_SMTP_URL``; raises ValueError naming what is wrong."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP URL must start with smtp:// or smtps://, got {parts.scheme!r}")
        if not parts.hostname:
            raise ValueError("SMTP URL has no host")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        use_ssl = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if use_ssl else 25),
            use_ssl=use_ssl,
            starttls=parse_on_off(query.get("starttls", "0"), "starttls"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=float(query.get("timeout", 30)),
            verify_tls=parse_on_off(query.get("verify", "1"), "verify"),
        )


class SmtpConnection:
    """One SMTP session reused for many messages; reconnects lazily after a drop."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.settings.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def open(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.settings
        smtp: smtplib.SMTP
        if s.use_ssl:
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def send_flat(self, mail_from: str, recipient: str, data: bytes) -> None:
        """Send a message already flattened to bytes with CRLF line ends to one ASCII address;
        SMTP errors propagate for the caller to classify."""
        smtp = self.open()
        try:
            smtp.sendmail(mail_from, [recipient], data)
        except smtplib.SMTPServerDisconnected:
            self.discard()
            raise

    def discard(self) -> None:
        """Forget a broken connection without talking to the server again."""
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self.discard()
