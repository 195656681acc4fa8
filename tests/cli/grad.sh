# rnnscope grad: gradients of the seed model against the TF.js autodiff references
# (tests/ref/grad_refs.mjs), read back with NumPy; --weight names; the objective's options; the
# bad input cases of issue 17 (one line on stderr, exit 1; 2 for misuse); summary --weights.
. "$top_srcdir/tests/lib.sh"
FIX=$top_srcdir/tests/ref/fixtures
S=$FIX/seed_selfattention
M=$S/keras/k22.h5
IN="--input $S/inputs/input_1.npy"

# near GOT.npy REF.npy: same shape, max|got - ref| <= 1e-4 max(1, max|ref|)
near() {
    "$PY" -c 'import numpy as np, sys
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
assert got.dtype == np.float32 and got.shape == want.shape, (got.shape, want.shape)
d = np.max(np.abs(got - want)); assert d <= 1e-4 * max(1, np.max(np.abs(want))), d' "$1" "$2"
}

# near_rel GOT.npy REF.npy: same shape, max|got - ref| <= 2e-6 max|ref| (integrated gradients
# are small: 31 points instead of 32 already differ by 1e-5 of their largest value)
near_rel() {
    "$PY" -c 'import numpy as np, sys
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
assert got.dtype == np.float32 and got.shape == want.shape, (got.shape, want.shape)
d = np.max(np.abs(got - want)); assert d <= 2e-6 * np.max(np.abs(want)), d / np.max(np.abs(want))' "$1" "$2"
}

# grad_ok "description" REF.npy OUT.npy grad-args...: grad exits 0 and OUT matches REF
# (NEAR=near_rel for a relative tolerance)
grad_ok() {
    local what=$1 ref=$2 out=$3; shift 3
    local err
    if err=$("$RNNSCOPE" grad "$@" -o "$out" 2>&1) && "${NEAR:-near}" "$out" "$ref" 2>"$T/err"; then ok "$what"
    else not_ok "$what"; { printf '%s\n' "$err"; cat "$T/err"; } | diag; fi
}

