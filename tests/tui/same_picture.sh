# Golden pictures of both front ends from one view state (issue 15): the explorer's view (the
# headless screen's picture area) and `rnnscope plot` of the same layer, view and window, at the
# same size, are the same text; and each is checked against what the layer's description says
# (gate names, directions, attention's own matrices, the orientation of a window).
. "$top_srcdir/tests/lib.sh"
FIX=$top_srcdir/tests/ref/fixtures
export LC_ALL=C.UTF-8

# The explorer at 120x40 with its layers panel hidden (L) draws its picture at columns 1..119,
# rows 3..37 (0-based): the view's margin, title and stats line take the rest. plot draws the
# same box: --width 119 --height 36 (its stats line is one of the 36).
explorer_picture() { # MODEL KEYS... : the picture area of the screen after the keys
    local model=$1; shift
    printf '%s\n' "$@" L > "$T/keys"
    "$RNNSCOPE" --headless --size 120x40 --graphics unicode ${INPUT:---random 0} --keys "$T/keys" \
        --dump-screen "$T/dump" "$model" > "$T/out" 2>&1 || return 1
    "$PY" -c 'import sys
screens = [s for s in open(sys.argv[1], encoding="utf-8").read().split("\f\n") if s.strip()]
lines = screens[-1].split("\n")
for l in lines[3:38]:
    print(l[1:120].rstrip())' "$T/dump"
}
plot_picture() { # MODEL PLOT-OPTIONS...
    local model=$1; shift
    # shellcheck disable=SC2086 # INPUT: options, split on purpose
    "$RNNSCOPE" plot "$model" ${INPUT:---random 0} --graphics unicode --color never --width 119 --height 36 "$@" |
        tail -n +2 | sed 's/ *$//'
}
# same NAME MODEL "PLOT OPTIONS" KEYS...: both pictures equal, kept in $T/plot and $T/explorer;
# compared through the command $FILTER when set (what only the explorer draws taken out)
same() {
    local what=$1 model=$2 opts=$3; shift 3
    # shellcheck disable=SC2086 # opts: options, split on purpose
    plot_picture "$model" $opts > "$T/plot" 2>&1
    explorer_picture "$model" "$@" > "$T/explorer"
    ${FILTER:-cat} < "$T/plot" > "$T/plot.cmp"; ${FILTER:-cat} < "$T/explorer" > "$T/explorer.cmp"
    if [ -s "$T/plot" ] && cmp -s "$T/plot.cmp" "$T/explorer.cmp"; then ok "$what: plot and the explorer draw the same picture"
    else not_ok "$what: plot and the explorer draw the same picture"; diff "$T/plot.cmp" "$T/explorer.cmp" | head -30 | diag; fi
}
# the explorer's selected channel (▶) and cursor column (│ in the blank cells), which plot
# does not draw
unmark() { sed -e 's/▶\([^ ]*\)/\1 /' -e 's/│/ /g'; }
has() { # DESCRIPTION FILE NEEDLE...
    local what=$1 file=$2; shift 2
    for needle in "$@"; do
        if ! grep -qF -- "$needle" "$file"; then not_ok "$what"; diag < "$file"; return; fi
    done
    ok "$what"
}

# GRU: z r h from its description (plot guessed 4 gates from 12 columns and drew i f c o)
M=$FIX/rnn_options/keras/k22.h5
same "GRU weights" "$M" "--layer gru_state --view weights" j j j 6
has "GRU weights are cut into z r h" "$T/plot" "kernel 3x12" "recurrent 4x12" "z" "r" "h" "bias ±"
if grep -q " i .* f .* c .* o" "$T/plot"; then not_ok "GRU weights have no LSTM gates"; diag < "$T/plot"
else ok "GRU weights have no LSTM gates"; fi
# each of the six per-gate histograms shows both ends of its x range (the max was dropped)
"$PY" -c 'import sys
def num(t):
    try: return float(t) == float(t)
    except ValueError: return False
ok = any(len(l.split()) == 12 and all(num(t) for t in l.split()) for l in open(sys.argv[1]))
sys.exit(0 if ok else 1)' "$T/plot" && ok "each weights histogram shows its x range" ||
    { not_ok "each weights histogram shows its x range"; tail -4 "$T/plot" | diag; }

# Bidirectional LSTM: the forward and the backward direction, each labelled (plot drew the forward
# kernel only; the explorer the forward kernel and recurrent kernel, unlabelled)
M=$FIX/bidirectional/keras/k22.h5
same "Bidirectional LSTM weights" "$M" "--layer bidirectional_1 --view weights" 6
has "Bidirectional weights show both directions" "$T/plot" "forward" "backward" "i" "f" "c" "o"
[ "$(grep -c 'kernel 3x16' "$T/plot")" -eq 2 ] && ok "both directions' kernels are drawn" ||
    { not_ok "both directions' kernels are drawn"; diag < "$T/plot"; }

