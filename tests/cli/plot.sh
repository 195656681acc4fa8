# rnnscope plot --data: options, errors, defaults by rank, colours, locale, width, a closed pipe.
# Expected pictures are the small cases worked out by hand in tests/unit/test_render_*.c.
. "$top_srcdir/tests/lib.sh"
NPYTOOL=$top_builddir/tests/helpers/npytool
export LC_ALL=C.UTF-8
unset NO_COLOR COLUMNS

# same_output "description" file-a file-b
same_output() { if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1"; diff "$2" "$3" | head -20 | diag; fi; }
# contains "description" needle file / lacks ...
contains() { if grep -qF -- "$2" "$3"; then ok "$1"; else not_ok "$1"; head -20 "$3" | diag; fi; }
lacks() { if grep -qF -- "$2" "$3"; then not_ok "$1"; head -20 "$3" | diag; else ok "$1"; fi; }

printf '0\n1\n2\n3\n' > "$T/ramp.csv"
printf '1\n-1\n' > "$T/pm.csv"
printf '1,2\n3,4\n' > "$T/sq.csv"
printf '1,2,3\n4,5,6\n7,8,9\n' > "$T/sq9.csv"
printf '1,3\n2,4\n' > "$T/sqT.csv"
printf '1,2,3\n4,5,6\n7,8,9\n' > "$T/m3.csv"
printf '2\n5\n8\n' > "$T/col1.csv"
printf '1,3\n4,6\n7,9\n' > "$T/col02.csv"
printf '4,5,6\n7,8,9\n' > "$T/rows12.csv"
"$NPYTOOL" pattern "$T/r1.npy" 7
"$NPYTOOL" pattern "$T/r2.npy" 40 5
"$NPYTOOL" pattern "$T/r3.npy" 3 40 5
"$NPYTOOL" pattern "$T/r4.npy" 1 2 2 2
"$NPYTOOL" pattern "$T/k.npy" 3 8
"$NPYTOOL" pattern "$T/rk.npy" 2 8
"$NPYTOOL" pattern "$T/b.npy" 8
"$NPYTOOL" pattern "$T/big.npy" 20000 4
P="$RNNSCOPE plot"

# ---- help and misuse: exit 2, one line ----
out=$($P --help); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q '^Usage: rnnscope plot --data'; then ok "plot --help"
else not_ok "plot --help"; fi
expect_fail 2 "nothing to plot" "no data is misuse" $P
expect_fail 2 "unknown option '--bogus'" "unknown option" $P --data "$T/ramp.csv" --bogus
expect_fail 2 "needs a value" "option without its value" $P --data "$T/ramp.csv" --width
expect_fail 2 "bad --width '0'" "--width 0" $P --data "$T/ramp.csv" --width 0
expect_fail 2 "bad --height 'x'" "--height x" $P --data "$T/ramp.csv" --height x
expect_fail 2 "bad --channels '5-2'" "reversed channel range" $P --data "$T/ramp.csv" --channels 5-2
expect_fail 2 "bad --channels '1,,x'" "bad channel list" $P --data "$T/ramp.csv" --channels 1,,x
expect_fail 2 "bad --timesteps '5:3'" "empty timestep window" $P --data "$T/ramp.csv" --timesteps 5:3
expect_fail 2 "unknown view 'pie'" "unknown view" $P --data "$T/ramp.csv" --view pie
expect_fail 2 "bad norm '2:1'" "norm with vmin > vmax" $P --data "$T/ramp.csv" --norm 2:1
expect_fail 2 "unknown colormap 'jet'" "unknown colormap" $P --data "$T/ramp.csv" --cmap jet
expect_fail 2 "unknown --color 'sometimes'" "unknown --color" $P --data "$T/ramp.csv" --color sometimes
out=$($P --data "$T/ramp.csv" --view heatmap --graphics sixel --width 20 --height 5 | head -c 2000)
if printf '%s' "$out" | grep -q "$(printf '\033Pq')"; then ok "--graphics sixel prints the heatmap as sixel"
else not_ok "--graphics sixel prints the heatmap as sixel"; fi
# the sixel heatmap's axes are text as in Unicode: the picture is printed with blank cells at the
# map and the colour bar's strip, then each image goes over its cells (save the cursor, up to
# its row, right to its column, the image, restore): the map 8 rows up at column 7 (after
# "query" and the row labels), the strip 1 row up at column 10 (after "-9 ")
$P --data "$T/sq9.csv" --view heatmap --graphics sixel --color never --width 30 --height 10 > "$T/six"
"$PY" -c 'import re, sys
d = open(sys.argv[1], "rb").read()
places = re.findall(rb"\x1b7\x1b\[(\d+)A\x1b\[(\d+)G\x1bP", d)
text = re.sub(rb"\x1b7.*?\x1b8", b"", d, flags=re.S).decode().split("\n")
assert places == [(b"8", b"7"), (b"1", b"10")], places
assert text[1].strip() == "query" and text[2].split() == ["0"] and text[8].split() == ["0", "key", "2"], text
assert text[9].split() == ["-9", "9"], text' "$T/six" && ok "plot --graphics sixel: axes in text, the heatmap and its colour bar placed over blank cells" ||
    { not_ok "plot --graphics sixel: axes in text, the heatmap and its colour bar placed over blank cells"; cat -v "$T/six" | head -c 600 | diag; }
# on a terminal of 20 rows: a picture of 19 lines gets its images; one of 30 scrolls its top off
# the screen, where no image could be placed: the map is text then
sixel_lines() { # HEIGHT: "IMAGES LINES" that plot writes in a 80x20 pseudo-terminal
    TERM=xterm-256color LC_ALL=C.UTF-8 "$PY" "$top_srcdir/tests/tui/pty_term.py" --size 80x20 --log "$T/pty" -- \
        "$RNNSCOPE" plot --data "$T/sq9.csv" --view heatmap --graphics sixel --height "$1" > /dev/null
    "$PY" -c 'import sys; d = open(sys.argv[1], "rb").read(); print(d.count(b"\x1bP"), d.count(b"\n"))' "$T/pty"
}
# whole_or_text: both cases as expected; tried twice, since one run in a full `make check` under
# load (session 7) counted otherwise and its diagnostic re-run counted right (the cause, a timing
# in the pseudo-terminal, not found yet)
whole_or_text() { [ "$(sixel_lines 19)" = "2 19" ] && [ "$(sixel_lines 30)" = "0 30" ]; }
if whole_or_text || whole_or_text; then
    ok "plot --graphics sixel places images only when the whole picture is on the screen"
else not_ok "plot --graphics sixel places images only when the whole picture is on the screen"
    echo "19 lines: $(sixel_lines 19); 30 lines: $(sixel_lines 30)" | diag; fi
expect_fail 2 "needs --layer" "a MODEL needs --layer" $P model.h5
expect_fail 1 "cannot open" "a missing MODEL file" $P model.h5 --layer lstm
expect_fail 2 "either MODEL or --data" "MODEL and --data together" $P model.h5 --data "$T/ramp.csv"
expect_fail 2 "unexpected argument" "two positional arguments" $P a.h5 b.h5

# ---- bad data: exit 1, one line naming the file ----
expect_fail 1 "$T/missing.npy" "a missing file" $P --data "$T/missing.npy"
expect_fail 1 "rank 1, 2 or 3" "a rank-4 array" $P --data "$T/r4.npy"
expect_fail 1 "channel 9 is outside 0..0" "a channel out of range" $P --data "$T/ramp.csv" --channels 9
expect_fail 1 "past the 4 timesteps" "a window past the end" $P --data "$T/ramp.csv" --timesteps 7:9
expect_fail 1 "needs a batch" "--sample of a rank-2 array" $P --data "$T/ramp.csv" --sample 1
expect_fail 1 "sample 3 is outside the batch of 3" "--sample past the batch" $P --data "$T/r3.npy" --sample 3
expect_fail 1 "not a multiple of 3 gates" "weights with a wrong gate count" $P --data "$T/k.npy" --view weights --gates 3

# ---- pictures worked out by hand ----
$P --data "$T/ramp.csv" --graphics ascii --width 4 --height 4 | tail -n +2 > "$T/got"
printf "0\\n  .|\\n_|'\\n" > "$T/want"
same_output "ASCII lines of 0,1,2,3 in 4x3" "$T/want" "$T/got"
$P --data "$T/ramp.csv" --graphics unicode --width 2 --height 3 | tail -n +2 > "$T/got"
printf '0\n\342\243\240\342\240\236\n' > "$T/want"  # ⣠⠞
same_output "braille lines of 0,1,2,3 in 2x2" "$T/want" "$T/got"
$P --data "$T/pm.csv" --view bars --graphics ascii --width 4 --height 3 | tail -n +2 > "$T/got"
printf '##\n  ##\n' > "$T/want"
same_output "ASCII bars of 1,-1 in 4x2" "$T/want" "$T/got"
# plot decides the graphics mode as the explorer does (src/term): RNNSCOPE_GRAPHICS as the man
# page says, --graphics over it; into a pipe the locale decides, whatever TERM says
$P --data "$T/ramp.csv" --graphics ascii --width 4 --height 4 > "$T/want"
RNNSCOPE_GRAPHICS=ascii $P --data "$T/ramp.csv" --width 4 --height 4 > "$T/got"
same_output "RNNSCOPE_GRAPHICS=ascii gives ASCII" "$T/want" "$T/got"
$P --data "$T/ramp.csv" --graphics unicode --width 4 --height 4 > "$T/want"
RNNSCOPE_GRAPHICS=ascii $P --data "$T/ramp.csv" --graphics unicode --width 4 --height 4 > "$T/got"
same_output "--graphics wins over RNNSCOPE_GRAPHICS" "$T/want" "$T/got"
TERM=dumb RNNSCOPE_GRAPHICS= $P --data "$T/ramp.csv" --width 4 --height 4 > "$T/got"
same_output "into a pipe, a UTF-8 locale gives Unicode whatever TERM says" "$T/want" "$T/got"
$P --data "$T/ramp.csv" --width 80 | head -n 1 > "$T/got"
printf 'shape (4, 1)  min 0  max 3  mean 1.5  std 1.118  NaN 0  Inf 0\n' > "$T/want"
same_output "the stats line" "$T/want" "$T/got"
$P --data "$T/ramp.csv" --width 30 | head -n 1 > "$T/got"
printf 'shape (4, 1)  min 0  max 3\n' > "$T/want"
same_output "the stats line is cut between fields" "$T/want" "$T/got"

# ---- defaults by rank, selections ----
$P --data "$T/r1.npy" --width 40 > "$T/a"; $P --data "$T/r1.npy" --width 40 --view bars > "$T/b"
same_output "rank 1 is drawn as bars" "$T/a" "$T/b"
$P --data "$T/r2.npy" --width 40 > "$T/a"; $P --data "$T/r2.npy" --width 40 --view lines > "$T/b"
same_output "rank 2 is drawn as lines" "$T/a" "$T/b"
$P --data "$T/r3.npy" --width 40 > "$T/a"; $P --data "$T/r3.npy" --width 40 --sample 0 > "$T/b"
same_output "rank 3 takes sample 0" "$T/a" "$T/b"
$P --data "$T/r3.npy" --width 40 --sample 2 > "$T/c"
if cmp -s "$T/a" "$T/c"; then not_ok "--sample 2 is another picture"; else ok "--sample 2 is another picture"; fi
$P --data "$T/sq.csv" --view heatmap --graphics ascii --width 20 --height 6 --transpose | tail -n +2 > "$T/a"
$P --data "$T/sqT.csv" --view heatmap --graphics ascii --width 20 --height 6 | tail -n +2 > "$T/b"
# the same cells; the axis names follow the transpose (a square array is taken for attention)
grep -q ' query ' "$T/a" && grep -q ' key ' "$T/b" && ok "--transpose of a square matrix names its columns query" ||
    { not_ok "--transpose of a square matrix names its columns query"; cat "$T/a" "$T/b" | diag; }
sed -i -E 's/ +(query|key) +/ /' "$T/a" "$T/b"
same_output "--transpose of a square matrix" "$T/a" "$T/b"
$P --data "$T/m3.csv" --view hist --width 30 --channels 1 > "$T/a"
$P --data "$T/col1.csv" --view hist --width 30 > "$T/b"
same_output "--channels 1 (a contiguous window)" "$T/a" "$T/b"
$P --data "$T/m3.csv" --view hist --width 30 --channels 0,2 > "$T/a"
$P --data "$T/col02.csv" --view hist --width 30 > "$T/b"
same_output "--channels 0,2 (a copy)" "$T/a" "$T/b"
# the same picture as the rows cut out, but for the x axis, which names the absolute steps
printf '1,2,3\n4,5,6\n7,8,9\n10,11,12\n13,14,15\n' > "$T/m53.csv"
printf '4,5,6\n7,8,9\n10,11,12\n13,14,15\n' > "$T/rows14.csv"
$P --data "$T/m53.csv" --width 30 --timesteps 1: > "$T/w"; head -n -1 "$T/w" > "$T/a"
$P --data "$T/rows14.csv" --width 30 | head -n -1 > "$T/b"
same_output "--timesteps 1:" "$T/a" "$T/b"
if tail -n 1 "$T/w" | grep -qE '^1 +time +4$'; then ok "--timesteps 1: the x axis names steps 1 to 4"
else not_ok "--timesteps 1: the x axis names steps 1 to 4"; diag < "$T/w"; fi
$P --data "$T/r2.npy" --view detail --cursor 7 --width 60 > "$T/a"
contains "detail shows the cursor timestep" "t=7   value" "$T/a"
$P --data "$T/k.npy" --recurrent "$T/rk.npy" --bias "$T/b.npy" --view weights --gates lstm --width 60 --height 20 > "$T/a"
contains "weights: kernel panel" "kernel 3x8" "$T/a"
contains "weights: recurrent panel" "recurrent 2x8" "$T/a"
contains "weights: bias strip" "bias" "$T/a"
$P --data "$T/r2.npy" --view heatmap --cmap viridis --norm -1:1 --width 40 > /dev/null
check "heatmap with --cmap viridis --norm -1:1" test $? -eq 0
$P --data "$top_srcdir/tests/data/npy/empty_f4.npy" --width 20 > "$T/a"
contains "an empty array says so" "(no data)" "$T/a"
check "a rank-0 array is one bar" $P --data "$top_srcdir/tests/data/npy/scalar_f8.npy" --width 20

# ---- colour ----
esc=$(printf '\033')
$P --data "$T/r2.npy" --width 40 --color always > "$T/a"
contains "--color always colours" "$esc[" "$T/a"
NO_COLOR=1 $P --data "$T/r2.npy" --width 40 --color always > "$T/a"
contains "--color always wins over NO_COLOR" "$esc[" "$T/a"
$P --data "$T/r2.npy" --width 40 > "$T/a"
lacks "no colour into a pipe" "$esc" "$T/a"
$P --data "$T/r2.npy" --width 40 --color never > "$T/a"
lacks "--color never" "$esc" "$T/a"
if script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "$P --data $T/r2.npy --width 40 --height 10" /dev/null > "$T/a" 2>&1
    contains "colour on a terminal" "$esc[0;" "$T/a"
    NO_COLOR=1 script -qec "$P --data $T/r2.npy --width 40 --height 10" /dev/null > "$T/a" 2>&1
    lacks "NO_COLOR on a terminal" "$esc[0;" "$T/a"
else
    skip "colour on a terminal" "no script(1)"; skip "NO_COLOR on a terminal" "no script(1)"
fi

# ---- locale, width, height ----
LC_ALL=C $P --data "$T/r2.npy" --width 40 > "$T/a"
if LC_ALL=C grep -q '[^ -~]' "$T/a"; then not_ok "C locale: ASCII only"; else ok "C locale: ASCII only"; fi
$P --data "$T/r2.npy" --width 40 > "$T/a"
contains "UTF-8 locale: braille" "$(printf '\342\242')" "$T/a"
widths_ok() { # file max_width lines
    "$PY" -c 'import sys, re
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
plain = [re.sub("\x1b\\[[0-9;]*m", "", l) for l in lines]
assert len(lines) == int(sys.argv[3]), (len(lines), sys.argv[3])
assert all(len(l) <= int(sys.argv[2]) for l in plain), [len(l) for l in plain]' "$@"
}
for v in lines detail heatmap hist bars weights; do
    $P --data "$T/k.npy" --view $v --width 37 --height 12 --color always > "$T/a"
    # --height counts the stats line: H lines in all (issue 15; it printed H + 1)
    check "$v fits 37 columns and 12 lines in all" widths_ok "$T/a" 37 12
    # every H >= 1 is H lines: --height 1 is the picture alone (it printed the stats line too)
    for h in 1 2 3; do
        LC_ALL=C $P --data "$T/k.npy" --view $v --width 1 --height $h > "$T/a"
        check "$v in a 1x$h box is $h line(s)" widths_ok "$T/a" 1 $h
        $P --data "$T/k.npy" --view $v --width 30 --height $h > "$T/a"
        check "$v in a 30x$h box is $h line(s)" widths_ok "$T/a" 30 $h
    done
done
COLUMNS=50 $P --data "$T/r2.npy" > "$T/a"
check "COLUMNS sets the width off a terminal" widths_ok "$T/a" 50 20

# ---- every lines panel has a scale (issue 15) ----
# a constant channel shows its value, not an invented [-0.5, 0.5] around it
printf '0.5,0\n0.5,1\n0.5,2\n0.5,3\n' > "$T/const.csv"
$P --data "$T/const.csv" --width 40 --height 8 --graphics ascii > "$T/a"
if grep -q "=0.5" "$T/a" && ! grep -qF "[0, 1]" "$T/a" && ! grep -qF -- "-0.5" "$T/a"; then
    ok "a constant channel's label shows its value"
else not_ok "a constant channel's label shows its value"; diag < "$T/a"; fi
# narrow panels get shorter range labels instead of none: 12 channels in 6 columns of 60
"$PY" -c 'import numpy as np, sys; np.save(sys.argv[1], (np.arange(480).reshape(40, 12) % 7 - 3.25).astype("f4"))' "$T/many.npy"
$P --data "$T/many.npy" --width 60 --height 10 --graphics ascii --cols 6 > "$T/a"
if [ "$(grep -oE '(^| )[0-9]+ +-?[0-9.]+\.\.-?[0-9.]+' "$T/a" | wc -l)" -eq 12 ]; then
    ok "every narrow lines panel shows its range"
else not_ok "every narrow lines panel shows its range"; diag < "$T/a"; fi

# ---- a closed pipe ends quietly ----
$P --data "$T/big.npy" --width 200 --height 2000 2> "$T/err" | head -n 1 > /dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && [ ! -s "$T/err" ]; then ok "| head -1 ends quietly with status 0"
else not_ok "| head -1 ends quietly with status 0"; { echo "exit $rc"; cat "$T/err"; } | diag; fi
done_testing