if have_numpy; then
    grad_ok "--layer of the InputLayer: the input gradient (saliency) equals tfjs's" \
        "$S/grads/unit0/input.0.npy" "$T/in.npy" "$M" --layer input_1 $IN
    grad_ok "--weight by its full Keras name equals tfjs's" \
        "$S/grads/unit0/lstm_1.1.npy" "$T/rk.npy" "$M" --weight lstm_1/recurrent_kernel:0 $IN
    grad_ok "--weight by a part that matches one weight" \
        "$S/grads/unit0/seq_self_attention_1.3.npy" "$T/wa.npy" "$M" --weight Add_Wa $IN
    grad_ok "--labels with the loss the .h5 was compiled with (binary cross-entropy)" \
        "$S/grads/bce/input.0.npy" "$T/bce.npy" "$S/grads/compiled/k22.h5" --layer input_1 \
        --labels "$S/grads/labels.npy" $IN
    grad_ok "--labels with the loss of a compiled .keras" \
        "$S/grads/bce/dense_1.0.npy" "$T/bce_k3.npy" "$S/grads/compiled/k3.keras" \
        --weight layers/dense/vars/0 --labels "$S/grads/labels.npy" $IN
    grad_ok "--loss names the loss of an uncompiled file (an alias: bce)" \
        "$S/grads/bce/lstm_1.0.npy" "$T/bce_k.npy" "$M" --weight lstm_1/kernel \
        --labels "$S/grads/labels.npy" --loss bce $IN
    N=$FIX/functional_nested
    grad_ok "--output-of picks the second model output" "$N/grads/unit0_out1/input.1.npy" \
        "$T/out2.npy" "$N/keras/k22.h5" --layer input_b --output-of out_2 \
        --input "$N/inputs/input_a.npy" --input "$N/inputs/input_b.npy"
    grad_ok "an input the objective does not depend on has a zero gradient" \
        "$N/grads/unit0_out1/input.0.npy" "$T/out2a.npy" "$N/keras/k22.h5" --layer input_a \
        --output-of out_2 --input "$N/inputs/input_a.npy" --input "$N/inputs/input_b.npy"
    if "$RNNSCOPE" grad "$M" --layer input_1 $IN -o - > "$T/stdout.npy" && near "$T/stdout.npy" "$S/grads/unit0/input.0.npy"
    then ok "-o - writes .npy to standard output"; else not_ok "-o - writes .npy to standard output"; fi
    if "$RNNSCOPE" grad "$M" --layer lstm_1 $IN -o "$T/lstm.csv" &&
       "$PY" -c 'import numpy as np, sys; g = np.loadtxt(sys.argv[1], delimiter=","); assert g.shape == (240, 60), g.shape' "$T/lstm.csv"
    then ok "-o OUT.csv: the gradient of a layer's output, one row per timestep"
    else not_ok "-o OUT.csv: the gradient of a layer's output, one row per timestep"; fi
    "$PY" -c 'import numpy as np, sys; np.save(sys.argv[1], np.zeros(3, np.float32))' "$T/bad_labels.npy"
    expect_fail 1 "labels of shape (3,) do not fit the output (1, 1)" "labels that do not fit the output" \
        "$RNNSCOPE" grad "$M" --layer input_1 $IN --labels "$T/bad_labels.npy" --loss mse -o "$T/x.npy"
    expect_fail 1 "the file names no loss (saved without compiling): give --loss NAME" \
        "a file without a compiled loss and no --loss" \
        "$RNNSCOPE" grad "$M" --layer input_1 $IN --labels "$S/grads/labels.npy" -o "$T/x.npy"
    expect_fail 2 "squared_error: Keras has no loss of this name" "a loss name Keras does not have" \
        "$RNNSCOPE" grad "$M" --layer input_1 $IN --labels "$S/grads/labels.npy" --loss squared_error -o "$T/x.npy"
    expect_fail 2 "hinge: rnnscope does not differentiate this Keras loss yet" "a Keras loss not differentiated yet" \
        "$RNNSCOPE" grad "$M" --layer input_1 $IN --labels "$S/grads/labels.npy" --loss hinge -o "$T/x.npy"
    # README's worked example on the demo (sample 3: a decoy at 124-133, prediction 0.001)
    DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
    if "$RNNSCOPE" grad "$DEMO" --layer input_1 --sample 3 -o "$T/sal.npy" &&
       "$PY" -c 'import numpy as np, sys
g = abs(np.load(sys.argv[1])[0]); assert g.shape == (240, 4)
top = g.sum(1).argsort()[::-1][:6].tolist(); share = g.sum(0) / g.sum()
assert top == [204, 128, 203, 127, 205, 27], top
assert abs(share[0] - 0.81) < 0.005, share' "$T/sal.npy"
    then ok "README's example: the demo's saliency is where the README says"
    else not_ok "README's example: the demo's saliency is where the README says"; fi
    # --method input_x_grad is the input times its gradient
    if "$RNNSCOPE" grad "$DEMO" --layer input_1 --sample 3 --method input_x_grad -o "$T/ixg.npy" &&
       "$PY" -c 'import numpy as np, sys
