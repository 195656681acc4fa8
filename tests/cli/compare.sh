# --compare B (dump, plot): two checkpoints of tests/data/ckpt on the same input. A - B is checked
# against NumPy applied to the two files' own `dump` outputs (each file's forward pass is
# checked against Keras/NumPy elsewhere, so this reference does not go through the compare
# code); the weights' A - B against h5py reading the two files; A and B drawn on one scale;
# different architectures; the memory cap counting both models; misuse.
. "$top_srcdir/tests/lib.sh"
D=$top_srcdir/tests/data/ckpt
A=$D/run/weights.01-1.00.h5
B=$D/run/weights.10-0.10.h5
IN="--input $D/input.npy"
export LC_ALL=C.UTF-8
have_numpy || { skip "compare against NumPy" "no numpy"; done_testing; exit 0; }

# A - B of every layer's output, of the LSTM's gates and of the attention matrix: exactly the
# float32 difference of the two dumps
for what in "--layer rnn_a" "--layer att_b" "--layer dense_c" "--layer rnn_a --internal gates" \
            "--layer att_b --internal attention"; do
    # shellcheck disable=SC2086 # options, split on purpose
    if "$RNNSCOPE" dump "$A" $what $IN -o "$T/a.npy" 2> "$T/err" &&
       "$RNNSCOPE" dump "$B" $what $IN -o "$T/b.npy" 2>> "$T/err" &&
       "$RNNSCOPE" dump "$A" --compare "$B" $what $IN -o "$T/d.npy" 2>> "$T/err" &&
       "$RNNSCOPE" dump "$A" --compare "$B" --show a $what $IN -o "$T/sa.npy" 2>> "$T/err" &&
       "$RNNSCOPE" dump "$A" --compare "$B" --show b $what $IN -o "$T/sb.npy" 2>> "$T/err" &&
       out=$("$PY" -c 'import sys, numpy as np
a, b, d, sa, sb = (np.load(sys.argv[i]) for i in range(1, 6))
assert d.dtype == np.float32 and d.shape == a.shape, (d.dtype, d.shape, a.shape)
assert np.array_equal(d, a - b), np.abs(d - (a - b)).max()
assert np.array_equal(sa, a) and np.array_equal(sb, b)
assert np.abs(d).max() > 0
print("max |A-B| %.3g" % np.abs(d).max())' "$T/a.npy" "$T/b.npy" "$T/d.npy" "$T/sa.npy" "$T/sb.npy" 2>&1); then
        ok "dump --compare $what: A - B as NumPy subtracts the two dumps; --show a, b: each dump ($out)"
    else
        not_ok "dump --compare $what: A - B as NumPy subtracts the two dumps"; { cat "$T/err"; echo "$out"; } | diag
    fi
done

# plot --compare --show diff draws what plot --data draws of the dumped difference
"$RNNSCOPE" dump "$A" --compare "$B" --layer rnn_a $IN -o "$T/d.npy"
for view in lines heatmap hist detail; do
    "$RNNSCOPE" plot "$A" --compare "$B" --layer rnn_a $IN --view $view --show diff --width 90 \
        --height 20 --color never --graphics unicode > "$T/p1" 2>&1
    "$RNNSCOPE" plot --data "$T/d.npy" --view $view --width 90 --height 20 --color never \
        --graphics unicode > "$T/p2" 2>&1
    if [ -s "$T/p1" ] && cmp -s "$T/p1" "$T/p2"; then ok "plot --compare --show diff --view $view: the picture of plot --data of the dumped A - B"
    else not_ok "plot --compare --show diff --view $view: the picture of plot --data of the dumped A - B"; diff "$T/p1" "$T/p2" | head -20 | diag; fi
done

# the weights' A - B: the stats line of plot --view weights against h5py reading both files
for layer in rnn_a dense_c; do
    line=$("$RNNSCOPE" plot "$A" --compare "$B" --layer $layer --view weights --show diff \
           --width 100 --height 30 --color never 2>&1 | head -1)
    if out=$("$PY" -c 'import sys, re, h5py, numpy as np
def kernel(path, layer):
    with h5py.File(path, "r") as f:
        g = f["model_weights"][layer]
        name = [n.decode() for n in g.attrs["weight_names"] if n.decode().endswith("kernel:0")][0]
        return np.array(g[name], dtype=np.float32)
d = (kernel(sys.argv[1], sys.argv[3]) - kernel(sys.argv[2], sys.argv[3])).astype(np.float64)
line = sys.argv[4]
got = {k: float(v) for k, v in re.findall(r"(min|max|mean) (\S+)", line)}
want = {"min": d.min(), "max": d.max(), "mean": d.mean()}
for k in want:
    assert abs(got[k] - want[k]) <= 1e-3 * max(1e-6, abs(want[k])) + 1e-6, (k, got[k], want[k], line)
assert "(%d, %d)" % d.shape in line, line
print("kernel A-B min %.4g max %.4g" % (want["min"], want["max"]))' "$A" "$B" "$layer" "$line" 2>&1); then
        ok "plot --view weights --show diff of $layer: the kernel's A - B as h5py reads it ($out)"
    else
        not_ok "plot --view weights --show diff of $layer: the kernel's A - B as h5py reads it"; { echo "$line"; echo "$out"; } | diag
    fi
done

# one scale for A and B: --show a and --show b put the same numbers on every axis and colour
# bar, and those are the union of the two checkpoints' ranges (A alone has others)
axis_numbers() { # the picture without its stats line (nor detail's value line), reduced to the numbers on it
    tail -n +2 | grep -v value | grep -oE -- '-?[0-9]+\.[0-9]+(e[-+][0-9]+)?' | tr '\n' ' '
}
for spec in "rnn_a lines" "rnn_a detail" "rnn_a heatmap" "att_b heatmap --internal attention" \
            "dense_c bars" "rnn_a heatmap --internal gates" "rnn_a weights" "att_b weights"; do
    set -- $spec
    layer=$1 view=$2; shift 2
    # shellcheck disable=SC2086 # options, split on purpose
    na=$("$RNNSCOPE" plot "$A" --compare "$B" --layer $layer --view $view "$@" $IN --show a \
         --width 100 --height 24 --color never --graphics unicode 2>&1 | axis_numbers)
    nb=$("$RNNSCOPE" plot "$A" --compare "$B" --layer $layer --view $view "$@" $IN --show b \
         --width 100 --height 24 --color never --graphics unicode 2>&1 | axis_numbers)
    n1=$("$RNNSCOPE" plot "$A" --layer $layer --view $view "$@" $IN \
         --width 100 --height 24 --color never --graphics unicode 2>&1 | axis_numbers)
    if [ -n "$na" ] && [ "$na" = "$nb" ] && [ "$na" != "$n1" ]; then
        ok "plot --view $view $layer $*: A and B on one scale (the same axis numbers), not A's own"
    else
        not_ok "plot --view $view $layer $*: A and B on one scale"; printf 'A: %s\nB: %s\nA alone: %s\n' "$na" "$nb" "$n1" | diag
    fi
done

# the lines view's ranges: per channel the union of A's and B's (NumPy on the two dumps)
"$RNNSCOPE" dump "$A" --layer rnn_a $IN -o "$T/a.npy"
"$RNNSCOPE" dump "$B" --layer rnn_a $IN -o "$T/b.npy"
"$RNNSCOPE" plot "$A" --compare "$B" --layer rnn_a --view lines --channels 0-3 --cols 1 $IN \
    --show b --width 100 --height 24 --color never --graphics unicode > "$T/p" 2>&1
if out=$("$PY" -c 'import sys, re, numpy as np
a, b = np.load(sys.argv[1])[0], np.load(sys.argv[2])[0]
labels = [l for l in open(sys.argv[3], encoding="utf-8") if re.match(r"^ch ?\d", l.strip()) or " .. " in l or "…" in l]
text = open(sys.argv[3], encoding="utf-8").read()
for ch in range(4):
    lo, hi = min(a[:, ch].min(), b[:, ch].min()), max(a[:, ch].max(), b[:, ch].max())
    # the label shows the range with 4 or fewer significant digits: look for both ends
    got = [float(x) for x in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", text)]
    assert any(abs(x - lo) <= 5e-3 * max(abs(lo), 1e-3) + 1e-4 for x in got), ("lo", ch, lo, got)
    assert any(abs(x - hi) <= 5e-3 * max(abs(hi), 1e-3) + 1e-4 for x in got), ("hi", ch, hi, got)
print("4 channels")' "$T/a.npy" "$T/b.npy" "$T/p" 2>&1); then
    ok "lines --show b: each panel spans the union of A's and B's values of its channel ($out)"
else
    not_ok "lines --show b: each panel spans the union of A's and B's values of its channel"; { cat "$T/p"; echo "$out"; } | diag
fi

# different architectures: one line naming the first difference, for each command
for cmd in "dump --layer rnn_a -o $T/x.npy" "plot --layer rnn_a"; do
    # shellcheck disable=SC2086 # options, split on purpose
    expect_fail 1 "different architectures: layer 1 is rnn_a (LSTM) in the first model, rnn_a (GRU) in the second" \
        "${cmd%% *} --compare of an LSTM and a GRU: one line naming the first difference" \
        "$RNNSCOPE" ${cmd%% *} "$A" --compare "$D/gru.h5" ${cmd#* } $IN
done
expect_fail 1 "weight dense_c/kernel:0 has shape (4, 2) in the first model, (4, 3) in the second" \
    "the explorer --compare with a wider Dense: one line naming the weight and both shapes" \
    "$RNNSCOPE" --headless "$A" --compare "$D/wide_dense.h5" $IN
expect_fail 1 "nothing.h5" "--compare of a missing file" "$RNNSCOPE" dump "$A" --compare "$T/nothing.h5" --layer rnn_a -o "$T/x.npy"

# the memory cap counts both models: a cap that holds A (weights, input, outputs) but not A and
# B's weights on top
w=$("$PY" -c 'import sys, h5py, numpy as np
n = 0
with h5py.File(sys.argv[1], "r") as f:
    f["model_weights"].visititems(lambda k, v: None)
    def add(name, obj):
        global n
        if isinstance(obj, h5py.Dataset): n += obj.size * 4
    f["model_weights"].visititems(add)
print(n)' "$A")
# the smallest cap under which A alone dumps dense_c (the last layer: everything held), found by
# bisection, then the same cap with --compare
lo=1024 hi=$((w * 40))
while [ $((hi - lo)) -gt 64 ]; do
    mid=$(((lo + hi) / 2))
    if "$RNNSCOPE" dump "$A" --layer dense_c $IN --max-memory "${mid}B" -o "$T/x.npy" 2>/dev/null; then hi=$mid; else lo=$mid; fi
done
if "$RNNSCOPE" dump "$A" --layer dense_c $IN --max-memory "$((hi + w / 2))B" -o "$T/x.npy" 2> "$T/err1" &&
   ! "$RNNSCOPE" dump "$A" --compare "$B" --layer dense_c $IN --max-memory "$((hi + w / 2))B" -o "$T/x.npy" 2> "$T/err2" &&
   grep -q "more than the memory cap" "$T/err2" && [ "$(wc -l < "$T/err2")" -eq 1 ] &&
   "$RNNSCOPE" dump "$A" --compare "$B" --layer dense_c $IN --max-memory "$((hi * 2 + w * 2))B" -o "$T/x.npy" 2>> "$T/err1"; then
    ok "--max-memory counts both models: A alone fits under $((hi + w / 2)) bytes, A and B (weights $w bytes each) do not: $(cat "$T/err2")"
else
    not_ok "--max-memory counts both models"; cat "$T/err1" "$T/err2" | diag
fi

# misuse
expect_fail 2 "--show goes with --compare" "dump --show without --compare: misuse" \
    "$RNNSCOPE" dump "$A" --layer rnn_a --show b -o "$T/x.npy"
expect_fail 2 "--show is a, b or diff" "dump --show c: misuse" \
    "$RNNSCOPE" dump "$A" --compare "$B" --layer rnn_a --show c -o "$T/x.npy"
expect_fail 2 "unknown --show 'both'" "plot --show both: misuse" \
    "$RNNSCOPE" plot "$A" --compare "$B" --layer rnn_a --show both
expect_fail 2 "--compare B needs MODEL --layer NAME" "plot --data --compare: misuse" \
    "$RNNSCOPE" plot --data "$D/input.npy" --compare "$B"
expect_fail 2 "--compare B needs a MODEL A" "the explorer: --compare without a model: misuse" \
    "$RNNSCOPE" --compare "$B"
expect_fail 1 "different architectures" "the explorer: --watch DIR --compare B of another architecture: one line" \
    "$RNNSCOPE" --headless --watch "$D/run" --compare "$D/gru.h5"
done_testing
