# The explorer behind a slow link, in a pseudo-terminal played by tests/tui/pty_term.py: replies
# to the start-up queries that arrive late are dropped, never run as keys.
. "$top_srcdir/tests/lib.sh"
MODEL=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5
PTY="$PY $top_srcdir/tests/tui/pty_term.py"
export LC_ALL=C.UTF-8 TERM=xterm-256color

# late DELAY: the explorer for 3.5 s under replies arriving DELAY s late, then its screen
late() {
    printf 'wait:3500\ndump\nq\n' > "$T/keys"
    rm -f "$T/dump"
    $PTY --answer xterm-sixel --answer-delay "$1" -- "$RNNSCOPE" --keys "$T/keys" \
        --dump-screen "$T/dump" "$MODEL" > "$T/pty" 2>&1
}
untouched() { # the screen is the one the explorer starts with
    grep -q '\[lines\] lstm_1' "$T/dump" && grep -q ' bwr ' "$T/dump" &&
        ! grep -q 'equal-axes\|viridis\|rnnscope keys' "$T/dump" && grep -q '^exit 0' "$T/pty"
}
for delay in 1 2; do
    if late $delay && untouched; then ok "replies $delay s late are not taken for keys"
    else not_ok "replies $delay s late are not taken for keys"; cat "$T/pty" "$T/dump" 2>/dev/null | diag; fi
done

# keys typed after the late replies still act (the filter gives keys back)
printf 'wait:2500\ndump\nq\n' > "$T/keys"
rm -f "$T/dump"
$PTY --answer xterm-sixel --answer-delay 1 --step '' --step 'j' --step '\x1b' --step '4' -- \
    "$RNNSCOPE" --keys "$T/keys" --dump-screen "$T/dump" "$MODEL" > "$T/pty" 2>&1
if grep -q '\[hist\] seq_self_attention_1' "$T/dump"; then ok "keys after the late replies act, Esc included"
else not_ok "keys after the late replies act, Esc included"; cat "$T/pty" "$T/dump" 2>/dev/null | diag; fi
# bytes per key on the demo's heatmaps, sixel forced: a key that changes text beside the image
# costs that text, never the image again (it cost ~246 KB a key); a new picture is two images,
# the heatmap and its colour bar's strip
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
$PTY --size 120x40 --step 3 --step ']' --step ']' --step '\t' --step j --step k --step '\t' \
    --step 'j' --step '3' --step q -- "$RNNSCOPE" --graphics sixel "$DEMO" > "$T/bytes" 2>&1
# step N BYTES IMAGES
if awk '$1 == "step" && $2 == 1 && $4 == 2 {a++} $1 == "step" && $2 >= 2 && $2 <= 7 && $3 <= 200 && $4 == 0 {b++}
        $1 == "step" && $2 == 9 && $4 == 2 {c++} END {exit !(a == 1 && b == 6 && c == 1)}' "$T/bytes"; then
    ok "sixel: cursor, focus and channel keys cost at most 200 bytes and send no image"
else not_ok "sixel: cursor, focus and channel keys cost at most 200 bytes and send no image"; diag < "$T/bytes"; fi
# the cursor over a link (issue 16's budgets): a cursor step in the detail view at 200x60 (its
# cursor was a full-height column: 2.3 KB a step) and a channel move in the lines view (the
# column moved between panels: 410 B) stay within 200 and 300 bytes; Unicode, 256 colours
$PTY --size 200x60 --step 2 --step ']' --step ']' --step ']' --step 1 --step '\t' --step j \
    --step j --step q -- "$RNNSCOPE" --graphics unicode "$DEMO" > "$T/bytes" 2>&1
if awk '$1 == "step" && $2 >= 2 && $2 <= 4 && $3 <= 200 {a++} $1 == "step" && $2 >= 7 && $2 <= 8 && $3 <= 300 {b++}
        END {exit !(a == 3 && b == 2)}' "$T/bytes"; then
    ok "200x60: a detail cursor step costs at most 200 bytes, a lines channel move at most 300"
else not_ok "200x60: a detail cursor step costs at most 200 bytes, a lines channel move at most 300"; diag < "$T/bytes"; fi
# a layer switch (j in the layer list) at 120x40 costs at most 1.2 times the least bytes that
# change the cells it changes (issue 16): the cells with their colours and attributes from tmux
# before and after the key, counted by screen_cells.py; the bytes from the pty. From the sixel
# heatmap the switch repainted the whole screen to wipe the image (5641 B, 1.42 x): the cells
# painted over it erase it
if command -v tmux >/dev/null; then
    SOCK=rs-test-$$
    trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT
    # switch_cost MODE VIEW_KEY: "BYTES CELLS LEAST" of j in the layer list after VIEW_KEY
    switch_cost() {
        $PTY --size 120x40 --step "$2" --step j --step q -- "$RNNSCOPE" --graphics "$1" "$DEMO" > "$T/bytes" 2>&1
        tm new-session -d -s rs -x 120 -y 40 \
            "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' --graphics $1 '$DEMO'; sleep 60"
        tm set -g window-size manual
        wait_for '^▶.*lstm_1 ' 10 >/dev/null
        tm send-keys -t rs "$2"
        wait_for "\\[$3\\] lstm_1" 5 >/dev/null && sleep 0.5
        tm capture-pane -e -p -N -t rs > "$T/before"
        tm send-keys -t rs j
        wait_for '^▶.*seq_self_attention_1 ' 5 >/dev/null && sleep 0.5
        tm capture-pane -e -p -N -t rs > "$T/after"
        tm kill-server
        echo "$(awk '$1 == "step" && $2 == 2 {print $3}' "$T/bytes")" \
            "$("$PY" "$top_srcdir/tests/tui/screen_cells.py" "$T/before" "$T/after" 120 | cut -d' ' -f2-)"
    }
    for case in "unicode 1 lines" "sixel 3 heatmap"; do
        # shellcheck disable=SC2086 # MODE KEY VIEW: split on purpose
        set -- $case
        read -r sent cells least < <(switch_cost "$1" "$2" "$3")
        if [ -n "$sent" ] && [ "${least:-0}" -gt 1000 ] && [ $((sent * 10)) -le $((least * 12)) ]; then
            ok "120x40 $1 $3: a layer switch costs $sent B, at most 1.2 x the $least B that change its $cells cells"
        else not_ok "120x40 $1 $3: a layer switch costs at most 1.2 x the least bytes that change its cells"
            echo "sent ${sent:-?} B; ${cells:-?} cells changed, ${least:-?} B at least" | diag; fi
    done
else
    skip "a layer switch costs at most 1.2 x the least bytes that change its cells" "tmux is not installed"
fi
done_testing
