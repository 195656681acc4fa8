# Models at the limits and past them (issue 22), generated here by tests/data/make_limits.py:
# a Sequential of 20 000 layers (the limit) loads, runs and explores without recursing over the
# graph (it overflowed the stack); one more layer is refused; a Concatenate of 5 000 inputs fed
# by 5 000 layers fanning out loads (refused as "a layer has too many inputs" past 4 096
# connections); absurd layer parameters are refused at load naming the layer, at once (a
# pool_size of 1e15 spun for hours); SIGTERM and SIGHUP end a long dump with 128 + signal.
. "$top_srcdir/tests/lib.sh"
"$PY" "$top_srcdir/tests/data/make_limits.py" "$T" || { echo "make_limits.py failed"; exit 1; }

# --- 20 000 layers ---
SEQ=$T/seq_19999/model.json
if out=$("$RNNSCOPE" summary "$SEQ" 2>&1) && printf '%s\n' "$out" | grep -q '^19999  d19998 (Dense)' &&
   printf '%s\n' "$out" | grep -q 'Total params: 20,000'; then
    ok "summary of a Sequential of 20 000 layers (the limit)"
else not_ok "summary of a Sequential of 20 000 layers (the limit)"; printf '%s\n' "$out" | tail -n 5 | diag; fi

# the last layer: 10 000 Dense layers of x + 0.001 after the input, so input + 10
if "$RNNSCOPE" dump "$SEQ" --layer d19998 -o "$T/last.npy" 2>"$T/err" &&
   "$RNNSCOPE" dump "$SEQ" --layer d0_input -o "$T/first.npy" 2>>"$T/err"; then
    if ! have_numpy; then skip "the last of 20 000 layers computes input + 10" "no numpy"
    elif "$PY" -c 'import numpy as np, sys; a = np.load(sys.argv[1]); b = np.load(sys.argv[2])
sys.exit(0 if a.shape == (1, 2, 1) and np.allclose(a - b, 10.0, atol=1e-2) else 1)' "$T/last.npy" "$T/first.npy"; then
        ok "the last of 20 000 layers computes input + 10"
    else not_ok "the last of 20 000 layers computes input + 10"; fi
else not_ok "the last of 20 000 layers computes input + 10"; diag < "$T/err"; fi

printf 'G\n3\n6\nk\n4\nk\n1\n' > "$T/keys"
if "$RNNSCOPE" --headless --size 100x30 --keys "$T/keys" --dump-screen "$T/screen" "$SEQ" > "$T/out" 2>&1 &&
   grep -q '▶ d19996' "$T/screen"; then
    ok "the explorer on 20 000 layers: the last ones in several views"
else not_ok "the explorer on 20 000 layers: the last ones in several views"; diag < "$T/out"; fi

expect_fail 1 "more than 20000 layers" "20 001 layers are refused in one line" \
    "$RNNSCOPE" summary "$T/seq_20000/model.json"

# --- 5 000 connections in, 5 000 out ---
FAN=$T/fan_5000/model.json
if "$RNNSCOPE" summary "$FAN" > "$T/out" 2>&1 && grep -q '^5001  cat (Concatenate)  *(None, 2, 5000)' "$T/out"; then
    ok "a Concatenate of 5 000 inputs fed by 5 000 layers loads"
else not_ok "a Concatenate of 5 000 inputs fed by 5 000 layers loads"; tail -n 3 "$T/out" | diag; fi
if "$RNNSCOPE" dump "$FAN" --layer cat -o "$T/cat.npy" 2>"$T/err" &&
   "$RNNSCOPE" dump "$FAN" --layer x -o "$T/x.npy" 2>>"$T/err"; then
    if ! have_numpy; then skip "the 5 000 concatenated copies equal the input" "no numpy"
    elif "$PY" -c 'import numpy as np, sys; a = np.load(sys.argv[1]); x = np.load(sys.argv[2])
sys.exit(0 if a.shape == (1, 2, 5000) and (a == x).all() else 1)' "$T/cat.npy" "$T/x.npy"; then
        ok "the 5 000 concatenated copies equal the input"
    else not_ok "the 5 000 concatenated copies equal the input"; fi
