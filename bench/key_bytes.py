#!/usr/bin/python3
"""Bytes the explorer writes to the terminal per key, on the bundled demo, as a slow SSH link
pays them: a pty (tests/tui/pty_term.py) counts what the program writes after each key.

  bench/key_bytes.py [--rnnscope PATH] [--demo PATH] [--sizes 120x40,200x60]
                     [--modes unicode,sixel] [--views lines,heatmap,...]

For every size, graphics mode (unicode, sixel forced) and view it measures a cursor step (]),
a channel move (Tab, then j in the view) and a layer switch (j in the layer list); the layer
switch is set beside the least bytes that change the cells it changed (the same keys in a
private tmux server, the screens before and after with their colours and attributes:
tests/tui/screen_cells.py says how that minimum is counted); the sixel images a step sends are
not cells and are left out of the ratio. Every step says whether a sixel image was sent. Prints
a Markdown table for bench/README.md."""
import argparse
import importlib.util
import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("pty_term", os.path.join(HERE, "..", "tests", "tui", "pty_term.py"))
pty_term = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pty_term)
spec = importlib.util.spec_from_file_location("screen_cells", os.path.join(HERE, "..", "tests", "tui", "screen_cells.py"))
screen_cells = importlib.util.module_from_spec(spec)
spec.loader.exec_module(screen_cells)

# view: keys from the start (lstm_1 selected, layer focus) to the state measured
VIEWS = [
    ("lines", ""),
    ("detail", "2"),
    ("heatmap", "3"),
    ("hist", "4"),
    ("bars", "5"),
    ("weights", "6"),
    ("attention heatmap", "j\rjj"),
]


def measure(rnnscope, demo, size, mode, setup, steps):
    """Bytes (and sixel images) written after each of steps, after the setup keys."""
    cols, rows = (int(v) for v in size.split("x"))
    os.environ.update(LC_ALL="C.UTF-8", TERM="xterm-256color")
    pid, fd = pty_term.spawn([rnnscope, "--graphics", mode, demo], cols, rows)
    t = pty_term.Term(fd, b"", 0)
    t.settle(0.5, 30)
    for k in setup:
        os.write(fd, k.encode())
        t.settle(0.3, 30)
    out = []
    for k in steps:
        before = len(t.out)
        os.write(fd, k.encode())
        t.settle(0.4, 30)
        chunk = bytes(t.out[before:])
        images = re.findall(rb"\x1b7\x1b\[[0-9;]*H\x1bP[0-9;]*q.*?\x1b\\\x1b8", chunk, re.S)
        out.append((len(chunk), len(images), sum(len(m) for m in images)))
    os.write(fd, b"q")
    t.settle(0.3, 10)
    os.waitpid(pid, 0)
    return out


TMUX_KEYS = {"\r": "Enter", "\t": "Tab"}


def tmux_screens(rnnscope, demo, size, mode, setup, key):
    """The screen with its colours and attributes (tmux capture-pane -e) after the setup keys
    and after key, in a private tmux server at size."""
    cols, rows = size.split("x")
    sock = "rs-keybytes-%d" % os.getpid()

    def tm(*args):
        return subprocess.run(["tmux", "-L", sock, "-f", "/dev/null"] + list(args),
                              check=True, capture_output=True).stdout.decode("utf-8")

    def quiet():
        """The pane once it stopped changing."""
        last, same = None, 0
        for _ in range(200):
            now = tm("capture-pane", "-e", "-p", "-N", "-t", "rs")
            same = same + 1 if now == last else 0
            if same >= 6 and "Layers" in now:
                return now
            last = now
            time.sleep(0.05)
        raise RuntimeError("the explorer did not settle in tmux")

    cmd = "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color %s --graphics %s %s; sleep 60" % (
        shlex.quote(os.path.abspath(rnnscope)), mode, shlex.quote(os.path.abspath(demo)))
    tm("new-session", "-d", "-s", "rs", "-x", cols, "-y", rows, cmd)
    try:
        tm("set", "-g", "window-size", "manual")
        quiet()
        for k in setup:
            if k in TMUX_KEYS:
                tm("send-keys", "-t", "rs", TMUX_KEYS[k])
            else:
                tm("send-keys", "-t", "rs", "-l", k)
            time.sleep(0.2)
            quiet()
        before = quiet()
        tm("send-keys", "-t", "rs", "-l", key)
        time.sleep(0.3)
        return before, quiet()
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rnnscope", default="./rnnscope")
    ap.add_argument("--demo", default=os.path.join(HERE, "..", "share", "rnnscope", "demo", "demo.h5"))
    ap.add_argument("--sizes", default="120x40,200x60")
    ap.add_argument("--modes", default="unicode,sixel")
    ap.add_argument("--views", default=",".join(name for name, _ in VIEWS),
                    help="which views (names as in the table, comma-separated)")
    a = ap.parse_args()
    print("| size | graphics | view | cursor `]` | Tab | channel `j` | layer `j` | of it images "
          "| changed cells | their minimal bytes | ratio | <= 1.2 |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for size in a.sizes.split(","):
        cols = int(size.split("x")[0])
        for mode in a.modes.split(","):
            for name, setup in [v for v in VIEWS if v[0] in a.views.split(",")]:
                # the layer switch leaves the attention row for the next row (concatenate_1)
                (cur, cur_img, _), (tab, tab_img, _), (ch, ch_img, _) = measure(
                    a.rnnscope, a.demo, size, mode, setup, ["]", "\t", "j"])
                (lay, lay_img, lay_img_bytes), = measure(a.rnnscope, a.demo, size, mode, setup, ["j"])
                before, after = tmux_screens(a.rnnscope, a.demo, size, mode, setup, "j")
                cells, minimal = screen_cells.minimal_update(screen_cells.parse(before, cols),
                                                             screen_cells.parse(after, cols))
                ratio = (lay - lay_img_bytes) / minimal if minimal else float("nan")

                def cell(n, img):
                    return "%d%s" % (n, " + image" if img else "")

                print("| %s | %s | %s | %s | %s | %s | %s | %d | %d | %d | %.2f | %s |" % (
                    size, mode, name, cell(cur, cur_img), cell(tab, tab_img), cell(ch, ch_img),
                    cell(lay, lay_img), lay_img_bytes, cells, minimal, ratio,
                    "yes" if ratio <= 1.2 else "**no**"))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
