"""A real SMTP server on loopback (aiosmtpd) whose replies a test can script."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import deque
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Recorder:
    """aiosmtpd handler: stores accepted messages; ``script`` holds replies for the next DATA
    commands ("250" accepts; "451 ..." / "550 ..." refuse; "drop" closes the connection);
    ``refuse_sender``, when set, is the reply to every MAIL FROM (a relay that wants a sign-in,
    or does not let this sender send)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.senders: list[str] = []  # the envelope sender (MAIL FROM) of each accepted message
        self.script: deque[str] = deque()
        self.refuse_for: dict[str, str] = {}
        # A reply to every MAIL FROM instead of "250" (a relay's policy); None: accept.
        self.refuse_sender: str | None = None
        self.delay = 0.0  # seconds spent on each DATA, to make a run last a while
        self.lock = threading.Lock()

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        reply = self.refuse_for.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            step = self.script.popleft() if self.script else "250"
        if step == "drop":
            server.transport.close()
            return "421 closing"
        if not step.startswith("250"):
            return step
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.senders.append(envelope.mail_from)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Recorder()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        # A fresh controller each time: a stopped one cannot be started again.
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages
