# Every generated model (tests/data/make_models.py, written with h5py + NumPy) loads in every
# format with exactly the generator's weights, the graph it describes, and the expected summary.
. "$top_srcdir/tests/lib.sh"
MT=$top_builddir/tests/helpers/modeltool
D=$top_srcdir/tests/data/models
E=$top_srcdir/tests/cli/expected
if ! have_numpy; then echo "python3-numpy is not installed"; exit 77; fi

# weights FILE EXPECT [WEIGHTS.h5] [TOL]
weights() {
    local file=$1 expect=$2 w=${3:-} tol=${4:-}
    if "$MT" weights "$D/$file" ${w:+"$D/$w"} >"$T/w.txt" 2>"$T/err.txt"; then
        check "$file${w:+ + $w}: every weight equals the generator's" \
            "$PY" "$top_srcdir/tests/cli/compare_weights.py" "$T/w.txt" "$D/$expect" $tol
    else
        not_ok "$file loads"; diag <"$T/err.txt"
    fi
}

for f in seq_lstm.k2.h5 seq_lstm.k21.h5 seq_lstm.tfk2.h5 seq_lstm.k3legacy.h5 seq_lstm.keras \
         seq_lstm.deflated.keras seq_lstm.tfk_v3.keras tfjs_seq_lstm/model.json; do
    weights "$f" seq_lstm.expect.npz
done
weights seq_lstm.json seq_lstm.expect.npz seq_lstm.weights.h5
weights seq_lstm.k3.json seq_lstm.expect.npz seq_lstm.k3.weights.h5
weights tfjs_seq_lstm_js/model.json seq_lstm.expect.npz
weights seq_lambda.k2.h5 seq_lambda.expect.npz
weights zoo.k2.h5 zoo.expect.npz
weights zoo.keras zoo.expect.npz
weights seq_lstm.bf16.keras seq_lstm_bf16.expect.npz
weights tfjs_seq_lstm_quant/model.json seq_lstm_quant.expect.npz "" 1e-6
for m in func_attn nested; do
    for f in $m.k2.h5 $m.k20.h5 $m.tfk2.h5 $m.keras tfjs_$m/model.json; do
        weights "$f" $m.expect.npz
    done
done

# summary text, checked by hand against the generator's models (see expected/*.summary)
for f in seq_lstm.k2.h5 seq_lstm.tfk2.h5 seq_lstm.k3legacy.h5 seq_lstm.keras tfjs_seq_lstm_quant/model.json \
         func_attn.k2.h5 func_attn.keras nested.keras tfjs_nested/model.json seq_lambda.k2.h5 \
         zoo.k2.h5; do
    name=$(echo "$f" | tr '/' '_')
    (cd "$D" && "$RNNSCOPE" summary "$f") >"$T/s.txt" 2>&1
    check "summary of $f matches expected/$name.summary" diff -u "$E/$name.summary" "$T/s.txt"
done
(cd "$D" && "$RNNSCOPE" summary seq_lstm.json --weights seq_lstm.weights.h5) >"$T/s.txt" 2>&1
check "summary of JSON + weights matches" diff -u "$E/seq_lstm.json.summary" "$T/s.txt"

(cd "$D" && "$RNNSCOPE" summary zoo.keras) | tail -n +3 >"$T/zk.txt"
check "zoo.keras (Keras 3 config, a tensor in kwargs) has the same table as zoo.k2.h5" \
    diff -u <(tail -n +3 "$E/zoo.k2.h5.summary") "$T/zk.txt"

# graph: shared layer calls, multi-output references, model outputs, Keras major version
"$MT" graph "$D/func_attn.keras" >"$T/g.txt"
check "Keras 3 dict inbound nodes: shared Dense called twice, attention output used" \
    grep -qx 'cat Concatenate in=add\[0\],self_att\[1\] out=(None, 6, 9)' "$T/g.txt"
check "Keras 3 bare-triple outputs and keras_major 3" \
    grep -qx 'inputs=input_x outputs=out\[0\],self_att\[1\] keras_major=3' "$T/g.txt"
"$MT" graph "$D/func_attn.k2.h5" >"$T/g2.txt"
check "Keras 2 nested-list inbound nodes give the same graph" \
    diff <(sed 's/keras_major=.*//' "$T/g.txt") <(sed 's/keras_major=.*//' "$T/g2.txt")
check "Keras 2.2.4 file has keras_major 2" grep -q 'keras_major=2$' "$T/g2.txt"
"$MT" graph "$D/seq_lstm.k3legacy.h5" >"$T/g3.txt"
"$MT" graph "$D/seq_lstm.k3.json" "$D/seq_lstm.k3.weights.h5" >"$T/g4.txt"
check "Keras 3 to_json() (no version recorded) has keras_major 3" grep -q 'keras_major=3$' "$T/g4.txt"
check "Keras 3 legacy h5 has keras_major 3" grep -q 'keras_major=3$' "$T/g3.txt"
check "LSTM internals: gates (T, 4, units) and cell (T, units)" \
    grep -qx 'lstm_a LSTM in=input_a\[0\] out=(None, 5, 4);(None, 5, 4, 4);(None, 5, 4)' "$T/g3.txt"
done_testing
