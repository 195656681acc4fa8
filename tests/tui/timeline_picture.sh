# The timeline view's picture (issue 19): the checkpoints' epochs under the heatmap and under
# the lines, the cursor keys moving over the checkpoints with the status line naming the one
# under the cursor, a checkpoint that does not load shown as an empty column marked as such
# (it was left out without a word), its reason on the status line with hostile file names
# escaped; and `plot DIR --view timeline` drawing the explorer's picture of the same state
# (as same_picture.sh for the other views), so that the two front ends cannot drift.
. "$top_srcdir/tests/lib.sh"
D=$top_srcdir/tests/data/ckpt
INPUT="--input $D/input.npy"
export LC_ALL=C.UTF-8 XDG_CACHE_HOME=$T/cache

# the run's epochs 1, 2, 3 and 10, and epoch 5 cut short (a checkpoint being written)
mkdir "$T/run" && cp "$D"/run/*.h5 "$T/run/"
head -c 3000 "$D/run/weights.10-0.10.h5" > "$T/run/weights.05-0.20.h5"

# The explorer at 120x40 with its layers panel hidden (L) draws its picture at columns 1..119,
# rows 3..37; plot draws the same box with --width 119 --height 36 (as same_picture.sh).
screen() { # DIR KEYS...: the whole last screen into $T/screen, its picture into $T/explorer
    local dir=$1; shift
    printf '%s\n' "$@" > "$T/keys"
    : > "$T/dump"
    # shellcheck disable=SC2086 # INPUT: options, split on purpose
    "$RNNSCOPE" --headless --size 120x40 --graphics "${GFX:-unicode}" $INPUT --keys "$T/keys" \
        --dump-screen "$T/dump" "$dir" > "$T/out" 2>&1
    "$PY" -c 'import sys
screens = [s for s in open(sys.argv[1], encoding="utf-8").read().split("\f\n") if s.strip()]
last = screens[-1] if screens else ""
open(sys.argv[2], "w", encoding="utf-8").write(last + "\n")  # as print() writes it
lines = last.split("\n")
with open(sys.argv[3], "w", encoding="utf-8") as f:
    for l in lines[3:38]:
        print(l[1:120].rstrip(), file=f)' "$T/dump" "$T/screen" "$T/explorer"
}
status() { tail -3 "$T/screen" | head -1; }
plot_picture() { # DIR PLOT-OPTIONS...: the picture into $T/plot, its first line into $T/line
    local dir=$1; shift
    # shellcheck disable=SC2086 # INPUT: options, split on purpose
    "$RNNSCOPE" plot "$dir" --view timeline $INPUT --graphics "${GFX:-unicode}" --color never \
        --width 119 --height 36 "$@" > "$T/plot.raw" 2> "$T/plot.err"
    head -1 "$T/plot.raw" > "$T/line"
    tail -n +2 "$T/plot.raw" | sed 's/ *$//' > "$T/plot"
}
same() { # WHAT "PLOT OPTIONS" KEYS...
    local what=$1 opts=$2; shift 2
    # shellcheck disable=SC2086 # opts: options, split on purpose
    plot_picture "$T/run" $opts
    screen "$T/run" "$@" L
    if [ -s "$T/plot" ] && cmp -s "$T/plot" "$T/explorer"; then ok "$what: plot draws the explorer's picture"
    else not_ok "$what: plot draws the explorer's picture"; { cat "$T/plot.err"; diff "$T/plot" "$T/explorer" | head -30; } | diag; fi
}
# rows of a picture whose words are exactly the given ones
row_is() { # FILE WORDS...
    local file=$1; shift
    "$PY" -c 'import sys
want = sys.argv[2:]
sys.exit(0 if any(l.split() == want for l in open(sys.argv[1], encoding="utf-8")) else 1)' "$file" "$@"
}

# ---- epochs under the heatmap and the lines ----
screen "$T/run" 9 L
if row_is "$T/explorer" epoch 1 2 3 5 10; then ok "the epochs 1 2 3 5 10 under the heatmap, named"
else not_ok "the epochs 1 2 3 5 10 under the heatmap, named"; diag < "$T/explorer"; fi
if row_is "$T/explorer" 1 2 3 5 10 1 2 3 5 10 1 2 3 5 10; then ok "the epochs under each column of the statistics' lines"
else not_ok "the epochs under each column of the statistics' lines"; diag < "$T/explorer"; fi
case $(status) in
    *"epoch 10 · weights.10-0.10.h5"*) ok "the status line names the checkpoint under the cursor: the newest at first" ;;
    *) not_ok "the status line names the checkpoint under the cursor: the newest at first"; status | diag ;;
esac

# ---- the checkpoint that did not load ----
case $(status) in
    *"; 1 of 5 checkpoints did not load: weights.05-0.20.h5: "*) ok "the status line says how many did not load and why" ;;
    *) not_ok "the status line says how many did not load and why"; status | diag ;;
esac
if grep -qF "× did not load" "$T/explorer" && "$PY" -c 'import sys
rows = [r.ljust(119) for r in open(sys.argv[1], encoding="utf-8").read().split("\n")]
mark = [r for r in rows if "\u00d7" in r and "did not load" not in r]
assert len(mark) == 1, mark
y, x = rows.index(mark[0]), mark[0].index("\u00d7")
tick = next(i for i, r in enumerate(rows) if r.split()[:1] == ["epoch"])
column = [rows[i][x] for i in range(y + 1, tick)]
assert len(column) >= 3 and set(column) == {" "}, column
left = [rows[i][x - 3] for i in range(y + 1, tick)]
assert set(left) != {" "}, left   # the loaded checkpoint beside it is drawn
assert rows[tick][x:x + 2].strip() == "5", rows[tick]' "$T/explorer"; then
    ok "epoch 5 (cut short) is an empty column marked × above it, its epoch under it"
else not_ok "epoch 5 (cut short) is an empty column marked × above it"; diag < "$T/explorer"; fi

# ---- the cursor keys move over the checkpoints ----
screen "$T/run" 9 '['
case $(status) in
    *"epoch 5 · weights.05-0.20.h5 did not load"*) ok "[ moves the cursor to epoch 5, which did not load" ;;
    *) not_ok "[ moves the cursor to epoch 5, which did not load"; status | diag ;;
esac
screen "$T/run" 9 L Left Left Left
if status | grep -qF "epoch 2 · weights.02-0.50.h5" && grep -qF "▼2" "$T/explorer"; then
    ok "Left with the view focused goes back over the checkpoints (▼2 above the map)"
else not_ok "Left with the view focused goes back over the checkpoints"; { status; cat "$T/explorer"; } | diag; fi
screen "$T/run" 9 S-Left S-Left S-Left S-Left S-Left S-Left ']'
case $(status) in
    *"epoch 2 · weights.02-0.50.h5"*) ok "the cursor stops at the oldest; ] moves it on" ;;
    *) not_ok "the cursor stops at the oldest; ] moves it on"; status | diag ;;
esac

# ---- plot DIR --view timeline: the explorer's picture ----
same "the newest under the cursor" "--layer rnn_a --cursor 4" 9
same "the cursor on epoch 3" "--layer rnn_a --cursor 2" 9 '[' '['
same "the cursor on epoch 5, which did not load" "--layer rnn_a --cursor 3" 9 '['
same "the attention layer" "--layer att_b --cursor 4" j 9
GFX=ascii same "ASCII" "--layer rnn_a --cursor 1" 9 '[' '[' '['
# sixel terminals: the timeline is drawn in text cells (its map is no image yet), labels and all
GFX=sixel same "sixel" "--layer rnn_a --cursor 4" 9
if row_is "$T/explorer" epoch 1 2 3 5 10; then ok "sixel: the epochs under the heatmap"
else not_ok "sixel: the epochs under the heatmap"; diag < "$T/explorer"; fi
unset GFX
plot_picture "$T/run" --layer rnn_a --cursor 2
case $(cat "$T/line") in
    "rnn_a over 5 checkpoints: epoch 3 · weights.03-0.33.h5; 1 of 5 checkpoints did not load: weights.05-0.20.h5: "*)
        ok "plot's first line names the layer, the cursor's checkpoint and what did not load" ;;
    *) not_ok "plot's first line names the layer, the cursor's checkpoint and what did not load"; diag < "$T/line" ;;
esac
# shellcheck disable=SC2086 # INPUT: options, split on purpose
expect_fail 1 "--cursor 5: the directory has 5 checkpoints" "plot --cursor past the last checkpoint" \
    "$RNNSCOPE" plot "$T/run" --view timeline --layer rnn_a $INPUT --cursor 5
expect_fail 2 "--view timeline draws DIR" "plot --view timeline of --data is misuse" \
    "$RNNSCOPE" plot --data "$D/input.npy" --view timeline
expect_fail 2 "--view timeline draws DIR" "plot --view timeline with --compare is misuse" \
    "$RNNSCOPE" plot "$T/run" --view timeline --layer rnn_a --compare "$D/run/weights.01-1.00.h5"

# ---- hostile names: a checkpoint that does not load, named with OSC 0 and BEL ----
mkdir "$T/hostile" && cp "$D"/run/*.h5 "$T/hostile/"
bad=$(printf 'weights.07-\033]0;pwned\007.h5')
head -c 3000 "$D/run/weights.10-0.10.h5" > "$T/hostile/$bad"
screen "$T/hostile" 9 '['
if status | grep -qF 'weights.07-\x1b]0;pwned\x07.h5' && ! grep -q "$(printf '\033')" "$T/dump"; then
    ok "a hostile checkpoint name is shown escaped on the status line, never sent as is"
else not_ok "a hostile checkpoint name is shown escaped on the status line"; status | diag; fi
# shellcheck disable=SC2086 # INPUT: options, split on purpose
"$RNNSCOPE" plot "$T/hostile" --view timeline --layer rnn_a $INPUT --cursor 3 --color never > "$T/out" 2>&1
if head -1 "$T/out" | grep -qF 'weights.07-\x1b]0;pwned\x07.h5' && ! grep -q "$(printf '\033')" "$T/out"; then
    ok "plot escapes it too"
else not_ok "plot escapes it too"; head -1 "$T/out" | diag; fi
# ---- a cursor step over a link (issue 16: <= 200 bytes a step) ----
# each statistic's panel marked the cursor's checkpoint and the lines' labels named it again: a
# step cost 1.3 KB at 120x40; the mark above the map and the status line are what change now
export LC_ALL=C.UTF-8 TERM=xterm-256color
$PY "$top_srcdir/tests/tui/pty_term.py" --size 120x40 --step 9 --step '[' --step '[' --step ']' \
    --step q -- "$RNNSCOPE" --graphics unicode "$D/run" > "$T/bytes" 2>&1
if awk '$1 == "step" && $2 >= 2 && $2 <= 4 && $3 > 0 && $3 <= 200 {a++} END {exit a != 3}' "$T/bytes"; then
    ok "a cursor step over the checkpoints costs at most 200 bytes"
else not_ok "a cursor step over the checkpoints costs at most 200 bytes"; diag < "$T/bytes"; fi
done_testing
