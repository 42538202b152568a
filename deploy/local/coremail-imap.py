#!/usr/bin/env python3
"""coremail-imap.py — an IMAP front that behaves like NetEase's Coremail
servers (imap.126.com / imap.163.com), relaying to the local Dovecot.

Started by deploy/local/mailenv.sh (`up`); standalone:

    python3 coremail-imap.py --backend-port 20143 --plain-port 20163 \
        [--tls-port 20963 --cert server-chain.pem --key server.key] \
        --log coremail.log [--pid-file F]

Port 0 picks a free port; the `listen` log event names the real ones.

What a client sees (sources: /work/shared/notes/providers.md; mailcore2#1874
has a full Coremail transcript):
- greeting `* OK Coremail System IMap Server Ready(163com[20161118])`;
- Coremail's CAPABILITY lists only (before login with STARTTLS on the plain
  port until TLS is on; after login the fixed list, STARTTLS included as the
  real server does): no IDLE, MOVE, CONDSTORE, UNSELECT. Dovecot's untagged
  CAPABILITY responses and [CAPABILITY ...] codes never reach the client;
- `ID` is required: in the authenticated state SELECT/EXAMINE before a valid
  `ID (...)` answer `NO SELECT Unsafe Login. Please contact kefu@188.com for
  help`, UID FETCH/UID SEARCH answer `* BYE Unsafe Login. ...` and the
  connection is closed. `ID NIL` is answered but does not count (a guess:
  NetEase asks for name/version/vendor). ID syntax is checked like Coremail
  does: a trailing space gets `BAD Request not ending with` (any command),
  `ID ( "a" "b" )` gets `BAD Parse command error`;
- SELECT/EXAMINE without `* OK [UIDNEXT n]` (and without HIGHESTMODSEQ);
  STATUS answered `* STATUS "<mailbox>" ()` without asking Dovecot;
- LIST passes Dovecot's answer through (mailenv.sh's dovecot.conf creates
  Coremail's folders with their SPECIAL-USE flags and "/" as delimiter);
  XLIST is sent to Dovecot as LIST and answered as `* XLIST`;
- a wrong password gets `NO LOGIN Login error or password error`;
- at most COREMAIL_MAX_CONNECTIONS_PER_USER (default 2) authenticated
  connections per user (name compared case-insensitively, over both ports);
  the next LOGIN gets `NO LOGIN Too many connections, please try again later`
  (NetEase publishes no figure or text: chosen here);
- a client silent for COREMAIL_IDLE_TIMEOUT_SECS (default 1800) gets
  `* BYE Autologout; idle for too long` and is disconnected;
- IDLE, MOVE, UID MOVE, UNSELECT, ENABLE, COMPRESS, NOTIFY: `BAD Unsupported
  command`; APPEND literals over APPENDLIMIT (71680000): `NO [TOOBIG]`;
- AUTHENTICATE XOAUTH2 (advertised) is turned into a LOGIN with the bearer
  token as the password; other mechanisms get NO.
Everything else is relayed to Dovecot byte for byte: commands are read whole
(literals `{n}`, `{n+}`, `~{n}` by count, so 8-bit and line-like content in a
literal pass untouched; the front itself answers `+` to a synchronizing
literal and swallows Dovecot's). Responses are read as lines plus literals,
and only a response's first line is looked at (and rewritten as above); its
literals (message bodies) and the lines after them are streamed to the client
in chunks as they arrive, never held whole: a session holds a few MB at most,
and a client slower than Dovecot makes Dovecot wait. One command is relayed
at a time (pipelined commands wait their turn); what Dovecot sends between
commands (a BYE before it stops) is relayed too.

Log: one JSON object per line (--log): ts, event, conn, port, peer, user and
event fields. Events: listen, connect, starttls, capability,
capability_rewrite, id, id_bad, login_ok, login_fail, login_refused,
refuse_select, bye_unsafe, uidnext_stripped, status_emptied, unsupported,
xlist, too_big, idle_timeout, backend_closed, disconnect, error, shutdown.
"""

import argparse
import asyncio
import base64
import collections
import json
import os
import re
import secrets
import signal
import ssl
import string
import sys
import time
from datetime import datetime, timezone

