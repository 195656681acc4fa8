# Sixel in a real terminal: xterm -ti vt340 under Xvfb, a screenshot, and the colours of the
# heatmap at the expected pixels; plain xterm gets the text picture and no stray bytes.
. "$top_srcdir/tests/lib.sh"
for tool in Xvfb xterm import /usr/bin/convert; do
    command -v $tool >/dev/null || { echo "$tool is not installed (xvfb, xterm, imagemagick)"; exit 77; }
done
"$PY" -c 'import numpy' 2>/dev/null || { echo "python3-numpy is not installed"; exit 77; }
"$PY" -c '
import numpy as np, sys
a = np.zeros((8, 8), np.float32); a[:, :4] = -1; a[:, 4:] = 1
np.save(sys.argv[1], a)' "$T/halves.npy"

# Xvfb picks a free display and writes its number once it accepts connections (a fixed number
# could meet another server, or a dead one's lock, and leave xterm without a display).
Xvfb -displayfd 9 -screen 0 800x600x24 -nolisten tcp 9>"$T/display" >"$T/xvfb.log" 2>&1 &
XVFB=$!
trap 'kill $XVFB $XT 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 100); do [ -s "$T/display" ] && break; sleep 0.1; done
if [ ! -s "$T/display" ]; then
    not_ok "Xvfb starts"; diag < "$T/xvfb.log"; done_testing; exit 1
fi
DISP=:$(head -n 1 "$T/display")

# shoot XTERM_ARGS... : run plot in an xterm, screenshot to $T/shot.png after it drew
shoot() {
    rm -f "$T/done"
    DISPLAY=$DISP xterm "$@" -geometry 80x24+0+0 -e sh -c \
        "LANG=C.UTF-8 '$RNNSCOPE' plot --data '$T/halves.npy' --view heatmap --width 40 --height 12; \
         touch '$T/done'; sleep 30" >/dev/null 2>&1 &
    XT=$!
    for i in $(seq 300); do [ -e "$T/done" ] && break; sleep 0.1; done  # up to 30 s on a busy machine
    sleep 0.5
    DISPLAY=$DISP import -window root "$T/shot.png"
    kill $XT 2>/dev/null; wait $XT 2>/dev/null
}
# pixel X Y → "r g b"
pixel() { /usr/bin/convert "$T/shot.png" -format '%[fx:int(255*p{'"$1,$2"'}.r)] %[fx:int(255*p{'"$1,$2"'}.g)] %[fx:int(255*p{'"$1,$2"'}.b)]' info:; }
is_blue() { set -- $(pixel "$1" "$2"); [ "$1" -lt 60 ] && [ "$2" -lt 60 ] && [ "$3" -gt 200 ]; }
is_red() { set -- $(pixel "$1" "$2"); [ "$1" -gt 200 ] && [ "$2" -lt 60 ] && [ "$3" -lt 60 ]; }

shoot -ti vt340 -xrm 'XTerm*numColorRegisters: 256'
# 6x13 px cells from x 2, y 2: the stats line, then a row with the axis name "query", then the
# map at column 6 (after the row labels and "query": x 38..241), rows 2..9 (y 28..129); under
# it the column labels with "key" and the colour bar, its strip at columns 9..37 (x 56..229)
if [ -e "$T/done" ] && ! is_blue 10 60 && is_blue 45 60 && is_blue 100 100 && is_red 160 60 && is_red 220 100; then
    ok "xterm -ti vt340: plot draws the heatmap as sixel beside its row labels, blue left half, red right half"
else not_ok "xterm -ti vt340: plot draws the heatmap as sixel beside its row labels, blue left half, red right half"
    echo "pixels: $(pixel 10 60) / $(pixel 45 60) / $(pixel 160 60); plot finished: $([ -e "$T/done" ] && echo yes || echo no)" | diag; fi
# a sixel image is solid: no gaps between text rows inside it
if is_blue 60 40 && is_blue 60 41 && is_red 200 54 && is_red 200 55; then
    ok "the sixel image has no text-row gaps"
else not_ok "the sixel image has no text-row gaps"; echo "$(pixel 60 40) $(pixel 60 41)" | diag; fi
# the colour bar is a sixel strip in the image's own colours: blue, white, red
white() { set -- $(pixel "$1" "$2"); [ "$1" -gt 230 ] && [ "$2" -gt 230 ] && [ "$3" -gt 230 ]; }
if is_blue 58 150 && white 143 150 && is_red 225 150 && white 236 150; then
    ok "the colour bar is a sixel strip in the image's colours"
else not_ok "the colour bar is a sixel strip in the image's colours"; echo "$(pixel 58 150) / $(pixel 143 150) / $(pixel 225 150)" | diag; fi
cp "$T/shot.png" "${top_builddir}/tests/logs/xterm_vt340.png" 2>/dev/null

