# Heatmap colours in a real terminal (issue 15): a half-block cell whose halves have palette
# colours is drawn in those colours, never in the terminal's default ones. The painter's colour
# pair table had room for foregrounds up to 253: cells of grey 254 and 255 (the near-white
# middle of bwr) fell back to the default colours, black holes on a dark terminal.
. "$top_srcdir/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
MODEL=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5
SOCK=rs-test-$$
trap 'tm kill-server 2>/dev/null; tmux -L "rs-test-$$" kill-server 2>/dev/null; rm -rf "$T"' EXIT

tm new-session -d -s rs -x 120 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' --graphics unicode --random 0 '$MODEL'; echo EXITED:\$?; sleep 60"
tm set -g window-size manual
wait_for "Layers" 10 >/dev/null
tm send-keys -t rs 3
if wait_for '\[heatmap\] lstm_1' 5 >/dev/null; then ok "the LSTM's heatmap is on screen"
else not_ok "the LSTM's heatmap is on screen"; diag < "$T/pane"; fi
sleep 0.5
tm capture-pane -e -p -t rs > "$T/colored"
halves=$(grep -o '▀' "$T/colored" | wc -l)
holes=$(grep -oE $'\033\\[(39|49)m▀' "$T/colored" | wc -l)
if [ "$halves" -gt 500 ] && [ "$holes" -eq 0 ]; then
    ok "every heatmap cell is drawn in palette colours ($halves half blocks)"
else not_ok "every heatmap cell is drawn in palette colours"; echo "$holes of $halves half blocks in default colours" | diag; fi
tm send-keys -t rs q
wait_for 'EXITED:0' 5 >/dev/null && ok "q quits" || { not_ok "q quits"; diag < "$T/pane"; }
tm kill-server 2>/dev/null

# An 8-colour terminal (TERM=xterm: tput colors is 8): the heatmap and its colour bar are blue /
# white / red with shade glyphs, never the magenta, cyan or yellow nearest to bwr's pinks and
# light blues (the half blocks drew them). sgr_cells.py gives each picture cell's colours.
# A server of its own: a new session on the socket of the server just killed sometimes met
# that server on its way out ("server exited unexpectedly") and captured an empty pane.
SOCK=rs-test8-$$
tm new-session -d -s rs -x 120 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm '$RNNSCOPE' --graphics unicode --random 0 '$MODEL'; echo EXITED:\$?; sleep 60"
tm set -g window-size manual
wait_for "Layers" 10 >/dev/null
tm send-keys -t rs 3
wait_for '\[heatmap\] lstm_1' 5 >/dev/null
sleep 0.5
tm capture-pane -e -p -t rs > "$T/colored8"
if "$PY" "$top_srcdir/tests/tui/sgr_cells.py" "$T/colored8" > "$T/cells8"; then
    ok "8 colours: heatmap cells are blue, white or red shades ($(cat "$T/cells8"))"
else not_ok "8 colours: heatmap cells are blue, white or red shades"; diag < "$T/cells8"; fi
tm send-keys -t rs q
done_testing
