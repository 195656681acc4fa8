# dump's output files: written atomically (a temporary name, then rename), so a full disk or a
# file-size limit leaves no partial file and an error; a closed stdout is an error too.
. "$top_srcdir/tests/lib.sh"
MODEL=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5

# the input layer's output needs no forward pass of any other layer
if "$RNNSCOPE" dump "$MODEL" --layer input_1 --random 3 -o "$T/in.npy" && [ -s "$T/in.npy" ]; then
    ok "dump writes an .npy"; else not_ok "dump writes an .npy"; fi

# a 1 KiB file-size limit: the 3.8 KiB output cannot be written
err=$( (ulimit -f 1; "$RNNSCOPE" dump "$MODEL" --layer input_1 --random 3 -o "$T/small.npy") 2>&1 >/dev/null); rc=$?
if [ $rc -eq 1 ] && [ ! -e "$T/small.npy" ] && [ -z "$(ls "$T" | grep 'small.npy.tmp')" ] &&
   printf '%s' "$err" | grep -q "small.npy: write failed"; then
    ok "a file-size limit gives an error and leaves no partial file"
else not_ok "a file-size limit gives an error and leaves no partial file"; printf 'exit %s: %s\n' "$rc" "$err" | diag; ls "$T" | diag; fi

# an existing file is replaced only when the new one is complete
printf 'old' > "$T/keep.npy"
(ulimit -f 1; "$RNNSCOPE" dump "$MODEL" --layer input_1 --random 3 -o "$T/keep.npy") 2>/dev/null
[ "$(cat "$T/keep.npy")" = old ] && ok "a failed dump leaves the old file untouched" ||
    not_ok "a failed dump leaves the old file untouched"

# stdout closed
err=$("$RNNSCOPE" dump "$MODEL" --layer input_1 --random 3 -o - 2>&1 >&-); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$err" | grep -q "standard output"; then ok "a closed stdout is reported"
else not_ok "a closed stdout is reported"; printf 'exit %s: %s\n' "$rc" "$err" | diag; fi

# | head: ends quietly
out=$("$RNNSCOPE" dump "$MODEL" --layer input_1 --random 3 -o - 2>"$T/err" | head -c 10 | wc -c)
[ "$out" -eq 10 ] && [ ! -s "$T/err" ] && ok "dump -o - | head ends quietly" || { not_ok "dump -o - | head ends quietly"; diag < "$T/err"; }
out=$("$RNNSCOPE" plot --data "$top_srcdir/tests/data/kernels/x.npy" --sample 0 2>"$T/err" | head -1; echo "rc=${PIPESTATUS[0]}")
printf '%s' "$out" | grep -q 'rc=0' && [ ! -s "$T/err" ] && ok "plot | head -1 exits 0 without a message" ||
    { not_ok "plot | head -1 exits 0 without a message"; diag < "$T/err"; }
done_testing