# SeqSelfAttention: its own matrices by name, each on its own scale (the explorer drew Wt as a
# "kernel" and Wx as "bias"; plot drew Wt alone)
M=$FIX/seed_selfattention/keras/k22.h5
same "SeqSelfAttention weights" "$M" "--layer seq_self_attention_1 --view weights" j 6
has "SeqSelfAttention weights by name" "$T/plot" "Wt 60x32" "Wx 60x32" "bh 1x32" "Wa 32x1" "ba 1x1"
if grep -qE "kernel|recurrent| i .* f " "$T/plot"; then not_ok "SeqSelfAttention weights are not LSTM gates"; diag < "$T/plot"
else ok "SeqSelfAttention weights are not LSTM gates"; fi

# The same names from a Keras 3 file, whose weights are stored as vars/0, vars/1...
plot_picture "$FIX/seed_selfattention/keras/k3.keras" --layer seq_self_attention_1 --view weights > "$T/k3"
has "Keras 3 SeqSelfAttention weights by name" "$T/k3" "Wt 60x32" "Wa 32x1"
plot_picture "$FIX/rnn_options/keras/k3.keras" --layer gru_state --view weights > "$T/k3"
has "Keras 3 GRU weights in z r h" "$T/k3" "kernel 3x12" "recurrent 4x12" "bias ±"

# A window of a square attention matrix: rows = query steps 0..119, columns = key steps 0..239,
# as the whole matrix is drawn (plot --timesteps transposed it: a 120 x 240 window is not square);
# the axes named, the cursor (query 0) and the selected channel (key 0) marked beside the map
same "windowed attention" "$M" "--layer seq_self_attention_1 --output 1 --view heatmap --timesteps 0:120 --cursor 0" \
    j Enter j j +
"$PY" -c 'import re, sys
rows = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l.strip()]
gutter = [re.match(r"\s*(\d*)", l).group(1) for l in rows]
assert rows[0].split() == ["query", "\u25bc0"], rows[0]
assert rows[1].lstrip().startswith("0\u25b6"), rows[1]
assert "119" in gutter and "239" not in gutter, gutter
assert rows[-2].split() == ["0", "key", "239"], rows[-2]' "$T/plot" &&
    ok "the window keeps the query steps as rows and every key step as columns, axes named" ||
    { not_ok "the window keeps the query steps as rows and every key step as columns, axes named"; diag < "$T/plot"; }

# Gates: (T, 4, units) as four panels over the real T axis with the gate names, one scale (both
# front ends drew a (4 T, units) matrix, time and gates mixed on one axis); a GRU's three
M2=$FIX/rnn_options/keras/k22.h5
same "LSTM gates" "$M2" "--layer lstm_state --internal gates" Enter j j j j
has "LSTM gates are four panels named i f c o over 6 timesteps" "$T/plot" "gate i" "gate f" "gate c" "gate o" "gate o"
same "GRU gates" "$M2" "--layer gru_state --internal gates" j j j Enter j j j
has "GRU gates are three panels named z r h" "$T/plot" "gate z" "gate r" "gate h"
if grep -q "gate i" "$T/plot"; then not_ok "GRU gates are not LSTM gates"; else ok "GRU gates are not LSTM gates"; fi

# Axes in absolute timesteps: zoom (window 0..119 around the cursor at 0) and pan twice (by a
# quarter each): the window is 60..179 and the cursor came along to 60, as less and vim scroll
# it; the detail header, its axis and the status line name step 60, as plot does for the same
# window (the explorer drew the window from 0 and left the cursor behind)
same "detail after zoom and pan" "$M" "--layer lstm_1 --view detail --timesteps 60:180 --cursor 60 --channels 0" \
    2 + '>' '>'
has "the detail view names the absolute timestep" "$T/explorer" "channel 0   t=60" "60" "179"
if grep -q "t=60 ch=0 .*window 60..179" "$T/dump"; then ok "the status line names the same timestep and window"
else not_ok "the status line names the same timestep and window"; tail -3 "$T/dump" | diag; fi

# The samples view (added by HACKING.md's new-view recipe): one heatmap per sample of the
# demo's batch of 8, on one scale, the sample on screen marked; the same in both front ends
INPUT="--input $top_srcdir/share/rnnscope/demo/demo.inputs.npy"
same "samples view" "$M" "--layer lstm_1 --view samples" 7
has "the samples view shows every sample, the first marked" "$T/plot" ">0" " 1" " 7"
same "samples view of sample 2" "$M" "--layer lstm_1 --view samples --sample 2" s s 7
has "the samples view marks the sample on screen" "$T/explorer" ">2" " 0"
unset INPUT

