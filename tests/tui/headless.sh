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
    "$RNNSCOPE" --headless --size "$size" --keys "$T/keys" --dump-screen "$T/dump" "$model" \
        > "$T/out" 2>&1 || return 1
    awk -v dir="$T" 'BEGIN{n=0; f=dir "/screen." n} /^\f$/{n++; f=dir "/screen." n; next} {print > f}' "$T/dump"
}
screen_has() { grep -qF -- "$2" "$T/screen.$1"; }
line_of() { grep -nF -- "$2" "$T/screen.$1" | head -1 | cut -d: -f1; }

# start: the first layer after the input is selected; header names the model and input
if run_keys 120x30 "$MODEL" && screen_has 0 "k22.h5" && screen_has 0 "Keras HDF5 2.2" &&
   grep -q '^▶.*lstm_1 ' "$T/screen.0" && screen_has 0 "input: random (seed 0), sample 1/1"; then
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

# help overlay from the keymap table; any key closes it
if run_keys 120x40 "$MODEL" ? dump j &&
   screen_has 0 "rnnscope keys" && screen_has 0 "q F10" && screen_has 0 "export the current output" &&
   ! screen_has 1 "rnnscope keys"; then
    ok "? shows the keys from the keymap table; any key closes it"
else not_ok "? shows the keys from the keymap table; any key closes it"; cat "$T/screen."* | diag; fi

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
        ln -s real.npy "$T/exp/input_1.npy"
    printf 'g\nx\nEnter\ny\ndump\n' > "$T/keys"; rm -f "$T/dump"
    (cd "$T/exp" && "$RNNSCOPE" --headless --size 120x24 --keys "$T/keys" --dump-screen "$T/dump" \
        --input "$T/batch.npy" "$MODEL" >"$T/out" 2>&1)
    if [ -L "$T/exp/input_1.npy" ] && [ "$(stat -c %a "$T/exp/real.npy")" = 600 ] &&
       [ "$(ls "$T/exp")" = "$(printf 'input_1.npy\nreal.npy')" ] &&
       "$PY" -c 'import numpy as np, sys; assert np.load(sys.argv[1]).shape == (1, 240, 4)' "$T/exp/real.npy"; then
        ok "x through a symlink: the target replaced keeping mode 0600, the link kept"
    else not_ok "x through a symlink: the target replaced keeping mode 0600, the link kept"
        ls -l "$T/exp" | diag; cat "$T/out" "$T/dump" | diag; fi
    rm -f "$T/dump"
    printf 's\ndump\ns\ndump\ns\ndump\nS\n' > "$T/keys"
    "$RNNSCOPE" --headless --size 120x24 --keys "$T/keys" --dump-screen "$T/dump" --input "$T/batch.npy" "$MODEL" >"$T/out" 2>&1
    awk -v dir="$T" 'BEGIN{n=0; f=dir "/screen." n} /^\f$/{n++; f=dir "/screen." n; next} {print > f}' "$T/dump"
    if screen_has 0 "batch.npy, sample 2/3" && screen_has 1 "sample 3/3" && screen_has 2 "sample 1/3" &&
       screen_has 3 "sample 3/3"; then ok "s and S step through the samples of the input batch, wrapping"
    else not_ok "s and S step through the samples of the input batch, wrapping"; cat "$T/out" "$T/screen."* | diag; fi
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
