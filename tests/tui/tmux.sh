# The explorer in a real terminal: a private tmux server, keys by send-keys, the screen by
# capture-pane, resizes by resize-window; quitting restores the shell's screen.
. "$top_srcdir/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
MODEL=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5
SOCK=rs-test-$$
trap 'tm kill-server 2>/dev/null; tmux -L "rs-test-$$" kill-server 2>/dev/null; rm -rf "$T"' EXIT

tm new-session -d -s rs -x 120 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' '$MODEL'; echo EXITED:\$?; sleep 60"
tm set -g window-size manual

if wait_for "Layers" 10 && wait_for "^.?Help" 5; then ok "starts in tmux and draws the layers and key bar"
else not_ok "starts in tmux and draws the layers and key bar"; diag < "$T/pane"; fi

if grep -qE '\^\[|\[\?1;2c|63;' "$T/pane"; then not_ok "no terminal replies leak onto the screen"; diag < "$T/pane"
else ok "no terminal replies leak onto the screen"; fi

tm send-keys -t rs j
if wait_for '^▶.*seq_self_attention_1' 5; then ok "j selects the next layer"
else not_ok "j selects the next layer"; diag < "$T/pane"; fi

tm send-keys -t rs Enter Down
if wait_for '^▶ +└ values' 5; then ok "Enter opens the layer's outputs"
else not_ok "Enter opens the layer's outputs"; diag < "$T/pane"; fi

tm send-keys -t rs '?'
if wait_for 'rnnscope keys' 5; then ok "? opens the help"
else not_ok "? opens the help"; diag < "$T/pane"; fi
tm send-keys -t rs Escape
wait_for -v 'rnnscope keys' 1 >/dev/null 2>&1

tm resize-window -t rs -x 60 -y 16
if wait_for 'Layers +│' 5 && [ "$(LC_ALL=C.UTF-8 wc -L < "$T/pane")" -le 60 ] &&
   [ "$(wc -l < "$T/pane")" -le 16 ]; then
    ok "a resize relayouts at once"
else not_ok "a resize relayouts at once"; diag < "$T/pane"; fi

tm resize-window -t rs -x 30 -y 8
if wait_for 'terminal too small' 5; then ok "a tiny terminal gets the 'too small' screen"
else not_ok "a tiny terminal gets the 'too small' screen"; diag < "$T/pane"; fi
tm resize-window -t rs -x 100 -y 30

tm send-keys -t rs q
if wait_for 'EXITED:0' 5 && ! grep -q 'Layers' "$T/pane"; then
    ok "q quits with status 0 and gives the shell its screen back"
else not_ok "q quits with status 0 and gives the shell its screen back"; diag < "$T/pane"; fi

# on the demo with its batch of 8: views, search, the timestep cursor, samples, export
tm kill-server 2>/dev/null
SOCK=rs-test4-$$
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
cd "$T"
tm new-session -d -s rs -x 120 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' '$DEMO'; echo EXITED:\$?; sleep 60"
if wait_for "Layers" 10; then
    tm send-keys -t rs 3
    wait_for '\[heatmap\] lstm_1' 5 && ok "3 switches to the heatmap view" || { not_ok "3 switches to the heatmap view"; diag < "$T/pane"; }
    tm send-keys -t rs / d e n s Enter
    wait_for '^▶.*dense_1' 5 && ok "/ searches the layers" || { not_ok "/ searches the layers"; diag < "$T/pane"; }
    tm send-keys -t rs k k k 2 ] ]
    wait_for '^t=2 ch=0' 5 && ok "] moves the timestep cursor" || { not_ok "] moves the timestep cursor"; diag < "$T/pane"; }
    tm send-keys -t rs s s
    wait_for 'sample 2 of 0-7' 5 && ok "s steps through the samples" || { not_ok "s steps through the samples"; diag < "$T/pane"; }
    tm send-keys -t rs x Enter
    wait_for 'wrote [a-z_0-9.]+\.npy' 5 && written=$(grep -oE 'wrote [a-z_0-9.]+\.npy' "$T/pane" | cut -d' ' -f2) &&
        [ -s "$T/$written" ] && ok "x exports the output on screen" ||
        { not_ok "x exports the output on screen"; diag < "$T/pane"; ls "$T" | diag; }
    tm send-keys -t rs q
    wait_for 'EXITED:0' 5 && ok "q quits" || not_ok "q quits"
else
    for what in views search cursor samples export quit; do not_ok "demo in tmux: $what"; done
fi
cd - >/dev/null

# a storm of 100 resizes in about a second, then SIGHUP (the SSH connection dropped)
tm kill-server 2>/dev/null
SOCK=rs-test5-$$
tm new-session -d -s rs -x 120 -y 30 \
    "env LANG=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' '$MODEL'; echo EXITED:\$?; sleep 60"
tm set -g window-size manual
if wait_for "Layers" 10; then
    for i in $(seq 50); do tm resize-window -t rs -x $((60 + i)) -y $((15 + i % 10)); tm resize-window -t rs -x 120 -y 30; done
    tm send-keys -t rs j
    if wait_for '^▶.*seq_self_attention_1' 5 && [ "$(wc -l < "$T/pane")" -le 30 ]; then
        ok "100 resizes in a row: still alive, laid out for the last size, still taking keys"
    else not_ok "100 resizes in a row: still alive, laid out for the last size, still taking keys"; diag < "$T/pane"; fi
    shell=$(tm list-panes -t rs -F '#{pane_pid}' | head -1)
    pkill -HUP -P "$shell" -x rnnscope
    if wait_for 'EXITED:129' 5 && ! grep -q 'Layers' "$T/pane"; then ok "SIGHUP restores the terminal and exits with 129"
    else not_ok "SIGHUP restores the terminal and exits with 129"; diag < "$T/pane"; fi
else
    not_ok "100 resizes in a row"; not_ok "SIGHUP restores the terminal and exits with 129"
fi

# SIGTERM ends it too, status 128 + 15 (a second server: the first may still be shutting down)
tm kill-server 2>/dev/null
SOCK=rs-test2-$$
tm new-session -d -s rs -x 100 -y 30 \
    "env LANG=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' '$MODEL'; echo EXITED:\$?; sleep 60"
if wait_for "Layers" 10; then
    shell=$(tm list-panes -t rs -F '#{pane_pid}' | head -1)
    pkill -TERM -P "$shell" -x rnnscope
    if wait_for 'EXITED:143' 5 && ! grep -q 'Layers' "$T/pane"; then ok "SIGTERM restores the terminal and exits with 143"
    else not_ok "SIGTERM restores the terminal and exits with 143"; diag < "$T/pane"; fi
else not_ok "SIGTERM restores the terminal and exits with 143"; diag < "$T/pane"; fi
done_testing
