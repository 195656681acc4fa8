# The committed reference fixtures (tests/ref/fixtures, written by tests/ref/regen) are
# consistent: every manifest entry's files exist and load in NumPy with the listed shapes,
# every Keras file has the layout of its format (checked with h5py/zipfile, independently
# of the writer) and holds the same weights as the TF.js file.
. "$top_srcdir/tests/lib.sh"
REF=$top_srcdir/tests/ref
if ! have_numpy || ! "$PY" -c 'import h5py' 2>/dev/null; then
    echo "python3-numpy or python3-h5py is not installed"; exit 77
fi

"$PY" "$REF/check_fixtures.py" "$REF/fixtures" all > "$T/results" 2>&1 || true
while IFS="$(printf '\t')" read -r status what why; do
    case $status in
        ok) ok "$what" ;;
        "not ok") not_ok "$what"; printf '%s\n' "$why" | diag ;;
        *) not_ok "check_fixtures.py output: $status $what"; printf '%s\n' "$why" | diag ;;
    esac
done < "$T/results"
[ -s "$T/results" ] || not_ok "check_fixtures.py printed nothing"

# Our files have the layout of real Keras files (attribute string types, csets, name styles,
# zip entries and weight groups), compared with ../shared/fixtures-wild when it is there.
if [ -d "$SHARED/fixtures-wild" ]; then
    check "each Keras format's files look like the real Keras files in fixtures-wild" \
        "$PY" "$REF/check_fixtures.py" "$REF/fixtures" wild "$SHARED/fixtures-wild"
else
    skip "files look like real Keras files" "no $SHARED/fixtures-wild"
fi

# The checks can fail: a changed weight, a missing output file and a wrong shape are caught.
cp -r "$REF/fixtures" "$T/bad"
"$PY" -c '
import h5py, sys
with h5py.File(sys.argv[1], "r+") as f:
    d = f["model_weights/lstm_1/lstm_1/kernel:0"]; d[0, 0] = d[0, 0] + 1e-3' "$T/bad/lstm_stack/keras/k22.h5"
expect_fail 1 "values differ" "a changed weight in an h5 file is caught" \
    "$PY" "$REF/check_fixtures.py" "$T/bad" format lstm_stack keras22_h5
rm "$T/bad/merge/outputs/dot_1.0.0.npy"
expect_fail 1 "dot_1.0.0.npy" "a missing reference output is caught" \
    "$PY" "$REF/check_fixtures.py" "$T/bad" model merge
"$PY" -c '
import numpy as np, sys
np.save(sys.argv[1], np.zeros((2, 3), np.float32))' "$T/bad/shapes/outputs/dense_2.0.0.npy"
expect_fail 1 "manifest says" "a reference output of the wrong shape is caught" \
    "$PY" "$REF/check_fixtures.py" "$T/bad" model shapes
done_testing