# ---- smallpix: gate labels, axis names, layer descriptions, the values view ----

# Gates in the lines view: each panel named by its gate and unit from the description (both
# front ends labelled them 0..4u-1, time and gate mixed into one channel index)
FILTER=unmark same "LSTM gates in the lines view" "$M2" "--layer lstm_state --internal gates --view lines" \
    Enter j j j j 1
has "LSTM gate panels are labelled i f c o" "$T/plot" "i0" "f0" "c0" "o0" "o1"
FILTER=unmark same "GRU gates in the lines view" "$M2" "--layer gru_state --internal gates --view lines" \
    j j j Enter j j j 1
has "GRU gate panels are labelled z r h" "$T/plot" "z0" "r0" "h0"
if grep -qE "(^| )i0" "$T/plot"; then not_ok "GRU gate panels are not LSTM gates"; diag < "$T/plot"
else ok "GRU gate panels are not LSTM gates"; fi

# Axis names from the description: an attention matrix's query and key, a sequence's time and
# channel (no view named an axis)
same "attention heatmap with axis names" "$M" "--layer seq_self_attention_1 --output 1 --view heatmap --cursor 0" \
    j Enter j j
"$PY" -c 'import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert any(" key " in r for r in rows), "no key axis"
# the row axis is named above the row labels
assert rows[0].split()[0] == "query", rows[0]' "$T/plot" && ok "the attention heatmap names its axes query (rows) and key" ||
    { not_ok "the attention heatmap names its axes query (rows) and key"; diag < "$T/plot"; }
same "attention detail with axis names" "$M" "--layer seq_self_attention_1 --output 1 --view detail --cursor 5" \
    j Enter j j 2 ] ] ] ] ]
has "the attention detail names a key column over query steps" "$T/plot" "key 0   query=5" " query "
FILTER=unmark same "lines with axis names" "$M" "--layer lstm_1 --view lines" 1
has "the lines view names its x axis" "$T/plot" "0 time  239 0       239"
plot_picture "$M" --layer lstm_1 --view lines --channels 0-3 > "$T/w"
has "wide lines panels say what a panel is" "$T/w" "channel 0 " " time "
same "heatmap with axis names" "$M" "--layer lstm_1 --view heatmap --cursor 0" 3
has "a sequence heatmap names time along x" "$T/plot" " time "

# Keras 3 files store weights as vars/0, vars/1...: norms' gamma beta moving_mean
# moving_variance and MultiHeadAttention's kernels by name, not the generic kernel/bias
for f in k22.h5 k3.keras; do
    plot_picture "$FIX/embed_norm/keras/$f" --layer batch_normalization_2 --view weights > "$T/w"
    has "BatchNormalization weights by name ($f)" "$T/w" "gamma" "moving_mean" "moving_variance"
    if grep -qE "kernel|bias|beta" "$T/w"; then not_ok "BatchNormalization(center=False) has no kernel, bias or beta ($f)"; diag < "$T/w"
    else ok "BatchNormalization(center=False) has no kernel, bias or beta ($f)"; fi
    plot_picture "$FIX/embed_norm/keras/$f" --layer layer_normalization_1 --view weights > "$T/w"
    has "LayerNormalization weights are gamma and beta ($f)" "$T/w" "gamma" "beta"
done
for f in tfk2.h5 k3.keras; do
    plot_picture "$FIX/keras_mha/keras/$f" --layer multi_head_attention --view weights > "$T/w"
    has "MultiHeadAttention weights by name ($f)" "$T/w" "query kernel" "query bias" "key kernel" \
        "value kernel" "output kernel" "output bias"
done