shoot
white_right=$(/usr/bin/convert "$T/shot.png" -crop 200x280+280+2 +repage -format '%[fx:minima.r>0.95 && minima.g>0.95 && minima.b>0.95]' info:)
if [ -e "$T/done" ] && [ "$white_right" = 1 ] && ! is_blue 5 60 && is_blue 40 60 && is_red 160 60; then
    ok "plain xterm: the text heatmap, and no stray bytes beside it"
else not_ok "plain xterm: the text heatmap, and no stray bytes beside it"
    echo "right side all white: $white_right; pixels $(pixel 40 60) / $(pixel 160 60)" | diag; fi
cp "$T/shot.png" "${top_builddir}/tests/logs/xterm_plain.png" 2>/dev/null
# the explorer on a heatmap view: the input layer (uniform [0,1) noise, all red shades in bwr);
# then keys that change text but not the picture (cursor, focus, channel): the image is not sent
# again (tests/tui/slow_link.sh counts the bytes) and must still be on the screen
MODEL=$top_srcdir/tests/ref/fixtures/seed_selfattention/keras/k22.h5
printf 'g\n3\n]\n]\n]\nTab\nj\nk\nTab\n' > "$T/keys"
rm -f "$T/done"
DISPLAY=$DISP xterm -ti vt340 -xrm 'XTerm*numColorRegisters: 256' -geometry 120x36+0+0 -e sh -c \
    "LANG=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' --keys '$T/keys' '$MODEL'; touch '$T/done'" >/dev/null 2>&1 &
XT=$!
# the view starts at column 57 (6 px cells), the map after its row labels and "channel" (x 395):
# its picture is one solid image of red shades
reddish() { set -- $(pixel "$1" "$2"); [ "$1" -gt 200 ] && [ "$3" -lt 235 ] && [ "$2" -lt 235 ]; }
for try in $(seq 20); do
    sleep 0.5
    DISPLAY=$DISP import -window root "$T/shot.png"
    n_red=0
    for y in 80 100 140 200 260 300 360; do
        reddish 450 $y && n_red=$((n_red + 1)); reddish 650 $y && n_red=$((n_red + 1))
    done
    [ $n_red -ge 10 ] && break
done
cp "$T/shot.png" "${top_builddir}/tests/logs/xterm_explorer.png" 2>/dev/null
if [ $n_red -ge 10 ]; then ok "the explorer draws the heatmap view as a sixel image, kept through keys that do not change it"
else not_ok "the explorer draws the heatmap view as a sixel image, kept through keys that do not change it"; echo "reddish samples: $n_red of 14" | diag; fi
# no text row of the image was erased: j and k moved the channel marker beside row 11 and back,
# and the row's cells under the image, rewritten by ncurses, cut a white band through it
white_rows=$(/usr/bin/convert "$T/shot.png" -crop 300x330+410+70 +repage -scale '1x330!' -depth 8 txt:- |
             awk -F'[(),]' 'NR > 1 && $4 + 0 > 240 {n++} END {print n + 0}')
if [ "$white_rows" = 0 ]; then ok "markers moving beside the image erase none of it"
else not_ok "markers moving beside the image erase none of it"; echo "white rows across the image: $white_rows" | diag; fi
kill $XT 2>/dev/null; wait $XT 2>/dev/null
# a layer switch away from the heatmap (j to the LSTM, in the lines view) leaves nothing of the
# image: the cells painted over it erase it, without a repaint of the whole screen
printf 'g\n3\nj\n' > "$T/keys"
DISPLAY=$DISP xterm -ti vt340 -xrm 'XTerm*numColorRegisters: 256' -geometry 120x36+0+0 -e sh -c \
    "LANG=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' --keys '$T/keys' '$MODEL'" >/dev/null 2>&1 &
XT=$!
# the pixels over the image's place (x 395..720, y 60..410): red ones (the image
# left behind) and the lines' sky blue (the LSTM drawn: the switch is done)
samples() {
    /usr/bin/convert "$T/shot.png" -crop 325x350+395+60 +repage -depth 8 txt:- |
        awk -F'[(),]' -v want="$1" 'NR > 1 {
            r = $3 + 0; g = $4 + 0; b = $5 + 0
            if (want == "red" && r > 200 && g < 200 && b < 200) n++
            if (want == "blue" && r < 130 && g > 150 && g < 200 && b > 230) n++
        } END {print n + 0}'
}
for try in $(seq 30); do
    sleep 0.5
    DISPLAY=$DISP import -window root "$T/shot.png"
    [ "$(samples blue)" -gt 20 ] && break
done
sleep 0.5
DISPLAY=$DISP import -window root "$T/shot.png"
cp "$T/shot.png" "${top_builddir}/tests/logs/xterm_switch.png" 2>/dev/null
red_left=$(samples red)
blue=$(samples blue)
if [ "$red_left" = 0 ] && [ "$blue" -gt 20 ]; then ok "a layer switch away from the sixel heatmap leaves none of the image"
else not_ok "a layer switch away from the sixel heatmap leaves none of the image"; echo "red samples left: $red_left, lines' blue: $blue" | diag; fi
kill $XT 2>/dev/null; wait $XT 2>/dev/null
done_testing
