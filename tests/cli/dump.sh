# rnnscope dump: layer names, outputs and internals, input shapes, unsupported layers, and the
# files it writes read back with NumPy.
. "$top_srcdir/tests/lib.sh"
M=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5
FIX=$top_srcdir/tests/ref/fixtures/seed_selfattention

expect_fail 1 "_1: matches 6 layers: input_1, lstm_1" "an ambiguous layer name lists the candidates" \
    "$RNNSCOPE" dump "$M" --layer _1 -o "$T/x.npy"
expect_fail 1 "no such layer; layers are: input_1, lstm_1" "an unknown layer name lists the layers" \
    "$RNNSCOPE" dump "$M" --layer nope -o "$T/x.npy"
expect_fail 1 "has 2 outputs, --output 5 does not exist" "a missing output index" \
    "$RNNSCOPE" dump "$M" --layer seq_self --output 5 -o "$T/x.npy"
expect_fail 1 "has no internal 'gates'" "internals of a layer that has none" \
    "$RNNSCOPE" dump "$M" --layer dense --internal gates -o "$T/x.npy"
expect_fail 2 "-o OUT is required" "-o is required" "$RNNSCOPE" dump "$M" --layer lstm
expect_fail 2 "--layer NAME is required" "--layer is required" "$RNNSCOPE" dump "$M" -o "$T/x.npy"
expect_fail 2 "--output needs an output index" "a bad --output" \
    "$RNNSCOPE" dump "$M" --layer lstm --output x -o "$T/x.npy"
expect_fail 2 "--threads needs a number of threads (1..256), not '0'" "a bad --threads" \
    "$RNNSCOPE" dump "$M" --layer lstm --threads 0 -o "$T/x.npy"

if have_numpy; then
    "$PY" -c 'import numpy as np, sys; np.save(sys.argv[1], np.zeros((2, 100, 4), np.float32))' "$T/short.npy"
    expect_fail 1 "has shape (2, 100, 4), but input 'input_1' expects (None, 240, 4)" \
        "an input of the wrong shape names the shape expected" \
        "$RNNSCOPE" dump "$M" --layer lstm --input "$T/short.npy" -o "$T/x.npy"
    "$PY" -c 'import numpy as np, sys; np.save(sys.argv[1], np.zeros((240, 4), np.float32))' "$T/one.npy"
    check "one sample without its batch axis is taken as a batch of one" \
        "$RNNSCOPE" dump "$M" --layer lstm --input "$T/one.npy" -o "$T/one_out.npy"

    # the seed model's outputs, read back with NumPy, equal the TF.js references
    for spec in "lstm_1 0 lstm_1.0.0" "seq_self_attention_1 1 seq_self_attention_1.0.1" "dense_1 0 dense_1.0.0"; do
        set -- $spec
        if "$RNNSCOPE" dump "$M" --layer "$1" --output "$2" --input "$FIX/inputs/input_1.npy" -o "$T/$3.npy" &&
           "$PY" -c 'import numpy as np, sys
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
assert got.dtype == np.float32 and got.shape == want.shape, (got.shape, want.shape)
assert np.max(np.abs(got - want)) <= 1e-5 * max(1, np.max(np.abs(want))), np.max(np.abs(got - want))' \
               "$T/$3.npy" "$FIX/outputs/$3.npy"; then ok "dump $1[$2] equals the reference (NumPy reads it)"
        else not_ok "dump $1[$2] equals the reference (NumPy reads it)"; fi
    done
    for n in 1 2; do
        if "$RNNSCOPE" dump "$M" --layer lstm_1 --threads $n --input "$FIX/inputs/input_1.npy" -o "$T/t$n.npy" &&
           "$PY" -c 'import numpy as np, sys
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
assert np.max(np.abs(got - want)) <= 1e-5 * max(1, np.max(np.abs(want))), np.max(np.abs(got - want))' \
               "$T/t$n.npy" "$FIX/outputs/lstm_1.0.0.npy"; then ok "dump --threads $n equals the reference"
        else not_ok "dump --threads $n equals the reference"; fi
    done
    if "$RNNSCOPE" dump "$M" --layer lstm --input "$FIX/inputs/input_1.npy" -o "$T/lstm.csv" &&
       "$PY" -c 'import numpy as np, sys