GREETING = b"* OK Coremail System IMap Server Ready(163com[20161118])\r\n"
CAPS_PRELOGIN = (
    "IMAP4rev1 ID LITERAL+ STARTTLS XLIST SPECIAL-USE APPENDLIMIT=71680000 SASL-IR AUTH=XOAUTH2"
)
CAPS_POSTLOGIN = "IMAP4rev1 XLIST SPECIAL-USE ID LITERAL+ STARTTLS XAPPLEPUSHSERVICE UIDPLUS X-CM-EXT-1"
APPENDLIMIT = 71680000
UNSAFE = b"Unsafe Login. Please contact kefu@188.com for help"
LOGIN_ERROR = b"Login error or password error"
TOO_MANY = b"Too many connections, please try again later"
IDLE_BYE = b"* BYE Autologout; idle for too long\r\n"
UNSUPPORTED = {b"IDLE", b"MOVE", b"UNSELECT", b"ENABLE", b"COMPRESS", b"NOTIFY"}

# A literal announced at the end of a line: {n} (synchronizing), {n+}
# (LITERAL+), ~{n} (literal8).
LITERAL_RE = re.compile(rb"~?\{(\d+)(\+?)\}\r?\n\Z")
CAP_CODE_RE = re.compile(rb"^(\S+ \S+ )\[CAPABILITY [^\]]*\] ?", re.IGNORECASE)
LINE_LIMIT = 64 * 1024 * 1024  # longest line (long SEARCH/FETCH lines), both directions
CHUNK = 64 * 1024
# Dovecot -> client streaming (see Backend and Session.relay): reading from
# Dovecot stops while a session holds more than this from it. With asyncio's
# 256 KiB reads and 64 KiB client high-water mark a session holds ~1.5 MB at
# most, whatever the size of the messages. (Measured on 2,000 bench messages,
# 400 MB: 1 MiB reads, 2 MiB here and a 1 MiB client high-water mark cost the
# same CPU; 4 MiB reads and 8 MiB buffers a little more.)
BACKEND_HIGH = 1 << 20


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def text(b):
    return b.decode("utf-8", "backslashreplace")


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1, encoding="utf-8") if path else sys.stdout

    def __call__(self, event, **fields):
        rec = {"ts": now_iso(), "event": event}
        rec.update(fields)
        try:
            self.f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            self.f.flush()
        except Exception:  # noqa: BLE001 - logging must never kill a session
            pass


# ---------------------------------------------------------------------------
# Argument parsing (just what the intercepted commands need)
# ---------------------------------------------------------------------------


class ParseError(Exception):
    pass


class Str(bytes):
    """A quoted string or literal (atoms and NIL are plain bytes)."""


def parse_string(raw, pos):
    """A quoted string or a literal at raw[pos]; returns (Str, new pos)."""
    if raw[pos:pos + 1] == b'"':
        out = bytearray()
        pos += 1
        while pos < len(raw):
            c = raw[pos]
            if c == 0x5C:  # backslash
                if pos + 1 >= len(raw) or raw[pos + 1] not in b'"\\':
                    raise ParseError("bad escape")
                out.append(raw[pos + 1])
                pos += 2
            elif c == 0x22:
                return Str(bytes(out)), pos + 1
            elif c in b"\r\n":
                raise ParseError("unterminated string")
            else:
                out.append(c)
                pos += 1
        raise ParseError("unterminated string")
    m = re.compile(rb"~?\{(\d+)\+?\}\r?\n").match(raw, pos)
    if m:
        n = int(m.group(1))
        start = m.end()
        if start + n > len(raw):
            raise ParseError("short literal")
        return Str(raw[start:start + n]), start + n
    raise ParseError("string expected")


def tokenize(raw, pos):
    """The arguments in raw[pos:] up to the command's final CRLF: atoms (bytes),
    strings (Str), parenthesized lists (list)."""
    stack = [[]]
    n = len(raw)
    while True:
        if pos >= n:
            raise ParseError("missing CRLF")
        c = raw[pos]
        if c in b"\r\n":
            if len(stack) != 1:
                raise ParseError("unbalanced parentheses")
            return stack[0]
        if c == 0x20:
            pos += 1
        elif c == 0x28:  # (
            new = []
            stack[-1].append(new)
            stack.append(new)
            pos += 1
        elif c == 0x29:  # )
            if len(stack) == 1:
                raise ParseError("unbalanced parentheses")
            stack.pop()
            pos += 1
        elif c in b'"{~':
            s, pos = parse_string(raw, pos)
            stack[-1].append(s)
        else:
            start = pos
            while pos < n and raw[pos] not in b" ()\r\n":
                pos += 1
            stack[-1].append(raw[start:pos])


