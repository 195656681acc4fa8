# Text from files reaches the terminal only as text: every printing path (summary, error
# messages with --layer candidates, TF.js shard paths, .npy header keys and dtypes, .csv
# values, an unknown class, plot, the explorer's screens, status line and export prompt) is
# fed names full of escape sequences (window title, clear screen, OSC 52 clipboard), newlines
# forging "rnnscope: ..." lines, C1 controls, a bidi override and invalid UTF-8
# (tests/data/make_hostile_text.py). No control character but our own newlines may come out,
# and an error stays one line.
. "$top_srcdir/tests/lib.sh"
D=$top_srcdir/tests/data/hostile_text

# check_clean FILE [screens]: valid UTF-8 without control characters (newline only; form feed
# too between the explorer's screens), C1 controls, bidi controls or line separators
check_clean() {
    "$PY" - "$@" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("invalid UTF-8 at byte %d: %r" % (e.start, data[max(0, e.start - 20):e.start + 10]))
allowed = "\n\f" if len(sys.argv) > 2 else "\n"
bad = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
for m in bad.finditer(text):
    if m.group() not in allowed:
        sys.exit("control character U+%04X at %d: %r" % (ord(m.group()), m.start(),
                 text[max(0, m.start() - 20):m.start() + 10]))
EOF
}

# run_case "description" WANT_RC command...: exit status WANT_RC, stdout and stderr clean, and
# stderr empty (WANT_RC 0) or one line starting "rnnscope: "
run_case() {
    local what=$1 want=$2 rc why=""
    shift 2
    "$@" > "$T/out" 2> "$T/err"; rc=$?
    [ "$rc" -eq "$want" ] || why="exit $rc, not $want"
    [ -z "$why" ] && ! why=$(check_clean "$T/out" 2>&1) && why="stdout: $why"
    [ -z "$why" ] && ! why=$(check_clean "$T/err" 2>&1) && why="stderr: $why"
    if [ -z "$why" ] && [ "$want" -ne 0 ]; then
        [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q '^rnnscope: ' "$T/err" || why="stderr is not one line"
    elif [ -z "$why" ] && [ -s "$T/err" ]; then
        why="a message on stderr"
    fi
    if [ -z "$why" ]; then ok "$what"
    else not_ok "$what"; { echo "$why"; cat -v "$T/err"; head -c 2000 "$T/out" | cat -v; } | diag; fi
}

if ! have_numpy; then
    skip "hostile text" "python3-numpy is not installed (for the checks)"
    done_testing
    exit 0
fi

for m in names.k2.h5 names.keras tfjs_names/model.json; do
    run_case "summary $m: names, model name, class and version shown as text" 0 \
        "$RNNSCOPE" summary "$D/$m"
    run_case "dump $m --layer zzz: the candidates listed as text, on one line" 1 \
        "$RNNSCOPE" dump "$D/$m" --layer zzz -o "$T/x.npy"
    run_case "dump $m --layer e: the ambiguous matches as text, on one line" 1 \
        "$RNNSCOPE" dump "$D/$m" --layer e -o "$T/x.npy"
    run_case "dump $m --layer evil: the unknown class named as text" 1 \
        "$RNNSCOPE" dump "$D/$m" --layer evil -o "$T/x.npy"
    run_case "dump $m --layer dense runs" 0 "$RNNSCOPE" dump "$D/$m" --layer dense -o "$T/x.npy"
done
# (summary's own line counts: a forged line would add one)
"$RNNSCOPE" summary "$D/names.k2.h5" > "$T/out"
[ "$(wc -l < "$T/out")" -eq 9 ] && ! grep -q '^rnnscope: forged' "$T/out" &&
    ok "summary: one line per layer, no forged line" ||
    { not_ok "summary: one line per layer, no forged line"; cat -v "$T/out" | diag; }

for f in bad_key.npy bad_dtype.npy bad_value.csv; do
    run_case "--input $f: the header or value quoted as text" 1 \
        "$RNNSCOPE" dump "$D/names.k2.h5" --layer dense --input "$D/$f" -o "$T/x.npy"
done
run_case "plot --data bad_key.npy: the key quoted as text" 1 "$RNNSCOPE" plot --data "$D/bad_key.npy"
run_case "TF.js: a missing shard's path quoted as text" 1 "$RNNSCOPE" summary "$D/tfjs_shard_path/model.json"
run_case "TF.js: a shard path out of the directory quoted as text" 1 \
    "$RNNSCOPE" summary "$D/tfjs_shard_escape/model.json"
run_case "the explorer's start-up error quoted as text" 1 \
    "$RNNSCOPE" --headless --keys /dev/null "$D/tfjs_shard_path/model.json"
for view in lines heatmap weights; do
    run_case "plot --layer dense --view $view (colour never)" 0 \
        "$RNNSCOPE" plot "$D/names.k2.h5" --layer dense --view $view --color never --width 80 --height 12
done
run_case "plot --layer zzz: candidates as text" 1 "$RNNSCOPE" plot "$D/names.k2.h5" --layer zzz
run_case "plot --layer evil: the unknown class as text" 1 "$RNNSCOPE" plot "$D/names.k2.h5" --layer evil

# the explorer: every screen (layers panel, titles, header's version, status line with the
# unknown class's reason, the weights view, search and export prompts), then an export of the
# layer whose name holds OSC 52: the file gets a safe name in the current directory
mkdir "$T/cwd"
printf '%s\n' dump j 6 dump 1 j dump x dump Esc / z Enter dump k x Enter dump > "$T/keys"
(cd "$T/cwd" && "$RNNSCOPE" --headless --size 150x30 --keys "$T/keys" --dump-screen "$T/screens" \
    "$D/names.k2.h5" > "$T/out" 2> "$T/err"); rc=$?
if [ $rc -eq 0 ] && why=$(check_clean "$T/screens" screens 2>&1) && [ ! -s "$T/out" ] && [ ! -s "$T/err" ] &&
   grep -q 'export to (.npy or .csv): evil' "$T/screens" && grep -q 'is not supported' "$T/screens" &&
   grep -q '\[weights\] dense' "$T/screens"; then
    ok "the explorer's screens show every name as text"
else not_ok "the explorer's screens show every name as text"; { echo "exit $rc: $why"; cat -v "$T/err" "$T/screens"; } | diag; fi
written=$(ls "$T/cwd")
if [ "$(printf '%s\n' "$written" | wc -l)" -eq 1 ] && printf '%s' "$written" > "$T/name" &&
   check_clean "$T/name" && case $written in dense*.npy) true ;; *) false ;; esac &&
   ! printf '%s' "$written" | grep -q '[/\\ ]' && grep -q "wrote $written" "$T/screens"; then
    ok "x proposes a safe file name for a hostile layer name and writes it"
else not_ok "x proposes a safe file name for a hostile layer name and writes it"; ls -b "$T/cwd" | diag; fi
done_testing
