# The explorer through its test seam: keys from a script, the screen dumped as text
# (--headless draws into memory; screens in the dump are separated by form-feed lines).
. "$top_srcdir/tests/lib.sh"
MODEL=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5
NESTED=$top_srcdir/tests/ref/fixtures/functional_nested/keras/k22.h5

# run_keys SIZE MODEL KEYS...: the screens after each "dump" and at the end, into $T/screen.N
run_keys() {
    local size=$1 model=$2; shift 2
    printf '%s\n' "$@" > "$T/keys"
    rm -f "$T/dump"
    # shellcheck disable=SC2086 # OPTS: extra options, split on purpose
    "$RNNSCOPE" --headless --size "$size" --keys "$T/keys" --dump-screen "$T/dump" ${OPTS:-} "$model" \
        > "$T/out" 2>&1 || return 1
    awk -v dir="$T" 'BEGIN{n=0; f=dir "/screen." n} /^\f$/{n++; f=dir "/screen." n; next} {print > f}' "$T/dump"
}
screen_has() { grep -qF -- "$2" "$T/screen.$1"; }
line_of() { grep -nF -- "$2" "$T/screen.$1" | head -1 | cut -d: -f1; }

# start: the first layer after the input is selected; header names the model and input
if run_keys 120x30 "$MODEL" && screen_has 0 "k22.h5" && screen_has 0 "Keras HDF5 2.2" &&
   grep -q '^▶.*lstm_1 ' "$T/screen.0" && screen_has 0 "sample 0  input: random (seed 0)"; then
    ok "starts on the first layer, header names model, format and input"
else not_ok "starts on the first layer, header names model, format and input"; cat "$T/out" "$T/screen.0" 2>/dev/null | diag; fi

# at 120 columns names of up to 24 characters are shown whole
if run_keys 120x30 "$MODEL" && screen_has 0 "seq_self_attention_1 " && screen_has 0 "SeqSelfAttention"; then
    ok "layer names and classes shown whole at 120 columns"
else not_ok "layer names and classes shown whole at 120 columns"; cat "$T/screen.0" | diag; fi

# navigation: j moves down, k up, G to the last, g to the first
if run_keys 120x24 "$MODEL" j dump k dump G dump g &&
   grep -q '^▶.*seq_self_attention' "$T/screen.0" && grep -q '^▶.*lstm_1' "$T/screen.1" &&
   grep -q '^▶.*dense_1' "$T/screen.2" && grep -q '^▶.*input_1' "$T/screen.3"; then
    ok "j, k, G and g move the selection"
else not_ok "j, k, G and g move the selection"; cat "$T/screen."* | diag; fi

# Enter expands a layer with several outputs into them; Left collapses it
if run_keys 120x24 "$MODEL" j Enter dump j dump Left Left &&
   screen_has 0 "└ values" && screen_has 0 "└ attention" &&
   grep -q '^▶.*└ values' "$T/screen.1" && ! screen_has 2 "└ values"; then
    ok "Enter opens a layer's outputs, Left closes them"
else not_ok "Enter opens a layer's outputs, Left closes them"; cat "$T/screen."* | diag; fi

# the attention output's default view is the heatmap; the values' default is lines
if run_keys 120x24 "$MODEL" j Enter j dump j &&
   screen_has 0 "[lines]" && screen_has 1 "[heatmap] seq_self_attention_1  attention (240, 240)"; then
    ok "default views: lines for sequences, heatmap for attention"
else not_ok "default views: lines for sequences, heatmap for attention"; cat "$T/screen."* | diag; fi

# Enter on an output shows it (the view takes the focus), it does not collapse the layer
if run_keys 120x24 "$MODEL" j Enter j j Enter dump &&
   grep -q '^▶.*└ attention' "$T/screen.0" && screen_has 0 "[heatmap] seq_self_attention_1  attention"; then
    ok "Enter on an output row shows that output and keeps the layer open"
else not_ok "Enter on an output row shows that output and keeps the layer open"; cat "$T/screen."* | diag; fi

# Esc leaves an incremental search where the selection was
if run_keys 120x24 "$MODEL" / d e n Esc dump && grep -q '^▶.*lstm_1 ' "$T/screen.0" &&
   run_keys 120x24 "$MODEL" / d e n Enter && grep -q '^▶.*dense_1 ' "$T/screen.0"; then
    ok "Esc in a search restores the selection, Enter keeps the match"