# The values view (See RNN's features_0D, added by the new-view recipe): the demo's prediction
# for each of its 8 samples, with the exact float32 numbers, the same in both front ends but for
# the last digits (the explorer runs one sample at a time, plot and dump the batch at once: the
# sums differ by an ulp or two)
INPUT="--input $top_srcdir/share/rnnscope/demo/demo.inputs.npy"
digits() { sed -E 's/[0-9]+\.[0-9]+/N/g' | tr -s ' '; }
FILTER=digits same "values view" "$M" "--layer dense_1 --view values" G 8
FILTER=digits same "values view of sample 3" "$M" "--layer dense_1 --view values --sample 3" G s s s 8
has "the values view marks the sample on screen" "$T/explorer" ">3"
"$RNNSCOPE" dump "$M" --layer dense_1 $INPUT -o "$T/pred.npy" 2>&1 | diag
values_are() { # PICTURE RTOL: its numbers against dump's, 0 = the same float32
    "$PY" -c 'import sys, numpy as np
want = np.load(sys.argv[2]).reshape(8, -1)[:, 0]
got = {}
for line in open(sys.argv[1], encoding="utf-8"):
    t = line.replace(">", " ").split()
    if len(t) >= 2 and t[0].isdigit():
        got[int(t[0])] = np.float32(t[1])
assert sorted(got) == list(range(8)), got
rtol = float(sys.argv[3])
assert all(abs(got[k] - want[k]) <= rtol * abs(want[k]) for k in range(8)), (got, want)' "$1" "$T/pred.npy" "$2"
}
values_are "$T/plot" 0 &&
    ok "plot's values view prints every sample's prediction exactly (float32 equal to dump)" ||
    { not_ok "plot's values view prints every sample's prediction exactly (float32 equal to dump)"; diag < "$T/plot"; }
values_are "$T/explorer" 1e-6 &&
    ok "the explorer's values view prints every sample's prediction (its own run of each sample)" ||
    { not_ok "the explorer's values view prints every sample's prediction (its own run of each sample)"; diag < "$T/explorer"; }

# Gradient mode (issue 18): the views of d objective / d lstm_1 on the demo's sample 1 (not
# saturated), the timestep importance strip on the picture's last row of detail and heatmap
# (plot --grad --strip); the lines view marks the selected channel in the explorer only, so
# there the strip rows are compared
D=$top_srcdir/share/rnnscope/demo/demo.h5
# one sample as the whole input (plot's --sample picks a sample of the batch's picture; its
# gradient of a batch would be summed over the batch)
"$PY" -c 'import numpy as np, sys; np.save(sys.argv[2], np.load(sys.argv[1])[1:2])' \
    "$top_srcdir/share/rnnscope/demo/demo.inputs.npy" "$T/sample1.npy"
INPUT="--input $T/sample1.npy --grad"
same "gradient detail with its strip" "$D" "--layer lstm_1 --view detail --cursor 0 --channels 0 --strip" 2
same "gradient heatmap with its strip" "$D" "--layer lstm_1 --view heatmap --strip --cursor 0" 3
same "gradient histogram" "$D" "--layer lstm_1 --view hist" 4
same "gradient bars" "$D" "--layer dense_1 --view bars" G
same "gradient weights" "$D" "--layer lstm_1 --view weights" 6
plot_picture "$D" --layer lstm_1 --strip | tail -n 1 > "$T/plot"
explorer_picture "$D" | tail -n 1 > "$T/explorer"
if [ -s "$T/plot" ] && cmp -s "$T/plot" "$T/explorer" && grep -q '[▁▂▃▄▅▆▇█]' "$T/plot"; then
    ok "gradient lines: plot and the explorer draw the same strip"
else not_ok "gradient lines: plot and the explorer draw the same strip"; cat "$T/plot" "$T/explorer" | diag; fi
INPUT="--input $top_srcdir/share/rnnscope/demo/demo.inputs.npy --grad"
same "gradient samples view" "$D" "--layer lstm_1 --view samples" 7
unset INPUT

# reflect_half (b; plot --reflect-half): a Bidirectional LSTM's output with the backward half's
# steps reversed, the same picture as plot --data of NumPy's reflection of dump's output
M=$FIX/bidirectional/keras/k22.h5
INPUT="--input $FIX/bidirectional/inputs/input_1.npy"
same "reflect_half" "$M" "--layer bidirectional_1 --view heatmap --reflect-half --cursor 0" b 3
# shellcheck disable=SC2086 # INPUT: options, split on purpose
if "$RNNSCOPE" dump "$M" $INPUT --layer bidirectional_1 -o "$T/bi.npy" &&
   "$PY" -c 'import numpy as np, sys
y = np.load(sys.argv[1])[0]; h = y.shape[1] // 2
y[:, h:] = y[::-1, h:].copy(); np.save(sys.argv[2], y)' "$T/bi.npy" "$T/bir.npy" &&
   "$RNNSCOPE" plot --data "$T/bir.npy" --view heatmap --cursor 0 --graphics unicode --color never --width 119 \
       --height 36 | tail -n +2 | sed 's/ *$//' > "$T/numpy" && cmp -s "$T/numpy" "$T/plot" &&
   ! cmp -s "$T/numpy" <(plot_picture "$M" --layer bidirectional_1 --view heatmap); then
    ok "reflect_half reverses the backward half in time, as NumPy does"
else not_ok "reflect_half reverses the backward half in time, as NumPy does"; diff "$T/numpy" "$T/plot" | head -20 | diag; fi
unset INPUT

done_testing
