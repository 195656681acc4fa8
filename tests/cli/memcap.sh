# The memory cap (--max-memory, RNNSCOPE_MAX_MEMORY, "set max-memory", default half of RAM):
# models, inputs and layer outputs that need more are refused with one line saying how much,
# before the bytes are read or allocated; the same files load under a larger cap.
. "$top_srcdir/tests/lib.sh"
M=$top_srcdir/tests/data/malformed
SEED=$top_srcdir/tests/ref/fixtures/seed_selfattention
H5=$SEED/keras/k22.h5    # 91,506 float32 weights: 357 KiB

# refused within a second (a file read or inflated would take far longer than that)
quick() {
    local what=$1 needle=$2; shift 2
    local start end
    start=$(date +%s%N)
    expect_fail 1 "$needle" "$what" "$@"
    end=$(date +%s%N)
    check "$what: within 2 s ($(( (end - start) / 1000000 )) ms)" test $(( (end - start) / 1000000 )) -lt 2000
}

# ---- weights of a small model, every format
expect_fail 1 "KiB, more than the memory cap of 1 KiB (--max-memory)" "--max-memory 1K refuses a small model, saying how much it needs" \
    "$RNNSCOPE" summary --max-memory 1K "$H5"
expect_fail 1 "k22.h5: the weights need 357 KiB, more than the memory cap of 100 KiB (--max-memory)" \
    "the message names the file and what its weights need" "$RNNSCOPE" summary --max-memory 100K "$H5"
expect_fail 1 "tfk2.h5: the weights need 357 KiB" "tf.keras .h5 weights checked" \
    "$RNNSCOPE" summary --max-memory=100KiB "$SEED/keras/tfk2.h5"
expect_fail 1 "weights_only.h5: the weights need 357 KiB" "save_weights file checked (named)" \
    "$RNNSCOPE" summary "$SEED/keras/architecture.json" --weights "$SEED/keras/weights_only.h5" \
    --max-memory 100K
expect_fail 1 "k3_legacy.h5: the weights need 357 KiB" "Keras 3 legacy .h5 checked" \
    "$RNNSCOPE" summary --max-memory 100K "$SEED/keras/k3_legacy.h5"
expect_fail 1 "k3.keras: the file is 386 KiB" "a .keras archive larger than the cap" \
    "$RNNSCOPE" summary --max-memory 100K "$SEED/keras/k3.keras"
expect_fail 1 "k3_deflated.keras: model.weights.h5 needs" "a deflated .keras whose weights entry exceeds the cap" \
    "$RNNSCOPE" summary --max-memory 400K "$SEED/keras/k3_deflated.keras"
expect_fail 1 "k3.keras: the weights need 357 KiB on top of the 767 KiB held, more than the memory cap of 1.07 MiB" \
    "a .keras: its weights count on top of the archive and the HDF5 image held" \
    "$RNNSCOPE" summary --max-memory 1100K "$SEED/keras/k3.keras"
check "and it loads when all of that fits (1200K)" "$RNNSCOPE" summary --max-memory 1200K "$SEED/keras/k3.keras"
expect_fail 1 "model.json: the weights need 357 KiB" "TF.js manifest checked before the shards" \
    "$RNNSCOPE" summary --max-memory 100K "$SEED/tfjs/model.json"
for f in keras/k22.h5 keras/tfk2.h5 keras/k3.keras keras/k3_deflated.keras tfjs/model.json; do
    check "$f loads under a cap above it (2M)" "$RNNSCOPE" summary --max-memory 2M "$SEED/$f"
done
check "and with no cap (none)" "$RNNSCOPE" summary --max-memory none "$H5"
check "and with the default cap" "$RNNSCOPE" summary "$H5"

# ---- where the cap comes from: option > RNNSCOPE_MAX_MEMORY > settings file > default
expect_fail 1 "memory cap of 100 KiB" "RNNSCOPE_MAX_MEMORY sets the cap" \
    env RNNSCOPE_MAX_MEMORY=100K "$RNNSCOPE" summary "$H5"
