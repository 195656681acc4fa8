# The rnnscope program: --help, --version, the subcommand dispatcher.
. "$top_srcdir/tests/lib.sh"

out=$("$RNNSCOPE" --help); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q '^Usage: rnnscope' &&
   printf '%s' "$out" | grep -q 'summary' && printf '%s' "$out" | grep -q 'dump' &&
   printf '%s' "$out" | grep -q 'plot'; then ok "--help prints usage with every subcommand"
else not_ok "--help prints usage with every subcommand"; fi

# --help-keys: keys, name and description in three columns, every description starting in one
# column (a name longer than the column, saliency-method, pushed its description right)
starts=$("$RNNSCOPE" --help-keys | awk '{ rest = substr($0, 20); n = match(rest, / +[^ ]/);
                                          print 19 + n + RLENGTH - 1 }' | sort -u)
if [ "$(printf '%s\n' "$starts" | wc -l)" -eq 1 ] && [ "$("$RNNSCOPE" --help-keys | wc -l)" -gt 40 ]; then
    ok "--help-keys: every description starts in one column"
else not_ok "--help-keys: every description starts in one column"
    { echo "description columns: $starts"; "$RNNSCOPE" --help-keys; } | diag; fi

out=$("$RNNSCOPE" --version); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -qE '^rnnscope [0-9]+\.[0-9]+\.[0-9]+$'; then
    ok "--version prints the version"; else not_ok "--version prints the version"; fi

# the options --help and plot --help name are the man page's, and the other way round
opts_of() { grep -oE -- '--[a-z][a-z-]+' | sort -u; }
{ "$RNNSCOPE" --help; "$RNNSCOPE" plot --help; "$RNNSCOPE" dump --help; "$RNNSCOPE" diff --help
  "$RNNSCOPE" timeline --help; } 2>&1 | opts_of > "$T/help_opts"
sed 's/\\-/-/g' "$top_builddir/share/man/rnnscope.1" | opts_of > "$T/man_opts"
if [ -s "$T/help_opts" ] && cmp -s "$T/help_opts" "$T/man_opts"; then
    ok "--help and the man page name the same options"
else not_ok "--help and the man page name the same options"; diff "$T/help_opts" "$T/man_opts" | diag; fi

# the man page's --view line and plot --help name the views of the view table
views=$("$RNNSCOPE" plot --help | sed -n 's/^  --view V  *//p')
man_views=$(sed 's/\\f[BR]//g' "$top_builddir/share/man/rnnscope.1" | grep -A1 -- '^.BI \\-\\-view' | tail -1)
if [ -n "$views" ] && [ "$man_views" = "$views." ]; then ok "the man page lists the views of the view table"
else not_ok "the man page lists the views of the view table"; echo "help: $views / man: $man_views" | diag; fi

expect_fail 2 "unknown option" "an unknown option is misuse (exit 2)" "$RNNSCOPE" --bogus
for cmd in summary dump plot; do
    "$RNNSCOPE" $cmd x >/dev/null 2>&1; rc=$?
    if [ $rc -eq 0 ] || [ $rc -eq 1 ] || [ $rc -eq 2 ]; then ok "'$cmd' is dispatched (exit $rc)"
    else not_ok "'$cmd' is dispatched (exit $rc)"; fi
done
done_testing
