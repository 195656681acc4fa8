# Signals while a long computation runs (issue 22: a pooling that spun for hours ignored q, Esc,
# Ctrl-C, SIGTERM and SIGHUP): in a real terminal (tmux), SIGTERM, SIGHUP and Ctrl-C end the
# explorer at once with status 128 + signal, the shell's screen and terminal modes back; Esc
# cancels the computation and q quits. The long computation is a legitimate one: a 100 000-step
# window sliding one step at a time over 200 000 steps (tests/data/make_limits.py slow_pool).
. "$top_srcdir/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
SOCK=rs-sig-$$
pids=()   # the explorers started here: a build that ignores signals must not outlive the test
trap 'tm kill-server 2>/dev/null; for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
"$PY" "$top_srcdir/tests/data/make_limits.py" "$T" slow_pool || { echo "make_limits.py failed"; exit 1; }
SLOW=$T/slow_pool/model.json

# start: the explorer on the slow model in a fresh tmux server; the shell records its terminal
# modes before and after. Returns once the progress bar is up (the computation runs).
n=0
start() {
    tm kill-server 2>/dev/null
    n=$((n + 1))
    SOCK=rs-sig$n-$$
    rm -f "$T/stty.before" "$T/stty.after"
    tm new-session -d -s rs -x 100 -y 30 \
        "stty -g > '$T/stty.before'; env LANG=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' '$SLOW'; echo EXITED:\$?; stty -g > '$T/stty.after'; sleep 60"
    wait_for 'computing \[' 20 || return 1
    pids+=("$(rnnscope_pid)")
}

rnnscope_pid() { pgrep -P "$(tm list-panes -t rs -F '#{pane_pid}' | head -1)" -x rnnscope; }

# restored: the alternate screen is gone and stty reports the modes from before
restored() {
    ! grep -qE 'computing|Layers' "$T/pane" && [ -s "$T/stty.after" ] &&
        cmp -s "$T/stty.before" "$T/stty.after"
}

for sig in TERM HUP INT; do
    case $sig in TERM) want=143 ;; HUP) want=129 ;; INT) want=130 ;; esac
    what="SIG$sig during a long computation: exit $want, terminal restored"
    [ $sig = INT ] && what="Ctrl-C during a long computation: exit $want, terminal restored"
    if start; then
        if [ $sig = INT ]; then tm send-keys -t rs C-c; else kill -$sig "$(rnnscope_pid)"; fi
        if wait_for "EXITED:$want" 5 && sleep 0.2 && restored; then ok "$what"
        else not_ok "$what"; { cat "$T/pane"; cat "$T/stty.before" "$T/stty.after"; } 2>/dev/null | diag; fi
    else not_ok "$what"; diag < "$T/pane"; fi
done

# Esc cancels the computation and the explorer goes on; then q quits with 0
if start; then
    tm send-keys -t rs Escape
    if wait_for 'cancelled: press Ctrl-L' 10; then ok "Esc cancels a long computation"
    else not_ok "Esc cancels a long computation"; diag < "$T/pane"; fi
    tm send-keys -t rs q
    if wait_for 'EXITED:0' 5 && restored; then ok "then q quits with 0"
    else not_ok "then q quits with 0"; diag < "$T/pane"; fi
else not_ok "Esc cancels a long computation"; not_ok "then q quits with 0"; diag < "$T/pane"; fi

# q during the computation quits at once
if start; then
    tm send-keys -t rs q
    if wait_for 'EXITED:0' 5 && restored; then ok "q during a long computation quits with 0"
    else not_ok "q during a long computation quits with 0"; diag < "$T/pane"; fi
else not_ok "q during a long computation quits with 0"; diag < "$T/pane"; fi
# plot to a terminal: SIGTERM during the computation ends it with 143, the prompt on a line of
# its own (the hook ends a cut-off sixel image and resets the colours)
tm kill-server 2>/dev/null
SOCK=rs-sigplot-$$
tm new-session -d -s rs -x 100 -y 30 \
    "env LANG=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' plot '$SLOW' --layer pool --view heatmap --graphics sixel; echo EXITED:\$?; sleep 60"
sleep 1
pid=$(rnnscope_pid)
[ -n "$pid" ] && pids+=("$pid") && kill -TERM "$pid"
if wait_for '^EXITED:143' 5; then ok "SIGTERM ends plot to a terminal with 143"
else not_ok "SIGTERM ends plot to a terminal with 143"; diag < "$T/pane"; fi
done_testing
