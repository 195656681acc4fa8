# The explorer on two checkpoints (--compare B: the key a cycles A, B, A - B) and on a directory
# of checkpoints (the timeline view, 9): scripted screens compared with `plot --compare --show`
# of the same view state, the status line, the timeline's numbers against `timeline --format
# tsv`; then the same keys in a real terminal (tmux).
. "$top_srcdir/tests/lib.sh"
D=$top_srcdir/tests/data/ckpt
A=$D/run/weights.01-1.00.h5
B=$D/run/weights.10-0.10.h5
INPUT="--input $D/input.npy"
export LC_ALL=C.UTF-8 XDG_CACHE_HOME=$T/cache

# The explorer at 120x40 with its layers panel hidden (L) draws its picture at columns 1..119,
# rows 3..37; plot draws the same box with --width 119 --height 36 (as same_picture.sh).
screen() { # OPTIONS... -- KEYS...: the whole last screen into $T/dump
    local opts=()
    while [ "$1" != "--" ]; do opts+=("$1"); shift; done
    shift
    printf '%s\n' "$@" > "$T/keys"
    : > "$T/dump"
    # shellcheck disable=SC2086 # INPUT: options, split on purpose
    "$RNNSCOPE" --headless --size 120x40 --graphics unicode $INPUT --keys "$T/keys" \
        --dump-screen "$T/dump" "${opts[@]}" > "$T/out" 2>&1
}
last_screen() {
    "$PY" -c 'import sys
screens = [s for s in open(sys.argv[1], encoding="utf-8").read().split("\f\n") if s.strip()]
print(screens[-1])' "$T/dump"
}
picture() { # the picture area of the last screen
    last_screen | "$PY" -c 'import sys
lines = sys.stdin.read().split("\n")
for l in lines[3:38]:
    print(l[1:120].rstrip())'
}
plot_picture() { # PLOT-OPTIONS...
    # shellcheck disable=SC2086 # INPUT: options, split on purpose
    "$RNNSCOPE" plot "$A" --compare "$B" $INPUT --graphics unicode --color never --width 119 \
        --height 36 "$@" | tail -n +2 | sed 's/ *$//'
}
same() { # WHAT "PLOT OPTIONS" KEYS...
    local what=$1 opts=$2; shift 2
    # shellcheck disable=SC2086 # opts: options, split on purpose
    plot_picture $opts > "$T/plot" 2>&1
    screen "$A" --compare "$B" -- "$@" L
    picture > "$T/explorer"
    if [ -s "$T/plot" ] && cmp -s "$T/plot" "$T/explorer"; then ok "$what: the explorer draws plot --compare's picture"
    else not_ok "$what: the explorer draws plot --compare's picture"; diff "$T/plot" "$T/explorer" | head -30 | diag; fi
}

same "A's detail on the scale shared with B" "--layer rnn_a --view detail --cursor 0 --show a" 2
same "B's detail (a once)" "--layer rnn_a --view detail --cursor 0 --show b" 2 a
same "A - B's detail (a twice)" "--layer rnn_a --view detail --cursor 0 --show diff" 2 a a
same "B's gates, one heatmap per gate" "--layer rnn_a --internal gates --view heatmap --show b" Enter j j a
same "B's heatmap" "--layer rnn_a --view heatmap --show b --cursor 0" 3 a
same "B's histogram" "--layer rnn_a --view hist --show b" 4 a
same "B's weights" "--layer rnn_a --view weights --show b" 6 a
same "A - B's weights" "--layer rnn_a --view weights --show diff" 6 a a
same "B's attention matrix" "--layer att_b --internal attention --view heatmap --show b --cursor 0" j Enter j j a
same "B's samples" "--layer rnn_a --view samples --show b" 7 a