check "--max-memory wins over RNNSCOPE_MAX_MEMORY" \
    env RNNSCOPE_MAX_MEMORY=100K "$RNNSCOPE" summary --max-memory 1G "$H5"
mkdir -p "$T/xdg/rnnscope"
echo "set max-memory = 200KB" > "$T/xdg/rnnscope/config"
expect_fail 1 "memory cap of 195 KiB" "'set max-memory' in the settings file (KB = 1000 bytes)" \
    env XDG_CONFIG_HOME="$T/xdg" RNNSCOPE_MAX_MEMORY= "$RNNSCOPE" summary "$H5"
check "RNNSCOPE_MAX_MEMORY wins over the settings file" \
    env XDG_CONFIG_HOME="$T/xdg" RNNSCOPE_MAX_MEMORY=1G "$RNNSCOPE" summary "$H5"
for bad in 0 x 12Q -5 1e9 ""; do
    expect_fail 2 "--max-memory needs a size" "--max-memory '$bad' is misuse" \
        "$RNNSCOPE" summary --max-memory "$bad" "$H5"
done
expect_fail 2 "--max-memory needs a size" "dump: a bad --max-memory is misuse" \
    "$RNNSCOPE" dump "$H5" --layer lstm_1 --max-memory lots -o "$T/o.npy"
expect_fail 2 "--max-memory needs a size" "plot: a bad --max-memory is misuse" \
    "$RNNSCOPE" plot "$H5" --layer lstm_1 --max-memory lots
expect_fail 2 "--max-memory needs a size" "explorer: a bad --max-memory is misuse" \
    "$RNNSCOPE" --max-memory lots "$H5"
expect_fail 2 "RNNSCOPE_MAX_MEMORY needs a size" "a bad RNNSCOPE_MAX_MEMORY is misuse" \
    env RNNSCOPE_MAX_MEMORY=lots "$RNNSCOPE" summary "$H5"

# ---- files that declare far more than they hold (tests/data/make_malformed.py)
quick "an HDF5 dataset of (2^20, 2^14) with nothing stored" \
    "memcap_unwritten_64gib.h5: the weights need 64 GiB, more than the memory cap of 1 GiB" \
    "$RNNSCOPE" summary --max-memory 1G "$M/memcap_unwritten_64gib.h5"
quick "a .keras whose weights entry is a zip bomb (3 GiB of zeros in 3 KB)" \
    "memcap_zip_bomb_3gib.keras: model.weights.h5 needs 3 GiB on top of the 3.14 KiB held, more than the memory cap of 1 GiB" \
    "$RNNSCOPE" summary --max-memory 1G "$M/memcap_zip_bomb_3gib.keras"
quick "the zip bomb under no cap: refused from its ratio, not inflated" "a zip bomb" \
    "$RNNSCOPE" summary --max-memory none "$M/memcap_zip_bomb_3gib.keras"
quick "a TF.js manifest whose shapes claim 3.6 TiB" \
    "model.json: the weights need 3.64 TiB, more than the memory cap" \
    "$RNNSCOPE" summary "$M/memcap_tfjs_terabytes/model.json"
quick "an input .npy whose header declares 256 GiB" \
    "memcap_input_256gib.npy: reading the array (1048576, 65536) needs 256 GiB, more than the memory cap of 1 GiB" \
    "$RNNSCOPE" dump "$top_srcdir/tests/data/models/seq_lstm.k2.h5" --layer lstm_a \
    --input "$M/memcap_input_256gib.npy" --max-memory 1G -o "$T/o.npy"
quick "plot --data of that .npy" "needs 256 GiB" \
    "$RNNSCOPE" plot --data "$M/memcap_input_256gib.npy" --max-memory 1G
printf '1,2,3\n4,5,6\n7,8,9\n' > "$T/in.csv"
expect_fail 1 "in.csv: the file is 18 bytes, more than the memory cap of 16 bytes" \
    "a .csv larger than the cap" "$RNNSCOPE" plot --data "$T/in.csv" --max-memory 16
# 18 bytes of text, an index of at most 4 lines (96 bytes), 9 values (36 bytes)
expect_fail 1 "in.csv: reading the input needs 114 bytes, more than the memory cap of 100 bytes" \
    "a .csv whose line index would pass the cap" "$RNNSCOPE" plot --data "$T/in.csv" --max-memory 100
