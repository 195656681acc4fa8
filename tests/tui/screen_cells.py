#!/usr/bin/python3
"""The cells that changed between two screens, with their colours and attributes, and the bytes
a terminal update needs at the least to change just those cells (issue 16's layer-switch budget).

  screen_cells.py BEFORE AFTER COLS

BEFORE and AFTER are `tmux capture-pane -e -p -N` of one pane (tmux carries the rendition from
one line to the next and drops trailing default blanks). Prints "changed CELLS MINIMAL_BYTES".

The minimal update, written to an xterm-like terminal (the one ncurses drives with
TERM=xterm-256color: the same sequences ncurses uses) row by row, pays:
- to reach a changed cell: the cheapest of `CSI row;col H`, `CSI col G` and `CSI n C` (inside a
  row), or rewriting the unchanged cells in between when that is cheaper;
- per cell: its glyph in UTF-8, and before it, when its colours or attributes differ from the
  cell written before, the shortest SGR that sets them (only the parts that change, or a reset
  `0` and the whole rendition);
- changed blanks (spaces of one background, no attribute): the cheaper of writing them and
  erasing them, `CSI n X` (then a move on), or `CSI K` when they reach the row's end (xterm
  erases with the current background: the SGR to it counts).
Only the standard library, so that Debian's python3 runs it anywhere."""
import re
import sys
import unicodedata

ATTRS = {1: "bold", 2: "dim", 3: "italic", 4: "underline", 5: "blink", 7: "reverse",
         8: "invisible", 9: "strike"}
OFF = {22: ("bold", "dim"), 23: ("italic",), 24: ("underline",), 25: ("blink",),
       27: ("reverse",), 28: ("invisible",), 29: ("strike",)}
OFF_CODE = {"bold": 22, "dim": 22, "italic": 23, "underline": 24, "blink": 25, "reverse": 27,
            "invisible": 28, "strike": 29}
DEFAULT = (None, None, frozenset())
ANY = "any"  # the foreground of a space, which shows nothing of it
SHOW_FG = {"underline", "reverse", "strike"}  # attributes that show a space's foreground


def seen(ch, rend):
    """The rendition as the cell shows it: a space's foreground is not seen (unless it is
    underlined, reversed or struck through), so it may take any."""
    if ch == " " and not rend[2] & SHOW_FG:
        return (ANY, rend[1], rend[2])
    return rend


def apply_sgr(params, rend):
    """The rendition (fg, bg, attributes) after one SGR's parameters."""
    fg, bg, attrs = rend
    attrs = set(attrs)
    ps = [int(p) if p else 0 for p in re.split("[;:]", params)] if params else [0]
    i = 0
    while i < len(ps):
        p = ps[i]
        if p == 0:
            fg, bg, attrs = None, None, set()
        elif p in ATTRS:
            attrs.add(ATTRS[p])
        elif p in OFF:
            attrs -= set(OFF[p])
        elif 30 <= p <= 37:
            fg = p - 30
        elif 90 <= p <= 97:
            fg = p - 90 + 8
        elif 40 <= p <= 47:
            bg = p - 40
        elif 100 <= p <= 107:
            bg = p - 100 + 8
        elif p == 39:
            fg = None
        elif p == 49:
            bg = None
        elif p in (38, 48) and i + 1 < len(ps):
            if ps[i + 1] == 5 and i + 2 < len(ps):
                v, i = ps[i + 2], i + 2
            elif ps[i + 1] == 2 and i + 4 < len(ps):
                v, i = tuple(ps[i + 2:i + 5]), i + 4
            else:
                v = None
            fg, bg = (v, bg) if p == 38 else (fg, v)
        i += 1
    return fg, bg, frozenset(attrs)


BLANK = (" ", seen(" ", DEFAULT))


def width(ch):
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def parse(text, cols):
    """Rows of cells (glyph, rendition), each row cols cells wide."""
    rows, rend = [], DEFAULT
    for line in text.split("\n"):
        row = []
        for tok in re.split(r"(\x1b\[[0-9;:]*m)", line):
            if tok.startswith("\x1b["):
                rend = apply_sgr(tok[2:-1], rend)
                continue
            for ch in tok:
                row.append((ch, seen(ch, rend)))
                if width(ch) == 2:
                    row.append(("", rend))  # the right half of a wide glyph
        rows.append((row + [BLANK] * cols)[:cols])
    while rows and rows[-1] == [BLANK] * cols and len(rows) > 1:
        rows.pop()
    return rows


def color_params(v, base):
    """SGR parameters for a foreground (base 30) or background (base 40) colour."""
    if v is None:
        return [str(base + 9)]
    if isinstance(v, tuple):
        return [str(base + 8), "2"] + [str(x) for x in v]
    if v < 8:
        return [str(base + v)]
    if v < 16:
        return [str(base + 60 + v - 8)]
    return [str(base + 8), "5", str(v)]


ON_CODE = {name: code for code, name in ATTRS.items()}