def parse_id(raw, pos):
    """Coremail-strict `ID` arguments: NIL, or ("k" "v" ...) with single spaces
    and nothing after the closing parenthesis. Returns None for NIL, else a
    list of (key, value-or-None)."""
    rest = raw[pos:]
    if rest.upper() in (b"NIL\r\n", b"NIL\n"):
        return None
    if rest[:1] != b"(":
        raise ParseError("list expected")
    pos += 1
    params = []
    while True:
        key, pos = parse_string(raw, pos)
        if raw[pos:pos + 1] != b" ":
            raise ParseError("space expected")
        pos += 1
        if raw[pos:pos + 3].upper() == b"NIL":
            val, pos = None, pos + 3
        else:
            val, pos = parse_string(raw, pos)
        params.append((key, val))
        if raw[pos:pos + 1] == b")":
            pos += 1
            break
        if raw[pos:pos + 1] != b" ":
            raise ParseError("space or ) expected")
        pos += 1
    if raw[pos:] not in (b"\r\n", b"\n"):
        raise ParseError("garbage after list")
    return params


def quote(name):
    if any(c in name for c in b"\r\n\0") or any(c > 0x7E for c in name):
        return b"{%d}\r\n" % len(name) + name
    return b'"' + name.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------


class Command:
    def __init__(self, parts):
        self.parts = parts  # line, literal, line, literal, ..., line
        self.raw = b"".join(parts)
        first = parts[0]
        words = first.rstrip(b"\r\n").split(b" ", 3)
        self.tag = words[0]
        self.name = words[1].upper() if len(words) > 1 else b""
        self.sub = b""
        self.args_pos = len(words[0]) + 1 + len(words[1]) if len(words) > 1 else len(first)
        if self.name == b"UID" and len(words) > 2:
            self.sub = words[2].upper()
            self.args_pos += 1 + len(words[2])
        # skip the single space before the arguments
        if self.raw[self.args_pos:self.args_pos + 1] == b" ":
            self.args_pos += 1

    @property
    def label(self):
        return text(self.name + (b" " + self.sub if self.sub else b""))


class ClientGone(Exception):
    pass


class BackendClosed(Exception):
    pass


class IdleTimeout(Exception):
    pass


class Close(Exception):
    """End the session (after a BYE was sent)."""


class Backend(asyncio.Protocol):
    """The connection to Dovecot, read as lines and literal bytes.

    What arrives stays in the bytes objects the transport's recv() made (a
    deque of chunks, an offset into the first): a literal is handed on as
    memoryview slices of them, so message bodies reach the client transport
    without being copied or joined here (asyncio's StreamReader would copy
    every byte into its buffer and again out of it). The chunks are immutable,
    so a slice stays valid even if a transport keeps it instead of copying.

    One consumer (the session task) at a time. Reading from Dovecot pauses
    while more than BACKEND_HIGH bytes are buffered and resumes once the
    session has taken half of them: a client slower than Dovecot makes Dovecot
    wait instead of the front buffering the mailbox. (readline() takes chunks
    out as it goes, so even a line longer than BACKEND_HIGH cannot stall it;
    lines are bounded by LINE_LIMIT.)
    """

    def __init__(self):
        self.loop = asyncio.get_running_loop()
        self.transport = None
        self.chunks = collections.deque()
        self.pos = 0  # bytes of chunks[0] already consumed
        self.size = 0  # bytes buffered and not consumed
        self.eof = False
        self.waiter = None  # future: data arrived or the connection ended
        self.paused = False  # reading paused: BACKEND_HIGH reached
        self.write_paused = False
        self.drain_waiter = None

    # -- protocol callbacks ----------------------------------------------------

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.chunks.append(data)
        self.size += len(data)
        self._wake()
        if self.size > BACKEND_HIGH and not self.paused:
            self.paused = True
            self.transport.pause_reading()

    def eof_received(self):
        self.eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc):
        self.eof = True
        self._wake()
        if self.drain_waiter is not None and not self.drain_waiter.done():
            self.drain_waiter.set_exception(ConnectionResetError("backend connection lost"))

    def pause_writing(self):
        self.write_paused = True

    def resume_writing(self):
        self.write_paused = False
        if self.drain_waiter is not None and not self.drain_waiter.done():
            self.drain_waiter.set_result(None)

    # -- for the session ---------------------------------------------------------

    def _wake(self):
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def ready(self):
        """A future that is done once data is buffered or the connection
        ended (to wait for it alongside the client; may be cancelled)."""
        fut = self.loop.create_future()
        if self.size or self.eof:
            fut.set_result(None)
        else:
            self.waiter = fut
        return fut

    async def _more(self):
        """Wait for data (none is buffered); BackendClosed once there will be
        none. (Reading is never paused here: taking out the buffer resumed it.)"""
        if self.eof:
            raise BackendClosed()
        self.waiter = self.loop.create_future()
        await self.waiter

    def _consumed(self, n):
        self.size -= n
        if self.paused and self.size <= BACKEND_HIGH // 2:
            self.paused = False
            self.transport.resume_reading()

    async def readline(self):
        """One line, LF included. Consumes as it goes: not to be cancelled and
        retried (only the end of the session cancels it)."""
        parts = []
        got = 0
        while True:
            while not self.chunks:
                await self._more()
            chunk, pos = self.chunks[0], self.pos
            i = chunk.find(b"\n", pos)
            if i >= 0:
                part = chunk[pos:i + 1]
                self.pos = i + 1
                if self.pos == len(chunk):
                    self.chunks.popleft()
                    self.pos = 0
                self._consumed(len(part))
                if not parts:
                    return part
                parts.append(part)
                return b"".join(parts)
            parts.append(chunk[pos:] if pos else chunk)
            got += len(chunk) - pos
            self.chunks.popleft()
            self.pos = 0
            self._consumed(len(chunk) - pos)
            if got > LINE_LIMIT:
                raise BackendClosed()  # as asyncio's stream limit did before

    async def read(self, n):
        """Up to n (> 0) bytes, at least one: a memoryview into a received
        chunk, no copy."""
        while not self.chunks:
            await self._more()
        chunk, pos = self.chunks[0], self.pos
        end = min(len(chunk), pos + n)
        if end == len(chunk):
            self.chunks.popleft()
            self.pos = 0
        else:
            self.pos = end
        self._consumed(end - pos)
        return memoryview(chunk)[pos:end]

    async def drain(self):
        """Wait while the transport's write buffer is above its high-water mark."""
        if self.transport.is_closing():
            raise ConnectionResetError("backend connection closing")
        if self.write_paused:
            self.drain_waiter = self.loop.create_future()
            await self.drain_waiter


