# NaN and Inf in the WEIGHTS (tests/data/make_nan_weights.py): every layer's output equals what
# Keras computes from them (NumPy reference: NaN where Keras has NaN, the same infinities,
# saturated gates finite), in every format; every view shows and counts them without a crash.
. "$top_srcdir/tests/lib.sh"
D=$top_srcdir/tests/data/nan_weights
have_numpy || { skip "NaN and Inf weights" "no numpy"; done_testing; exit 0; }

# same NaN positions, the same infinities, finite values within 1e-5 (relative to max(1, |ref|))
cat > "$T/same.py" <<'PY'
import sys
import numpy as np
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])[sys.argv[3]]
assert got.shape == want.shape, (got.shape, want.shape)
assert (np.isnan(got) == np.isnan(want)).all(), "NaN positions differ"
inf = np.isinf(want)
assert (np.isinf(got) == inf).all() and (got[inf] == want[inf]).all(), "infinities differ"
fin = np.isfinite(want)
err = np.abs(got[fin].astype(np.float64) - want[fin]).max(initial=0)
assert err <= 1e-5 * max(1.0, np.abs(want[fin]).max(initial=0)), "max error %g" % err
print("nan %d inf %d finite %d max error %.3g" % (np.isnan(got).sum(), inf.sum(), fin.sum(), err))
PY
for f in seq_lstm.k2.h5:k2 seq_lstm.keras:k3 tfjs/model.json:k2; do
    file=${f%%:*} keras=${f##*:}
    for layer in lstm_a dense_b; do
        if "$RNNSCOPE" dump "$D/$file" --layer "$layer" --input "$D/input.npy" -o "$T/out.npy" \
                2> "$T/err" && out=$("$PY" "$T/same.py" "$T/out.npy" "$D/expect.npz" "${layer}_$keras" 2>&1); then
            ok "$file: $layer as Keras computes it ($out)"
        else
            not_ok "$file: $layer as Keras computes it"; cat "$T/err"; echo "$out" | diag
        fi
    done
done
# the reference is not trivial: the LSTM saturates (finite), the Dense has one NaN and one +Inf
# column
check "the reference has finite LSTM outputs and NaN/+Inf Dense columns" "$PY" -c "
import numpy as np
e = np.load('$D/expect.npz')
assert np.isfinite(e['lstm_a_k2']).all() and np.isfinite(e['lstm_a_k3']).all()
assert np.isnan(e['dense_b_k2'][..., 1]).all() and (e['dense_b_k2'][..., 0] == np.inf).all()"

# every view: exit 0, and the counts on the stats line
for view in lines detail heatmap hist bars; do
    out=$("$RNNSCOPE" plot "$D/seq_lstm.k2.h5" --layer dense_b --input "$D/input.npy" --sample 1 \
          --view "$view" --width 100 --height 10 --color never 2>&1)
    case $out in
        "shape (5, 2)  no finite values  NaN 5  Inf 5"*) ok "plot --view $view of NaN/Inf outputs, counted" ;;
        *) not_ok "plot --view $view of NaN/Inf outputs, counted"; echo "$out" | diag ;;
    esac
done
for view in heatmap hist; do
    check "plot --view $view --graphics ascii" \
        "$RNNSCOPE" plot "$D/seq_lstm.k2.h5" --layer dense_b --input "$D/input.npy" --view "$view" \
        --graphics ascii --width 60 --height 8
done
out=$("$RNNSCOPE" plot "$D/seq_lstm.k2.h5" --layer lstm_a --view weights --width 120 --height 10 --color never 2>&1)
case $out in
    "shape (3, 16)  min -1.356  max 1.059  mean -0.06926  std 0.4676  NaN 0  Inf 2"*) ok "weights view of the LSTM: the two infinities counted" ;;
    *) not_ok "weights view of the LSTM: the two infinities counted"; echo "$out" | diag ;;
esac
out=$("$RNNSCOPE" plot "$D/seq_lstm.k2.h5" --layer dense_b --view weights --width 120 --height 10 --color never 2>&1)
case $out in
    *"NaN 1  Inf 1"*) ok "weights view of the Dense: the kernel's NaN and the bias's Inf counted" ;;
    *) not_ok "weights view of the Dense: the kernel's NaN and the bias's Inf counted"; echo "$out" | diag ;;
esac
check "summary of the model" "$RNNSCOPE" summary "$D/seq_lstm.k2.h5"

# the explorer: the weights view and the output view of each layer
printf '%s\n' 6 dump 1 dump j dump 3 dump 4 dump 6 dump > "$T/keys"
if "$RNNSCOPE" --headless --size 160x20 --keys "$T/keys" --dump-screen "$T/dump" \
        --input "$D/input.npy" "$D/seq_lstm.k2.h5" > "$T/out" 2>&1 &&
   grep -q "weights: shape (3, 16) .* NaN 0  Inf 2" "$T/dump" &&
   [ "$(grep -c "shape (5, 2)  no finite values  NaN 5  Inf 5" "$T/dump")" -ge 2 ] &&
   grep -q "weights: shape (4, 2) .* NaN 1  Inf 1" "$T/dump"; then
    ok "the explorer shows and counts NaN and Inf in weights and outputs, every view"
else
    not_ok "the explorer shows and counts NaN and Inf in weights and outputs, every view"
    cat "$T/out" "$T/dump" | diag
fi
done_testing
