# Hostile names in a real terminal (tmux): a model whose names hold OSC 0 (window title), CSI 2J
# (clear screen), OSC 52 (clipboard) and newlines (tests/data/make_hostile_text.py), shown by
# summary, an error listing the layers, and the explorer: the pane's title stays, no paste
# buffer appears, the screen is not cleared, and no forged "rnnscope:" line starts a row.
. "$top_srcdir/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
D=$top_srcdir/tests/data/hostile_text
SOCK=rs-hostile-$$
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT

cat > "$T/cli.sh" <<EOF
echo MARKER-BEFORE
'$RNNSCOPE' summary '$D/names.k2.h5'
'$RNNSCOPE' dump '$D/names.k2.h5' --layer zzz -o '$T/x.npy'
'$RNNSCOPE' summary '$D/tfjs_shard_path/model.json'
echo CLI-DONE
sleep 60
EOF
tm new-session -d -s rs -x 250 -y 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color sh '$T/cli.sh'"
tm set -g set-clipboard on
tm select-pane -t rs -T before
if wait_for 'CLI-DONE' 10 && grep -q MARKER-BEFORE "$T/pane" && ! grep -q '^rnnscope: forged' "$T/pane" &&
   [ "$(tm display -p -t rs '#{pane_title}')" = before ] && [ -z "$(tm list-buffers)" ] &&
   grep -q 'lstm\\x1b\[2J' "$T/pane"; then
    ok "summary and errors: title, clipboard and screen untouched, names shown escaped"
else not_ok "summary and errors: title, clipboard and screen untouched, names shown escaped"
    { tm display -p -t rs 'title: #{pane_title}'; tm list-buffers; cat "$T/pane"; } | diag; fi
tm kill-server 2>/dev/null

SOCK=rs-hostile2-$$
tm new-session -d -s rs -x 150 -y 30 \
    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' '$D/names.k2.h5'; echo EXITED:\$?; sleep 60"
tm set -g set-clipboard on
tm select-pane -t rs -T before
if wait_for 'Layers' 10; then
    tm send-keys -t rs j
    sleep 0.3
    tm send-keys -t rs j
    wait_for 'is not supported' 5
    tm send-keys -t rs x
    wait_for 'export to' 5
    tm send-keys -t rs Escape
fi
if grep -q 'export to' "$T/pane" && [ "$(tm display -p -t rs '#{pane_title}')" = before ] &&
   [ -z "$(tm list-buffers)" ] && grep -q '^ *in\\x1b\]0;pwned' "$T/pane" &&
   ! grep -q '^rnnscope: forged' "$T/pane"; then
    ok "the explorer: title and clipboard untouched, every name shown escaped"
else not_ok "the explorer: title and clipboard untouched, every name shown escaped"
    { tm display -p -t rs 'title: #{pane_title}'; tm list-buffers; cat "$T/pane"; } | diag; fi
tm send-keys -t rs q
wait_for 'EXITED:0' 5 && ok "q quits with status 0" || { not_ok "q quits with status 0"; diag < "$T/pane"; }
done_testing