ixg, sal, x = (np.load(f) for f in sys.argv[1:4])
assert np.allclose(ixg, x[3:4] * sal, rtol=1e-6, atol=0), "input_x_grad"' \
           "$T/ixg.npy" "$T/sal.npy" "$top_srcdir/share/rnnscope/demo/demo.inputs.npy"
    then ok "--method input_x_grad is input x gradient"
    else not_ok "--method input_x_grad is input x gradient"; fi
    # --method ig against tfjs on the same path (tests/ref/ig_refs.mjs): 32 points by default,
    # from zeros or a --baseline of one sample's shape, and --ig-steps counts
    IG=$S/grads/ig
    NEAR=near_rel
    grad_ok "--method ig (32 points from zeros) equals tfjs's gradients on the same path" \
        "$IG/zeros.npy" "$T/ig0.npy" "$M" --layer input_1 --method ig $IN
    grad_ok "--method ig --baseline FILE.npy (one sample's shape) equals tfjs's" \
        "$IG/with_baseline.npy" "$T/igb.npy" "$M" --layer input_1 --method ig --baseline "$IG/baseline.npy" $IN
    grad_ok "--method ig --ig-steps 4 equals tfjs's 4-point path" \
        "$IG/steps4.npy" "$T/ig4.npy" "$M" --layer input_1 --method ig --ig-steps 4 $IN
    B=$FIX/bidirectional
    grad_ok "--method ig of a Bidirectional LSTM (batch of 2) equals tfjs's" \
        "$B/grads/ig/with_baseline.npy" "$T/igbi.npy" "$B/keras/k3.keras" --layer input \
        --method ig --baseline "$B/grads/ig/baseline.npy" --input "$B/inputs/input_1.npy"
    NEAR=near
    # the completeness line: the figures tfjs computes, and below 1 % on the demo at 32 points
    # (its whole shipped batch, and each burst sample: their f(x) is 1.0, f(0) ~2e-5)
    if "$RNNSCOPE" grad "$M" --layer input_1 --method ig --baseline "$IG/baseline.npy" $IN -o "$T/igb.npy" 2>"$T/igb.err" &&
       "$PY" -c 'import json, re, sys
line = open(sys.argv[1]).read(); want = json.load(open(sys.argv[2]))["with_baseline"]
m = re.fullmatch(r"rnnscope: grad: integrated gradients \(32 steps\): sum (\S+), f\(input\) - f\(baseline\) = (\S+) - (\S+) = (\S+), completeness error (\S+)%\n", line)
assert m, line
s, fx, fb, d, e = map(float, m.groups())
for got, ref in ((s, want["sum"]), (fx, want["f_input"]), (fb, want["f_baseline"])):
    assert abs(got - ref) <= 1e-5, (got, ref)
assert abs(e / 100 - abs(s - (fx - fb)) / abs(fx - fb)) <= 1e-3, line' "$T/igb.err" "$IG/completeness.json"
    then ok "--method ig reports its sum, f(input), f(baseline) and completeness error on stderr as tfjs has them"
    else not_ok "--method ig reports its sum, f(input), f(baseline) and completeness error on stderr as tfjs has them"; cat "$T/igb.err" | diag; fi
    for s in all 0 2 4 6; do
        if [ $s = all ]; then sel=; else sel="--sample $s"; fi
        if "$RNNSCOPE" grad "$DEMO" --layer input_1 $sel --method ig -o "$T/igd.npy" 2>"$T/igd.err" &&
           "$PY" -c 'import re, sys
e = float(re.search(r"completeness error (\S+)%", open(sys.argv[1]).read()).group(1))
assert e < 1, e' "$T/igd.err"
        then ok "integrated gradients on the demo ($s) at 32 points: completeness error below 1 %"
        else not_ok "integrated gradients on the demo ($s) at 32 points: completeness error below 1 %"; diag < "$T/igd.err"; fi
    done
    # timestep importance (the explorer's strip): the gradient's L2 norm over channels per step
    L=$top_srcdir/share/rnnscope/demo/demo.labels.npy
    if "$RNNSCOPE" grad "$DEMO" --layer lstm_1 -o "$T/gl.npy" &&
       "$RNNSCOPE" grad "$DEMO" --layer lstm_1 --importance -o "$T/il.npy" &&
       "$RNNSCOPE" grad "$DEMO" --layer input_1 --labels "$L" --loss bce -o "$T/gb.npy" &&
       "$RNNSCOPE" grad "$DEMO" --layer input_1 --labels "$L" --loss bce --importance -o "$T/ib.npy" &&
       "$PY" -c 'import numpy as np, sys
