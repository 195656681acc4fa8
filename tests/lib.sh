# Shell test helpers: TAP output, one "ok"/"not ok" line per case.
# Environment from tests/run-tests: RNNSCOPE (the program), top_srcdir, top_builddir, TMPDIR.
: "${top_srcdir:=.}" "${top_builddir:=.}"
: "${RNNSCOPE:=$top_builddir/rnnscope}"
PY=/usr/bin/python3    # Debian's python3: it has python3-numpy and python3-h5py
SHARED=${RNNSCOPE_SHARED:-$top_srcdir/../shared}
_tap_n=0

ok()     { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - $*"; }
skip()   { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
diag()   { sed 's/^/#   /'; }
done_testing() { echo "1..$_tap_n"; }

# check "description" command...: ok when the command exits 0; its output shown on failure.
check() {
    local what=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what"; printf '%s\n' "$out" | diag; fi
}

# expect_fail STATUS NEEDLE "description" command...: command exits STATUS and its stderr is
# exactly one line containing NEEDLE.
expect_fail() {
    local want=$1 needle=$2 what=$3; shift 3
    local err rc
    err=$("$@" 2>&1 >/dev/null); rc=$?
    if [ "$rc" -eq "$want" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
       printf '%s' "$err" | grep -qF -- "$needle"; then
        ok "$what"
    else
        not_ok "$what"
        printf 'exit %s (want %s), stderr:\n%s\n' "$rc" "$want" "$err" | diag
    fi
}

have_numpy() { "$PY" -c 'import numpy' 2>/dev/null; }

# tmux black-box tests: tm runs tmux on the private server $SOCK; wait_for PATTERN [SECONDS]
# polls session $PANE's screen (into $T/pane) until an extended regexp matches.
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
wait_for() {
    local pat=$1 limit=${2:-10} i=0
    while [ $i -lt $((limit * 20)) ]; do
        tm capture-pane -p -t "${PANE:-rs}" > "$T/pane" 2>/dev/null && grep -qE -- "$pat" "$T/pane" && return 0
        sleep 0.05; i=$((i + 1))
    done
    return 1
}

# Per-script scratch directory, removed at exit.
T=$(mktemp -d "${TMPDIR:-/tmp}/rs-sh-XXXXXX")
trap 'rm -rf "$T"' EXIT
