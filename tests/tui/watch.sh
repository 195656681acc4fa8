# rnnscope --watch under tmux, with a writer that rewrites the checkpoint in place as Keras does
# (tests/tui/ckpt_writer.py: h5py, truncate and write, pausing 1.5 s halfway): every reload
# shows the new weights (the stats line of the LSTM's output against `dump` of the same
# checkpoint), a half-written file is never shown (the screen only ever shows the old or the new
# checkpoint's numbers while the writer runs), the writer never fails, the status line names the
# checkpoint and its age; the same for a directory that gets a new epoch.
. "$top_srcdir/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
have_numpy || { echo "no numpy"; exit 77; }
D=$top_srcdir/tests/data/ckpt
SOCK=rs-watch-$$
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT

# the mean of sample 0 of rnn_a's output for each epoch, from dump
mean_of() {
    "$RNNSCOPE" dump "$1" --layer rnn_a --input "$D/input.npy" -o "$T/y.npy" &&
        "$PY" -c "import numpy as np; print('%.6g' % np.load('$T/y.npy')[0].astype(np.float64).mean())"
}
for e in 01-1.00 02-0.50 03-0.33 10-0.10; do
    eval "want_${e%%-*}=$(mean_of "$D/run/weights.$e.h5")"
done
# the mean on screen ("... mean -0.0336  std ...") and whether it is one of the expected
shown_mean() { sed -n 's/.*shape (6, 4) .* mean \([-0-9.e]*\) .*/\1/p' "$T/pane" | head -n 1; }
near() { "$PY" -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-3 * max(abs(b), 0.01))" "$1" "$2" 2>/dev/null; }

mkdir "$T/w"
cp "$D/run/weights.01-1.00.h5" "$T/w/model.h5"
tm new-session -d -s rs -x 130 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' --watch '$T/w/model.h5' --input '$D/input.npy' 2> '$T/stderr'; echo EXITED:\$?; sleep 60"
tm set -g window-size manual
if wait_for 'model\.h5 · [0-9]+ s ago' 10 && near "$(shown_mean)" "$want_01"; then
    ok "--watch FILE opens it: epoch 1's LSTM output (mean $(shown_mean), dump $want_01), status with its age"
else not_ok "--watch FILE opens it"; diag < "$T/pane"; fi

prev=$want_01
for e in 02-0.50 03-0.33 10-0.10; do
    n=${e%%-*}
    eval "want=\$want_$n"
    "$PY" "$top_srcdir/tests/tui/ckpt_writer.py" "$D/run/weights.$e.h5" "$T/w/model.h5" 1.5 \
        > "$T/writer.log" 2>&1 &
    writer=$!
    bad= saw_error=
    while kill -0 $writer 2>/dev/null; do   # while it writes: only the old or the new numbers
        tm capture-pane -p -t rs > "$T/pane"
        m=$(shown_mean)
        grep -q 'newest not loaded' "$T/pane" && saw_error=1
        if [ -n "$m" ] && ! near "$m" "$prev" && ! near "$m" "$want"; then bad="$m"; cp "$T/pane" "$T/bad"; fi
        sleep 0.1
    done
    wait $writer; wrc=$?
    check "epoch $n: the writer never fails (h5py rewrote the file while rnnscope watched it)" \
        sh -c "test $wrc -eq 0 || { cat '$T/writer.log'; false; }"
    if [ -z "$bad" ]; then ok "epoch $n: while it was written the screen showed only the old or the new checkpoint${saw_error:+ (the half-written file was reported and not shown)}"
    else not_ok "epoch $n: a half-written checkpoint was shown (mean $bad)"; diag < "$T/bad"; fi
    # the whole screen of the reload: a capture between the output's line and the status line
    # being drawn showed the new mean beside the old status ("newest not loaded")
    reloaded() { near "$(shown_mean)" "$want" && grep -q 'model\.h5 · [0-9]* s ago' "$T/pane" && ! grep -q 'newest not loaded' "$T/pane"; }
    i=0
    while [ $i -lt 60 ]; do tm capture-pane -p -t rs > "$T/pane"; reloaded && break; sleep 0.1; i=$((i + 1)); done
    if reloaded; then
        ok "epoch $n: reloaded, the screen shows the new weights (mean $(shown_mean), dump $want)"
    else not_ok "epoch $n: reloaded with the new weights (want mean $want)"; diag < "$T/pane"; fi
    prev=$want
