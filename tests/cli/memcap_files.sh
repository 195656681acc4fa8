# The memory cap on sizes that come from a file or an option and were not counted before: the
# random input a model's declared shape asks for, a TF.js manifest that lists one shard again
# and again, the parse of a JSON file (cJSON takes ~40 times the text for an array of numbers),
# a string attribute read from an HDF5 file, and a .keras of ~1 GiB of weights (libhdf5 copied
# its image three times: "not valid HDF5").
# Each is refused with the usual cap message before allocating. The commands that a binary
# without the checks would let allocate gigabytes run under an address-space limit (not under
# AddressSanitizer, whose shadow memory is address space).
. "$top_srcdir/tests/lib.sh"
asan=; grep -q __asan_init "$RNNSCOPE" && asan=1
cd "$T" || exit 1

# bounded WHAT NEEDLE command...: expect_fail 1 under a 3 GB address-space limit
bounded() {
    local what=$1 needle=$2; shift 2
    if [ -n "$asan" ]; then
        expect_fail 1 "$needle" "$what" "$@"
    else
        expect_fail 1 "$needle" "$what" sh -c 'ulimit -v 3000000; exec "$@"' sh "$@"
    fi
}

# ---- a random input of 10^9 timesteps (a model.json of 300 bytes, no weights): 14.9 GiB
cat > long.json <<'EOF'
{"format": "layers-model", "modelTopology": {"class_name": "Sequential", "config": {"name": "long", "layers": [{"class_name": "Activation", "config": {"name": "act", "activation": "tanh", "batch_input_shape": [null, 1000000000, 4]}}]}}}
EOF
CAP="the random input needs 14.9 GiB, more than the memory cap of 1 GiB (--max-memory)"
bounded "dump: the default random input of 10^9 timesteps is refused" "long.json: $CAP" \
    "$RNNSCOPE" dump long.json --layer act --max-memory 1G -o o.npy
bounded "dump --random: the same" "long.json: $CAP" \
    "$RNNSCOPE" dump long.json --layer act --random 7 --max-memory 1G -o o.npy
bounded "plot: the same" "long.json: $CAP" \
    "$RNNSCOPE" plot long.json --layer act --max-memory 1G
bounded "the explorer: the same" "long.json: $CAP" \
    "$RNNSCOPE" --headless --keys /dev/null --max-memory 1G long.json
check "summary needs no input: it loads" "$RNNSCOPE" summary long.json --max-memory 1G
# the weights count as held: 357 KiB of k22.h5, then (1, 240, 4) of random input = 3.75 KiB
K22=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5
expect_fail 1 "k22.h5: the random input needs 3.75 KiB on top of the 357 KiB held, more than the memory cap of 360 KiB" \
    "the random input counts on top of the weights" \
    "$RNNSCOPE" dump "$K22" --layer lstm_1 --random 0 --max-memory 360K -o o.npy

# ---- a TF.js manifest listing a 1 MiB shard 3,000 times: 2.93 GiB read, refused at 64 MiB
if [ -x "$PY" ]; then
    cp -r "$top_srcdir/tests/data/models/tfjs_seq_lstm" tj
    chmod -R u+w tj
    truncate -s 1M tj/big.bin
    "$PY" -c "
import json
d = json.load(open('tj/model.json'))
d['weightsManifest'][1]['paths'] += ['big.bin'] * 2999
json.dump(d, open('tj/model.json', 'w'))"
    bounded "a TF.js manifest listing one shard 3,000 times is refused before reading" \
        "tj/model.json: the weights with their shards need 2.93 GiB, more than the memory cap of 64 MiB" \
        "$RNNSCOPE" summary tj/model.json --max-memory 64M
    # 40 MB of JSON, an array of 10^7 zeros: cJSON would take 800 MB for it
    "$PY" -c "open('bomb.json', 'w').write('{\"modelTopology\": {\"a\": [' + ','.join(['0'] * 10**7) + ']}}')"
    bounded "a JSON file whose parse would take far more than the cap" \
        "bomb.json: parsing its JSON needs 801 MiB, more than the memory cap of 100 MiB" \
        "$RNNSCOPE" summary bomb.json --max-memory 100M
else
    skip "a TF.js manifest listing one shard 3,000 times" "no $PY"
fi

# ---- a 4 MiB fixed-length string attribute (model_config) under a cap of 1 MiB: refused
# before libhdf5 is asked to read it (with its copy, 8 MiB)
if have_numpy; then
    "$PY" -c "
import h5py, numpy as np
src = '$top_srcdir/tests/data/models/seq_lstm.k2.h5'
with h5py.File(src, 'r') as s, h5py.File('attr.h5', 'w', libver='latest') as f:
    s.copy('model_weights', f)
    c = s.attrs['model_config']
    f.attrs.create('model_config', np.array((c.decode() if isinstance(c, bytes) else c) + ' ' * (4 << 20), dtype='S'))"
    expect_fail 1 "attr.h5: attribute 'model_config' needs 8 MiB, more than the memory cap of 1 MiB" \
        "a string attribute larger than the cap is refused before it is read" \
        "$RNNSCOPE" summary attr.h5 --max-memory 1M
    check "and it loads under a larger cap" "$RNNSCOPE" summary attr.h5 --max-memory 100M
else
    skip "a string attribute larger than the cap" "no h5py"
fi

# ---- a .keras with 960 MiB of weights (deflated to 4 MB; the HDF5 made sparse, at test time)
if [ -n "$asan" ]; then
    skip "a .keras with 960 MiB of weights" "gigabytes under AddressSanitizer"
elif have_numpy && "$PY" "$top_srcdir/tests/data/make_big_keras.py" big.keras 960; then
    expect_fail 1 "big.keras: the weights need 960 MiB on top of the 964 MiB held, more than the memory cap of 1.46 GiB" \
        "under 1500M: refused naming the weights, on top of the archive and the image" \
        "$RNNSCOPE" summary big.keras --max-memory 1500M
    check "a .keras with 960 MiB of weights loads under --max-memory 2G" \
        "$RNNSCOPE" summary big.keras --max-memory 2G
else
    skip "a .keras with 960 MiB of weights" "no h5py, or no room to make it"
fi
done_testing
