#!/usr/bin/python3
"""A scriptable fake terminal for the explorer: runs a command in a pseudo-terminal of a given
size, answers the start-up queries like xterm (optionally late, as a slow SSH link does), types
keys one step at a time and counts the bytes the program writes after each step.

  pty_term.py [--size 120x40] [--answer none|xterm|xterm-sixel] [--answer-delay SECONDS]
              [--step KEYS]... [--settle SECONDS] [--timeout SECONDS] -- COMMAND...

KEYS are typed as given, with Python escapes (\\x1b, \\r). After each step the program's output
is read until it has been quiet for --settle seconds. Prints "start BYTES", then "step N BYTES
SIXEL_IMAGES" per step and "exit STATUS" (128+signal when killed). Only the standard library,
so that Debian's python3 runs it anywhere."""
import argparse
import codecs
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

# What xterm 379 answers (tests/unit/test_term.c records the same replies).
REPLIES = {
    "xterm-sixel": b"\x1b[?1;0;256S\x1b[?2;0;960;600S\x1b[6;20;10t\x1bP>|XTerm(379)\x1b\\"
                   b"\x1b[?63;1;2;4;6;9;15;16;22;28c",
    "xterm": b"\x1b[?1;3S\x1b[?2;3S\x1b[6;20;10t\x1bP>|XTerm(379)\x1b\\"
             b"\x1b[?64;1;2;6;9;15;16;17;18;21;22;28c",
}
DA1_QUERY = b"\x1b[c"


def spawn(cmd, cols, rows):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, cols * 10, rows * 20))
    return pid, fd


class Term:
    def __init__(self, fd, reply, delay):
        self.fd, self.reply, self.delay = fd, reply, delay
        self.out = bytearray()
        self.reply_at = None
        self.exited = False

    def pump(self, seconds):
        """Read output for up to `seconds`, answering the queries when due."""
        end = time.monotonic() + seconds
        while not self.exited:
            now = time.monotonic()
            if self.reply_at is not None and now >= self.reply_at:
                os.write(self.fd, self.reply)
                self.reply_at = None
            wait = end - now
            if self.reply_at is not None:
                wait = min(wait, self.reply_at - now)
            if wait <= 0 and (self.reply_at is None or end <= now):
                return
            r, _, _ = select.select([self.fd], [], [], max(wait, 0))
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            if not data:
                self.exited = True
                return
            if self.reply and DA1_QUERY in data and self.reply_at is None and not self.answered():
                self.reply_at = time.monotonic() + self.delay
                self.reply_sent = True
            self.out += data

    def answered(self):
        return getattr(self, "reply_sent", False)

    def settle(self, quiet, limit):
        """Read until nothing came for `quiet` seconds (or `limit` passed)."""
        start = time.monotonic()
        while not self.exited and time.monotonic() - start < limit:
            before = len(self.out)
            self.pump(quiet)
            if len(self.out) == before and self.reply_at is None:
                return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="120x40")
    ap.add_argument("--answer", default="none", choices=["none"] + sorted(REPLIES))
    ap.add_argument("--answer-delay", type=float, default=0.0)
    ap.add_argument("--step", action="append", default=[])
    ap.add_argument("--settle", type=float, default=0.4)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--log", help="write everything the program wrote here")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    cols, rows = (int(v) for v in a.size.split("x"))
    pid, fd = spawn(cmd, cols, rows)
    t = Term(fd, REPLIES.get(a.answer, b""), a.answer_delay)
    t.settle(a.settle, a.timeout)
    print("start", len(t.out))
    for i, keys in enumerate(a.step):
        if t.exited:
            break
        before = len(t.out)
        os.write(fd, codecs.decode(keys, "unicode_escape").encode("latin-1"))
        t.settle(a.settle, a.timeout)
        chunk = bytes(t.out[before:])
        print("step", i + 1, len(chunk), chunk.count(b"\x1bP") - chunk.count(b"\x1bP>|"))
    deadline = time.monotonic() + a.timeout
    while not t.exited and time.monotonic() < deadline:
        t.pump(0.2)
    if not t.exited:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    if a.log:
        with open(a.log, "wb") as f:
            f.write(t.out)
    code = os.waitstatus_to_exitcode(status)
    print("exit", 128 - code if code < 0 else code)


if __name__ == "__main__":
    sys.exit(main())
