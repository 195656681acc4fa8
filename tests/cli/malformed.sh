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
check "the corpus holds at least 30 files ($n)" test "$n" -ge 30
expect_fail 1 "text.keras: " "--weights that is not HDF5 is refused" \
    "$RNNSCOPE" summary "$top_srcdir/tests/data/models/seq_lstm.json" --weights "$M/text.keras"
expect_fail 1 "text.keras" "--weights with a non-JSON model is refused" \
    "$RNNSCOPE" summary "$M/text.keras" --weights "$M/text.keras"
expect_fail 1 "nonexistent.h5: " "a missing file is refused" "$RNNSCOPE" summary "$T/nonexistent.h5"
expect_fail 1 "$T" "a directory is refused" "$RNNSCOPE" summary "$T"
expect_fail 2 "no MODEL" "summary without MODEL is misuse" "$RNNSCOPE" summary
expect_fail 2 "unknown option" "an unknown option is misuse" "$RNNSCOPE" summary --bogus x.h5
done_testing
