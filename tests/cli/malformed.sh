# Every broken file in tests/data/malformed (made by tests/data/make_malformed.py) is refused with
# exit status 1 and exactly one line on stderr naming the file: no crash, no HDF5 error stack,
# no sanitizer report (run-tests turns those into failures).
. "$top_srcdir/tests/lib.sh"
M=$top_srcdir/tests/data/malformed
n=0
for entry in "$M"/*; do
    f=$entry
    [ -d "$entry" ] && f=$entry/model.json
    expect_fail 1 "rnnscope: $f: " "$(basename "$entry") is refused with one line naming it" \
        "$RNNSCOPE" summary "$f"
    n=$((n + 1))
done
# A shard that is a symlink leading out of the model's directory.
mkdir -p "$T/esc/model"
cp "$top_srcdir"/tests/data/models/tfjs_seq_lstm/* "$T/esc/model/"
cp "$T/esc/model/group1-shard1of2.bin" "$T/esc/outside.bin"
ln -sf ../outside.bin "$T/esc/model/group1-shard1of2.bin"
expect_fail 1 "leaves the model's directory" "a shard symlinked out of the model's directory" \
    "$RNNSCOPE" summary "$T/esc/model/model.json"
ln -sf "$T/esc/outside.bin" "$T/esc/model/group1-shard1of2.bin"
expect_fail 1 "leaves the model's directory" "a shard symlinked by absolute path" \
    "$RNNSCOPE" summary "$T/esc/model/model.json"
rm "$T/esc/model/group1-shard1of2.bin"
cp "$T/esc/outside.bin" "$T/esc/model/group1-shard1of2.bin"
check "the same directory with the shard in place loads" "$RNNSCOPE" summary "$T/esc/model/model.json"
check "the corpus holds at least 30 files ($n)" test "$n" -ge 30
# A global heap that libhdf5 would walk forever: found by the scan before libhdf5 reads it, in the
# guard's child and without the guard.
expect_fail 1 "heap_zero_free_space.h5: corrupt HDF5 global heap at byte 2048" \
    "a global heap libhdf5 would loop on is refused" "$RNNSCOPE" summary "$M/heap_zero_free_space.h5"
expect_fail 1 "heap_zero_free_space.h5: corrupt HDF5 global heap at byte 2048" \
    "the same without the guard" env RNNSCOPE_NO_HDF5_GUARD=1 "$RNNSCOPE" summary "$M/heap_zero_free_space.h5"
# A tensor passed as mask= would be one input too many (Keras 3) or dropped (tf.keras 2).
for f in mask_kwarg.k2.h5 mask_kwarg.keras; do
    expect_fail 1 "$f: layer 'self_att' is called with a tensor as mask=, which rnnscope does not support" \
        "$f: a mask passed to a call as a tensor is refused by name" "$RNNSCOPE" summary "$M/$f"
done
expect_fail 1 "text.keras: " "--weights that is not HDF5 is refused" \
    "$RNNSCOPE" summary "$top_srcdir/tests/data/models/seq_lstm.json" --weights "$M/text.keras"
expect_fail 1 "text.keras" "--weights with a non-JSON model is refused" \
    "$RNNSCOPE" summary "$M/text.keras" --weights "$M/text.keras"
expect_fail 1 "nonexistent.h5: " "a missing file is refused" "$RNNSCOPE" summary "$T/nonexistent.h5"
expect_fail 1 "$T" "a directory is refused" "$RNNSCOPE" summary "$T"
expect_fail 2 "no MODEL" "summary without MODEL is misuse" "$RNNSCOPE" summary
expect_fail 2 "unknown option" "an unknown option is misuse" "$RNNSCOPE" summary --bogus x.h5
done_testing
