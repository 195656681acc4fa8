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
# every view of the view table (plot --help's --view line) completes, the samples view too
want=$("$RNNSCOPE" plot --help | sed -n 's/^  --view V  *//p' | tr -d , | tr ' ' '\n' | sort | tr '\n' ' ')
got=$(complete_words rnnscope plot "$DEMO" --view "")
[ -n "$want" ] && [ "$got" = "$want" ] && case " $got" in *" samples "*) true ;; *) false ;; esac &&
    ok "--view completes every view of the table" || { not_ok "--view completes every view of the table"; echo "$got / $want" | diag; }
got=$(complete_words rnnscope dump "$DEMO" --int)
[ "$got" = "--internal " ] && ok "options complete per subcommand" || { not_ok "options complete per subcommand"; echo "$got" | diag; }
for c in "" summary dump plot grad; do
    got=$(complete_words rnnscope $c --max-m)
    [ "$got" = "--max-memory " ] && ok "--max-memory completes (${c:-explorer})" ||
        { not_ok "--max-memory completes (${c:-explorer})"; echo "$got" | diag; }
done
got=$(complete_words rnnscope summary --max-memory "")
[ "$got" = "1G 2G 4G 512M 8G none " ] && ok "--max-memory suggests sizes" ||
    { not_ok "--max-memory suggests sizes"; echo "$got" | diag; }
got=$(complete_words rnnscope dump --max-memory 2G "$DEMO" --layer lstm)
[ "$got" = "lstm_1 " ] && ok "the model after --max-memory SIZE is still found" ||
    { not_ok "the model after --max-memory SIZE is still found"; echo "$got" | diag; }
got=$(complete_words rnnscope grad "$DEMO" --weight lstm_1/re)
[ "$got" = "lstm_1/recurrent_kernel:0 " ] && ok "grad --weight completes the model's weight names" ||
    { not_ok "grad --weight completes the model's weight names"; echo "$got" | diag; }
got=$(complete_words rnnscope grad "$DEMO" --loss binary)
[ "$got" = "binary_crossentropy " ] && ok "grad --loss completes Keras loss names" ||
    { not_ok "grad --loss completes Keras loss names"; echo "$got" | diag; }
got=$(complete_words rnnscope grad "$DEMO" --method i)
[ "$got" = "ig input_x_grad " ] && ok "grad --method completes the methods" ||
    { not_ok "grad --method completes the methods"; echo "$got" | diag; }
got=$(complete_words rnnscope grad "$DEMO" --out)
[ "$got" = "--output --output-of " ] && ok "grad's options complete" ||
    { not_ok "grad's options complete"; echo "$got" | diag; }
got=$(complete_words rnnscope di)
case " $got" in *" diff "*) ok "diff completes as a subcommand" ;; *) not_ok "diff completes as a subcommand"; echo "$got" | diag ;; esac
got=$(complete_words rnnscope diff "$DEMO" "$DEMO" --format "")
[ "$got" = "text tsv " ] && ok "diff --format completes text and tsv" ||
    { not_ok "diff --format completes text and tsv"; echo "$got" | diag; }
got=$(complete_words rnnscope timeline tests --no-c)
[ "$got" = "--no-cache " ] && ok "timeline's options complete" ||
    { not_ok "timeline's options complete"; echo "$got" | diag; }
# a directory of checkpoints: the layers of its checkpoints (one architecture)
got=$(complete_words rnnscope plot "$top_srcdir/tests/data/ckpt/run" --view timeline --layer "")
[ "$got" = "att_b dense_c rnn_a rnn_a_input " ] && ok "plot DIR --view timeline --layer completes the checkpoints' layers" ||
    { not_ok "plot DIR --view timeline --layer completes the checkpoints' layers"; echo "$got" | diag; }
got=$(complete_words rnnscope timeline "$top_srcdir/tests/data/ckpt/run" --layer d)
[ "$got" = "dense_c " ] && ok "timeline DIR --layer completes the checkpoints' layers" ||
    { not_ok "timeline DIR --layer completes the checkpoints' layers"; echo "$got" | diag; }
got=$(complete_words rnnscope --wat)
[ "$got" = "--watch " ] && ok "--watch completes" || { not_ok "--watch completes"; echo "$got" | diag; }
done_testing
