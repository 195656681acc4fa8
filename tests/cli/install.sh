# make install DESTDIR=...: the program, its data, the man page and the completion land in their
# places, and the installed program runs from another directory.
. "$top_srcdir/tests/lib.sh"
command -v make >/dev/null || { echo "make is not installed"; exit 77; }
DEST=$T/dest
if make -s -C "$top_builddir" install DESTDIR="$DEST" >"$T/install.log" 2>&1; then ok "make install DESTDIR works"
else not_ok "make install DESTDIR works"; tail -n 20 "$T/install.log" | diag; fi
BIN=$(find "$DEST" -path '*/bin/rnnscope' -type f | head -1)
DATA=$(dirname "$(find "$DEST" -path '*/share/rnnscope/config' | head -1)")
[ -n "$BIN" ] && [ -x "$BIN" ] && ok "the program is installed" || not_ok "the program is installed"
[ -f "$DATA/config" ] && ok "the default config is installed" || not_ok "the default config is installed"
MAN=$(find "$DEST" -path '*/man1/rnnscope.1' | head -1)
if [ -n "$MAN" ] && grep -q '^\.SH KEYS' "$MAN" && grep -q 'export the current output' "$MAN" &&
   ! grep -q '%KEYS%\|%VERSION%\|%PKGDATADIR%' "$MAN"; then ok "the man page is installed with the keys from the keymap"
else not_ok "the man page is installed with the keys from the keymap"; fi
[ -n "$(find "$DEST" -path '*/bash-completion/completions/rnnscope')" ] && ok "bash completion is installed" ||
    not_ok "bash completion is installed"

MODEL=$top_srcdir/tests/ref/fixtures/lstm_stack/keras/k22.h5
if [ -n "$DATA" ] && [ -f "$DATA/demo/demo.h5" ]; then MODEL=$DATA/demo/demo.h5; fi
if (cd / && "$BIN" summary "$MODEL" | grep -q '^Total params'); then ok "the installed program runs 'summary' from another directory"
else not_ok "the installed program runs 'summary' from another directory"; fi

if make -s -C "$top_builddir" uninstall DESTDIR="$DEST" >"$T/uninstall.log" 2>&1 &&
   [ -z "$(find "$DEST" -type f)" ]; then ok "make uninstall removes every installed file"
else not_ok "make uninstall removes every installed file"; find "$DEST" -type f | diag; fi
done_testing