else not_ok "Esc in a search restores the selection, Enter keeps the match"; cat "$T/screen."* | diag; fi

# --sample N and r: one 0-based numbering, the seed of the input on screen
if OPTS="--random 5 --sample 0" run_keys 120x24 "$MODEL" && screen_has 0 "sample 0  input: random (seed 5)" &&
   run_keys 120x24 "$MODEL" r && screen_has 0 "input: random (seed 1)"; then
    ok "the header numbers samples from 0 and shows the seed after r"
else not_ok "the header numbers samples from 0 and shows the seed after r"; cat "$T/screen."* | diag; fi

# paging: h/l and PgUp/PgDn in the view move a page of channels (what fits), which the view names
if run_keys 120x24 "$MODEL" j j Tab dump l dump PgDn dump h &&
   screen_has 0 "channels 0-95 of 300 (page 1 of 4)" && screen_has 0 "ch=0 " &&
   screen_has 1 "channels 96-191 of 300" && screen_has 1 "ch=96 " &&
   screen_has 2 "channels 192-287 of 300" && screen_has 3 "ch=96 "; then
    ok "h/l and PgUp/PgDn move a page of channels; the view says which are shown"
else not_ok "h/l and PgUp/PgDn move a page of channels; the view says which are shown"; cat "$T/screen."* | diag; fi

# in the layer list, PgDn moves the rows shown less one
if run_keys 80x12 "$MODEL" Enter g dump PgDn && grep -q '^▶.*input_1' "$T/screen.0" &&
   grep -q '^▶.*flatten_1' "$T/screen.1"; then
    ok "PgDn in the layer list moves a page of rows"
else not_ok "PgDn in the layer list moves a page of rows"; cat "$T/screen."* | diag; fi

# M, t and c say so where the view does not use them; the heatmap's status names its options
if run_keys 120x24 "$MODEL" M dump t dump c dump 3 M t &&
   screen_has 0 "M: the lines view has no normalization" && screen_has 1 "t: the lines view has no transpose" &&
   screen_has 2 "c: the lines view has no colormap" && screen_has 3 "bwr norm min-max" &&
   screen_has 3 "rows time, columns channel (transposed)"; then
    ok "M, t, c say when the view has no such option; the heatmap's status names norm and transpose"
else not_ok "M, t, c say when the view has no such option; the heatmap's status names norm and transpose"; cat "$T/screen."* | diag; fi

# the focused panel and the selected channel show without colour; Esc gives focus back to the list
if run_keys 100x16 "$MODEL" dump Tab j j dump Esc && screen_has 0 "◆Layers" &&
   ! screen_has 0 "◆[lines]" && screen_has 1 "◆[lines] lstm_1" && ! screen_has 1 "◆Layers" &&
   screen_has 1 "▶2 " && screen_has 2 "◆Layers" &&
   LC_ALL=C run_keys 100x16 "$MODEL" Tab j && screen_has 0 "*[lines] lstm_1" && screen_has 0 ">1 "; then
    ok "the focused panel's title is marked, the selected channel too; Esc returns to the layers"
else not_ok "the focused panel's title is marked, the selected channel too; Esc returns to the layers"; cat "$T/screen."* | diag; fi

# the mouse: a click in a lines panel selects its channel and the timestep under it; the wheel
# moves in the panel under the pointer
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
if run_keys 100x16 "$DEMO" click:58,5 dump wheel:58,5,1 dump wheel:10,5,1 &&
   screen_has 0 "◆[lines] lstm_1" && screen_has 0 "t=60 ch=14 " && screen_has 1 "t=60 ch=15 " &&
   screen_has 2 "◆Layers" && grep -q '^▶.*seq_self_attention_1' "$T/screen.2"; then
    ok "a click selects the channel and timestep under it; the wheel moves in the panel under it"
else not_ok "a click selects the channel and timestep under it; the wheel moves in the panel under it"; cat "$T/screen."* | diag; fi

