# Stateful recurrent layers (stateful=True, a fixed batch size) load in every format of the
# reference model stateful_timedistributed; summary says they start from zero states (a fresh
# Keras model does; test_forward_ref compares their outputs with TensorFlow.js'), on a note
# line under each stateful layer and nowhere else.
. "$top_srcdir/tests/lib.sh"
REF=$top_srcdir/tests/ref/fixtures
if ! have_numpy; then
    echo "python3-numpy is not installed"; exit 77
fi
"$PY" -c '
import json, sys
for m in json.load(open(sys.argv[1]))["models"]:
    if m["name"] == "stateful_timedistributed":
        for fmt, spec in sorted(m["formats"].items()):
            print(fmt, spec["file"], spec.get("architecture", ""))' "$REF/manifest.json" > "$T/formats"
[ "$(wc -l < "$T/formats")" -ge 8 ] && ok "the stateful model is in every format" ||
    { not_ok "the stateful model is in every format"; diag < "$T/formats"; }
want='5  lstm_stateful (LSTM)
   note: stateful: states start at zero
6  gru_stateful (GRU)
   note: stateful: states start at zero'
while read -r fmt file arch; do
    d=$REF/stateful_timedistributed
    if [ -n "$arch" ]; then
        "$RNNSCOPE" summary "$d/$arch" --weights "$d/$file" > "$T/s.txt" 2>&1
    else
        "$RNNSCOPE" summary "$d/$file" > "$T/s.txt" 2>&1
    fi
    got=$(grep -E '^(5|6)  |note:' "$T/s.txt" | sed 's/ *(None.*//')
    if [ "$got" = "$want" ] && [ "$(grep -c 'note:' "$T/s.txt")" -eq 2 ]; then
        ok "$fmt: summary notes the two stateful layers"
    else
        not_ok "$fmt: summary notes the two stateful layers"; diag < "$T/s.txt"
    fi
done < "$T/formats"
"$RNNSCOPE" summary "$REF/lstm_stack/keras/k3.keras" > "$T/s.txt" 2>&1
if grep -q 'note:' "$T/s.txt"; then
    not_ok "no note for layers that are not stateful"; diag < "$T/s.txt"
else
    ok "no note for layers that are not stateful"
fi
done_testing