else not_ok "the 5 000 concatenated copies equal the input"; diag < "$T/err"; fi

# --- absurd layer parameters: refused at load, naming the layer, within seconds ---
n_absurd=0
for d in "$T"/absurd_*/; do
    name=$(basename "$d")
    n_absurd=$((n_absurd + 1))
    for cmd in summary dump; do
        args=()
        [ $cmd = dump ] && args=(--layer absurd -o "$T/absurd.npy")
        err=$(timeout 20 "$RNNSCOPE" $cmd "$d/model.json" "${args[@]}" 2>&1 >/dev/null); rc=$?
        if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
           printf '%s' "$err" | grep -q "^rnnscope: .*: absurd: "; then
            ok "$name: $cmd refuses it naming the layer"
        else not_ok "$name: $cmd refuses it naming the layer (exit $rc)"; printf '%s\n' "$err" | head -n 3 | diag; fi
    done
done
[ $n_absurd -ge 15 ] && ok "$n_absurd absurd-parameter models" || not_ok "only $n_absurd absurd-parameter models"

# --- ranks: 5 dimensions besides the batch is the most (a rank-6 input wrote past a shape
# array making its random input) ---
if "$RNNSCOPE" dump "$T/rank5_input/model.json" --layer flat --random 3 -o "$T/flat.npy" 2>"$T/err" &&
   "$RNNSCOPE" dump "$T/rank5_input/model.json" --layer dense -o "$T/dense.npy" 2>>"$T/err"; then
    ok "an input of rank 5 (besides the batch) gets its random input and runs"
else not_ok "an input of rank 5 (besides the batch) gets its random input and runs"; diag < "$T/err"; fi
expect_fail 1 "flat_input: input shape of rank 6 is not supported" "an input of rank 6 is refused" \
    "$RNNSCOPE" dump "$T/rank6_input/model.json" --layer flat -o "$T/x.npy"
expect_fail 1 "absurd: Reshape has no valid target_shape" "a Reshape to rank 6 is refused" \
    "$RNNSCOPE" summary "$T/rank6_reshape/model.json"

# --- an input of 0 samples (the explorer read past its batch) ---
"$PY" - "$T/empty_batch.npy" <<'PYEOF'
import struct, sys
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 240, 4), }"
h += " " * (63 - (10 + len(h)) % 64) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
PYEOF
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
expect_fail 1 "empty_batch.npy: holds no sample" "dump: an --input of 0 samples is refused" \
    "$RNNSCOPE" dump "$DEMO" --layer dense --input "$T/empty_batch.npy" -o "$T/x.npy"
expect_fail 1 "empty_batch.npy: holds no sample" "plot: an --input of 0 samples is refused" \
    "$RNNSCOPE" plot "$DEMO" --layer lstm --input "$T/empty_batch.npy"
expect_fail 1 "empty_batch.npy: holds no sample" "explorer: an --input of 0 samples is refused" \
    "$RNNSCOPE" --headless --size 80x24 --input "$T/empty_batch.npy" "$DEMO"

# --- SIGTERM and SIGHUP end a long dump (and plot) with 128 + signal, at once ---
for sig in TERM HUP; do
    case $sig in TERM) want=143 ;; HUP) want=129 ;; esac
    for cmd in dump plot; do
        args=(--layer pool -o "$T/slow.npy")
        [ $cmd = plot ] && args=(--layer pool --view lines)
        "$RNNSCOPE" $cmd "$T/slow_pool/model.json" "${args[@]}" > /dev/null 2>"$T/err" &
        pid=$!
        sleep 1
        kill -$sig $pid
        start=$(date +%s)
        wait $pid; rc=$?
        if [ $rc -eq $want ] && [ $(($(date +%s) - start)) -le 2 ]; then ok "SIG$sig ends a long $cmd with $want"
        else not_ok "SIG$sig ends a long $cmd with $want (exit $rc)"; kill -9 $pid 2>/dev/null; diag < "$T/err"; fi
    done
done
done_testing
