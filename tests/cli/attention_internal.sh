# The attention of an attention layer that does not return it (return_attention=False, the common
# case): `dump --internal attention` computes it from the same weights. Reference: the model as
# TF.js built it with return_attention=True (tests/ref/fixtures, outputs/LAYER.0.1.npy), copied
# with that layer's return_attention set to False and the model cut after it
# (tests/cli/attention_internal.py), in .h5 (Keras 2.2, tf.keras 2) and TF.js. Keras' own attention
# layers against NumPy (tests/cli/keras_attention_ref.py), below.
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

# check_internal MODEL DIR LAYER REF.npy WHAT: dump --internal attention of LAYER equals REF
check_internal() {
    local what="$2 $3 ($(basename "$(dirname "$1")")/$(basename "$1")): --internal attention $5"
    if "$RNNSCOPE" dump "$1" --layer "$3" --internal attention \
           --input "$F/$2/inputs/input_1.npy" -o "$T/att.npy" > "$T/out" 2>&1 &&
       close "$T/att.npy" "$4" >> "$T/out" 2>&1; then
        ok "$what"
    else not_ok "$what"; diag < "$T/out"; fi
}

for case in attention:ssa_return attention:ssa_mul_return attention:swa_return \
            attention:sdpa_history masking:seq_self_attention_1 masking:seq_weighted_attention_1 \
            seed_selfattention:seq_self_attention_1 seed_weightedattention:seq_weighted_attention_1; do
    dir=${case%%:*} layer=${case#*:}
    rm -rf "$T/cut"
    files=$("$PY" "$top_srcdir/tests/cli/attention_internal.py" "$F/$dir" "$layer" "$T/cut") || {
        not_ok "$dir $layer: the copy without return_attention is made"; continue; }
    for model in $files; do
        check_internal "$model" "$dir" "$layer" "$F/$dir/outputs/$layer.0.1.npy" \
            "equals the returned attention"
    done
done

# Keras' own attention layers (Attention dot and concat, AdditiveAttention, MultiHeadAttention)
# return their scores only when called with return_attention_scores=True, false in these files:
# the reference is NumPy following the Keras source (tests/cli/keras_attention_ref.py) on the
# inputs TF.js computed, checked in every file of the fixture.
for case in attention:attention attention:attention_concat attention:attention_plain \
            attention:additive_attention attention:additive_attention_noscale \
            keras_mha:multi_head_attention keras_mha:multi_head_attention_1; do
    dir=${case%%:*} layer=${case#*:}
    h5=$(ls "$F/$dir"/keras/k22.h5 "$F/$dir"/keras/tfk2.h5 2>/dev/null | head -n 1) # Keras 2 configs
    if ! "$PY" "$top_srcdir/tests/cli/keras_attention_ref.py" "$F/$dir" "$h5" "$layer" \
             "$T/ref.npy" > "$T/out" 2>&1; then
        not_ok "$dir $layer: the NumPy reference is made"; diag < "$T/out"; continue
    fi
    for model in "$F/$dir"/keras/* "$F/$dir"/tfjs/model.json; do
        [ -e "$model" ] && check_internal "$model" "$dir" "$layer" "$T/ref.npy" \
            "equals Keras' scores (NumPy)"
    done
done

# a layer that returns its attention points to --output; a layer without says what has internals
M=$F/attention/keras/k22.h5
expect_fail 1 "returns its attention: use --output 1" "--internal attention of a layer returning it" \
    "$RNNSCOPE" dump "$M" --layer ssa_return --internal attention -o "$T/x.npy"
expect_fail 1 "has no internal 'attention' (recurrent layers have gates and cell" \
    "--internal of a layer without internals" "$RNNSCOPE" dump "$M" --layer dense_1 --internal attention -o "$T/x.npy"
done_testing
