# Every view on every layer, output and internal of the demo and of the test models, in the
# explorer (headless: --keys) and through plot: lines, detail, heatmap (and transposed),
# hist, bars and weights, in unicode (ascii and sixel for the demo, the zoo of layer kinds and
# the odd shapes), zoomed and panned. Nothing may crash;
# under the ASan build (CI) nothing may give a sanitizer report, and the demo and zoo sessions
# also run under valgrind here. (Issue 22: the weights view on a layer without weights read an
# uninitialised matrix: SIGSEGV on the demo's Concatenate.)
. "$top_srcdir/tests/lib.sh"

# one file per model: the demo, tests/data/models, one file per tests/ref fixture
models=("$top_srcdir/share/rnnscope/demo/demo.h5")
for f in func_attn.k2.h5 long_attn.k2.h5 nested.k2.h5 seq_lambda.k2.h5 seq_lstm.k2.h5 \
         seq_lstm.bf16.keras zoo.keras tfjs_seq_lstm_quant/model.json tfjs_func_attn/model.json; do
    models+=("$top_srcdir/tests/data/models/$f")
done
for d in "$top_srcdir"/tests/ref/fixtures/*/; do
    f=$(ls "$d"keras/k22.h5 "$d"keras/k3.keras "$d"keras/tfk2.h5 "$d"tfjs/model.json 2>/dev/null | head -n 1)
    [ -n "$f" ] && models+=("$f")
done

# outputs of 0 timesteps and of 0 channels (a 0-step sixel heatmap segfaulted)
# and of the highest rank (5 besides the batch)
"$PY" "$top_srcdir/tests/data/make_limits.py" "$T" zero_steps zero_channels rank5_input &&
    models+=("$T/zero_steps/model.json" "$T/zero_channels/model.json" "$T/rank5_input/model.json")

# The keys after each row's layer: every view, heatmap transposed, zoomed and panned, the
# cursor, another colormap and normalization, equal axes and the zero line, the next sample,
# the values across the batch.
ROW_KEYS="1 2 3 t 3 t 4 5 6 + > ] 1 2 3 < - M c e z 1 2 s 3 S 8"

# run_keys SIZE MODEL [OPTIONS...]: the keys of $T/keys, final screen into $T/dump
run_keys() {
    local size=$1 model=$2; shift 2
    rm -f "$T/dump"
    "$RNNSCOPE" --headless --size "$size" --keys "$T/keys" --dump-screen "$T/dump" "$@" "$model" \
        > "$T/out" 2>&1
}

# The layer rows of the last screen of $T/dump: one line per row, "1" when it has a ▸ or ▾
# (outputs or internals to open), else "0".
layer_rows() {
    awk 'BEGIN { RS = "\f\n" } { last = $0 } END { printf "%s", last }' "$T/dump" |
        sed -n '3,$p' | while IFS= read -r line; do
            head=${line:0:4}
            [ -z "${head// /}" ] && break   # a blank row ends the panel
            case ${head:1:1} in ▸|▾) echo 1 ;; *) echo 0 ;; esac
        done
}

# Rows of a model's panel after opening every layer (from the bottom, so rows above stay put):
# writes the opening keys to $T/open, and the number of rows to stdout.
open_all() {
    local model=$1 size=$2
    printf 'dump\n' > "$T/keys"
    run_keys "$size" "$model" || return 1
    mapfile -t exp < <(layer_rows)
    { echo G
      for ((i = ${#exp[@]} - 1; i >= 0; i--)); do
          [ "${exp[$i]}" = 1 ] && echo Enter
          echo k
      done; } > "$T/open"
    { cat "$T/open"; echo dump; } > "$T/keys"
    run_keys "$size" "$model" || return 1
    layer_rows | wc -l
}

TALL=140x400   # every row of the largest model on one screen
for model in "${models[@]}"; do
    name=${model#"$top_srcdir"/}
    name=${name#"$T"/}
    rows=$(open_all "$model" "$TALL")
    if [ -z "$rows" ] || [ "$rows" -lt 2 ]; then
        not_ok "$name: rows of the layers panel"; cat "$T/out" 2>/dev/null | diag; continue
    fi
    { cat "$T/open"; echo g
      for ((r = 0; r < rows; r++)); do printf '%s\n' $ROW_KEYS; echo j; done; } > "$T/every"
    cp "$T/every" "$T/keys"
    # every graphics mode for the models with every layer kind and the odd shapes; the others
    # in unicode (ascii and sixel draw the same data through the same code by then)
    modes=unicode
    case $name in */demo.h5|*/zoo.keras|*/attention/*|zero_*|rank5_*) modes="unicode ascii sixel" ;; esac
    for gfx in $modes; do
        if run_keys 100x30 "$model" --graphics "$gfx" && [ ! -s "$T/out" ] && [ -s "$T/dump" ]; then
            ok "$name: explorer, every view of $rows rows ($gfx)"
        else
            not_ok "$name: explorer, every view of $rows rows ($gfx) exit $?"; head -c 3000 "$T/out" | diag
        fi
    done
done

# Settings that open every layer in the weights view (it crashed at start)
export XDG_CONFIG_HOME=$T/config
mkdir -p "$XDG_CONFIG_HOME/rnnscope"
printf 'set view.sequence = weights\nset view.attention = weights\nset view.vector = weights\n' \
    > "$XDG_CONFIG_HOME/rnnscope/config"
printf 'dump\nj\n%.0s' 1 2 3 4 5 6 7 > "$T/keys"
if run_keys 100x30 "$top_srcdir/share/rnnscope/demo/demo.h5" && [ ! -s "$T/out" ] &&
   grep -q '\[weights\] lstm_1 ' "$T/dump" && grep -q '\[weights\] concatenate_1 ' "$T/dump" &&
   grep -q 'concatenate_1: has no weights to show' "$T/dump"; then
    ok "set view.* = weights: every demo layer opens in the weights view"
else not_ok "set view.* = weights: every demo layer opens in the weights view"; cat "$T/out" "$T/dump" | head -40 | diag; fi
rm -f "$XDG_CONFIG_HOME/rnnscope/config"

# The same sessions under valgrind for the demo and the zoo of layer kinds
if ! command -v valgrind >/dev/null; then
    skip "every view under valgrind" "valgrind is not installed"
elif grep -q __asan_init "$RNNSCOPE"; then
    skip "every view under valgrind" "built with AddressSanitizer (it checks memory itself)"
else
    for model in "$top_srcdir/share/rnnscope/demo/demo.h5" "$top_srcdir/tests/data/models/zoo.keras"; do
        name=${model#"$top_srcdir"/}
        rows=$(open_all "$model" "$TALL")
        { cat "$T/open"; echo g
          for ((r = 0; r < rows; r++)); do printf '%s\n' $ROW_KEYS; echo j; done; } > "$T/keys"
        RNNSCOPE_NO_HDF5_GUARD=1 valgrind --tool=memcheck --error-exitcode=42 --log-file="$T/vg.log" \
            "$RNNSCOPE" --headless --size 100x30 --keys "$T/keys" --dump-screen "$T/dump" "$model" \
            > "$T/out" 2>&1
        rc=$?
        if [ $rc -eq 0 ] && grep -q 'ERROR SUMMARY: 0 errors' "$T/vg.log"; then
            ok "$name: every view of $rows rows under valgrind"
        else
            not_ok "$name: every view of $rows rows under valgrind (exit $rc)"
            grep -E -A8 'ERROR SUMMARY|Invalid|uninitialised|Process terminating' "$T/vg.log" | head -40 | diag
        fi
    done
fi

# plot: every view of every layer (and its second output) of the demo, of the model that holds
# every layer kind (zoo: recurrent, wrappers, attention, merges, shapes) and of the odd shapes;
# a layer a view cannot show gets one line, never a crash
for model in "$top_srcdir/share/rnnscope/demo/demo.h5" "$top_srcdir/tests/data/models/zoo.keras" \
             "$T/zero_steps/model.json" "$T/zero_channels/model.json" \
             "$T/rank5_input/model.json"; do
    name=${model#"$top_srcdir"/}
    name=${name#"$T"/}
    bad=0 runs=0
    layers=$("$RNNSCOPE" summary "$model" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ {print $2}')
    for layer in $layers; do
        for args in "--view lines" "--view detail --graphics ascii" "--view heatmap --transpose" \
                    "--view hist" "--view bars" "--view weights" "--view heatmap --graphics sixel" \
                    "--view heatmap --graphics ascii --output 1" "--view values --cursor 1"; do
            runs=$((runs + 1))
            # shellcheck disable=SC2086
            "$RNNSCOPE" plot "$model" --layer "$layer" $args --width 60 --height 16 \
                >/dev/null 2>"$T/err" </dev/null
            rc=$?
            if [ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ "$(wc -l < "$T/err")" -eq 1 ] &&
                                   grep -q '^rnnscope: ' "$T/err"; }; then
                continue
            fi
            bad=$((bad + 1))
            echo "plot $name --layer $layer $args: exit $rc" >> "$T/plotfail"
            head -n 5 "$T/err" >> "$T/plotfail"
        done
    done
    if [ $bad -eq 0 ] && [ $runs -gt 0 ]; then
        ok "$name: plot, $runs views of every layer"
    else
        not_ok "$name: plot, $bad of $runs views failed"; head -n 30 "$T/plotfail" 2>/dev/null | diag
    fi
    rm -f "$T/plotfail"
done
# plot --view weights (the view that picks kernel, recurrent kernel and bias from the layer's
# weights: its own code per layer kind) on every layer of every other model
bad=0 runs=0
for model in "${models[@]}"; do
    case $model in */demo.h5|*/zoo.keras|"$T"/*) continue ;; esac
    for layer in $("$RNNSCOPE" summary "$model" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ {print $2}'); do
        runs=$((runs + 1))
        "$RNNSCOPE" plot "$model" --layer "$layer" --view weights --width 60 --height 16 \
            > /dev/null 2> "$T/err" < /dev/null
        rc=$?
        if ! { [ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ "$(wc -l < "$T/err")" -eq 1 ]; }; }; then
            bad=$((bad + 1)); echo "${model#"$top_srcdir"/} --layer $layer: exit $rc" >> "$T/wfail"
            head -n 3 "$T/err" >> "$T/wfail"
        fi
    done
done
if [ $bad -eq 0 ] && [ $runs -gt 100 ]; then ok "plot --view weights on the $runs layers of the other models"
else not_ok "plot --view weights: $bad of $runs failed"; head -n 20 "$T/wfail" 2>/dev/null | diag; fi

# plot --data: arrays with no element, every view and graphics mode
"$PY" - "$T" <<'PYEOF'
import struct, sys
for shape in [(0,), (0, 5), (5, 0), (0, 0), (2, 0, 3), (1, 4, 0)]:
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        "".join("%d, " % d for d in shape) if len(shape) == 1 else ", ".join(map(str, shape)))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    name = "empty_" + "x".join(map(str, shape)) + ".npy"
    with open(sys.argv[1] + "/" + name, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
PYEOF
for f in "$T"/empty_*.npy; do
    bad=0
    for view in lines detail heatmap hist bars weights; do
        for gfx in sixel unicode ascii; do
            "$RNNSCOPE" plot --data "$f" --view "$view" --graphics "$gfx" --color always \
                > /dev/null 2> "$T/err"
            rc=$?
            if ! { [ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ "$(wc -l < "$T/err")" -eq 1 ]; }; }; then
                bad=$((bad + 1)); echo "--view $view --graphics $gfx: exit $rc" >> "$T/emptyfail"
                head -n 3 "$T/err" >> "$T/emptyfail"
            fi
        done
    done
    what="plot --data of shape $(basename "$f" .npy | cut -c7-): every view, sixel, unicode, ascii"
    if [ $bad -eq 0 ]; then ok "$what"; else not_ok "$what"; head -n 20 "$T/emptyfail" | diag; fi
    rm -f "$T/emptyfail"
done
done_testing
