# dump's output files: a regular file is written atomically (a temporary name, then rename), so
# a full disk or a file-size limit leaves no partial file and an error, and keeps its mode; a
# symlink is followed; a device, FIFO or /dev/fd/N is written through, never replaced; a closed
# or full stdout is an error too.
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

# what -o names decides how it is written (src/core/outfile.c; the unit test test_outfile has
# the signals)
dump_to() { "$RNNSCOPE" dump "$MODEL" --layer input_1 --random 3 -o "$@"; }
"$RNNSCOPE" dump "$MODEL" --layer input_1 --random 3 -o "$T/want.npy"
printf 'old' > "$T/private.npy"; chmod 600 "$T/private.npy"
if dump_to "$T/private.npy" && [ "$(stat -c %a "$T/private.npy")" = 600 ] && cmp -s "$T/private.npy" "$T/want.npy"
then ok "a 0600 file stays 0600"; else not_ok "a 0600 file stays 0600"; stat -c %a "$T/private.npy" | diag; fi
printf 'old' > "$T/target.npy"; ln -s target.npy "$T/link.npy"
if dump_to "$T/link.npy" && [ -L "$T/link.npy" ] && cmp -s "$T/target.npy" "$T/want.npy"
then ok "a symlink stays a link; its target gets the output"
else not_ok "a symlink stays a link; its target gets the output"; ls -l "$T" | diag; fi
# A null device of our own where we may make one (root): a regression must not replace the
# machine's /dev/null (it did once, and broke everything); a user cannot replace it anyway.
NULLDEV=/dev/null
mknod "$T/null" c 1 3 2>/dev/null && NULLDEV=$T/null
if dump_to "$NULLDEV" && [ -c "$NULLDEV" ] && [ -z "$(ls "$(dirname "$NULLDEV")" | grep 'null.tmp')" ]
then ok "-o /dev/null writes to it and leaves it a character device"
    # and the machine's own, now that a device is known to be written through
    if [ "$NULLDEV" != /dev/null ] && dump_to /dev/null && [ -c /dev/null ]; then
        ok "-o /dev/null (the real one) leaves it a character device"
    elif [ "$NULLDEV" != /dev/null ]; then not_ok "-o /dev/null (the real one) leaves it a character device"; fi
else not_ok "-o /dev/null writes to it and leaves it a character device"; ls -l "$NULLDEV" | diag; fi
mkfifo "$T/fifo"
timeout 20 cat "$T/fifo" > "$T/from_fifo" & reader=$!  # (bounded: a regression replaces the FIFO)
if dump_to "$T/fifo" && wait $reader && [ -p "$T/fifo" ] && cmp -s "$T/from_fifo" "$T/want.npy"
then ok "a FIFO is written through and stays a FIFO"; else not_ok "a FIFO is written through and stays a FIFO"; ls -l "$T" | diag; fi
if dump_to >(cat > "$T/from_subst") && sleep 0.3 && cmp -s "$T/from_subst" "$T/want.npy"
then ok "-o >(cmd) writes to the pipe"; else not_ok "-o >(cmd) writes to the pipe"; fi
# (a link of our own to what /dev/stdout links to: a regression must not replace /dev/stdout)
ln -s /proc/self/fd/1 "$T/stdout"
if [ "$(dump_to "$T/stdout" | wc -c)" -eq "$(wc -c < "$T/want.npy")" ] && [ -L "$T/stdout" ]
then ok "-o a link to /proc/self/fd/1 (as /dev/stdout) into a pipe"
else not_ok "-o a link to /proc/self/fd/1 (as /dev/stdout) into a pipe"; fi
[ -z "$(ls "$T" | grep '\.tmp')" ] && ok "no temporary file left" || { not_ok "no temporary file left"; ls "$T" | diag; }

# a signal while the output is being written: the temporary file goes, the old file stays, the
# process ends by the signal (a 7 MB .csv of a 200,000-step input takes a while to write)
if have_numpy; then
    "$PY" -c 'import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(0).random((1, 200000, 3), dtype=np.float32))' "$T/long.npy"
    LONG=$top_srcdir/tests/data/models/long_attn.k2.h5
    for sig in TERM HUP; do
        mkdir "$T/sig$sig" && printf 'old' > "$T/sig$sig/out.csv"
        "$RNNSCOPE" dump "$LONG" --layer lstm_a_input --input "$T/long.npy" -o "$T/sig$sig/out.csv" 2>/dev/null &
        pid=$! seen=0
        for i in $(seq 400); do  # until the temporary file is there (at most 20 s)
            ls "$T/sig$sig" | grep -q 'out.csv.tmp' && { seen=1; break; }
            sleep 0.05
        done
        kill -$sig $pid; { wait $pid; } 2>/dev/null; rc=$?
        if [ $seen = 1 ] && [ $rc -eq $((128 + $(kill -l $sig))) ] && [ "$(ls "$T/sig$sig")" = out.csv ] &&
           [ "$(cat "$T/sig$sig/out.csv")" = old ]; then
            ok "SIG$sig during the write: the temporary file removed, the old file kept"
        else not_ok "SIG$sig during the write: the temporary file removed, the old file kept"
            echo "seen $seen, exit $rc" | diag; ls -l "$T/sig$sig" | diag; fi
    done
else
    skip "SIGTERM during the write" "python3-numpy is not installed"
    skip "SIGHUP during the write" "python3-numpy is not installed"
fi

# stdout that cannot be written: one message and exit 1, for every command that prints
for cmd in "summary $MODEL" "plot --data $top_srcdir/tests/data/kernels/x.npy --sample 0" \
           "dump $MODEL --layer input_1 --random 3 -o -" "--help" "--version" "--help-keys" \
           "summary --help" "dump --help" "plot --help"; do
    label=${cmd//$top_srcdir\//}; label=${label%% -o -}
    for where in full closed; do
        # shellcheck disable=SC2086
        if [ $where = full ]; then err=$("$RNNSCOPE" $cmd 2>&1 >/dev/full); rc=$?
        else err=$("$RNNSCOPE" $cmd 2>&1 >&-); rc=$?; fi
        if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
           printf '%s' "$err" | grep -q "^rnnscope: .*standard output\|^rnnscope: stdout"; then
            ok "rnnscope $label with a $where stdout: exit 1 and one message"
        else not_ok "rnnscope $label with a $where stdout: exit 1 and one message"
            printf 'exit %s: %s\n' "$rc" "$err" | diag; fi
    done
done

# | head: ends quietly
out=$("$RNNSCOPE" dump "$MODEL" --layer input_1 --random 3 -o - 2>"$T/err" | head -c 10 | wc -c)
[ "$out" -eq 10 ] && [ ! -s "$T/err" ] && ok "dump -o - | head ends quietly" || { not_ok "dump -o - | head ends quietly"; diag < "$T/err"; }
out=$("$RNNSCOPE" plot --data "$top_srcdir/tests/data/kernels/x.npy" --sample 0 2>"$T/err" | head -1; echo "rc=${PIPESTATUS[0]}")
printf '%s' "$out" | grep -q 'rc=0' && [ ! -s "$T/err" ] && ok "plot | head -1 exits 0 without a message" ||
    { not_ok "plot | head -1 exits 0 without a message"; diag < "$T/err"; }
out=$("$RNNSCOPE" summary "$MODEL" 2>"$T/err" | head -1; echo "rc=${PIPESTATUS[0]}")
printf '%s' "$out" | grep -q 'rc=0' && [ ! -s "$T/err" ] && ok "summary | head -1 exits 0 without a message" ||
    { not_ok "summary | head -1 exits 0 without a message"; diag < "$T/err"; }
done_testing