# the status line and the title say what is shown; a goes round
for spec in "0:A weights.01-1.00.h5" "1:B weights.10-0.10.h5" "2:A − B" "3:A weights.01-1.00.h5"; do
    n=${spec%%:*} want=${spec#*:}
    keys=()
    for ((i = 0; i < n; i++)); do keys+=(a); done
    screen "$A" --compare "$B" -- "${keys[@]}"
    status=$(last_screen | tail -3 | head -1)
    title=$(last_screen | sed -n 2p)
    if printf '%s' "$status" | grep -qF -- "$want" && printf '%s' "$title" | grep -qF -- "$want"; then
        ok "after $n × a the status line and the view's title say '$want'"
    else not_ok "after $n × a the status line and the view's title say '$want'"; printf '%s\n%s\n' "$title" "$status" | diag; fi
done
screen "$A" -- a
status=$(last_screen | tail -3 | head -1)
printf '%s' "$status" | grep -qF -- "--compare" && ok "a without --compare says how to compare" ||
    { not_ok "a without --compare says how to compare"; echo "$status" | diag; }

# the timeline view on a directory: the histogram heatmap and the statistics as lines; the
# weight norm's range is that of `timeline --format tsv` over the checkpoints
screen "$D/run" -- 9
last_screen > "$T/tl"
if grep -qF "weights over 4 checkpoints" "$T/tl" && grep -qF "|W| i" "$T/tl" && grep -qF "|W| o" "$T/tl" &&
   grep -qF "out mean" "$T/tl" && grep -qF "saturated" "$T/tl" && grep -qF "[timeline] rnn_a" "$T/tl"; then
    ok "9 on a directory: the timeline view of rnn_a (histogram over 4 checkpoints, |W| per gate, output, saturation)"
else not_ok "9 on a directory: the timeline view of rnn_a"; diag < "$T/tl"; fi
# shellcheck disable=SC2086 # INPUT: options, split on purpose
"$RNNSCOPE" timeline "$D/run" --layer rnn_a $INPUT --format tsv > "$T/tsv" 2>&1
if out=$("$PY" -c 'import sys, re
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
norms = [float(r[3]) for r in rows if len(r) > 3 and r[2] == "rnn_a"]
text = open(sys.argv[2], encoding="utf-8").read()
m = re.search(r"\|W\|\s{2,}\[(-?[0-9.e+-]+), (-?[0-9.e+-]+)\]", text)
lo, hi = min(norms), max(norms)
assert len(norms) == 4 and m, (norms, m)
got = (float(m.group(1)), float(m.group(2)))
assert abs(got[0] - lo) <= 1e-3 * lo and abs(got[1] - hi) <= 1e-3 * hi, (lo, hi, got)
print("|W| from %.4g to %.4g" % (lo, hi))' "$T/tsv" "$T/tl" 2>&1); then
    ok "the timeline view's |W| line spans the norms timeline --format tsv prints ($out)"
else not_ok "the timeline view's |W| line spans the norms timeline --format tsv prints"; { echo "$out"; cat "$T/tsv"; } | diag; fi
screen "$A" -- 9
if last_screen | grep -qF "needs a directory of checkpoints"; then ok "9 on a single file says the timeline needs a directory"
else not_ok "9 on a single file says the timeline needs a directory"; last_screen | diag; fi

# gradients are not built for A, B or A - B: d says so and leaves the values on screen
screen "$A" --compare "$B" -- 3 d
if last_screen | grep -qF "not shown while comparing" && ! last_screen | grep -qF ", gradient]"; then
    ok "d while comparing says gradients are not shown"
else not_ok "d while comparing says gradients are not shown"; last_screen | diag; fi
"$RNNSCOPE" --headless --grad "$A" --compare "$B" > "$T/out" 2>&1
if [ $? -eq 2 ] && grep -qF -- "--compare B needs" "$T/out"; then ok "--grad with --compare is misuse"
else not_ok "--grad with --compare is misuse"; diag < "$T/out"; fi

# a real terminal
if ! command -v tmux >/dev/null; then skip "compare key in tmux" "no tmux"; done_testing; exit 0; fi
SOCK=rs-compare-$$
trap 'tm kill-server 2>/dev/null; tmux -L "rs-compare-$$" kill-server 2>/dev/null; rm -rf "$T"' EXIT
tm new-session -d -s rs -x 120 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_CACHE_HOME='$T/cache' '$RNNSCOPE' '$A' --compare '$B' $INPUT; echo EXITED:\$?; sleep 60"
tm set -g window-size manual
if wait_for "A weights.01-1.00.h5" 10; then ok "tmux: the explorer opens on A"; else not_ok "tmux: the explorer opens on A"; diag < "$T/pane"; fi
tm send-keys -t rs a
if wait_for "B weights.10-0.10.h5" 5; then ok "tmux: a shows B"; else not_ok "tmux: a shows B"; diag < "$T/pane"; fi
tm send-keys -t rs a
if wait_for "A − B" 5; then ok "tmux: a again shows A − B"; else not_ok "tmux: a again shows A − B"; diag < "$T/pane"; fi
tm send-keys -t rs q
wait_for "EXITED:0" 5 && ok "tmux: q quits with 0" || { not_ok "tmux: q quits with 0"; diag < "$T/pane"; }
tm kill-server 2>/dev/null
SOCK=rs-compare2-$$
tm new-session -d -s rs -x 120 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_CACHE_HOME='$T/cache' '$RNNSCOPE' '$D/run' $INPUT; echo EXITED:\$?; sleep 60"
if wait_for "Layers" 10; then
    tm send-keys -t rs 9
    if wait_for "weights over 4 checkpoints" 10; then ok "tmux: 9 on a directory shows the timeline view"
    else not_ok "tmux: 9 on a directory shows the timeline view"; diag < "$T/pane"; fi
    # on a terminal the statistics are gathered in the background (the status line counts
    # them meanwhile): once done, the view holds the numbers the headless one held
    wh() { grep -oE '\|W\| {2,}\[[^]]*\]' "$1" | head -n 1; }
    i=0
    while [ $i -lt 100 ]; do
        tm capture-pane -p -t rs > "$T/pane"
        ! grep -qE 'timeline [0-9]+/[0-9]+' "$T/pane" && [ "$(wh "$T/pane")" = "$(wh "$T/tl")" ] && break
        sleep 0.1; i=$((i + 1))
    done
    if [ $i -lt 100 ] && [ -n "$(wh "$T/tl")" ]; then
        ok "tmux: gathered in the background, |W| spans what the headless view shows ($(wh "$T/pane")), no count left on the status line"
    else not_ok "tmux: the timeline gathered in the background"; { wh "$T/tl"; cat "$T/pane"; } | diag; fi
else not_ok "tmux: the explorer opens on a directory"; diag < "$T/pane"; fi
tm send-keys -t rs q
done_testing
