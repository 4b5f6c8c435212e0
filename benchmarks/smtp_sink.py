"""A counting SMTP server for benchmarks/digest.py: aiosmtpd in a process of its own, so that it does not
take the sender's GIL. It accepts everything, counts messages, bytes and distinct Message-IDs, and checks a
sample of the messages (the headers bulk mail needs, a text and an HTML part)."""

from __future__ import annotations

import multiprocessing
import re
import time


class SmtpServer:
    """aiosmtpd in a child process; stats() returns what it received since the last call."""

    def __init__(self, sample_every: int = 50):
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve_smtp, args=(child, sample_every), daemon=True)

    def start(self) -> SmtpServer:
        self._process.start()
        self.port = self._conn.recv()
        return self

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def stats(self) -> dict:
        self._conn.send("stats")
        return self._conn.recv()

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(30)


_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.M | re.I)
_LIST_UNSUBSCRIBE = re.compile(rb"^List-Unsubscribe:[ \t]*(\r\n[ \t]+)?<https?://", re.M | re.I)


def _serve_smtp(conn, sample_every: int) -> None:
    import socket

    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.reset()

        def reset(self) -> None:
            self.count, self.bytes, self.sampled, self.problems = 0, 0, 0, []
            self.warnings: dict[str, int] = {}
            self.ids: set[bytes] = set()
            self.cpu = time.process_time()

        async def handle_DATA(self, server, session, envelope):
            content = envelope.content
            self.count += 1
            self.bytes += len(content)
            head = content[: content.find(b"\r\n\r\n")]
            found = _MESSAGE_ID.search(head)
            if found:
                self.ids.add(found.group(1))
            if len(envelope.rcpt_tos) != 1:
                self.problems.append(f"{len(envelope.rcpt_tos)} recipients")
            if self.count % sample_every == 1:
                self.sampled += 1
                problem, warning = _check_message(content)
                if problem:
                    self.problems.append(problem)
                if warning:
                    self.warnings[warning] = self.warnings.get(warning, 0) + 1
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send(port)
    try:
        while (command := conn.recv()) != "stop":
            assert command == "stats"
            conn.send(
                {
                    "received": handler.count,
                    "bytes": handler.bytes,
                    "distinct_message_ids": len(handler.ids),
                    "sampled": handler.sampled,
                    "problems": handler.problems[:10],
                    "warnings": handler.warnings,
                    "cpu_s": time.process_time() - handler.cpu,
                }
            )
            handler.reset()
    finally:
        controller.stop()


def _check_message(content: bytes) -> tuple[str | None, str | None]:
    """(what is wrong with one message, a defect worth reporting that does not stop the benchmark)."""
    from email import message_from_bytes, policy

    msg = message_from_bytes(content, policy=policy.default)
    for header in ("Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "To", "Subject", "Date"):
        if not msg[header]:
            return f"a message without {header}", None
    if msg.get_content_type() != "multipart/alternative":
        return f"a {msg.get_content_type()} message, not multipart/alternative", None
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    if plain is None or html is None:
        return "a message without both a text/plain and a text/html part", None
    url = str(msg["List-Unsubscribe"]).strip().strip("<>")
    if url not in plain.get_content() or url not in html.get_content():
        return "a message whose text or HTML lacks its unsubscribe link", None
    # RFC 2369: the header holds <URL> as such; RFC 2047 encoded words there are not read by mail clients.
    if not _LIST_UNSUBSCRIBE.search(content[: content.find(b"\r\n\r\n")]):
        return None, "List-Unsubscribe is not a plain <https://...> (RFC 2047 encoded words?)"
    return None, None
