# rnnscope diff: two checkpoints of tests/data/ckpt (make_ckpt.py) against NumPy/h5py
# (ckpt_ref.py): every weight's and layer output's relative change, max change and cosine;
# the exit status; architectures that differ; misuse.
. "$top_srcdir/tests/lib.sh"
D=$top_srcdir/tests/data/ckpt
R=$D/run
have_numpy || { skip "diff against NumPy" "no numpy"; done_testing; exit 0; }
export PYTHONPATH=$top_srcdir/tests/cli

for pair in "weights.01-1.00.h5 weights.10-0.10.h5" "weights.02-0.50.h5 weights.03-0.33.h5"; do
    set -- $pair
    if "$RNNSCOPE" diff "$R/$1" "$R/$2" --input "$D/input.npy" --format tsv > "$T/d.tsv" 2> "$T/err" &&
       out=$("$PY" "$top_srcdir/tests/cli/ckpt_diff.py" "$T/d.tsv" "$R/$1" "$R/$2" "$D/input.npy" 2>&1); then
        ok "diff $1 $2 --format tsv as NumPy computes it ($out)"
    else
        not_ok "diff $1 $2 --format tsv as NumPy computes it"; { cat "$T/err"; echo "$out"; } | diag
    fi
done

# the text table: the same rows, exit 0 although the checkpoints differ
out=$("$RNNSCOPE" diff "$R/weights.01-1.00.h5" "$R/weights.10-0.10.h5" --input "$D/input.npy"); rc=$?
if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c '^  ')" -eq 13 ] &&
   printf '%s\n' "$out" | grep -q '^  rnn_a  *rnn_a/kernel:0  *(3, 16)  *1\.14'; then
    ok "diff prints the text table (10 weights, 3 outputs) and exits 0"
else
    not_ok "diff prints the text table and exits 0"; printf 'exit %s\n%s\n' "$rc" "$out" | diag
fi
# a checkpoint against itself: no change, cosine 1
out=$("$RNNSCOPE" diff "$R/weights.02-0.50.h5" "$R/weights.02-0.50.h5" --format tsv | tail -n +2 |
      awk -F'\t' '$5 != 0 || $6 != 0 || ($7 < 0.9999999 || $7 > 1.0000001) {print}')
check "a checkpoint against itself: 0, 0, cosine 1 on every row" test -z "$out"

expect_fail 1 "different architectures: layer 1 is rnn_a (LSTM) in the first model, rnn_a (GRU) in the second" \
    "an LSTM against a GRU: one line naming the first difference" \
    "$RNNSCOPE" diff "$R/weights.01-1.00.h5" "$D/gru.h5"
expect_fail 1 "weight dense_c/kernel:0 has shape (4, 2) in the first model, (4, 3) in the second" \
    "a wider Dense: one line naming the weight and both shapes" \
    "$RNNSCOPE" diff "$R/weights.01-1.00.h5" "$D/wide_dense.h5"
expect_fail 1 "nothing.h5" "a missing file" "$RNNSCOPE" diff "$R/weights.01-1.00.h5" "$T/nothing.h5"
expect_fail 2 "two models are needed" "one model: misuse" "$RNNSCOPE" diff "$R/weights.01-1.00.h5"
expect_fail 2 "--format is text or tsv" "a bad --format: misuse" \
    "$RNNSCOPE" diff "$R/weights.01-1.00.h5" "$R/weights.02-0.50.h5" --format csv
done_testing