# masked timesteps are shaded in the views of the layers the mask reaches, and counted
MASKED=$top_srcdir/tests/ref/fixtures/masking/keras/k22.h5
if OPTS="--input $top_srcdir/tests/ref/fixtures/masking/inputs/input_1.npy" run_keys 100x14 "$MASKED" \
       g dump j j dump 2 dump s &&
   ! screen_has 0 "masked" && ! grep -q '·' "$T/screen.0" &&
   screen_has 1 "masked 6 of 8 steps" && grep -q '·········' "$T/screen.1" &&
   screen_has 2 "[detail]" && grep -q '·····' "$T/screen.2" && screen_has 3 "masked 4 of 8 steps"; then
    ok "masked timesteps are shaded (lines, detail) and counted on the status line"
else not_ok "masked timesteps are shaded (lines, detail) and counted on the status line"; cat "$T/screen."* | diag; fi
# the heatmap shades them by the same rule, in the row above its map (time runs along x); the
# histogram shades the values of masked steps at the top of its bars and counts them
if OPTS="--input $top_srcdir/tests/ref/fixtures/masking/inputs/input_1.npy" run_keys 100x14 "$MASKED" \
       g j j 3 dump 4 dump &&
   screen_has 0 "[heatmap]" && grep -q '·····' "$T/screen.0" &&
   screen_has 1 "[hist]" && screen_has 1 "at masked steps, shaded" && grep -q '░' "$T/screen.1"; then
    ok "masked timesteps are shaded in the heatmap and histogram views"
else not_ok "masked timesteps are shaded in the heatmap and histogram views"; cat "$T/screen."* | diag; fi

# a sixel heatmap (here the blank cells its image goes over) has its axes in text cells beside
# the image: the axis names, tick labels, the cursor (query step) and the selected channel (key
# step) as markers with their indices; a cursor step moves the marker, not the image; the
# status line names the scale and what rows and columns are
if OPTS="--graphics sixel" run_keys 120x40 "$DEMO" j Enter j j dump ']' dump t &&
   screen_has 0 "[heatmap]" && screen_has 0 "query" && screen_has 0 " key " &&
   grep -q ' 0▶' "$T/screen.0" && grep -q '▼0' "$T/screen.0" && grep -q ' 1▶' "$T/screen.1" &&
   ! grep -q "[▀▄]" "$T/screen.0" && screen_has 0 " norm " &&
   screen_has 0 "rows query, columns key" && screen_has 2 "rows key, columns query (transposed)"; then
    ok "sixel heatmaps: axis names, ticks and markers beside the image; the status names scale and axes"
else not_ok "sixel heatmaps: axis names, ticks and markers beside the image; the status names scale and axes"; cat "$T/screen."* | diag; fi

# views by number are remembered per layer
if run_keys 120x24 "$MODEL" 4 dump j dump k &&
   screen_has 0 "[hist]" && ! screen_has 1 "[hist]" && screen_has 2 "[hist]"; then
    ok "1-6 pick a view, remembered per layer"
else not_ok "1-6 pick a view, remembered per layer"; cat "$T/screen."* | diag; fi

# search: / types a name, Enter jumps; n finds the next match
if run_keys 120x24 "$NESTED" / s h a r e d _ d Enter dump n &&
   grep -q '^▶.*shared_dense ' "$T/screen.0" && grep -q '^▶.*shared_dense#1' "$T/screen.1"; then
    ok "/ searches layers, n goes to the next match"
else not_ok "/ searches layers, n goes to the next match"; cat "$T/screen."* | diag; fi

if run_keys 120x24 "$MODEL" / n o p e Enter && screen_has 0 "no layer matches 'nope'"; then
    ok "a search without match says so"
else not_ok "a search without match says so"; cat "$T/screen."* | diag; fi

# help overlay from the keymap table; q, Esc and ? close it (q does not quit), j/PgDn/G scroll
if run_keys 120x40 "$MODEL" ? dump q dump ? dump Esc dump ? dump '?' j &&
   screen_has 0 "rnnscope keys" && screen_has 0 "q F10" && screen_has 0 "export the current output" &&
   ! screen_has 1 "rnnscope keys" && screen_has 2 "rnnscope keys" && ! screen_has 3 "rnnscope keys" &&
   screen_has 4 "rnnscope keys" && ! screen_has 5 "rnnscope keys" && grep -q '^▶.*seq_self' "$T/screen.5"; then
    ok "? shows the keys from the keymap table; q, Esc and ? close it without quitting"
