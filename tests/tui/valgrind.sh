# One scripted explorer session on the demo under valgrind memcheck: no errors, no definite leaks.
. "$top_srcdir/tests/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 77; }
# valgrind and AddressSanitizer do not mix: the ASan build has its own leak and error checks
grep -q __asan_init "$RNNSCOPE" && { echo "built with AddressSanitizer (it checks memory itself)"; exit 77; }
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
printf 'j\nEnter\nj\nj\n3\ndump\ns\n4\n1\nk\nk\n2\n]\n+\n<\n?\nq\n' > "$T/keys"
# the fork guard's child is a second process with its own report; --trace-children checks it too
RNNSCOPE_NO_HDF5_GUARD=1 valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
    --error-exitcode=42 --log-file="$T/vg.log" \
    "$RNNSCOPE" --headless --size 100x30 --keys "$T/keys" --dump-screen "$T/dump" "$DEMO" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q 'ERROR SUMMARY: 0 errors' "$T/vg.log" && grep -q 'seq_self_attention_1' "$T/dump"; then
    ok "an explorer session under valgrind: no errors, no definite leaks"
else
    not_ok "an explorer session under valgrind: no errors, no definite leaks"
    { echo "exit $rc"; grep -E 'ERROR SUMMARY|definitely lost|Invalid|uninitialised' "$T/vg.log" | head -20; cat "$T/out"; } | diag
fi
# gradient mode (issue 18): d, the weights view, the input's integrated gradients (2 points:
# valgrind is slow) with the strip (i), another sample, u, reflect_half, m, export, values again
printf 'd\n6\n1\ni\nC\ns\nu\nb\ng\n3\nm\nx\nEnter\nd\nq\n' > "$T/keys"
(cd "$T" && RNNSCOPE_NO_HDF5_GUARD=1 valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
    --error-exitcode=42 --log-file="$T/vg2.log" \
    "$RNNSCOPE" --headless --size 100x30 --keys "$T/keys" --dump-screen "$T/dump2" --sample 2 --method ig --ig-steps 2 "$DEMO" >"$T/out2" 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q 'ERROR SUMMARY: 0 errors' "$T/vg2.log" && [ -f "$T/input_1.grad.s2.npy" ]; then
    ok "a gradient-mode session under valgrind: no errors, no definite leaks"
else
    not_ok "a gradient-mode session under valgrind: no errors, no definite leaks"
    { echo "exit $rc"; grep -E 'ERROR SUMMARY|definitely lost|Invalid|uninitialised' "$T/vg2.log" | head -20; cat "$T/out2"; } | diag
fi
done_testing
