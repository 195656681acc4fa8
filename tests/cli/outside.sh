# A model file may name no other file. HDF5 lets a dataset keep its bytes elsewhere: external
# storage (raw bytes of any file), external links (into other HDF5 files), virtual datasets
# (mapping other files; the fill value when a source is missing); soft links are refused with
# them, and filter plugins are never loaded. Each is refused with one line naming the weight, before anything is read, in a full
# .h5, inside a .keras and as --weights (tests/data/outside, made by make_malformed.py). The
# model is Dense(8) with a zero kernel: its output is its bias, so a bias read from secret.bin
# would come out of dump as secret.bin's bytes (before the fix: exit 0, the bytes in o.npy).
. "$top_srcdir/tests/lib.sh"
O=$T/o
cp -r "$top_srcdir/tests/data/outside" "$O"
chmod -R u+w "$O"
printf 'rnnscope-secret-0123456789abcdef' > "$O/secret.bin"   # 32 bytes: the 8 floats
cd "$O" || exit 1
check "source.h5, which the others point at, is a model that loads" \
    "$RNNSCOPE" dump source.h5 --layer dense_leak -o src.npy

EXT="keeps its data in other files (HDF5 external storage); rnnscope reads only what is stored inside the model file"
LINK="is an external link to another file; rnnscope reads only what is stored inside the model file"
SOFT="is a soft link (only hard links are followed)"
VIRT="is a virtual dataset mapping other files; rnnscope reads only what is stored inside the model file"
K2="'model_weights/dense_leak/dense_leak/bias:0'"
K3="'layers/dense/vars/1'"
W="'dense_leak/dense_leak/bias:0'"

# refused FILE NEEDLE WHAT [--weights W]: dump exits 1 naming the weight, writes nothing, and
# the secret's bytes are nowhere in its output
refused() {
    local file=$1 needle=$2 what=$3; shift 3
    rm -f leak.npy
    expect_fail 1 "$needle" "$what" timeout 20 "$RNNSCOPE" dump "$file" "$@" --layer dense_leak -o leak.npy
    if [ -e leak.npy ] && grep -q rnnscope-secret leak.npy; then
        not_ok "$what: the secret's bytes were given back"
    fi
}

refused external_storage.h5 "external_storage.h5: $K2 $EXT" ".h5: external storage on another file"
refused external_link.h5 "external_link.h5: $K2 $LINK" ".h5: a weight that is an external link"
refused external_link_group.h5 "external_link_group.h5: 'model_weights/dense_leak' $LINK" \
    ".h5: a layer's group that is an external link"
refused soft_link.h5 "soft_link.h5: $K2 $SOFT" ".h5: a weight that is a soft link"
refused virtual.h5 "virtual.h5: $K2 $VIRT" ".h5: a virtual dataset"
refused virtual_missing.h5 "virtual_missing.h5: $K2 $VIRT" \
    ".h5: a virtual dataset whose source is missing (gave silent zeros)"
refused external_storage.keras "external_storage.keras: $K3 $EXT" ".keras: external storage"
refused external_link.keras "external_link.keras: $K3 $LINK" ".keras: an external link"
refused virtual.keras "virtual.keras: $K3 $VIRT" ".keras: a virtual dataset"
refused leak.json "external_storage.weights.h5: $W $EXT" "--weights: external storage" \
    --weights external_storage.weights.h5
refused leak.json "external_link.weights.h5: $W $LINK" "--weights: an external link" \
    --weights external_link.weights.h5
refused leak.json "virtual.weights.h5: $W $VIRT" "--weights: a virtual dataset" \
    --weights virtual.weights.h5
# summary reads the weights too; without the guard's child the check is the same
expect_fail 1 "external_storage.h5: $K2 $EXT" "summary: external storage" \
    "$RNNSCOPE" summary external_storage.h5
expect_fail 1 "external_storage.keras: $K3 $EXT" "without the HDF5 guard: the same" \
    env RNNSCOPE_NO_HDF5_GUARD=1 "$RNNSCOPE" summary external_storage.keras
# an absolute path to a system file: the same refusal (the file is never opened)
refused etc_passwd.h5 "etc_passwd.h5: $K2 $EXT" "external storage on /etc/passwd"

# A filter a dataset names is never looked for among plugins on disk (a file could make libhdf5
# load code): with HDF5_PLUGIN_PATH on a library that leaves a mark when it is loaded, the LZF
# bias (filter 32000) is refused by number and the mark is never made.
cat > plug.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void loaded(void)
{
    const char *mark = getenv("RS_PLUGIN_MARK");
    FILE *f = mark ? fopen(mark, "w") : NULL;
    if (f)
        fclose(f);
}
int H5PLget_plugin_type(void) { return 0; }
const void *H5PLget_plugin_info(void) { return NULL; }
EOF
mkdir plugins
if ${CC:-cc} -shared -fPIC -o plugins/libmark.so plug.c 2>/dev/null; then
    expect_fail 1 "lzf_filter.h5: layer 'dense_leak': weight 'dense_leak/bias:0': is compressed with HDF5 filter 32000, which rnnscope does not decode (filter plugins are never loaded)" \
        "a weight compressed with a filter libhdf5 lacks is refused by number" \
        env HDF5_PLUGIN_PATH="$O/plugins" RS_PLUGIN_MARK="$O/mark" "$RNNSCOPE" summary lzf_filter.h5
    check "no filter plugin was loaded for it" test ! -e mark
else
    skip "a weight compressed with a filter libhdf5 lacks" "no C compiler"
fi

# What they point at is a FIFO that never answers: refused at once, not a hang.
rm -f secret.bin source.h5
mkfifo secret.bin source.h5
refused external_storage.h5 "$EXT" "external storage on a FIFO: refused, no hang"
refused external_storage.keras "$EXT" ".keras: external storage on a FIFO"
refused virtual.h5 "$VIRT" "a virtual dataset whose source is a FIFO"
refused external_link.h5 "$LINK" "an external link to a FIFO"
done_testing