class Server:
    def __init__(self, args):
        self.args = args
        self.log = Log(args.log)
        self.idle_timeout = float(os.environ.get("COREMAIL_IDLE_TIMEOUT_SECS", "1800"))
        self.max_conn = int(os.environ.get("COREMAIL_MAX_CONNECTIONS_PER_USER", "2"))
        self.active = {}  # user -> authenticated (or logging-in) connections
        self.sessions = set()
        self.next_id = 1
        self.tls_ctx = None
        if args.cert:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(args.cert, args.key)
            self.tls_ctx = ctx

    async def handle(self, reader, writer, kind):
        sid = self.next_id
        self.next_id += 1
        s = Session(self, sid, kind, reader, writer)
        task = asyncio.current_task()
        self.sessions.add(task)
        try:
            await s.run()
        except asyncio.CancelledError:
            pass  # shutdown: end normally (asyncio logs cancelled connection tasks as errors)
        finally:
            self.sessions.discard(task)

    def acquire(self, user):
        n = self.active.get(user, 0)
        if n >= self.max_conn:
            return False, n
        self.active[user] = n + 1
        return True, n

    def release(self, user):
        n = self.active.get(user, 0) - 1
        if n > 0:
            self.active[user] = n
        else:
            self.active.pop(user, None)


class Session:
    def __init__(self, srv, sid, kind, reader, writer):
        self.srv = srv
        self.sid = sid
        self.kind = kind
        self.cr = reader
        self.cw = writer
        self.tls = kind == "tls"
        self.bk = None  # Backend: the connection to Dovecot
        self.line_task = None
        self.user = None  # set once authenticated (holds a connection slot)
        self.id_ok = False
        self.started = time.monotonic()
        self.bye_seen = False
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peer[0]}:{peer[1]}"
        self.trans_id = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))

    def log(self, event, **fields):
        base = {"conn": self.sid, "port": self.kind, "peer": self.peer}
        if self.user:
            base["user"] = self.user
        base.update(fields)
        self.srv.log(event, **base)

    # -- plumbing -----------------------------------------------------------

    async def send(self, data):
        try:
            self.cw.write(data)
            await self.cw.drain()
        except (ConnectionError, OSError) as e:
            raise ClientGone() from e

    async def reply(self, tag, status, msg):
        await self.send(tag + b" " + status + b" " + msg + b"\r\n")

    async def bsend(self, data=None):
        try:
            if data:
                self.bk.transport.write(data)
            await self.bk.drain()
        except (ConnectionError, OSError) as e:
            raise BackendClosed() from e

    async def client_line(self, relay_backend=True):
        """One line from the client within the idle timeout. While waiting,
        output the backend sends on its own (a BYE before Dovecot stops) is
        relayed, and the backend closing ends the session."""
        if self.line_task is None:
            self.line_task = asyncio.ensure_future(self.cr.readuntil(b"\n"))
        deadline = time.monotonic() + self.srv.idle_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise IdleTimeout()
            waits = {self.line_task}
            ready = None
            if relay_backend:
                ready = self.bk.ready()
                waits.add(ready)
            try:
                done, _ = await asyncio.wait(waits, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if ready is not None and not ready.done():
                    ready.cancel()
            if ready is not None and ready in done:
                # (raises BackendClosed if Dovecot closed the connection)
                await self.relay(None, await self.bk.readline())
            if self.line_task in done:
                t, self.line_task = self.line_task, None
                try:
                    return t.result()
                except asyncio.IncompleteReadError as e:
                    raise ClientGone() from e
                except asyncio.LimitOverrunError as e:
                    await self.send(b"* BYE Command line too long\r\n")
                    raise Close() from e
                except (ConnectionError, OSError) as e:
                    raise ClientGone() from e

    async def client_bytes(self, n, keep=True):
        """n literal bytes from the client, each chunk within the idle timeout."""
        out = bytearray()
        while n > 0:
            try:
                chunk = await asyncio.wait_for(self.cr.read(min(n, CHUNK)), self.srv.idle_timeout)
            except asyncio.TimeoutError as e:
                raise IdleTimeout() from e
            except (ConnectionError, OSError) as e:
                raise ClientGone() from e
            if not chunk:
                raise ClientGone()
            n -= len(chunk)
            if keep:
                out += chunk
        return bytes(out)

    async def read_command(self):
        """A whole command (with its literals), or None if it was answered
        already (literal too large)."""
        line = await self.client_line()
        parts = [line]
        too_big = False
        while (m := LITERAL_RE.search(line)) is not None:
            n, sync = int(m.group(1)), not m.group(2)
            if n > APPENDLIMIT:
                too_big = True
                if sync:
                    break  # the client waits for '+': it will not send it
            elif sync:
                await self.send(b"+ Ready for additional command text\r\n")
            parts.append(await self.client_bytes(n, keep=not too_big))
            line = await self.client_line()
            parts.append(line)
        if too_big:
            tag = parts[0].split(b" ", 1)[0]
            self.log("too_big", command=text(parts[0][:80]))
            await self.reply(tag, b"NO", b"[TOOBIG] Message too large")
            return None
        return Command(parts)

    # -- relaying -------------------------------------------------------------

    def filter_head(self, cmd, head):
        """What the client sees of the first line of a backend response (None:
        nothing of the response). The literals and lines after it are never
        looked at."""
        up = head.upper()
        if up.startswith(b"* CAPABILITY"):
            self.log("capability_rewrite", action="suppressed", dovecot=text(head.rstrip()))
            return None
        if up.startswith(b"* OK [UIDNEXT "):
            self.log("uidnext_stripped", command=cmd.label if cmd else None, line=text(head.rstrip()))
            return None
        if up.startswith(b"* OK [HIGHESTMODSEQ ") or up.startswith(b"* OK [NOMODSEQ]"):
            return None
        if CAP_CODE_RE.match(head):
            self.log("capability_rewrite", action="code_removed", dovecot=text(head.rstrip()))
            head = CAP_CODE_RE.sub(rb"\1", head)
        if cmd is not None and cmd.name == b"XLIST" and up.startswith(b"* LIST "):
            head = b"* XLIST " + head[len(b"* LIST "):]
        return head

    async def relay(self, cmd, head, drop=False):
        """Relay one backend response whose first line (already read) is head;
        its literals and the lines after them are streamed through as they
        arrive. drop: read it all but send nothing."""
        out = None if drop else self.filter_head(cmd, head)
        send = out is not None
        try:
            if send:
                self.cw.write(out)
                if out[:5].upper() == b"* BYE":
                    self.bye_seen = True
            line = head
            while (m := LITERAL_RE.search(line)) is not None:
                n = int(m.group(1))
                while n:
                    chunk = await self.bk.read(n)
                    n -= len(chunk)
                    if send:
                        self.cw.write(chunk)
                        # Returns at once unless the client transport holds
                        # more than its high-water mark: a slow client makes
                        # the session wait (and Dovecot, through Backend).
                        await self.cw.drain()
                line = await self.bk.readline()
                if send:
                    self.cw.write(line)
            if send:
                await self.cw.drain()
        except (ConnectionError, OSError) as e:
            raise ClientGone() from e

    async def forward(self, cmd, parts=None, on_tagged=None):
        """Send a command to Dovecot and relay its responses until the tagged
        one, which goes to on_tagged (default: relayed)."""
        parts = parts or cmd.parts
        tag_prefix = cmd.tag + b" "
        tagged = None
        for i in range(0, len(parts), 2):
            line = parts[i]
            await self.bsend(line)
            if i + 1 >= len(parts):
                break
            m = LITERAL_RE.search(line)
            if not m.group(2):
                # Synchronizing literal: the client had our '+'; wait for
                # Dovecot's (swallowed) or its refusal.
                while True:
                    head = await self.bk.readline()
                    if head.startswith(b"+"):
                        await self.relay(cmd, head, drop=True)
                        break
                    if head.startswith(tag_prefix):
                        tagged = head
                        break
                    await self.relay(cmd, head)
                if tagged is not None:
                    break
            await self.bsend(parts[i + 1])
        while tagged is None:
            head = await self.bk.readline()
            if head.startswith(tag_prefix):
                tagged = head
            else:
                await self.relay(cmd, head)
        if on_tagged is not None:
            await self.relay(cmd, tagged, drop=True)
            await on_tagged(tagged)
        else:
            await self.relay(cmd, tagged)
        return tagged

    # -- the session ------------------------------------------------------------

    async def run(self):
        reason = "client_closed"
        try:
            try:
                _, self.bk = await asyncio.get_running_loop().create_connection(
                    Backend, self.srv.args.backend_host, self.srv.args.backend_port
                )
                greeting = await asyncio.wait_for(self.bk.readline(), 10)
            except (OSError, asyncio.TimeoutError, BackendClosed) as e:
                self.log("error", where="backend_connect", error=repr(e))
                await self.send(b"* BYE Internal server error\r\n")
                reason = "backend_unavailable"
                return
            self.log("connect", backend_greeting_replaced=text(greeting.rstrip()))
            await self.send(GREETING)
            while True:
                cmd = await self.read_command()
                if cmd is None:
                    continue
                if not cmd.tag.strip():
                    continue  # empty line
                if await self.dispatch(cmd) == "close":
                    reason = "logout"
                    return
        except IdleTimeout:
            reason = "idle_timeout"
            self.log("idle_timeout", idle_secs=self.srv.idle_timeout)
            try:
                await self.send(IDLE_BYE)
            except ClientGone:
                pass
        except BackendClosed:
            reason = "backend_closed"
            self.log("backend_closed", bye_relayed=self.bye_seen)
        except ClientGone:
            reason = "client_closed"
        except Close:
            reason = "closed_by_server"
        except asyncio.CancelledError:
            reason = "shutdown"
            try:
                self.cw.write(b"* BYE Server shutting down\r\n")
            except Exception:  # noqa: BLE001
                pass
            raise
        except Exception as e:  # noqa: BLE001 - a bug must not take the server down
            reason = "error"
            self.log("error", where="session", error=repr(e))
        finally:
            await self.cleanup(reason)

    async def cleanup(self, reason):
        if self.user is not None:
            self.srv.release(self.user)
        if self.line_task is not None and not self.line_task.done():
            self.line_task.cancel()
        if self.bk is not None:
            try:
                bt = self.bk.transport
                if not bt.is_closing() and reason not in ("backend_closed", "logout"):
                    bt.write(b"X LOGOUT\r\n")
                bt.close()
            except Exception:  # noqa: BLE001
                pass
        try:
            self.cw.close()
            await asyncio.wait_for(self.cw.wait_closed(), 2)
        except Exception:  # noqa: BLE001
            pass
        self.log("disconnect", reason=reason, secs=round(time.monotonic() - self.started, 3))

    async def dispatch(self, cmd):
        tag, name = cmd.tag, cmd.name
        authed = self.user is not None
        if cmd.parts[-1].endswith((b" \r\n", b" \n")):
            await self.reply(tag, b"BAD", b"Request not ending with")
            return None
        if tag[:1] in (b"*", b"+") or any(c in tag for c in b'(){%"\\]'):
            # (an untagged-looking tag would also be mistaken for Dovecot's
            # untagged responses)
            await self.send(b"* BAD Parse command error\r\n")
            return None
        if not name:
            await self.reply(tag, b"BAD", b"Parse command error")
            return None
        if name == b"CAPABILITY":
            caps = CAPS_POSTLOGIN if authed else CAPS_PRELOGIN
            if not authed and (self.tls or self.srv.tls_ctx is None):
                caps = caps.replace(" STARTTLS", "")
            self.log("capability", caps=caps)
            await self.send(b"* CAPABILITY " + caps.encode() + b"\r\n")
            await self.reply(tag, b"OK", b"CAPABILITY completed")
            return None
        if name == b"STARTTLS":
            return await self.do_starttls(cmd)
        if name == b"ID":
            return await self.do_id(cmd)
        if name == b"LOGIN":
            return await self.do_login(cmd)
        if name == b"AUTHENTICATE":
            return await self.do_authenticate(cmd)
        if name in UNSUPPORTED or (name == b"UID" and cmd.sub in UNSUPPORTED):
            self.log("unsupported", command=cmd.label)
            await self.reply(tag, b"BAD", b"Unsupported command")
            return None
        if authed and not self.id_ok:
            if name in (b"SELECT", b"EXAMINE"):
                self.log("refuse_select", command=cmd.label, line=text(cmd.raw[:200].rstrip()))
                await self.reply(tag, b"NO", b"SELECT " + UNSAFE)
                return None
            if name == b"UID" and cmd.sub in (b"FETCH", b"SEARCH"):
                self.log("bye_unsafe", command=cmd.label)
                await self.send(b"* BYE " + UNSAFE + b"\r\n")
                raise Close()
        if authed and name == b"STATUS":
            return await self.do_status(cmd)
        if name == b"XLIST":
            self.log("xlist", line=text(cmd.raw[:200].rstrip()))
            first = cmd.parts[0]
            i = len(tag) + 1
            parts = [first[:i] + b"LIST" + first[i + len(b"XLIST"):]] + cmd.parts[1:]
            await self.forward(cmd, parts)
            return None
        if name == b"LOGOUT":
            await self.forward(cmd)
            return "close"
        await self.forward(cmd)
        return None

    async def do_starttls(self, cmd):
        if self.tls or self.user is not None or self.srv.tls_ctx is None:
            await self.reply(cmd.tag, b"BAD", b"STARTTLS not allowed now")
            return None
        await self.reply(cmd.tag, b"OK", b"Begin TLS negotiation now")
        try:
            await self.cw.start_tls(self.srv.tls_ctx)
        except (ssl.SSLError, ConnectionError, OSError) as e:
            self.log("starttls", ok=False, error=repr(e))
            raise ClientGone() from e
        self.tls = True
        self.log("starttls", ok=True)
        return None

    async def do_id(self, cmd):
        line = cmd.raw
        try:
            params = parse_id(line, cmd.args_pos)
        except ParseError as e:
            self.log("id_bad", line=text(line.rstrip(b"\r\n")), reason=str(e))
            await self.reply(cmd.tag, b"BAD", b"Parse command error")
            return None
        if params is not None:
            self.id_ok = True
        self.log(
            "id",
            line=text(line.rstrip(b"\r\n")),
            line_b64=base64.b64encode(line).decode(),
            params=None if params is None else {text(k): None if v is None else text(v) for k, v in params},
            unlocks=params is not None,
        )
        await self.send(
            b'* ID ("name" "Coremail Imap" "vendor" "Coremail" "TransID" "' + self.trans_id.encode() + b'")\r\n'
        )
        await self.reply(cmd.tag, b"OK", b"ID completed")
        return None

    async def do_login(self, cmd):
        if self.user is not None:
            await self.reply(cmd.tag, b"BAD", b"Already logged in")
            return None
        try:
            args = tokenize(cmd.raw, cmd.args_pos)
            if len(args) != 2 or any(isinstance(a, list) for a in args):
                raise ParseError("LOGIN takes two arguments")
        except ParseError:
            await self.reply(cmd.tag, b"BAD", b"Parse command error")
            return None
        await self.login(cmd, bytes(args[0]), cmd.parts, b"LOGIN")
        return None

    async def login(self, cmd, user, parts, verb):
        key = text(user).lower()
        ok, active = self.srv.acquire(key)
        if not ok:
            self.log("login_refused", login=key, reason="connection_limit", active=active, limit=self.srv.max_conn)
            await self.reply(cmd.tag, b"NO", verb + b" " + TOO_MANY)
            return
        result = {}

        async def on_tagged(line):
            result["line"] = line

        try:
            await self.forward(cmd, parts, on_tagged=on_tagged)
        except BaseException:
            self.srv.release(key)
            raise
        words = result["line"].split(b" ", 2)
        status = words[1].upper() if len(words) > 1 else b""
        if CAP_CODE_RE.match(result["line"]):
            self.log("capability_rewrite", action="login_reply_replaced", dovecot=text(result["line"].rstrip()))
        if status == b"OK":
            self.user = key
            self.log("login_ok", via=text(verb), active=active + 1, limit=self.srv.max_conn)
            await self.reply(cmd.tag, b"OK", verb + b" completed")
        else:
            self.srv.release(key)
            self.log("login_fail", login=key, via=text(verb), dovecot=text(result["line"].rstrip()))
            await self.reply(cmd.tag, b"NO", verb + b" " + LOGIN_ERROR)

    async def do_authenticate(self, cmd):
        if self.user is not None:
            await self.reply(cmd.tag, b"BAD", b"Already logged in")
            return None
        try:
            args = tokenize(cmd.raw, cmd.args_pos)
        except ParseError:
            args = []
        if not args or not isinstance(args[0], bytes) or len(args) > 2:
            await self.reply(cmd.tag, b"BAD", b"Parse command error")
            return None
        if args[0].upper() != b"XOAUTH2":
            self.log("unsupported", command="AUTHENTICATE " + text(args[0]))
            await self.reply(cmd.tag, b"NO", b"AUTHENTICATE Unsupported authentication mechanism")
            return None
        if len(args) == 2:
            blob = bytes(args[1])
        else:
            await self.send(b"+ \r\n")
            blob = (await self.client_line(relay_backend=False)).rstrip(b"\r\n")
            if blob == b"*":
                await self.reply(cmd.tag, b"BAD", b"AUTHENTICATE cancelled")
                return None
        try:
            fields = dict(
                f.split(b"=", 1) for f in base64.b64decode(blob, validate=True).split(b"\x01") if b"=" in f
            )
            user = fields[b"user"]
            token = fields[b"auth"]
            if not token.lower().startswith(b"bearer "):
                raise ValueError("not a bearer token")
            token = token[len(b"bearer "):]
        except (ValueError, KeyError):
            await self.reply(cmd.tag, b"NO", b"AUTHENTICATE " + LOGIN_ERROR)
            return None
        parts = [
            cmd.tag + b" LOGIN {%d+}\r\n" % len(user),
            user,
            b" {%d+}\r\n" % len(token),
            token,
            b"\r\n",
        ]
        await self.login(cmd, user, parts, b"AUTHENTICATE")
        return None

    async def do_status(self, cmd):
        try:
            args = tokenize(cmd.raw, cmd.args_pos)
            if len(args) != 2 or isinstance(args[0], list) or not isinstance(args[1], list):
                raise ParseError("STATUS mailbox (items)")
        except ParseError:
            await self.reply(cmd.tag, b"BAD", b"Parse command error")
            return None
        mailbox = bytes(args[0])
        self.log("status_emptied", mailbox=text(mailbox), items=[text(a) for a in args[1] if isinstance(a, bytes)])
        await self.send(b"* STATUS " + quote(mailbox) + b" ()\r\n")
        await self.reply(cmd.tag, b"OK", b"STATUS completed")
        return None


# ---------------------------------------------------------------------------


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--plain-port", type=int, required=True)
    ap.add_argument("--tls-port", type=int)
    ap.add_argument("--cert", help="certificate chain (PEM), for the TLS port and STARTTLS")
    ap.add_argument("--key")
    ap.add_argument("--backend-host", default="127.0.0.1")
    ap.add_argument("--backend-port", type=int, required=True)
    ap.add_argument("--log", help="JSON log file (default: stdout)")
    ap.add_argument("--pid-file")
    args = ap.parse_args()
    if args.tls_port is not None and not args.cert:
        ap.error("--tls-port needs --cert and --key")
    if args.cert and not args.key:
        ap.error("--cert needs --key")

    srv = Server(args)
    loop = asyncio.get_running_loop()

    def on_loop_error(loop_, context):
        exc = context.get("exception")
        msg = str(context.get("message"))
        event = "tls_error" if isinstance(exc, ssl.SSLError) or "SSL" in msg else "error"
        srv.log(event, where="loop", message=msg, error=repr(exc) if exc else None)

    loop.set_exception_handler(on_loop_error)

    servers = []

    async def plain(r, w):
        await srv.handle(r, w, "plain")

    async def tls(r, w):
        await srv.handle(r, w, "tls")

    servers.append(await asyncio.start_server(plain, args.host, args.plain_port, limit=LINE_LIMIT))
    if args.tls_port is not None:
        servers.append(
            await asyncio.start_server(tls, args.host, args.tls_port, ssl=srv.tls_ctx, limit=LINE_LIMIT)
        )
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    srv.log(
        "listen",
        host=args.host,
        plain_port=ports[0],
        tls_port=ports[1] if len(ports) > 1 else None,
        backend=f"{args.backend_host}:{args.backend_port}",
        idle_timeout_secs=srv.idle_timeout,
        max_connections_per_user=srv.max_conn,
        pid=os.getpid(),
    )
    if args.pid_file:
        with open(args.pid_file + ".tmp", "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(args.pid_file + ".tmp", args.pid_file)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    srv.log("shutdown", sessions=len(srv.sessions))
    for s in servers:
        s.close()
    for t in list(srv.sessions):
        t.cancel()
    if srv.sessions:
        await asyncio.wait(list(srv.sessions), timeout=3)
    if args.pid_file:
        try:
            os.unlink(args.pid_file)
        except OSError:
            pass


if __name__ == "__main__":
    asyncio.run(main())
