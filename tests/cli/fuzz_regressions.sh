# Inputs the fuzzers found (tests/fuzz/regressions, kept as they were found): each is refused
# with exit 1 and one line naming the file — no crash, no hang, no sanitizer report.
. "$top_srcdir/tests/lib.sh"
# (Terminal replies the fuzzer found live in regressions/term: tests/unit/test_term reads them.)
asan=; grep -q __asan_init "$RNNSCOPE" && asan=1
for f in "$top_srcdir"/tests/fuzz/regressions/*; do
    [ -f "$f" ] || continue
    case "$f" in *gigabytes*)
        # The address-space limit that bounds this file is off under AddressSanitizer (its
        # shadow memory is address space): there libhdf5 would fill 7 GB for half a minute.
        if [ -n "$asan" ]; then
            skip "$(basename "$f") is refused cleanly" "needs the child's address-space limit"
            continue
        fi ;;
    esac
    # The cap bounds what libhdf5 may allocate for a corrupt file (some ask it for gigabytes).
    expect_fail 1 "rnnscope: $f: " "$(basename "$f") is refused cleanly" \
        "$RNNSCOPE" summary --max-memory 1G "$f"
done
done_testing
