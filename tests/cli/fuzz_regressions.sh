# Inputs the fuzzers found (tests/fuzz/regressions, kept as they were found): each is refused
# with exit 1 and one line naming the file — no crash, no hang, no sanitizer report.
. "$top_srcdir/tests/lib.sh"
# (Terminal replies the fuzzer found live in regressions/term: tests/unit/test_term reads them.)
for f in "$top_srcdir"/tests/fuzz/regressions/*; do
    [ -f "$f" ] || continue
    expect_fail 1 "rnnscope: $f: " "$(basename "$f") is refused cleanly" "$RNNSCOPE" summary "$f"
done
done_testing
