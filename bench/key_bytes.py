#!/usr/bin/python3
"""Bytes the explorer writes to the terminal per key, on the bundled demo, as a slow SSH link
pays them: a pty (tests/tui/pty_term.py) counts what the program writes after each key.

  bench/key_bytes.py [--rnnscope PATH] [--demo PATH] [--sizes 120x40,200x60]

For every size, graphics mode (unicode, sixel forced) and view it measures a cursor step (]),
a channel move (Tab, then j in the view) and a layer switch (j in the layer list); the layer
switch is set beside the text that changed on screen (cells whose glyph differs, in UTF-8 bytes,
from two headless screens), and every step says whether a sixel image was sent. Prints a
Markdown table for bench/README.md."""
import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("pty_term", os.path.join(HERE, "..", "tests", "tui", "pty_term.py"))
pty_term = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pty_term)

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
        out.append((len(chunk), chunk.count(b"\x1bP") - chunk.count(b"\x1bP>|")))
    os.write(fd, b"q")
    t.settle(0.3, 10)
    os.waitpid(pid, 0)
    return out


def screens(rnnscope, demo, size, keys):
    """Headless screens (text) after each 'dump' in keys."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "keys"), "w") as f:
            f.write("\n".join(keys) + "\n")
        subprocess.run([rnnscope, "--headless", "--size", size, "--keys", os.path.join(d, "keys"),
                        "--dump-screen", os.path.join(d, "dump"), demo], check=True)
        with open(os.path.join(d, "dump"), encoding="utf-8") as f:
            return f.read().split("\f\n")


def changed_bytes(a, b):
    """UTF-8 bytes of the cells of screen b whose glyph differs from screen a."""
    n = 0
    la, lb = a.split("\n"), b.split("\n")
    for y in range(max(len(la), len(lb))):
        ra = la[y] if y < len(la) else ""
        rb = lb[y] if y < len(lb) else ""
        for x in range(max(len(ra), len(rb))):
            ca = ra[x] if x < len(ra) else " "
            cb = rb[x] if x < len(rb) else " "
            if ca != cb:
                n += len(cb.encode())
    return n


KEY_NAMES = {"\r": "Enter", "\t": "Tab"}


def key_list(keys):
    return [KEY_NAMES.get(k, k) for k in keys]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rnnscope", default="./rnnscope")
    ap.add_argument("--demo", default=os.path.join(HERE, "..", "share", "rnnscope", "demo", "demo.h5"))
    ap.add_argument("--sizes", default="120x40,200x60")
    a = ap.parse_args()
    print("| size | graphics | view | cursor `]` | Tab | channel `j` | layer `j` | changed text | ratio |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in a.sizes.split(","):
        for mode in ("unicode", "sixel"):
            for name, setup in VIEWS:
                # the layer switch leaves the attention row for the next row (concatenate_1)
                (cur, cur_img), (tab, tab_img), (ch, ch_img) = measure(
                    a.rnnscope, a.demo, size, mode, setup, ["]", "\t", "j"])
                (lay, lay_img), = measure(a.rnnscope, a.demo, size, mode, setup, ["j"])
                s = screens(a.rnnscope, a.demo, size, key_list(setup) + ["dump", "j"])
                text = changed_bytes(s[0], s[1])

                def cell(n, img):
                    return "%d%s" % (n, " + image" if img else "")

                print("| %s | %s | %s | %s | %s | %s | %s | %d | %.2f |" % (
                    size, mode, name, cell(cur, cur_img), cell(tab, tab_img), cell(ch, ch_img),
                    cell(lay, lay_img), text, lay / text if text else float("nan")))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
