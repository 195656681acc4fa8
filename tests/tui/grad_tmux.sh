# Gradient mode in a real terminal (issue 18): on the demo in tmux, d turns the view into the
# gradient, the status line says what is differentiated, the strip under the view shows the
# timestep importance, and the input's integrated gradients (i, m m) peak inside the burst.
. "$top_srcdir/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
SOCK=rs-test-$$
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT

tm new-session -d -s rs -x 120 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' --graphics unicode --sample 2 '$DEMO'; echo EXITED:\$?; sleep 60"
tm set -g window-size manual
wait_for '\[lines\] lstm_1' 10 >/dev/null
tm send-keys -t rs d
if wait_for '\[lines, gradient\] lstm_1' 5 >/dev/null &&
   wait_for '∂ dense_1\[0\] / ∂ lstm_1  gradient is zero: output saturated' 5 >/dev/null; then
    ok "d shows the gradient; a saturated sample's zero gradient is said on the status line"
else not_ok "d shows the gradient; a saturated sample's zero gradient is said on the status line"; diag < "$T/pane"; fi
# the input's integrated gradients: the strip (the row above the status line) peaks inside
# the burst of sample 2 (steps 56-65)
tm send-keys -t rs i m m
if wait_for 'strip: input_1, peak t=[0-9]+' 20 >/dev/null &&
   peak=$(grep -o 'peak t=[0-9]*' "$T/pane" | head -1 | cut -d= -f2) &&
   [ "$peak" -ge 56 ] && [ "$peak" -le 65 ] &&
   [ "$(tail -n 4 "$T/pane" | grep -c '[▁▂▃▄▅▆▇█]')" -ge 1 ]; then
    ok "i m m: the strip of the input's integrated gradients peaks inside the burst (t=$peak)"
else not_ok "i m m: the strip of the input's integrated gradients peaks inside the burst"; diag < "$T/pane"; fi
tm send-keys -t rs d
if wait_for '\[lines\] lstm_1' 5 >/dev/null && ! grep -q '∂' "$T/pane"; then
    ok "d again: back to values"
else not_ok "d again: back to values"; diag < "$T/pane"; fi
tm send-keys -t rs q
wait_for 'EXITED:0' 5 >/dev/null && ok "q quits" || { not_ok "q quits"; diag < "$T/pane"; }
done_testing
