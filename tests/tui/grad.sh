# Gradient mode of the explorer (issue 18) through its test seam (--headless --keys): d toggles
# values and gradients, the status line says what is differentiated, the timestep importance
# strip under sequence views and its peak, saliency methods on the InputLayer.
. "$top_srcdir/tests/lib.sh"
export LC_ALL=C.UTF-8
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
LABELS=$top_srcdir/share/rnnscope/demo/demo.labels.npy

# run_keys SIZE KEYS...: the demo with $OPTS; the screens after each "dump" and at the end
run_keys() {
    local size=$1; shift
    printf '%s\n' "$@" > "$T/keys"
    rm -f "$T/dump" "$T/screen."*
    # shellcheck disable=SC2086 # OPTS: extra options, split on purpose
    "$RNNSCOPE" --headless --size "$size" --keys "$T/keys" --dump-screen "$T/dump" ${OPTS:-} "$DEMO" \
        > "$T/out" 2>&1 || return 1
    awk -v dir="$T" 'BEGIN{n=0; f=dir "/screen." n} /^\f$/{n++; f=dir "/screen." n; next} {print > f}' "$T/dump"
}
screen_has() { grep -qF -- "$2" "$T/screen.$1"; }
status_of() { tail -n 2 "$T/screen.$1" | head -n 1; }
show() { cat "$T/out" "$T/screen."* 2>/dev/null | diag; }

# d toggles values <-> gradients; the title and the status line say which is shown (sample 1:
# no burst, the sigmoid is not saturated)
if OPTS="--sample 1" run_keys 120x30 dump d dump d &&
   screen_has 0 "[lines] lstm_1" && ! screen_has 0 "∂" &&
   screen_has 1 "[lines, gradient] lstm_1" && status_of 1 | grep -q '^∂ dense_1\[0\] / ∂ lstm_1  strip: lstm_1, peak t=[0-9]' &&
   screen_has 1 " grad=" &&
   screen_has 2 "[lines] lstm_1" && ! screen_has 2 "∂"; then
    ok "d toggles values and gradients; the status line says ∂ dense_1[0] / ∂ lstm_1"
else not_ok "d toggles values and gradients; the status line says ∂ dense_1[0] / ∂ lstm_1"; show; fi

# --grad opens in gradient mode; every layer's gradient follows the selection
if OPTS="--sample 1 --grad" run_keys 120x30 dump j dump &&
   status_of 0 | grep -q '^∂ dense_1\[0\] / ∂ lstm_1' &&
   status_of 1 | grep -q '^∂ dense_1\[0\] / ∂ seq_self_attention_1'; then
    ok "--grad opens showing gradients; the status names the layer on screen"
else not_ok "--grad opens showing gradients; the status names the layer on screen"; show; fi

# with labels, the loss (and the sample's label) is what is differentiated
if OPTS="--grad --labels $LABELS --loss binary_crossentropy" run_keys 120x30 dump s &&
   status_of 0 | grep -q '^∂ binary_crossentropy(label 1) / ∂ lstm_1' &&
   status_of 1 | grep -q '^∂ binary_crossentropy(label 0) / ∂ lstm_1'; then
    ok "with --labels the status line names the loss and the sample's label"
else not_ok "with --labels the status line names the loss and the sample's label"; show; fi

# without UTF-8, d for ∂
if OPTS="--sample 1 --grad --graphics ascii" run_keys 120x30 &&
   status_of 0 | grep -q '^d dense_1\[0\] / d lstm_1  strip: lstm_1, peak t='; then
    ok "ASCII: d dense_1[0] / d lstm_1"
else not_ok "ASCII: d dense_1[0] / d lstm_1"; show; fi

# the demo's burst samples saturate the sigmoid (1.0 in float32): the plain gradient is exactly
# zero, and the status line says so instead of an empty picture
if OPTS="--sample 0 --grad" run_keys 120x30 &&
   status_of 0 | grep -q '^∂ dense_1\[0\] / ∂ lstm_1  gradient is zero: output saturated — try integrated gradients'; then
    ok "a saturated output's zero gradient is said on the status line"
