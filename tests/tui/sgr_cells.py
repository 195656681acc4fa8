#!/usr/bin/python3
"""The colours of a heatmap's cells in an 8-colour terminal, from `tmux capture-pane -e`: every
cell drawn with a shade or half-block glyph must be blue, white or red (or the default), and
there must be blue and red cells. Prints the counts; exits 1 (and says which cells) otherwise.

  sgr_cells.py CAPTURE"""
import re
import sys

SHADES = set("█▓▒░▀▄")
NAMES = {0: "black", 1: "red", 2: "green", 3: "yellow", 4: "blue", 5: "magenta", 6: "cyan",
         7: "white", None: "default"}


def sgr(params, fg, bg):
    """The colours after one SGR sequence's parameters."""
    ps = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(ps):
        p = ps[i]
        if p == 0:
            fg = bg = None
        elif 30 <= p <= 37 or 90 <= p <= 97:
            fg = p % 10
        elif 40 <= p <= 47 or 100 <= p <= 107:
            bg = p % 10
        elif p == 39:
            fg = None
        elif p == 49:
            bg = None
        elif p in (38, 48) and i + 2 < len(ps) and ps[i + 1] == 5:
            v = ps[i + 2] % 8 if ps[i + 2] < 16 else ps[i + 2]
            fg, bg = (v, bg) if p == 38 else (fg, v)
            i += 2
        i += 1
    return fg, bg


def main():
    counts, bad = {}, []
    for y, line in enumerate(open(sys.argv[1], encoding="utf-8")):
        fg = bg = None
        for tok in re.split(r"(\x1b\[[0-9;]*m)", line):
            if tok.startswith("\x1b["):
                fg, bg = sgr(tok[2:-1], fg, bg)
                continue
            for ch in tok:
                if ch not in SHADES:
                    continue
                counts[fg] = counts.get(fg, 0) + 1
                if fg not in (1, 4, 7, None) or bg not in (1, 4, 7, None):
                    bad.append("row %d %s fg %s bg %s" % (y, ch, NAMES.get(fg, fg), NAMES.get(bg, bg)))
    summary = ", ".join("%s %d" % (NAMES.get(k, k), v) for k, v in sorted(counts.items(), key=str))
    print(summary)
    if bad or counts.get(1, 0) == 0 or counts.get(4, 0) == 0:
        print("\n".join(bad[:20]) or "no blue or no red cells")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