def sgr_bytes(a, b):
    """Bytes of the shortest SGR taking rendition a to b (0 when equal; b's foreground ANY:
    the one set stays)."""
    if b[0] == ANY:  # a space: whatever foreground is set
        b = (a[0] if a[0] != ANY else None, b[1], b[2])
    if a == b:
        return 0
    full = ["0"] + [str(ON_CODE[x]) for x in sorted(b[2])]
    full += color_params(b[0], 30) if b[0] is not None else []
    full += color_params(b[1], 40) if b[1] is not None else []
    if b == DEFAULT:
        full = []  # CSI m
    inc = []
    gone = a[2] - b[2]
    if gone:
        offs = sorted({OFF_CODE[x] for x in gone})
        inc += [str(c) for c in offs]
        # 22 takes away bold and dim together: one that stays is set again
        kept = b[2] & {"bold", "dim"} if 22 in offs else set()
        inc += [str(ON_CODE[x]) for x in sorted(kept)]
    inc += [str(ON_CODE[x]) for x in sorted(b[2] - a[2])]
    if a[0] != b[0]:
        inc += color_params(b[0], 30)
    if a[1] != b[1]:
        inc += color_params(b[1], 40)
    return 3 + min(len(";".join(full)), len(";".join(inc)))


def written(term, cell):
    """The terminal's rendition after writing a cell of rendition cell over rendition term."""
    return (term[0], cell[1], cell[2]) if cell[0] == ANY else cell


def move_bytes(y, frm, x):
    """The cheapest move to column x of row y: CUP, CHA (`CSI col G`) or, from column frm of
    the same row (None: another row), CUF (`CSI n C`)."""
    cup = len("\x1b[%dH" % (y + 1)) if x == 0 else len("\x1b[%d;%dH" % (y + 1, x + 1))
    if frm is None:
        return cup
    if frm == x:
        return 0
    cha = len("\x1b[%dG" % (x + 1)) if x else 3
    cuf = (len("\x1b[%dC" % (x - frm)) if x - frm > 1 else 3) if x > frm else cup
    return min(cup, cha, cuf)


def is_blank(cell):
    return cell[0] == " " and not cell[1][2]


def blank_run(row, x):
    """End (exclusive) of the run of blanks of one background from column x."""
    e = x
    while e < len(row) and is_blank(row[e]) and row[e][1][1] == row[x][1][1]:
        e += 1
    return e


def row_update(y, old, new, rend):
    """Bytes of the least update of row y's changed cells, and the rendition it leaves."""
    cols = len(new)
    diff = [x for x in range(cols) if old[x] != new[x]]
    cost, at, i = 0, None, 0
    while i < len(diff):
        x = diff[i]
        if at is not None and at < x:  # rewriting the unchanged cells between may be cheaper
            gap, r = 0, rend
            for g in range(at, x):
                gap += sgr_bytes(r, new[g][1]) + len(new[g][0].encode())
                r = written(r, new[g][1])
            move = move_bytes(y, at, x)
            if gap < move:
                rend, cost, at = r, cost + gap, x
        cost += move_bytes(y, at, x)
        at = x
        if is_blank(new[x]):
            e = blank_run(new, x)
            last = max(k for k in diff[i:] if k < e)  # the last changed blank of the run
            erase = (rend[0], new[x][1][1], frozenset())  # erasing takes the background
            if e == cols:  # to the row's end: CSI K
                cost += sgr_bytes(rend, erase) + 3
                return cost, erase
            nxt = next((k for k in diff[i:] if k >= e), None)
            after = 0 if nxt is None else move_bytes(y, last + 1, nxt)
            write = sgr_bytes(rend, new[x][1]) + (last - x + 1) + after
            ech = sgr_bytes(rend, erase) + len("\x1b[%dX" % (last - x + 1)) + \
                (0 if nxt is None else move_bytes(y, x, nxt))
            if ech < write:
                cost += ech - (0 if nxt is None else move_bytes(y, x, nxt))
                rend = erase
            else:
                cost += write - after
                rend, at = written(rend, new[x][1]), last + 1
            while i < len(diff) and diff[i] <= last:
                i += 1
            continue
        cost += sgr_bytes(rend, new[x][1]) + len(new[x][0].encode())
        rend, at = written(rend, new[x][1]), x + 1
        i += 1
    return cost, rend


def minimal_update(before, after):
    """(changed cells, bytes of the minimal update) from screen before to screen after."""
    changed, cost, rend = 0, 0, DEFAULT
    cols = len(after[0]) if after else len(before[0])
    blank = [BLANK] * cols
    for y in range(max(len(before), len(after))):
        old = before[y] if y < len(before) else blank
        new = after[y] if y < len(after) else blank
        changed += sum(old[x] != new[x] for x in range(cols))
        c, rend = row_update(y, old, new, rend)
        cost += c
    return changed, cost


def main():
    cols = int(sys.argv[3])
    a = parse(open(sys.argv[1], encoding="utf-8").read(), cols)
    b = parse(open(sys.argv[2], encoding="utf-8").read(), cols)
    print("changed %d %d" % minimal_update(a, b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