done

# the layer, view and cursor stay: open the weights view of att_b, reload, still there
tm send-keys -t rs j 6
wait_for '\[weights\] att_b' 5
"$PY" "$top_srcdir/tests/tui/ckpt_writer.py" "$D/run/weights.02-0.50.h5" "$T/w/model.h5" 0
sleep 1.5
tm capture-pane -p -t rs > "$T/pane"
if grep -q '\[weights\] att_b' "$T/pane" && grep -q '^▶.*att_b' "$T/pane"; then ok "a reload keeps the layer and the view"
else not_ok "a reload keeps the layer and the view"; diag < "$T/pane"; fi

# a file that stays broken: the last good model stays, the status says why
head -c 3000 "$D/run/weights.03-0.33.h5" > "$T/w/model.h5"
if wait_for 'newest not loaded: .*model\.h5' 5 && grep -q '\[weights\] att_b' "$T/pane"; then
    ok "a broken checkpoint: reported on the status line, the last good one stays"
else not_ok "a broken checkpoint: reported on the status line, the last good one stays"; diag < "$T/pane"; fi
tm send-keys -t rs q
if wait_for 'EXITED:0' 5; then ok "quits with 0"; else not_ok "quits with 0"; diag < "$T/pane"; cat "$T/stderr" | diag; fi
tm kill-server 2>/dev/null

# a directory: the newest epoch, and a new one as it appears
SOCK=rs-watch2-$$
mkdir "$T/run"
cp "$D/run/weights.02-0.50.h5" "$T/run/"
tm new-session -d -s rs -x 130 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' --watch '$T/run' --input '$D/input.npy'; echo EXITED:\$?; sleep 60"
tm set -g window-size manual
if wait_for 'epoch 2 · [0-9]+ s ago' 10 && near "$(shown_mean)" "$want_02"; then ok "--watch DIR opens the newest epoch (2)"
else not_ok "--watch DIR opens the newest epoch (2)"; diag < "$T/pane"; fi
"$PY" "$top_srcdir/tests/tui/ckpt_writer.py" "$D/run/weights.10-0.10.h5" "$T/run/weights.10-0.10.h5" 1.0 &&
if wait_for 'epoch 10 · [0-9]+ s ago' 5 && near "$(shown_mean)" "$want_10"; then ok "--watch DIR follows a new epoch (10) once written"
else not_ok "--watch DIR follows a new epoch (10) once written"; diag < "$T/pane"; fi
# a newer checkpoint of another architecture: refused on the status line, epoch 10 stays
cp "$D/gru.h5" "$T/run/weights.11-0.09.h5"
if wait_for 'epoch 10 · .*newest not loaded: .*weights\.11-0\.09\.h5: not the arch' 5 &&
   near "$(shown_mean)" "$want_10"; then ok "a newer checkpoint of another architecture: refused, said, epoch 10 stays"
else not_ok "a newer checkpoint of another architecture: refused, said, epoch 10 stays"; diag < "$T/pane"; fi
tm send-keys -t rs q
wait_for 'EXITED:0' 5 || { not_ok "quits with 0 (directory)"; diag < "$T/pane"; }

expect_fail 1 "cannot watch" "--watch a missing path" "$RNNSCOPE" --watch "$T/nothing"
expect_fail 2 "give no MODEL besides it" "--watch and a MODEL: misuse" "$RNNSCOPE" --watch "$T/run" "$D/gru.h5"
done_testing
