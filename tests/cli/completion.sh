# bash completion: subcommands, options, option values, and the layer names of the model.
. "$top_srcdir/tests/lib.sh"
COMP=$top_srcdir/share/bash-completion/rnnscope
DEMO=$top_srcdir/share/rnnscope/demo/demo.h5
complete_words() { # WORDS... : the completions of the last word
    PATH=$(dirname "$RNNSCOPE"):$PATH bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _rnnscope; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP" "$@" | sort | tr '\n' ' '
}
got=$(complete_words rnnscope s)
case " $got" in *" summary "*) ok "subcommands complete (with files)" ;; *) not_ok "subcommands complete (with files)"; echo "$got" | diag ;; esac
got=$(complete_words rnnscope dump "$DEMO" --layer "")
[ "$got" = "concatenate_1 dense_1 flatten_1 input_1 lstm_1 seq_self_attention_1 " ] &&
    ok "--layer completes the model's layer names" || { not_ok "--layer completes the model's layer names"; echo "$got" | diag; }
got=$(complete_words rnnscope plot "$DEMO" --view h)
[ "$got" = "heatmap hist " ] && ok "--view completes the views" || { not_ok "--view completes the views"; echo "$got" | diag; }
got=$(complete_words rnnscope dump "$DEMO" --int)
[ "$got" = "--internal " ] && ok "options complete per subcommand" || { not_ok "options complete per subcommand"; echo "$got" | diag; }
done_testing