else not_ok "? shows the keys from the keymap table; q, Esc and ? close it without quitting"; cat "$T/screen."* | diag; fi

# the layers panel is as wide as its names and shapes (it took 58 of 120 columns), and L hides
# it: the view gets the whole width, and L shows it again (issue 15)
if run_keys 120x24 "$MODEL" dump L dump L &&
   sep=$(awk 'NR == 3 { print index($0, "│") }' "$T/screen.0") && [ "$sep" -gt 40 ] && [ "$sep" -lt 58 ] &&
   ! grep -q "│" "$T/screen.1" && grep -q '^◆\[lines\] lstm_1' "$T/screen.1" &&
   grep -q "│" "$T/screen.2"; then
    ok "the layers panel sizes itself to its rows; L hides and shows it"
else not_ok "the layers panel sizes itself to its rows; L hides and shows it"; cat "$T/screen."* | diag; fi

# C sets the lines view's panels per row (plot --cols): 2, then back to the space's choice
if run_keys 120x24 "$MODEL" C C dump C C C C C &&
   [ "$(awk 'NR == 4' "$T/screen.0" | grep -o '▶channel 0 \| 1 ' | wc -l)" -eq 2 ] &&
   [ "$(awk 'NR == 4' "$T/screen.0" | grep -o '\[' | wc -l)" -eq 2 ] &&
   grep -q "lines: 2 panels per row" "$T/screen.0" &&
   grep -q "lines: panels per row from the space" "$T/screen.1"; then
    ok "C changes the lines view's panels per row"
else not_ok "C changes the lines view's panels per row"; cat "$T/screen."* | diag; fi

# at 80x24 the help scrolls: every key can be reached, descriptions are whole (wrapped)
if run_keys 80x24 "$MODEL" ? dump j dump G dump &&
   screen_has 0 "lines 1-20 of" && screen_has 1 "lines 2-21 of" &&
   screen_has 2 "export the current output to .npy or .csv" && screen_has 2 "of 55  q closes" && screen_has 2 "--compare: show A, B or A - B" &&
   run_keys 44x24 "$MODEL" ? G && screen_has 0 "new random input (when the" && screen_has 0 "            input is random)"; then
    ok "the help scrolls with j/G and wraps its descriptions to the width"
else not_ok "the help scrolls with j/G and wraps its descriptions to the width"; cat "$T/screen."* | diag; fi

# key bar at the bottom, htop style
if run_keys 120x24 "$MODEL" && tail -n 1 "$T/screen.0" | grep -q '^?Help qQuit /Search'; then
    ok "key bar on the last row"
else not_ok "key bar on the last row"; tail -n 2 "$T/screen.0" | diag; fi

# too small
if run_keys 30x8 "$MODEL" && screen_has 0 "terminal too small" && screen_has 0 "30x8, need 40x10" &&
   run_keys 10x5 "$MODEL" && screen_has 0 "10x5, ne"; then
    ok "below 40x10 a 'terminal too small' screen"
else not_ok "below 40x10 a 'terminal too small' screen"; cat "$T/screen.0" | diag; fi

# ASCII when asked (or without UTF-8)
if LC_ALL=C run_keys 120x24 "$MODEL" j Enter && ! LC_ALL=C grep -qP '[^\x00-\x7f]' "$T/screen.0" &&
   grep -q '^>.*seq_self_attention' "$T/screen.0"; then
    ok "no UTF-8 locale: plain ASCII screen"
else not_ok "no UTF-8 locale: plain ASCII screen"; cat "$T/screen.0" | diag; fi

# settings from $XDG_CONFIG_HOME/rnnscope/config: key bindings, colormap, default views
mkdir -p "$T/cfg/rnnscope"
printf 'set colormap = viridis\nset view.sequence = hist\nbind J down\n' > "$T/cfg/rnnscope/config"
if XDG_CONFIG_HOME=$T/cfg run_keys 120x24 "$MODEL" J && grep -q '^▶.*seq_self_attention' "$T/screen.0" &&
   screen_has 0 "viridis" && screen_has 0 "[hist]"; then
    ok "the config file sets keys, colormap and default views"
else not_ok "the config file sets keys, colormap and default views"; cat "$T/screen.0" | diag; fi
printf 'set colormap = jet\n' > "$T/cfg/rnnscope/config"
XDG_CONFIG_HOME=$T/cfg expect_fail 1 "config:1: unknown colormap" "a bad config line is named with its file and line" \
    "$RNNSCOPE" --headless --keys "$T/keys" "$MODEL"

