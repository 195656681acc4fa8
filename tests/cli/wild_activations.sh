# The forward pass against activations recorded by real Keras 2.1.3 (../shared/fixtures-wild,
# dl4j-test-resources): each file's *.inputs_and_outputs.h5 holds the inputs, every layer's
# activations/ and the model's predictions/ (its outputs/ are training targets: not used).
# The LSTM uses hard_sigmoid: Keras 2's 0.2x+0.5 is needed to match (x/6+0.5 is off by ~7e-2).
. "$top_srcdir/tests/lib.sh"
W=$SHARED/fixtures-wild
if [ ! -d "$W" ]; then echo "$W is absent"; exit 77; fi
if ! "$PY" -c 'import h5py, numpy' 2>/dev/null; then echo "python3-h5py is not installed"; exit 77; fi

# extract IO.h5 GROUP/NAME OUT.npy
extract() {
    "$PY" -c 'import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    np.save(sys.argv[3], np.asarray(f[sys.argv[2]], dtype=np.float32))' "$@"
}

# matches GOT.npy WANT.npy: same shape, max|got-want| <= 1e-5 * max(1, max|want|)
matches() {
    "$PY" -c 'import sys, numpy as np
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
if got.shape != want.shape:
    sys.exit("shape %s, Keras recorded %s" % (got.shape, want.shape))
err = float(np.abs(got - want).max())
tol = 1e-5 * max(1.0, float(np.abs(want).max()))
print("max error %.3g (tolerance %.3g)" % (err, tol))
sys.exit(0 if err <= tol else 1)' "$@"
}

# run MODEL LAYER GROUP/NAME: dump LAYER of MODEL on the recorded inputs, compare with GROUP/NAME.
run() {
    local model=$1 layer=$2 want=$3 io=$W/${1%.h5}.inputs_and_outputs.h5 err
    local input
    input=$("$PY" -c 'import sys, h5py; print(list(h5py.File(sys.argv[1], "r")["inputs"])[0])' "$io")
    extract "$io" "inputs/$input" "$T/in.npy"
    extract "$io" "$want" "$T/want.npy"
    if ! "$RNNSCOPE" dump "$W/$model" --layer "$layer" --input "$T/in.npy" -o "$T/got.npy" \
            2>"$T/err.txt"; then
        if grep -q 'not implemented yet' "$T/err.txt"; then
            skip "$model: $layer = Keras' $want" "$(cat "$T/err.txt")"
        else
            not_ok "$model: $layer = Keras' $want"; diag <"$T/err.txt"
        fi
        return
    fi
    check "$model: $layer = Keras' $want" matches "$T/got.npy" "$T/want.npy"
}

run k2.1.3_seq_lstm_hardsigmoid.h5 lstm_1 activations/lstm_1
run k2.1.3_seq_lstm_hardsigmoid.h5 dense_1 activations/dense_1
run k2.1.3_seq_lstm_hardsigmoid.h5 dense_1 predictions/dense_1
run k2.1.3_seq_simplernn.h5 simple_rnn_1 activations/simple_rnn_1
run k2.1.3_seq_simplernn.h5 dense_1 activations/dense_1
run k2.1.3_seq_simplernn.h5 dense_1 predictions/dense_1
done_testing
