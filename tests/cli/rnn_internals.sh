# Recurrent internals through `dump --internal`: LSTM gates (B,T,4,u) and cell (B,T,u), GRU gates
# (B,T,3,u), Bidirectional's forward_/backward_ ones, indexed by input timestep, and those of a
# TimeDistributed(LSTM) per timestep. They must rebuild the layer outputs TF.js computed
# (tests/ref/fixtures) through the cell equations (tests/cli/rnn_internals.py).
# Also: the errors of options the forward pass cannot honour.
. "$top_srcdir/tests/lib.sh"
if ! have_numpy; then echo "python3-numpy is not installed"; exit 77; fi
F=$top_srcdir/tests/ref/fixtures
CHECK=$top_srcdir/tests/cli/rnn_internals.py

# dump_to OUT MODEL_DIR FILE LAYER [dump options]: one output of LAYER on the model's input.
dump_to() {
    local out=$1 dir=$2 file=$3 layer=$4; shift 4
    "$RNNSCOPE" dump "$F/$dir/$file" --layer "$layer" --input "$F/$dir/inputs/input_1.npy" \
        "$@" -o "$T/$out.npy"
}

# prepare MODEL_DIR FILE LAYER REF NAME=INTERNAL...: the reference output REF of LAYER into
# $T/ref.npy and each INTERNAL of LAYER into $T/NAME.npy (for rnn_internals.py).
prepare() {
    local dir=$1 file=$2 layer=$3 ref=$4 pair; shift 4
    rm -f "$T"/*.npy
    cp "$F/$dir/outputs/$ref" "$T/ref.npy" || return 1
    for pair in "$@"; do
        dump_to "${pair%%=*}" "$dir" "$file" "$layer" --internal "${pair#*=}" || return 1
    done
}

for file in tfjs/model.json keras/k22.h5 keras/k3.keras; do
    prepare rnn_options "$file" lstm_state lstm_state.0.0.npy gates=gates cell=cell &&
        cp "$F/rnn_options/outputs/lstm_state.0.2.npy" "$T/ref_c.npy"
    check "$file: LSTM gates i f c~ o and cell rebuild its sequence and c state" \
        "$PY" "$CHECK" lstm "$T"
    prepare rnn_options "$file" lstm_back lstm_back.0.0.npy gates=gates cell=cell
    check "$file: go_backwards LSTM internals are indexed by input timestep" \
        "$PY" "$CHECK" lstm_back "$T"
    prepare rnn_options "$file" gru_state gru_state.0.0.npy gates=gates
    check "$file: GRU gates z r h~ rebuild its sequence" "$PY" "$CHECK" gru "$T"
done

for file in tfjs/model.json keras/k22.h5 keras/tfk2.h5 keras/k3.keras; do
    prepare bidirectional "$file" bidirectional_1 bidirectional_1.0.0.npy fgates=forward_gates \
        fcell=forward_cell bgates=backward_gates bcell=backward_cell
    check "$file: Bidirectional(LSTM) forward_/backward_ internals rebuild both halves" \
        "$PY" "$CHECK" bilstm "$T"
    prepare bidirectional "$file" bidirectional_2 bidirectional_2.0.0.npy fgates=forward_gates \
        bgates=backward_gates
    check "$file: Bidirectional(GRU, sum) internals rebuild the summed sequence" \
        "$PY" "$CHECK" bigru "$T"
done

for file in tfjs/model.json keras/k22.h5 keras/tfk2.h5 keras/k3.keras; do
    prepare stateful_timedistributed "$file" time_distributed_lstm time_distributed_lstm.0.0.npy \
        gates=gates cell=cell
    check "$file: TimeDistributed(LSTM) exposes the wrapped LSTM's internals per timestep" \
        "$PY" "$CHECK" td_lstm "$T"
done

expect_fail 1 "has no internal 'gates'" "SimpleRNN has no gates" \
    dump_to x rnn_options tfjs/model.json srnn_state --internal gates

# Options the forward pass cannot honour: a clear error naming the layer, never numbers.
edit_config() { # edit_config LAYER KEY JSON_VALUE: a copy of lstm_stack's TF.js model, edited
    mkdir -p "$T/edited"
    cp "$F/lstm_stack/tfjs/"* "$T/edited/"
    "$PY" - "$T/edited/model.json" "$@" <<'PYEOF'
import json, sys
path, layer, key, value = sys.argv[1:]
m = json.load(open(path))
topo = m["modelTopology"]
topo = topo.get("model_config", topo)
for l in topo["config"]["layers"]:
    if l["config"]["name"] == layer:
        l["config"][key] = json.loads(value)
json.dump(m, open(path, "w"))
PYEOF
}
edit_config lstm_1 activation '"softmax"'
expect_fail 1 "lstm_1 (LSTM): LSTM with a softmax activation" "LSTM(activation=softmax) is refused" \
    "$RNNSCOPE" dump "$T/edited/model.json" --layer lstm_1 --random 0 -o "$T/x.npy"
edit_config lstm_1 recurrent_activation '"sparsemax"'
expect_fail 1 "lstm_1 (LSTM): LSTM with a sparsemax activation" \
    "LSTM(recurrent_activation=sparsemax) is refused" \
    "$RNNSCOPE" dump "$T/edited/model.json" --layer lstm_1 --random 0 -o "$T/x.npy"
edit_config lstm_1 activation '"glu"'
expect_fail 1 "activation 'glu' (it halves the last axis) is supported in Dense and Activation" \
    "LSTM(activation=glu) is refused" \
    "$RNNSCOPE" dump "$T/edited/model.json" --layer lstm_1 --random 0 -o "$T/x.npy"
edit_config dense_1 activation '"glu"'
expect_fail 1 "activation 'glu' needs an even last axis, not 3" "Dense(3, activation=glu) is refused" \
    "$RNNSCOPE" dump "$T/edited/model.json" --layer dense_1 --random 0 -o "$T/x.npy"
# Keras 3 builds a layer after glu for the whole axis (its compute_output_shape keeps it): such a
# file cannot run in Keras, and rnnscope refuses it with one line naming the weight
cp "$F/np_glu_sparsemax/keras/k3_legacy.h5" "$T/glu.h5"
"$PY" - "$T/glu.h5" <<'PYEOF'
import h5py, json, sys
with h5py.File(sys.argv[1], "r+") as f:
    c = json.loads(f.attrs["model_config"])
    for l in c["config"]["layers"]:
        if l["config"].get("name") == "activation":
            l["config"]["activation"] = "glu"
    f.attrs["model_config"] = json.dumps(c)
PYEOF
expect_fail 1 "dense_1: weight 'np_glu_sparsemax/dense_1/kernel' has shape (8, 8), the config wants (4, 8)" \
    "a Dense after glu with weights for the whole axis is refused" "$RNNSCOPE" summary "$T/glu.h5"
edit_config lstm_1 time_major true
expect_fail 1 "lstm_1 (LSTM): LSTM with time_major" "time_major is refused" \
    "$RNNSCOPE" dump "$T/edited/model.json" --layer lstm_1 --random 0 -o "$T/x.npy"
done_testing
