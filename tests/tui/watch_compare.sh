# --watch A --compare B under tmux (issue 19): A is reloaded when a newer checkpoint arrives
# in the directory, B stays; the status line names both; A - B on screen is computed again from
# the new A (the mean on its stats line is NumPy's mean of dump(new A) - dump(B)), not kept from
# the A that went; B's own numbers are unchanged. (--compare with --watch was refused.)
. "$top_srcdir/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
have_numpy || { echo "no numpy"; exit 77; }
D=$top_srcdir/tests/data/ckpt
B=$D/run/weights.10-0.10.h5
SOCK=rs-watchcmp-$$
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT

# the mean of sample 0 of rnn_a's output: of one file, or of A - B in float32 as rnnscope
# subtracts them
mean_of() { # FILE [MINUS-FILE]
    "$RNNSCOPE" dump "$1" --layer rnn_a --input "$D/input.npy" -o "$T/a.npy" &&
        "$RNNSCOPE" dump "${2:-$1}" --layer rnn_a --input "$D/input.npy" -o "$T/b.npy" &&
        "$PY" -c "import numpy as np
a, b = np.load('$T/a.npy')[0], np.load('$T/b.npy')[0]
print('%.6g' % (a if '${2:-}' == '' else a - b).astype(np.float64).mean())"
}
shown_mean() { sed -n 's/.*shape (6, 4) .* mean \([-0-9.e]*\) .*/\1/p' "$T/pane" | head -n 1; }
near() { "$PY" -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-3 * max(abs(b), 0.01))" "$1" "$2" 2>/dev/null; }
wait_mean() { # WANT: until the view's mean is WANT (6 s at most)
    local i=0
    while [ $i -lt 60 ]; do tm capture-pane -p -t rs > "$T/pane"; near "$(shown_mean)" "$1" && return 0; sleep 0.1; i=$((i + 1)); done
    return 1
}
diff_01=$(mean_of "$D/run/weights.01-1.00.h5" "$B")
diff_03=$(mean_of "$D/run/weights.03-0.33.h5" "$B")
b_own=$(mean_of "$B")

mkdir "$T/w" && cp "$D/run/weights.01-1.00.h5" "$T/w/"
tm new-session -d -s rs -x 130 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color XDG_CACHE_HOME='$T/cache' '$RNNSCOPE' --watch '$T/w' --compare '$B' --input '$D/input.npy' 2> '$T/stderr'; echo EXITED:\$?; sleep 60"
tm set -g window-size manual
if wait_for 'A epoch 1 · [0-9]+ s ago · B weights\.10-0\.10\.h5' 10; then ok "--watch DIR --compare B opens: the status line names A (epoch 1, its age) and B"
else not_ok "--watch DIR --compare B opens, the status line naming A and B"; { diag < "$T/pane"; diag < "$T/stderr"; }; fi
tm send-keys -t rs a a
if wait_for '\[lines: A − B\]' 5 && wait_mean "$diff_01"; then ok "A − B of epoch 1 and B on screen (mean $(shown_mean), NumPy $diff_01)"
else not_ok "A − B of epoch 1 and B on screen (want mean $diff_01)"; diag < "$T/pane"; fi

cp "$D/run/weights.03-0.33.h5" "$T/w/"
if wait_for 'A epoch 3 · [0-9]+ s ago · B weights\.10-0\.10\.h5' 10 && wait_mean "$diff_03"; then
    ok "a newer checkpoint replaces A, B stays: A − B is epoch 3's minus B's (mean $(shown_mean), NumPy $diff_03)"
else not_ok "a newer checkpoint replaces A, B stays: A − B recomputed (want mean $diff_03, epoch 1's was $diff_01)"; diag < "$T/pane"; fi
tm send-keys -t rs a a   # A - B -> A -> B
if wait_for '\[lines: B weights\.10-0\.10\.h5\]' 5 && wait_mean "$b_own"; then ok "B's own numbers are unchanged after A's reload (mean $(shown_mean), dump $b_own)"
else not_ok "B's own numbers are unchanged after A's reload (want mean $b_own)"; diag < "$T/pane"; fi
tm send-keys -t rs q
if wait_for 'EXITED:0' 5; then ok "quits with 0"; else not_ok "quits with 0"; diag < "$T/pane"; diag < "$T/stderr"; fi
tm kill-server 2>/dev/null
done_testing
