# Core/conv/norm layers of real Keras files (../shared/fixtures-wild) against NumPy, layer by
# layer (see wild_ops.py).
. "$top_srcdir/tests/lib.sh"
W=$SHARED/fixtures-wild
if [ ! -d "$W" ]; then echo "$W is absent"; exit 77; fi
if ! "$PY" -c 'import h5py, numpy' 2>/dev/null; then echo "python3-h5py is not installed"; exit 77; fi
"$PY" "$top_srcdir/tests/cli/wild_ops.py" "$RNNSCOPE" "$W" "$T"
