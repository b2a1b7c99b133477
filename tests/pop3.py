"""A tiny POP3 server (RFC 1939: USER, PASS, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT) on
loopback for tests: one mailbox, deletions applied at QUIT as the protocol requires."""

from __future__ import annotations

import socketserver
import threading
from typing import Any


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        box = self.server.box
        deleted: set[int] = set()
        authorised = False
        user = None
        self._say("+OK test POP3 server ready")
        for raw in self.rfile:
            parts = raw.decode("ascii", "replace").strip().split(" ", 1)
            verb, arg = parts[0].upper(), (parts[1] if len(parts) > 1 else "")
            self.server.log.append(verb)
            if verb == "QUIT":
                if authorised:
                    with box.lock:
                        box.messages = [
                            m for i, m in enumerate(box.messages, 1) if i not in deleted
                        ]
                self._say("+OK bye")
                return
            if verb == "CAPA":
                self._say("+OK")
                self._say("USER")
                self._say(".")
            elif verb == "USER":
                user = arg
                self._say("+OK")
            elif verb == "PASS":
                if (user, arg) == (box.user, box.password):
                    authorised = True
                    self._say("+OK logged in")
                else:
                    self._say("-ERR authentication failed")
            elif not authorised:
                self._say("-ERR not logged in")
            elif verb == "STAT":
                live = [m for i, m in enumerate(box.messages, 1) if i not in deleted]
                self._say(f"+OK {len(live)} {sum(len(m) for m in live)}")
            elif verb == "LIST":
                self._say(f"+OK {len(box.messages)} messages")
                for i, m in enumerate(box.messages, 1):
                    if i not in deleted:
                        self._say(f"{i} {len(m)}")
                self._say(".")
            elif verb in ("RETR", "DELE"):
                number = int(arg) if arg.isdigit() else 0
                if not 1 <= number <= len(box.messages) or number in deleted:
                    self._say("-ERR no such message")
                elif verb == "DELE":
                    deleted.add(number)
                    self._say("+OK deleted")
                else:
                    data = box.messages[number - 1]
                    self._say(f"+OK {len(data)} octets")
                    for line in data.replace(b"\r\n", b"\n").split(b"\n"):
                        if line.startswith(b"."):
                            line = b"." + line  # byte-stuffing
                        self.wfile.write(line + b"\r\n")
                    self._say(".")
            elif verb == "RSET":
                deleted.clear()
                self._say("+OK")
            elif verb == "NOOP":
                self._say("+OK")
            else:
                self._say("-ERR unknown command")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, box: Pop3Box) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.box = box
        self.log: list[str] = []


class Pop3Box:
    """The mailbox and its server: ``messages`` (bytes) are what the client reads."""

    def __init__(self, messages: list[bytes], user: str = "bounces", password: str = "s3cret"):
        self.messages = list(messages)
        self.user, self.password = user, password
        self.lock = threading.Lock()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"pop3://{self.user}:{self.password}@{host}:{port}"

    @property
    def log(self) -> list[str]:
        return self._server.log

    def start(self) -> Pop3Box:
        self._thread.start()
        return self

    def stop(self, *_: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