expect_fail 1 "in.csv: reading the input needs 150 bytes, more than the memory cap of 149 bytes" \
    "a .csv whose values would pass the cap" "$RNNSCOPE" plot --data "$T/in.csv" --max-memory 149
check "the .csv fits 150 bytes" "$RNNSCOPE" plot --data "$T/in.csv" --max-memory 150 --width 20 --height 4

# ---- activations: weights (357 KiB), the input (3.75 KiB: the input layer's output is the
# input itself, not a copy) and lstm_1's output (56 KiB; its gates and cell are made only when
# asked for) fit 700 KiB, the attention layer's outputs do not
expect_fail 1 "layer seq_self_attention_1 (SeqSelfAttention): computing it needs 341 KiB on top of the 417 KiB held, more than the memory cap of 700 KiB (--max-memory)" \
    "dump: a layer whose outputs exceed the cap is refused, named with the sizes" \
    "$RNNSCOPE" dump "$H5" --layer seq_self_attention_1 --max-memory 700K -o "$T/att.npy"
check "no output file is left" test ! -e "$T/att.npy"
expect_fail 1 "layer seq_self_attention_1 (SeqSelfAttention): computing it needs" \
    "plot: the same" "$RNNSCOPE" plot "$H5" --layer seq_self_attention_1 --max-memory 700K --width 40 --height 5
check "the layer before it fits the same cap" \
    "$RNNSCOPE" dump "$H5" --layer lstm_1 --max-memory 700K -o "$T/lstm.npy"
check "the attention layer fits a larger cap" \
    "$RNNSCOPE" dump "$H5" --layer seq_self_attention_1 --max-memory 2M -o "$T/att.npy"
# a batch of 64 samples: the outputs of every sample count (with lstm_1's, 4.1 MiB are held;
# the attention layer needs 17.6 MiB more)
if have_numpy; then
    "$PY" -c "import numpy as np; np.save('$T/batch.npy', np.random.default_rng(0).random((64, 240, 4), np.float32))"
    expect_fail 1 "layer seq_self_attention_1 (SeqSelfAttention): computing it needs 17.6 MiB on top of the 4.1 MiB held" \
        "a batch: every sample's outputs are counted" \
        "$RNNSCOPE" dump "$H5" --layer seq_self_attention_1 --input "$T/batch.npy" --max-memory 16M -o "$T/b.npy"
    check "one sample of it (--sample) fits" \
        "$RNNSCOPE" dump "$H5" --layer seq_self_attention_1 --input "$T/batch.npy" --sample 3 \
        --max-memory 16M -o "$T/b.npy"
    # a long input (4,000 timesteps) of a model with an open time axis: the weights (636 bytes)
    # and the LSTM fit, the attention layer's T x T matrix (61 MiB of scratch) does not
    LONG=$top_srcdir/tests/data/models/long_attn.k2.h5
    "$PY" -c "import numpy as np; np.save('$T/long.npy', np.random.default_rng(0).random((1, 4000, 3), np.float32))"
    expect_fail 1 "layer self_att (SeqSelfAttention): computing it needs 61.2 MiB on top of the 110 KiB held, more than the memory cap of 32 MiB" \
        "a long input: the attention layer is refused before its T x T matrix is allocated" \
        "$RNNSCOPE" dump "$LONG" --layer self_att --input "$T/long.npy" --max-memory 32M -o "$T/l.npy"
    check "the LSTM before it runs under the same cap" \
        "$RNNSCOPE" dump "$LONG" --layer lstm_a --input "$T/long.npy" --max-memory 32M -o "$T/l.npy"
    "$PY" -c "import numpy as np; np.save('$T/short.npy', np.load('$T/long.npy')[:, :1000])"
    check "a quarter of that input (a sixteenth of the matrix) fits" \
        "$RNNSCOPE" dump "$LONG" --layer self_att --input "$T/short.npy" --max-memory 32M -o "$T/l.npy"
else
    skip "a batch: every sample's outputs are counted" "no numpy"
fi
done_testing
