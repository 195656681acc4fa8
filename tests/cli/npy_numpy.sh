# .npy written by rnnscope loads in NumPy with the same values, and what NumPy writes reads back.
. "$top_srcdir/tests/lib.sh"
NPYTOOL=$top_builddir/tests/helpers/npytool
if ! have_numpy; then echo "python3-numpy is not installed"; exit 77; fi

"$NPYTOOL" pattern "$T/a.npy" 3 4 5
check "rnnscope's .npy loads in NumPy with the same values" "$PY" -c '
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.dtype == np.float32 and a.shape == (3, 4, 5), (a.dtype, a.shape)
want = (np.arange(60, dtype=np.float32) * 0.5 - 7).reshape(3, 4, 5)
assert np.array_equal(a, want)' "$T/a.npy"

"$NPYTOOL" pattern "$T/s.npy"
check "a rank-0 array loads in NumPy" "$PY" -c '
import sys, numpy as np
a = np.load(sys.argv[1]); assert a.shape == () and a == -7' "$T/s.npy"

"$PY" -c '
import sys, numpy as np
rng = np.random.default_rng(7)
a = rng.standard_normal((4, 9)).astype(">f8")
a[0, 0] = np.nan; a[0, 1] = -np.inf
np.save(sys.argv[1], np.asfortranarray(a))
np.savetxt(sys.argv[2], a.astype(np.float32), delimiter=",", header="a,b,c,d,e,f,g,h,i", comments="")
with open(sys.argv[3], "w") as f:
    for v in a.astype(np.float32).ravel(): f.write("%.9g\n" % v)' "$T/r.npy" "$T/r.csv" "$T/want.txt"
"$NPYTOOL" print "$T/r.npy" | tail -n +2 > "$T/got.txt"
check "big-endian Fortran float64 from NumPy reads as NumPy's float32" diff "$T/want.txt" "$T/got.txt"
"$NPYTOOL" print "$T/r.csv" | tail -n +2 > "$T/gotcsv.txt"
check "NumPy's savetxt CSV with a header reads the same values" diff "$T/want.txt" "$T/gotcsv.txt"

"$NPYTOOL" pattern "$T/c.csv" 2 3
check "rnnscope's CSV loads in NumPy" "$PY" -c '
import sys, numpy as np
a = np.loadtxt(sys.argv[1], delimiter=",", dtype=np.float32)
assert np.array_equal(a, (np.arange(6, dtype=np.float32) * 0.5 - 7).reshape(2, 3))' "$T/c.csv"
done_testing
