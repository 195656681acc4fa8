# A FIFO (or a device, a directory) where a regular file is needed — the model, a TF.js shard,
# --weights, an --input .npy or .csv, plot --data, the bundled sample beside a model — is
# refused at once with one line naming it ("not a regular file"); it blocked forever before
# (open() of a FIFO waits for a writer). Every case runs under timeout 10: a hang fails.
. "$top_srcdir/tests/lib.sh"
MODELS=$top_srcdir/tests/data/models
H5=$MODELS/seq_lstm.k2.h5
cd "$T" || exit 1

fifo_refused() {
    local what=$1 fifo=$2; shift 2
    expect_fail 1 "$fifo: not a regular file" "$what" timeout 10 "$RNNSCOPE" "$@"
}

for name in m.h5 m.keras model.json; do
    mkfifo "$name"
    fifo_refused "a FIFO as the model ($name)" "$name" summary "$name"
done
fifo_refused "dump: a FIFO as the model" m.h5 dump m.h5 --layer lstm_a -o o.npy
fifo_refused "plot: a FIFO as the model" m.h5 plot m.h5 --layer lstm_a
fifo_refused "the explorer: a FIFO as the model" m.h5 m.h5
fifo_refused "a character device as the model" /dev/zero summary /dev/zero

mkfifo w.h5
fifo_refused "a FIFO as --weights" w.h5 summary "$MODELS/seq_lstm.json" --weights w.h5

mkdir tfjs
cp "$MODELS"/tfjs_seq_lstm/* tfjs/
rm tfjs/group1-shard1of2.bin
mkfifo tfjs/group1-shard1of2.bin
expect_fail 1 "group1-shard1of2.bin: not a regular file" "a FIFO as a TF.js shard" \
    timeout 10 "$RNNSCOPE" summary tfjs/model.json

mkfifo in.npy in.csv
fifo_refused "a FIFO as --input .npy" in.npy dump "$H5" --layer lstm_a --input in.npy -o o.npy
fifo_refused "a FIFO as --input .csv" in.csv dump "$H5" --layer lstm_a --input in.csv -o o.npy
fifo_refused "plot --data: a FIFO" in.npy plot --data in.npy
fifo_refused "plot --data: a FIFO .csv" in.csv plot --data in.csv

# the bundled sample (<model>.inputs.npy beside the model) as a FIFO
cp "$H5" b.h5
mkfifo b.inputs.npy
fifo_refused "a FIFO as the bundled sample" b.inputs.npy dump b.h5 --layer lstm_a -o o.npy

# a regular file given as /dev/stdin still works (the shell's redirection is a regular file)
if have_numpy; then
    "$PY" -c "import numpy as np; np.save('x.npy', np.zeros((1, 5, 3), np.float32))"
    check "--input /dev/stdin redirected from a regular .npy file" \
        timeout 10 "$RNNSCOPE" dump "$H5" --layer lstm_a --input /dev/stdin -o o.npy < x.npy
    expect_fail 1 "/dev/stdin: not a regular file" "--input /dev/stdin from a pipe is refused" \
        sh -c "cat x.npy | timeout 10 '$RNNSCOPE' dump '$H5' --layer lstm_a --input /dev/stdin -o o.npy"
else
    skip "--input /dev/stdin redirected from a regular .npy file" "no numpy"
fi
done_testing
