# The explorer under a memory cap: a layer whose outputs would exceed it shows why in the status
# line (layer named, sizes given) and the explorer goes on: the other layers still work.
. "$top_srcdir/tests/lib.sh"
MODEL=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5
printf '%s\n' dump j dump k dump > "$T/keys"
if "$RNNSCOPE" --headless --size 200x16 --keys "$T/keys" --dump-screen "$T/dump" \
        --max-memory 700K "$MODEL" > "$T/out" 2>&1; then
    ok "the explorer runs and quits normally under the cap"
else
    not_ok "the explorer runs and quits normally under the cap"; diag < "$T/out"
fi
awk -v dir="$T" 'BEGIN{n=0; f=dir "/screen." n} /^\f$/{n++; f=dir "/screen." n; next} {print > f}' "$T/dump"
status_line() { tail -n 2 "$T/screen.$1" | head -n 1; }
msg="layer seq_self_attention_1 (SeqSelfAttention): computing it needs 341 KiB on top of the 417 KiB held, more than the memory cap of 700 KiB (--max-memory)"
if status_line 0 | grep -q "graphics:" && grep -q "NaN 0" "$T/screen.0"; then
    ok "lstm_1 fits: its picture and the usual status line"
else not_ok "lstm_1 fits: its picture and the usual status line"; diag < "$T/screen.0"; fi
if [ "$(status_line 1)" = "$msg" ] && grep -q '^▶.*seq_self_attention_1' "$T/screen.1"; then
    ok "the attention layer over the cap: the status line says why, with the sizes"
else not_ok "the attention layer over the cap: the status line says why, with the sizes"; diag < "$T/screen.1"; fi
if grep -q '^▶.*lstm_1' "$T/screen.2" && status_line 2 | grep -q "graphics:"; then
    ok "moving back: the explorer goes on"
else not_ok "moving back: the explorer goes on"; diag < "$T/screen.2"; fi
check "nothing on stderr" test ! -s "$T/out"
done_testing