for g, i in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    g, i = np.load(g), np.load(i)
    assert i.shape == g.shape[:2], i.shape
    assert np.allclose(i, np.sqrt((g.astype(np.float64) ** 2).sum(2)), rtol=1e-6, atol=0)
    assert i.max() > 0' "$T/gl.npy" "$T/il.npy" "$T/gb.npy" "$T/ib.npy"
    then ok "--importance is the L2 norm over channels per step (a layer and the unit; the input and the loss)"
    else not_ok "--importance is the L2 norm over channels per step (a layer and the unit; the input and the loss)"; fi
    # on the demo's burst samples (its README: 0 at 173-182, 2 at 56-65, 4 at 113-122, 6 at
    # 82-91) the integrated gradients' importance peaks inside the burst; the plain gradient is
    # exactly 0 there: the sigmoid output is 1.0 in float32 (saturated, as in Keras)
    for sb in 0:173:182 2:56:65 4:113:122 6:82:91; do
        s=${sb%%:*} lo=${sb#*:} hi=${sb##*:}
        lo=${lo%%:*}
        if "$RNNSCOPE" grad "$DEMO" --layer input_1 --sample $s --method ig --importance -o "$T/ii.npy" 2>/dev/null &&
           "$RNNSCOPE" grad "$DEMO" --layer input_1 --sample $s --importance -o "$T/ig.npy" &&
           "$PY" -c 'import numpy as np, sys
ii, ig = np.load(sys.argv[1])[0], np.load(sys.argv[2])[0]; lo, hi = int(sys.argv[3]), int(sys.argv[4])
assert lo <= ii.argmax() <= hi, ii.argmax()
assert (ig == 0).all(), ig.max()' "$T/ii.npy" "$T/ig.npy" $lo $hi
        then ok "demo sample $s: the importance of integrated gradients peaks inside the burst ($lo-$hi)"
        else not_ok "demo sample $s: the importance of integrated gradients peaks inside the burst ($lo-$hi)"; fi
    done
    # --by-gate: the weight gradients by gate block, against tfjs's gradients split the same way
    gate_ok() { # gate_ok "description" GATES MODEL INPUT REF_PREFIX FIRST LAST grad-args...
        local what=$1 gates=$2 model=$3 input=$4 ref=$5 w=$6 last=$7; shift 7
        local refs=""
        while [ $w -le "$last" ]; do refs="$refs $ref.$w.npy"; w=$((w + 1)); done
        if "$RNNSCOPE" grad "$model" --by-gate --input "$input" "$@" > "$T/gates.txt" 2>"$T/err" &&
           "$PY" "$top_srcdir/tests/cli/gate_table.py" "$gates" $refs < "$T/gates.txt" >/dev/null 2>>"$T/err"
        then ok "$what"; else not_ok "$what"; { cat "$T/gates.txt"; cat "$T/err"; } | diag; fi
    }
    R=$FIX/rnn_options
    gate_ok "--layer LSTM --by-gate: i f c o of kernel, recurrent kernel and bias as tfjs's" i,f,c,o \
        "$R/keras/k3.keras" "$R/inputs/input_1.npy" "$R/grads/unit0/lstm_state" 0 2 --layer lstm_state
    gate_ok "--layer GRU --by-gate: z r h as tfjs's" z,r,h \
        "$R/keras/k22.h5" "$R/inputs/input_1.npy" "$R/grads/unit0/gru_state" 0 2 --layer gru_state
    gate_ok "--layer SimpleRNN --by-gate: one block per weight as tfjs's" - \
        "$R/keras/k22.h5" "$R/inputs/input_1.npy" "$R/grads/unit0/srnn_state" 0 2 --layer srnn_state
    gate_ok "--weight NAME --by-gate: one weight" i,f,c,o \
        "$S/keras/k22.h5" "$S/inputs/input_1.npy" "$S/grads/unit0/lstm_1" 1 1 --weight lstm_1/recurrent_kernel:0
    if "$RNNSCOPE" grad "$B/keras/k3.keras" --layer bidirectional_1 --by-gate --input "$B/inputs/input_1.npy" > "$T/bg.txt" &&
       awk 'NR > 1 { print $2 }' "$T/bg.txt" | uniq -c | awk '{ printf "%s %s;", $1, $2 }' | grep -qx '12 forward;12 backward;'
    then gate_ok "--by-gate of a Bidirectional LSTM: forward then backward weights, by gate, as tfjs's" i,f,c,o \
        "$B/keras/k3.keras" "$B/inputs/input_1.npy" "$B/grads/unit0/bidirectional_1" 0 5 --layer bidirectional_1
    else not_ok "--by-gate of a Bidirectional LSTM: forward then backward weights, by gate, as tfjs's"; diag < "$T/bg.txt"; fi
    # the shares: a saturated demo sample's gradient is all exact zeros; NaN weights give NaN
    if "$RNNSCOPE" grad "$DEMO" --sample 0 --weight lstm_1/kernel --by-gate > "$T/z.txt" &&
       [ "$(awk 'NR > 1 && $6 == "100.00%" && $7 == "0.00%"' "$T/z.txt" | wc -l)" -eq 4 ] &&
       "$RNNSCOPE" grad "$top_srcdir/tests/data/nan_weights/seq_lstm.keras" --layer lstm --by-gate \
           --input "$top_srcdir/tests/data/nan_weights/input.npy" > "$T/n.txt" &&
       [ "$(awk 'NR > 1 && $7 == "100.00%"' "$T/n.txt" | wc -l)" -eq 12 ]
    then ok "--by-gate counts exact zeros (a saturated sample) and NaN (NaN weights)"
    else not_ok "--by-gate counts exact zeros (a saturated sample) and NaN (NaN weights)"; cat "$T/z.txt" "$T/n.txt" | diag; fi
    # a block without a finite value has no norm: nan, not the 0 of an empty sum
    if [ "$(awk 'NR > 1 && $7 == "100.00%" && $5 == "nan"' "$T/n.txt" | wc -l)" -eq 12 ] &&
       ! awk 'NR > 1 && $7 == "100.00%" && $5 == "0"' "$T/n.txt" | grep -q .
    then ok "--by-gate: an all-NaN gate's norm is nan"
    else not_ok "--by-gate: an all-NaN gate's norm is nan"; diag < "$T/n.txt"; fi
    # a baseline where the objective is NaN: the completeness line says so in words (-nan%)
    "$PY" -c 'import sys, numpy as np; np.save(sys.argv[1], np.full((240, 4), np.nan, np.float32))' "$T/nanb.npy"
    if "$RNNSCOPE" grad "$DEMO" --layer input_1 --sample 1 --method ig --baseline "$T/nanb.npy" -o "$T/x.npy" 2>"$T/nanb.err" &&
       grep -q "f(baseline) = .* - NaN = NaN, completeness error unknown: the objective is not a number at the baseline" "$T/nanb.err" &&
       ! grep -q -- "-nan" "$T/nanb.err"
    then ok "--method ig with a NaN objective at the baseline says so in words"
    else not_ok "--method ig with a NaN objective at the baseline says so in words"; diag < "$T/nanb.err"; fi
    # a cap that leaves no room for the LSTM's whole tape (3.3 MiB for the demo's 8 x 240 steps):
    # the reverse pass keeps checkpoints every 16 steps and recomputes, same result
    if "$RNNSCOPE" grad "$DEMO" --layer input_1 -o "$T/nocap.npy" &&
       "$RNNSCOPE" grad "$DEMO" --layer input_1 --max-memory 12M -o "$T/cap.npy" &&
       "$PY" -c 'import numpy as np, sys; assert (np.load(sys.argv[1]) == np.load(sys.argv[2])).all()' "$T/cap.npy" "$T/nocap.npy"
    then ok "under a tight --max-memory the LSTM's reverse pass checkpoints: same gradient"
    else not_ok "under a tight --max-memory the LSTM's reverse pass checkpoints: same gradient"; fi
else
    skip "gradients against the references" "no NumPy"
fi
expect_fail 1 "its reverse pass needs 2.2 MiB on top of the 9.61 MiB held, more than the memory cap of 11 MiB (--max-memory)" \
    "a reverse pass over the memory cap is refused naming the layer" \
    "$RNNSCOPE" grad "$top_srcdir/share/rnnscope/demo/demo.h5" --layer input_1 --max-memory 11M -o "$T/x.npy"

expect_fail 1 "--unit 3 is out of range: the output has 1 unit" "--unit out of range" \
    "$RNNSCOPE" grad "$M" --layer input_1 --unit 3 -o "$T/x.npy"
expect_fail 1 "layer input_layer (InputLayer): its values are integer token ids, which have no gradient" \
    "the gradient of integer inputs is refused" \
    "$RNNSCOPE" grad "$FIX/embed_mask/keras/k3.keras" --layer input_layer -o "$T/x.npy"
# lstm_stack with its second LSTM's relu made swish: runs forward, but swish's derivative is not
# a function of its output, which the recurrence's reverse pass needs
mkdir "$T/swish" && cp "$FIX"/lstm_stack/tfjs/*.bin "$T/swish/" &&
    sed 's/"activation":"relu"/"activation":"swish"/' "$FIX/lstm_stack/tfjs/model.json" > "$T/swish/model.json"
expect_fail 1 "layer lstm_2 (LSTM): no reverse pass for its activation" \
    "a layer without a reverse pass for its configuration is refused by name" \
    "$RNNSCOPE" grad "$T/swish/model.json" --layer lstm_1 -o "$T/x.npy"
expect_fail 1 "kernel: matches 3 weights: lstm_1/kernel:0, lstm_1/recurrent_kernel:0, dense_1/kernel:0" \
    "an ambiguous --weight lists the candidates" "$RNNSCOPE" grad "$M" --weight kernel -o "$T/x.npy"
expect_fail 1 "nope: no such weight; weights are: lstm_1/kernel:0" "an unknown --weight lists the weights" \
    "$RNNSCOPE" grad "$M" --weight nope -o "$T/x.npy"
expect_fail 1 "layer inner_seq/inner_dense_1 is not a model output (--output-of)" "--output-of of a layer that is not an output" \
    "$RNNSCOPE" grad "$FIX/functional_nested/keras/k22.h5" --layer input_a --output-of dense_1 -o "$T/x.npy"
expect_fail 2 "--layer NAME or --weight NAME is required" "grad without --layer or --weight" \
    "$RNNSCOPE" grad "$M" -o "$T/x.npy"
expect_fail 2 "give --layer or --weight, not both" "grad with both --layer and --weight" \
    "$RNNSCOPE" grad "$M" --layer lstm --weight lstm_1/kernel:0 -o "$T/x.npy"
expect_fail 2 "--loss needs --labels" "--loss without --labels" \
    "$RNNSCOPE" grad "$M" --layer lstm --loss mse -o "$T/x.npy"
expect_fail 2 "--unit is for the objective without labels" "--unit with --labels" \
    "$RNNSCOPE" grad "$M" --layer lstm --labels "$S/grads/labels.npy" --unit 1 -o "$T/x.npy"
expect_fail 1 "layer lstm_1 is not a model input: --method ig integrates along the path from a baseline to an input" \
    "--method ig of a layer that is not a model input" \
    "$RNNSCOPE" grad "$M" --layer lstm_1 --method ig -o "$T/x.npy"
expect_fail 2 "--method goes with --layer" "--method with --weight" \
    "$RNNSCOPE" grad "$M" --weight lstm_1/kernel:0 --method ig -o "$T/x.npy"
expect_fail 2 "--ig-steps goes with --method ig" "--ig-steps without --method ig" \
    "$RNNSCOPE" grad "$M" --layer input_1 --ig-steps 8 -o "$T/x.npy"
expect_fail 2 "--baseline goes with --method ig" "--baseline without --method ig" \
    "$RNNSCOPE" grad "$M" --layer input_1 --baseline "$M" -o "$T/x.npy"
expect_fail 2 "--ig-steps needs a count from 1 to 100000, not '0'" "--ig-steps 0" \
    "$RNNSCOPE" grad "$M" --layer input_1 --method ig --ig-steps 0 -o "$T/x.npy"
expect_fail 1 "its shape does not fit the input (the input's shape, or one sample's)" \
    "a --baseline of another shape than the input" \
    "$RNNSCOPE" grad "$M" --layer input_1 --method ig --baseline "$S/grads/labels.npy" -o "$T/x.npy"
expect_fail 1 "flatten_1: not a sequence (shape of rank 2; importance needs (batch, timesteps, channels...))" \
    "--importance of a layer without a time axis" \
    "$RNNSCOPE" grad "$top_srcdir/share/rnnscope/demo/demo.h5" --layer flatten --importance -o "$T/x.npy"
expect_fail 2 "--importance goes with --layer" "--importance with --weight" \
    "$RNNSCOPE" grad "$M" --weight lstm_1/kernel:0 --importance -o "$T/x.npy"
# plot --grad draws the gradient: the same picture as plot --data of grad's .npy, every view
"$RNNSCOPE" grad "$M" --layer lstm_1 $IN -o "$T/pg.npy"
for v in lines detail heatmap hist bars; do
    if "$RNNSCOPE" plot "$M" --layer lstm_1 --grad --view $v --width 60 --height 12 --graphics ascii --color never $IN > "$T/pg_model.txt" &&
       "$RNNSCOPE" plot --data "$T/pg.npy" --view $v --width 60 --height 12 --graphics ascii --color never > "$T/pg_data.txt" &&
       diff -I 'lstm_1\|pg.npy' "$T/pg_model.txt" "$T/pg_data.txt" > "$T/pg.diff" &&
       ! cmp -s "$T/pg_model.txt" <("$RNNSCOPE" plot "$M" --layer lstm_1 --view $v --width 60 --height 12 --graphics ascii --color never $IN)
    then ok "plot --grad --view $v draws grad's array (not the output)"
    else not_ok "plot --grad --view $v draws grad's array (not the output)"; diag < "$T/pg.diff"; fi
done
expect_fail 2 "--labels, --loss, --unit and --output-of go with --grad" "plot --unit without --grad" \
    "$RNNSCOPE" plot "$M" --layer lstm_1 --unit 0
# plot --grad --view weights: the gradient of every weight, the same picture as plot --data of
# grad --weight's arrays (kernel, --recurrent, --bias), not the weights themselves
for w in kernel recurrent_kernel bias; do "$RNNSCOPE" grad "$M" --weight "lstm_1/$w:0" $IN -o "$T/gw_$w.npy"; done
if "$RNNSCOPE" plot "$M" --layer lstm_1 --grad --view weights --width 100 --height 24 --graphics ascii --color never $IN > "$T/pw_model.txt" &&
   "$RNNSCOPE" plot --data "$T/gw_kernel.npy" --recurrent "$T/gw_recurrent_kernel.npy" --bias "$T/gw_bias.npy" \
       --gates lstm --view weights --width 100 --height 24 --graphics ascii --color never > "$T/pw_data.txt" &&
   diff -I 'lstm_1\|gw_kernel\|^ *i ' "$T/pw_model.txt" "$T/pw_data.txt" > "$T/pw.diff" &&
   ! cmp -s "$T/pw_model.txt" <("$RNNSCOPE" plot "$M" --layer lstm_1 --view weights --width 100 --height 24 --graphics ascii --color never $IN)
then ok "plot --grad --view weights draws grad --weight's arrays by gate (not the weights)"
else not_ok "plot --grad --view weights draws grad --weight's arrays by gate (not the weights)"; diag < "$T/pw.diff"; fi
# beside each gate's name its block's norm, as grad --by-gate gives it (kernel, then recurrent)
if "$RNNSCOPE" grad "$M" --layer lstm_1 --by-gate $IN > "$T/pw_gates.txt" &&
   "$PY" -c 'import sys
row = next(l for l in open(sys.argv[1], encoding="utf-8") if l.split()[:1] == ["i"]).split()
got = [float(x) for x in row[1::2]]
want = [float(l.split()[4]) for l in open(sys.argv[2]).read().splitlines()[1:] if "bias" not in l]
assert len(got) == 8 and all(abs(g - w) <= 5e-3 * abs(w) for g, w in zip(got, want)), (got, want)' \
       "$T/pw_model.txt" "$T/pw_gates.txt"
then ok "plot --grad --view weights writes each gate block's norm beside its name (grad --by-gate's)"
else not_ok "plot --grad --view weights writes each gate block's norm beside its name (grad --by-gate's)"; diag < "$T/pw_model.txt"; fi
expect_fail 2 "--grad draws a layer's outputs or weights: no --internal yet" "plot --grad --internal" \
    "$RNNSCOPE" plot "$M" --layer lstm_1 --grad --internal gates
expect_fail 2 "--strip goes with --grad" "plot --strip without --grad" \
    "$RNNSCOPE" plot "$M" --layer lstm_1 --strip
expect_fail 2 "--loss needs --labels" "plot --grad --loss without --labels" \
    "$RNNSCOPE" plot "$M" --layer lstm_1 --grad --loss mse
expect_fail 2 "--by-gate prints a table: no -o" "--by-gate with -o" \
    "$RNNSCOPE" grad "$M" --weight lstm_1/kernel:0 --by-gate -o "$T/x.npy"
expect_fail 1 "layer input_1 has no weights" "--by-gate of a layer without weights" \
    "$RNNSCOPE" grad "$M" --layer input_1 --by-gate
expect_fail 2 "--method is grad, input_x_grad or ig, not 'smooth'" "an unknown --method" \
    "$RNNSCOPE" grad "$M" --layer lstm --method smooth -o "$T/x.npy"
expect_fail 2 "--unit needs a non-negative index, not 'x'" "a bad --unit" \
    "$RNNSCOPE" grad "$M" --layer lstm --unit x -o "$T/x.npy"

out=$("$RNNSCOPE" summary --weights "$M")
if printf '%s\n' "$out" | grep -q "^lstm_1/recurrent_kernel:0 *(60, 240) *lstm_1$" &&
   printf '%s\n' "$out" | grep -q "^Total params: 91,506$"; then
    ok "summary --weights lists every weight's full name and shape after the table"
else not_ok "summary --weights lists every weight's full name and shape after the table"; printf '%s\n' "$out" | diag; fi
if "$RNNSCOPE" summary "$M" | grep -q "recurrent_kernel"; then
    not_ok "summary without --weights lists no weights"
else ok "summary without --weights lists no weights"; fi
# hostile compile configs (training_config as Python's json.dumps writes it): NaN and Infinity
# were "not valid JSON"; a loss name with escapes and a newline stays one sanitized line
if have_numpy && "$PY" -c 'import h5py' 2>/dev/null; then
    "$PY" - "$M" "$T" <<'PY'
import h5py, json, shutil, sys
import numpy as np
m, t = sys.argv[1:]
np.save(t + "/y.npy", np.full((1, 1), 0.25, np.float32))
for name, tc in {"inf": {"loss": "mse", "loss_weights": [float("inf")], "metrics": [float("nan")]},
                 "nan": {"loss": float("nan")},
                 "esc": {"loss": "\x1b]0;PWN\x07\nrnnscope: forged"}}.items():
    shutil.copy(m, f"{t}/tc_{name}.h5")
    with h5py.File(f"{t}/tc_{name}.h5", "a") as f:
        f.attrs["training_config"] = json.dumps(tc)
PY
    "$RNNSCOPE" grad "$M" --layer dense_1 --labels "$T/y.npy" --loss mse $IN -o "$T/tc_ref.npy"
    if err=$("$RNNSCOPE" grad "$T/tc_inf.h5" --layer dense_1 --labels "$T/y.npy" $IN -o "$T/tc.npy" 2>&1) &&
       cmp -s "$T/tc.npy" "$T/tc_ref.npy"; then
        ok "a training_config with Infinity and NaN (loss_weights, metrics) is read: its loss mse"
    else not_ok "a training_config with Infinity and NaN is read"; printf '%s\n' "$err" | diag; fi
    expect_fail 1 "neither a name nor a Keras Loss" "a training_config whose loss is NaN" \
        "$RNNSCOPE" grad "$T/tc_nan.h5" --layer dense_1 --labels "$T/y.npy" $IN -o "$T/tc.npy"
    "$RNNSCOPE" grad "$T/tc_esc.h5" --layer dense_1 --labels "$T/y.npy" $IN -o "$T/tc.npy" 2> "$T/err"
    check "a loss name with escapes and a newline: one line, no ESC byte" \
        sh -c "test \$(wc -l < '$T/err') -eq 1 && ! grep -q \"\$(printf '\\033')\" '$T/err'"
else
    skip "hostile training_config" "no h5py"
fi
done_testing
