# The forward pass of the core, norm, conv and merge layers against NumPy (see layers_numpy.py).
. "$top_srcdir/tests/lib.sh"
if ! have_numpy; then echo "python3-numpy is not installed"; exit 77; fi
"$PY" "$top_srcdir/tests/cli/layers_numpy.py" "$top_builddir/tests/helpers/layertool" "$T"