# export: x proposes a name, Enter writes it atomically; an existing file asks before overwriting
if have_numpy; then
    "$PY" -c 'import numpy as np, sys; np.save(sys.argv[1], np.arange(3*240*4, dtype=np.float32).reshape(3,240,4))' "$T/batch.npy"
    EXPORT=$T/exported.npy
    # the prompt starts with a proposed name: clear it first with Backspaces
    { printf 'g\nx\n'; for i in $(seq 40); do echo Backspace; done
      for i in $(seq ${#EXPORT}); do c=${EXPORT:$((i-1)):1}; [ "$c" = " " ] && c=Space; printf '%s\n' "$c"; done
      echo Enter; echo dump; echo s; echo x
      for i in $(seq 40); do echo Backspace; done
      for i in $(seq ${#EXPORT}); do c=${EXPORT:$((i-1)):1}; printf '%s\n' "$c"; done
      echo Enter; echo dump; echo y; } > "$T/keys"
    rm -f "$T/dump"
    "$RNNSCOPE" --headless --size 120x24 --keys "$T/keys" --dump-screen "$T/dump" --input "$T/batch.npy" "$MODEL" >"$T/out" 2>&1
    awk -v dir="$T" 'BEGIN{n=0; f=dir "/screen." n} /^\f$/{n++; f=dir "/screen." n; next} {print > f}' "$T/dump"
    if screen_has 0 "wrote $EXPORT" && screen_has 1 "exists: overwrite? (y/n)" &&
       "$PY" -c 'import numpy as np, sys
a = np.load(sys.argv[1]); want = np.arange(3*240*4, dtype=np.float32).reshape(3,240,4)[1:2]
assert a.shape == (1, 240, 4) and np.array_equal(a, want), a.shape' "$EXPORT"; then
        ok "x exports the output on screen (sample 2 after s), asking before overwriting"
    else not_ok "x exports the output on screen (sample 2 after s), asking before overwriting"; cat "$T/out" "$T/screen."* | diag; fi
    # the export follows dump's rules for what the file is: a 0600 file behind a symlink gets
    # the output and keeps its mode, the link stays a link
    mkdir "$T/exp" && printf 'old' > "$T/exp/real.npy" && chmod 600 "$T/exp/real.npy" &&
        ln -s real.npy "$T/exp/input_1.s0.npy"
    printf 'g\nx\nEnter\ny\ndump\n' > "$T/keys"; rm -f "$T/dump"
    (cd "$T/exp" && "$RNNSCOPE" --headless --size 120x24 --keys "$T/keys" --dump-screen "$T/dump" \
        --input "$T/batch.npy" "$MODEL" >"$T/out" 2>&1)
    if [ -L "$T/exp/input_1.s0.npy" ] && [ "$(stat -c %a "$T/exp/real.npy")" = 600 ] &&
       [ "$(ls "$T/exp")" = "$(printf 'input_1.s0.npy\nreal.npy')" ] &&
       "$PY" -c 'import numpy as np, sys; assert np.load(sys.argv[1]).shape == (1, 240, 4)' "$T/exp/real.npy"; then
        ok "x through a symlink: the target replaced keeping mode 0600, the link kept"
    else not_ok "x through a symlink: the target replaced keeping mode 0600, the link kept"
        ls -l "$T/exp" | diag; cat "$T/out" "$T/dump" | diag; fi
    rm -f "$T/dump"
    printf 's\ndump\ns\ndump\ns\ndump\nS\n' > "$T/keys"
    "$RNNSCOPE" --headless --size 120x24 --keys "$T/keys" --dump-screen "$T/dump" --input "$T/batch.npy" "$MODEL" >"$T/out" 2>&1
    awk -v dir="$T" 'BEGIN{n=0; f=dir "/screen." n} /^\f$/{n++; f=dir "/screen." n; next} {print > f}' "$T/dump"
    if screen_has 0 "sample 1 of 0-2  input: batch.npy" && screen_has 1 "sample 2 of 0-2" &&
       screen_has 2 "sample 0 of 0-2" && screen_has 3 "sample 2 of 0-2" &&
       OPTS="--input $T/batch.npy --sample 2" run_keys 120x24 "$MODEL" x && screen_has 0 "sample 2  input" &&
       screen_has 0 "export to (.npy or .csv): lstm_1.s2.npy_" &&
       OPTS="--input $T/batch.npy" run_keys 120x24 "$MODEL" s j Enter j j x &&
       screen_has 0 "seq_self_attention_1.attention.s1.npy_"; then ok "s and S step through the samples (0-based, as --sample); export names carry output and sample"
    else not_ok "s and S step through the samples (0-based, as --sample); export names carry output and sample"; cat "$T/out" "$T/screen."* | diag; fi
else
    skip "x exports the output on screen" "python3-numpy is not installed"
    skip "x through a symlink" "python3-numpy is not installed"
    skip "s and S step through the samples" "python3-numpy is not installed"
fi

# the timestep cursor ([ ] and Shift-arrows), zoom (+ -) and pan (< >) of the timestep window
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
if run_keys 120x24 "$DEMO" 2 ] ] S-Right dump [ dump + dump + dump '>' dump - - - &&
   screen_has 0 "t=3 ch=0" && screen_has 1 "t=2 ch=0" && screen_has 2 "window 0..119" &&
   screen_has 3 "window 0..59" && screen_has 4 "window 15..74" && ! screen_has 5 "window"; then
    ok "the timestep cursor moves, the window zooms and pans, and zooms back out"
else not_ok "the timestep cursor moves, the window zooms and pans, and zooms back out"; cat "$T/screen."* | diag; fi

# --sample 7: the explorer holds that one sample, and every place that names it says 7, the
# input's 0-based index, as --sample and the title do (the values and samples views said 0)
if OPTS="--sample 7" run_keys 120x40 "$DEMO" 8 dump 7 dump x &&
   screen_has 0 "sample 7  input" && grep -qE '^.*│ +>7 +-?[0-9]' "$T/screen.0" &&
   ! grep -qE '>0 ' "$T/screen.0" && screen_has 1 ">7" && ! screen_has 1 ">0" &&
   screen_has 2 "export to (.npy or .csv): lstm_1.s7.npy_"; then
    ok "--sample 7: the title, the values and samples views and the export name say 7"
else not_ok "--sample 7: the title, the values and samples views and the export name say 7"; cat "$T/screen."* | diag; fi
# plot runs the whole batch: --sample 7 marks the sample 7 of 0-7
if "$RNNSCOPE" plot "$DEMO" --layer lstm_1 --view values --sample 7 --graphics unicode \
       --width 80 --height 14 > "$T/plot" 2>&1 && grep -qE '^ *>7 +-?[0-9]' "$T/plot" &&
   grep -qE '^ +0 +-?[0-9]' "$T/plot"; then
    ok "plot --view values --sample 7 marks sample 7 of the batch 0-7"
else not_ok "plot --view values --sample 7 marks sample 7 of the batch 0-7"; diag < "$T/plot"; fi

# focus on the view: up and down pick the channel shown in detail
if run_keys 120x24 "$DEMO" 2 Tab j j && screen_has 0 "t=0 ch=2" && screen_has 0 "[detail]"; then
    ok "Tab moves focus to the view, where j picks the next channel"
else not_ok "Tab moves focus to the view, where j picks the next channel"; cat "$T/screen.0" | diag; fi

# a mouse click (the script's click:X,Y) selects the layer row under it
if run_keys 120x24 "$MODEL" click:5,7 && grep -q '^▶.*dense_1' "$T/screen.0"; then
    ok "a click selects the layer under it"
else not_ok "a click selects the layer under it"; cat "$T/screen.0" | diag; fi

# a script with an unknown key name fails with one line
printf 'j\nWiggle\n' > "$T/badkeys"
expect_fail 1 "unknown key 'Wiggle'" "an unknown key in the script is refused" \
    "$RNNSCOPE" --headless --keys "$T/badkeys" "$MODEL"
expect_fail 2 "unknown --graphics" "--graphics takes auto, sixel, unicode or ascii" \
    "$RNNSCOPE" --graphics kitty "$MODEL"
expect_fail 1 "needs a terminal" "without a terminal the explorer points to plot and dump" \
    "$RNNSCOPE" "$MODEL"
done_testing