got = np.loadtxt(sys.argv[1], delimiter=",", dtype=np.float32)
want = np.load(sys.argv[2]).reshape(-1, 60)
assert got.shape == want.shape and np.allclose(got, want, atol=1e-6)' "$T/lstm.csv" "$FIX/outputs/lstm_1.0.0.npy"; then
        ok "dump to .csv: last axis as columns, the rest as rows"
    else not_ok "dump to .csv: last axis as columns, the rest as rows"; fi
    if "$RNNSCOPE" dump "$M" --layer lstm --internal gates --random 1 -o "$T/gates.npy" &&
       "$PY" -c 'import numpy as np, sys
g = np.load(sys.argv[1]); assert g.shape == (1, 240, 4, 60), g.shape
assert 0 <= g[:, :, [0, 1, 3]].min() and g[:, :, [0, 1, 3]].max() <= 1' "$T/gates.npy"; then
        ok "--internal gates: (N, T, 4, units), gate values in [0, 1]"
    else not_ok "--internal gates: (N, T, 4, units), gate values in [0, 1]"; fi
    # -o DIR: named from the layer's description as the explorer's export is; two samples do
    # not overwrite each other, and the whole batch has no sample in its name (issue 16)
    mkdir "$T/out"
    IN=$T/two.npy
    "$PY" -c 'import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(0).random((2, 240, 4), np.float32))' "$IN"
    if "$RNNSCOPE" dump "$M" --layer lstm --internal gates --input "$IN" --sample 0 -o "$T/out" &&
       "$RNNSCOPE" dump "$M" --layer lstm --internal gates --input "$IN" --sample 1 -o "$T/out/" &&
       "$RNNSCOPE" dump "$M" --layer seq_self --output 1 --input "$IN" -o "$T/out" &&
       "$RNNSCOPE" dump "$M" --layer lstm --input "$IN" -o "$T/out" &&
       [ "$(ls "$T/out" | tr '\n' ' ')" = "lstm_1.gates.s0.npy lstm_1.gates.s1.npy lstm_1.npy seq_self_attention_1.attention.npy " ] &&
       "$PY" -c 'import numpy as np, sys
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == b.shape == (1, 240, 4, 60) and not np.array_equal(a, b)' "$T/out/lstm_1.gates.s0.npy" "$T/out/lstm_1.gates.s1.npy"; then
        ok "dump -o DIR names the file layer.output.sN.npy; two samples do not overwrite each other"
    else not_ok "dump -o DIR names the file layer.output.sN.npy; two samples do not overwrite each other"; ls "$T/out" | diag; fi
    # Rescaling (the new-layer recipe): every format of the reference model, as tfjs computes it
    # (test_forward_ref skips a model holding a layer rnnscope cannot run; this fails instead)
    R=$top_srcdir/tests/ref/fixtures/rescaling
    for f in "$R/tfjs/model.json" "$R"/keras/*; do
        if "$RNNSCOPE" dump "$f" --layer rescaling_2 --input "$R/inputs/rescaling_1_input.npy" -o "$T/r.npy" &&
           "$PY" -c 'import numpy as np, sys
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6), (a, b)' "$T/r.npy" "$R/outputs/rescaling_2.0.0.npy"; then
            ok "Rescaling runs as tfjs computes it (${f#"$R"/})"
        else not_ok "Rescaling runs as tfjs computes it (${f#"$R"/})"; fi
    done
else
    skip "numpy cases" "python3-numpy is not installed"
fi

# a Lambda layer holds Python code: the model loads, the Lambda cannot run, the layers before it can
L=$top_srcdir/tests/data/models/seq_lambda.k2.h5
LAMBDA=$("$RNNSCOPE" summary "$L" | awk '$3 == "(Lambda)" {print $2}')
BEFORE=$("$RNNSCOPE" summary "$L" | awk '$3 == "(Lambda)" {print prev} {prev = $2}')
expect_fail 1 "layer $LAMBDA (Lambda): Lambda layer holds Python code" "a Lambda layer is refused with its name and class" \
    "$RNNSCOPE" dump "$L" --layer "$LAMBDA" -o "$T/l.npy"
check "the layer before a Lambda still runs" "$RNNSCOPE" dump "$L" --layer "$BEFORE" -o "$T/b.npy"

# a model with a layer rnnscope does not know: it loads; its layer cannot run; the layers
# before it can
W=$SHARED/fixtures-wild/k2.3.1_func_conv1d_bilstm_seqselfattention.h5
if [ -f "$W" ]; then
    check "the layers of a real Keras file run (Conv1D → BiLSTM → SeqSelfAttention → Dense)" \
        "$RNNSCOPE" dump "$W" --layer dense_6 --random 0 -o "$T/wild.npy"
else
    skip "the layers of a real Keras file run" "../shared/fixtures-wild is absent"
fi
done_testing
