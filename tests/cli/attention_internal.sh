# The attention of an attention layer that does not return it (return_attention=False, the common
# case): `dump --internal attention` computes it from the same weights. Reference: the model as
# TF.js built it with return_attention=True (tests/ref/fixtures, outputs/LAYER.0.1.npy), copied
# with that layer's return_attention set to False and the model cut after it
# (tests/cli/attention_internal.py), in .h5 (Keras 2.2, tf.keras 2) and TF.js.
. "$top_srcdir/tests/lib.sh"
if ! have_numpy || ! "$PY" -c 'import h5py' 2>/dev/null; then
    echo "python3-numpy or python3-h5py is not installed"; exit 77
fi
F=$top_srcdir/tests/ref/fixtures

# close A B: max |A - B| <= 1e-5 * max(1, max |B|), same shape
close() {
    "$PY" -c 'import numpy as np, sys
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
err = float(np.abs(a - b).max()) if a.shape == b.shape else float("inf")
print("shape", a.shape, "want", b.shape, "max error", err)
sys.exit(0 if err <= 1e-5 * max(1.0, float(np.abs(b).max())) else 1)' "$1" "$2"
}

for case in attention:ssa_return attention:ssa_mul_return attention:swa_return \
            attention:sdpa_history masking:seq_self_attention_1 masking:seq_weighted_attention_1 \
            seed_selfattention:seq_self_attention_1 seed_weightedattention:seq_weighted_attention_1; do
    dir=${case%%:*} layer=${case#*:}
    rm -rf "$T/cut"
    files=$("$PY" "$top_srcdir/tests/cli/attention_internal.py" "$F/$dir" "$layer" "$T/cut") || {
        not_ok "$dir $layer: the copy without return_attention is made"; continue; }
    for model in $files; do
        what="$dir $layer ($(basename "$(dirname "$model")")/$(basename "$model")): --internal attention"
        if "$RNNSCOPE" dump "$model" --layer "$layer" --internal attention \
               --input "$F/$dir/inputs/input_1.npy" -o "$T/att.npy" > "$T/out" 2>&1 &&
           close "$T/att.npy" "$F/$dir/outputs/$layer.0.1.npy" >> "$T/out" 2>&1; then
            ok "$what equals the returned attention"
        else not_ok "$what equals the returned attention"; diag < "$T/out"; fi
    done
done

# a layer that returns its attention points to --output; a layer without says what has internals
M=$F/attention/keras/k22.h5
expect_fail 1 "returns its attention: use --output 1" "--internal attention of a layer returning it" \
    "$RNNSCOPE" dump "$M" --layer ssa_return --internal attention -o "$T/x.npy"
expect_fail 1 "has no internal 'attention' (recurrent layers have gates and cell" \
    "--internal of a layer without internals" "$RNNSCOPE" dump "$M" --layer dense_1 --internal attention -o "$T/x.npy"
done_testing