else not_ok "a saturated output's zero gradient is said on the status line"; show; fi

# u cycles the output unit (the demo has one); with labels there is no unit to cycle
if OPTS="--sample 1 --grad" run_keys 200x30 u dump &&
   screen_has 0 "objective: dense_1[0] (unit 0 of 1)" &&
   OPTS="--grad --labels $LABELS --loss bce" run_keys 200x30 u && screen_has 0 "the objective is the loss"; then
    ok "u cycles the unit J of the output"
else not_ok "u cycles the unit J of the output"; show; fi

# the strip: one row under the view, the same window as the view (zoomed: 4 times fewer steps)
if OPTS="--sample 1 --grad" run_keys 120x30 dump + + dump &&
   [ "$(grep -c '[▁▂▃▄▅▆▇█]' "$T/screen.0")" -ge 1 ] &&
   status_of 1 | grep -q "window 0..59" &&
   peak=$(status_of 1 | sed -n 's/.*peak t=\([0-9]*\).*/\1/p') && [ "$peak" -le 59 ]; then
    ok "the strip is drawn under the view, over the view's window"
else not_ok "the strip is drawn under the view, over the view's window"; show; fi

# the strip's peak lies inside the burst for the demo's README samples (0 at 173-182, 2 at 56-65,
# 4 at 113-122, 6 at 82-91): i shows the model input's integrated gradients (the plain
# gradient is zero there), on the lstm_1 view and on the input itself
for sb in 0:173:182 2:56:65 4:113:122 6:82:91; do
    s=${sb%%:*} lo=${sb#*:} hi=${sb##*:}
    lo=${lo%%:*}
    if OPTS="--sample $s --grad --method ig" run_keys 120x30 i dump g &&
       p0=$(status_of 0 | sed -n 's/.*strip: input_1, peak t=\([0-9]*\).*/\1/p') &&
       p1=$(status_of 1 | sed -n 's/.*strip: input_1, peak t=\([0-9]*\).*/\1/p') &&
       [ -n "$p0" ] && [ "$p0" -ge "$lo" ] && [ "$p0" -le "$hi" ] && [ "$p1" = "$p0" ]; then
        ok "demo sample $s: the strip (integrated gradients of the input) peaks inside the burst ($lo-$hi)"
    else not_ok "demo sample $s: the strip (integrated gradients of the input) peaks inside the burst ($lo-$hi)"; show; fi
done

# saliency on the InputLayer: integrated gradients with their completeness error (below 1 % on
# the demo at 32 points), m cycles grad -> input_x_grad -> ig
if OPTS="--sample 0 --grad --method ig" run_keys 200x30 g dump m dump m &&
   e=$(status_of 0 | sed -n 's/^integrated gradients of dense_1\[0\] → input_1 .* completeness error \([0-9.e-]*\)%.*/\1/p') &&
   [ -n "$e" ] && "$PY" -c 'import sys; assert float(sys.argv[1]) < 1' "$e" &&
   screen_has 1 "saliency on the input: grad" && screen_has 2 "saliency on the input: input_x_grad" &&
   status_of 2 | grep -q '^input_1 ⊙ ∂ dense_1\[0\] / ∂ input_1'; then
    ok "the InputLayer's integrated gradients show their completeness error; m changes the method"
else not_ok "the InputLayer's integrated gradients show their completeness error; m changes the method"; show; fi

# a baseline where the objective is NaN: the completeness in words (it would be "-nan%")
"$PY" -c 'import sys, numpy as np; np.save(sys.argv[1], np.full((240, 4), np.nan, np.float32))' "$T/nanb.npy"
if OPTS="--sample 1 --grad --method ig --baseline $T/nanb.npy" run_keys 200x30 g &&
   status_of 0 | grep -q "completeness unknown: the objective is not a number at the baseline" &&
   ! grep -q -- "-nan" "$T/screen.0"; then
    ok "integrated gradients from a NaN baseline: the completeness is unknown, in words"
else not_ok "integrated gradients from a NaN baseline: the completeness is unknown, in words"; show; fi

# internals are not differentiated: the view says so, values come back with d
if OPTS="--sample 1 --grad" run_keys 120x30 Enter j j dump &&
   screen_has 0 "internals have no gradient here (d shows values)"; then
    ok "an internal in gradient mode says it has no gradient"
else not_ok "an internal in gradient mode says it has no gradient"; show; fi

# the gradient on screen is grad's (checked against TF.js in tests/cli/grad.sh): x exports it,
# named .grad; the same for the input's integrated gradients
rm -f "$T"/*.grad.s*.npy
if (cd "$T" && OPTS="--sample 1 --grad" run_keys 120x30 x Enter g x Enter) &&
   (cd "$T" && OPTS="--sample 2 --grad --method ig" run_keys 120x30 g x Enter) &&
   "$RNNSCOPE" grad "$DEMO" --layer lstm_1 --sample 1 -o "$T/ref_lstm.npy" &&
   "$RNNSCOPE" grad "$DEMO" --layer input_1 --sample 1 -o "$T/ref_in.npy" &&
   "$RNNSCOPE" grad "$DEMO" --layer input_1 --sample 2 --method ig -o "$T/ref_ig.npy" 2>/dev/null &&
   "$PY" -c 'import numpy as np, sys
d = sys.argv[1]
for got, ref in (("lstm_1.grad.s1", "ref_lstm"), ("input_1.grad.s1", "ref_in"), ("input_1.grad.s2", "ref_ig")):
    a, b = np.load(f"{d}/{got}.npy"), np.load(f"{d}/{ref}.npy")
    assert a.shape == b.shape and np.array_equal(a, b), (got, a.shape, b.shape)
    assert np.abs(a).max() > 0, got' "$T"; then
    ok "the explorer's gradients are grad's: lstm_1, the input, its integrated gradients (x exports them)"
else not_ok "the explorer's gradients are grad's: lstm_1, the input, its integrated gradients (x exports them)"; show; fi

# the weights view in gradient mode: d objective / d each weight, by gate, with the per-gate
# norms of grad --by-gate on the view's first row
if OPTS="--sample 1 --grad" run_keys 120x30 6 L &&
   screen_has 0 "[weights, gradient] lstm_1" &&
   "$RNNSCOPE" grad "$DEMO" --layer lstm_1 --sample 1 --by-gate > "$T/gates.txt" &&
   "$PY" -c 'import re, sys
screen = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r" kernel: i (\S+) f (\S+) c (\S+) o (\S+)", screen)
assert m, "no gate norms"
rows = [l.split() for l in open(sys.argv[2]).read().splitlines()[1:]]
want = [float(r[4]) for r in rows if r[0].startswith("lstm_1/kernel")]
got = [float(x) for x in m.groups()]
assert len(want) == 4 and all(abs(g - w) <= 5e-3 * abs(w) for g, w in zip(got, want)), (got, want)' \
       "$T/screen.0" "$T/gates.txt"; then
    ok "the weights view shows the weights' gradients with grad --by-gate's norms per gate"
else not_ok "the weights view shows the weights' gradients with grad --by-gate's norms per gate"; show; fi

# misuse is refused in one line
expect_fail 2 "--loss needs --labels" "--loss without --labels" "$RNNSCOPE" --grad --loss mse "$DEMO"
expect_fail 2 "--baseline goes with --method ig" "--baseline without ig" \
    "$RNNSCOPE" --grad --baseline "$LABELS" "$DEMO"
expect_fail 2 "--method is grad, input_x_grad or ig" "a bad --method" "$RNNSCOPE" --grad --method x "$DEMO"
"$PY" -c 'import sys, numpy as np; np.save(sys.argv[1], np.ones(3, np.float32))' "$T/labels3.npy"
expect_fail 1 "labels3.npy: holds 3 samples, the input 8 (--labels)" "labels of another batch" \
    "$RNNSCOPE" --headless --grad --labels "$T/labels3.npy" --loss bce "$DEMO"

done_testing
