# Real Keras files from ../shared/fixtures-wild (Keras 2.1.3 to 3.15; see its README) load, and
# summary matches what the files hold: layer table (hand-checked against the README's h5py
# dumps), total parameters counted with h5py, and every HDF5 weight read with h5py.
. "$top_srcdir/tests/lib.sh"
W=$SHARED/fixtures-wild
E=$top_srcdir/tests/cli/expected/wild
MT=$top_builddir/tests/helpers/modeltool
if [ ! -d "$W" ]; then echo "$W is absent"; exit 77; fi
if ! "$PY" -c 'import h5py, numpy' 2>/dev/null; then echo "python3-h5py is not installed"; exit 77; fi

models="k2.1.3_seq_lstm_hardsigmoid.h5 k2.1.3_seq_simplernn.h5
  k2.3.1_func_conv1d_bilstm_seqselfattention.h5 k2.3.1_seq_lstm_fixedlen_attrs.h5
  k3.10_legacy_h5_gru_reset_after.h5 k3.15_zip_2gru_name_mismatch.keras
  tfk2.10_seq_bilstm_hdf5_named_dot_keras.keras tfk2.13_seq_3lstm_relu.h5"

for f in $models; do
    if ! (cd "$W" && "$RNNSCOPE" summary "$f") >"$T/s.txt" 2>"$T/err.txt"; then
        not_ok "$f loads"; diag <"$T/err.txt"; continue
    fi
    check "summary of $f matches expected/wild/$f.summary" diff -u "$E/$f.summary" "$T/s.txt"
    want=$("$PY" "$top_srcdir/tests/cli/keras_params.py" "$W/$f")
    got=$(sed -n 's/^Total params: //p' "$T/s.txt" | tr -d ,)
    check "$f: total params $got = $want values stored in the file" test "$got" = "$want"
    case $(head -c 4 "$W/$f" | od -An -c | tr -d ' ') in
    PK*) ;;
    *)
        "$PY" "$top_srcdir/tests/cli/h5_expected_weights.py" "$W/$f" "$T/want.npz"
        "$MT" weights "$W/$f" >"$T/w.txt"
        check "$f: every weight equals h5py's, in weight_names order" \
            "$PY" "$top_srcdir/tests/cli/compare_weights.py" "$T/w.txt" "$T/want.npz" ;;
    esac
done

j=k2.2.4_weights_only_embedding_lstm
(cd "$W" && "$RNNSCOPE" summary $j.model.json --weights $j.h5) >"$T/s.txt" 2>&1
check "summary of weights-only $j.h5 + its model.json" diff -u "$E/$j.summary" "$T/s.txt"
"$PY" "$top_srcdir/tests/cli/h5_expected_weights.py" "$W/$j.h5" "$T/want.npz"
"$MT" weights "$W/$j.model.json" "$W/$j.h5" >"$T/w.txt"
check "$j: every weight equals h5py's" \
    "$PY" "$top_srcdir/tests/cli/compare_weights.py" "$T/w.txt" "$T/want.npz"
expect_fail 1 "$j.h5: holds only weights" "a weights-only file alone says what to do" \
    "$RNNSCOPE" summary "$W/$j.h5"

"$MT" graph "$W/k2.1.3_seq_lstm_hardsigmoid.h5" >"$T/g.txt"
check "Keras 2.1.3 file: keras_major 2 (hard_sigmoid 0.2x+0.5)" grep -q 'keras_major=2$' "$T/g.txt"
"$MT" graph "$W/k3.15_zip_2gru_name_mismatch.keras" >"$T/g.txt"
check "Keras 3.15 file: keras_major 3 (hard_sigmoid x/6+0.5)" grep -q 'keras_major=3$' "$T/g.txt"
done_testing
