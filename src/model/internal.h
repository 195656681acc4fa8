/* Shared between the model loaders (load_h5.c, load_keras.c, load_tfjs.c), the config →
 * graph builder (keras_config.c, graph.c) and the layers' setup (setup.c). Not a public
 * interface. */
#ifndef RNNSCOPE_MODEL_INTERNAL_H
#define RNNSCOPE_MODEL_INTERNAL_H

#include <hdf5.h>
#include "rnnscope/model.h"

/* Largest model file (or embedded file, or JSON) we agree to read into memory. */
#define RS_MAX_MODEL_BYTES ((size_t)4 << 30)
#define RS_MAX_JSON_BYTES ((size_t)256 << 20)
/* Limits on counts read from files, so that a corrupt count cannot exhaust memory. */
#define RS_MAX_LAYERS 20000
/* Calls of layers (nodes) in a model, and so inputs of one call: shared layers are called more
 * than once. */
#define RS_MAX_CALLS (RS_MAX_LAYERS * 4)
#define RS_MAX_WEIGHTS_PER_LAYER 4096

/* One Keras layer object: the owner of weights. A layer called several times is one owner
 * with several nodes; a nested model is an owner (is_model) whose children have it as parent. */
typedef struct rs_owner {
    char *name;        /* unique, prefixed: "encoder/lstm_1" */
    char *short_name;  /* its name inside its own container: "lstm_1" */
    char *class_name;
    const cJSON *config;
    int parent;        /* owner index of the nested model holding it; -1 at the top */
    bool is_model;
    int first_node;    /* node of its first call; -1 when never called */
    int n_weights;
    rs_weight *weights;
} rs_owner;

typedef struct rs_graph {
    rs_owner *owners;
    int n_owners, cap_owners;
    int *node_owner;   /* per node of the model */
    int cap_nodes;
    int *slots;        /* hash index of owners by (parent, short_name): owner + 1, 0 = empty */
    size_t n_slots;    /* a power of two, more than twice n_owners */
} rs_graph;

/* Build the nodes of m (topological order), its inputs and outputs, and the owners, from a
 * {"class_name", "config"} model object inside m->config_json. */
int rs_graph_build(rs_model *m, const cJSON *model_obj, rs_graph *g, rs_error *err);

/* Owner index of short_name directly inside container parent (-1 = top), or -1. */
int rs_graph_find_owner(const rs_graph *g, int parent, const char *short_name);

/* Add the last owner appended to g->owners to the index rs_graph_find_owner reads (a model of
 * 20 000 layers would take 20 000 x 20 000 name comparisons without it). */
int rs_graph_index_owner(rs_graph *g, rs_error *err);

/* Append a weight to an owner (takes the tensor and the name). */
int rs_graph_add_weight(rs_graph *g, int owner, char *name, rs_tensor *value, rs_error *err);

/* Give a weight to the owner its name points at: the first '/'-separated component naming a
 * layer inside container (descending into nested models). Takes name and value. */
int rs_graph_assign_weight(rs_graph *g, int container, char *name, rs_tensor *value,
                           const char *where, rs_error *err);

/* Reorder each owner's weights into Keras order by their names (for TF.js manifests). */
void rs_graph_sort_weights(rs_graph *g);

/* Move the owners' weights into their nodes and free g. */
void rs_graph_finish(rs_model *m, rs_graph *g);
void rs_graph_free(rs_graph *g);

/* cJSON_ParseWithLength of JSON as Python writes it: NaN, Infinity and -Infinity outside
 * strings are numbers (src/model/json.c). NULL when not valid JSON or out of memory. */
cJSON *rs_json_parse(const char *text, size_t len);

/* Common tail of every loader: parse config text, build graph, attach weights via fn,
 * set up the layers. */
typedef int (*rs_weights_fn)(rs_model *m, rs_graph *g, void *ctx, rs_error *err);
int rs_model_from_config(rs_model *m, const char *config_text, const char *where,
                         rs_weights_fn fn, void *ctx, rs_error *err);
/* Same with an already parsed JSON value (ownership of root passes to m). */
int rs_model_from_json(rs_model *m, cJSON *root, const cJSON *model_obj, const char *where,
                       rs_weights_fn fn, void *ctx, rs_error *err);

void rs_model_set_version(rs_model *m, const char *version);

/* What parsing len bytes of JSON text with cJSON may take (a node per value, a copy of every
 * string; a 40 MB array of zeros took 1.6 GB), on top of held bytes, must fit the memory cap:
 * an upper bound from the text, checked before parsing. */
int rs_json_check_fits(const char *text, size_t len, size_t held, const char *where,
                       rs_error *err);

/* ---- loaders ---- */
int rs_load_h5(rs_model *m, const char *path, rs_error *err);
int rs_load_json_h5(rs_model *m, const char *json_path, const char *weights_path, rs_error *err);
int rs_load_keras_zip(rs_model *m, const unsigned char *data, size_t len, rs_error *err);
int rs_load_tfjs(rs_model *m, cJSON *root, rs_error *err);

/* Keras 3 weights layout (layers/<snake_class>[_k]/…/vars/i) read from an open HDF5 file;
 * held: what the loader holds meanwhile (an archive...), for the memory cap. */
int rs_keras3_read_weights(rs_model *m, rs_graph *g, hid_t file, size_t held,
                           const char *where, rs_error *err);
/* Keras 2 weights layout (layer_names, weight_names) under group base ("/" or
 * "model_weights"). */
int rs_keras2_read_weights(rs_model *m, rs_graph *g, hid_t file, const char *base,
                           const char *where, rs_error *err);

/* ---- opening HDF5 files (h5open.c) ---- */
/* Set libhdf5 up for hostile files: its error stack silenced, no filter plugins loaded. */
void rs_h5_setup(void);
/* Open an HDF5 file read-only: refused (with a message naming path) when it is not a regular
 * file, is corrupt in ways that would hang libhdf5, or points outside itself (external links,
 * soft links, external storage, virtual datasets), checked before anything is read. */
hid_t rs_h5_open_path(const char *path, rs_error *err);
/* The same for an image held in memory (what: its name in messages, "model.weights.h5 in the
 * archive"). Not copied: im and its data must outlive the file. */
typedef struct rs_h5_image {
    void *data;
    size_t len;
} rs_h5_image;
hid_t rs_h5_open_image(rs_h5_image *im, const char *where, const char *what, rs_error *err);
/* Why dataset ds keeps its data outside its file ("is a virtual dataset ..."), or NULL. */
const char *rs_h5_outside_storage(hid_t ds);
/* A filter that ds's data needs and libhdf5 cannot apply (plugins are never loaded), or -1. */
int rs_h5_missing_filter(hid_t ds);

/* ---- HDF5 helpers (h5util.c) ---- */
bool rs_h5_has_attr(hid_t obj, const char *name);
/* A scalar string attribute (fixed or variable length, also a 1-element array). */
int rs_h5_read_str_attr(hid_t obj, const char *name, char **out, const char *where,
                        rs_error *err);
/* A string-array attribute, or its split form name0, name1, ...; missing → 0 entries when
 * optional, else an error. */
int rs_h5_read_str_list(hid_t obj, const char *name, bool optional, char ***out, int *n,
                        const char *where, rs_error *err);
void rs_str_list_free(char **list, int n);
/* A dataset as float32 (libhdf5 converts numeric types; bfloat16 by hand). */
int rs_h5_read_tensor(hid_t loc, const char *path, rs_tensor *out, const char *where,
                      rs_error *err);
bool rs_h5_link_exists(hid_t loc, const char *path);
/* The datasets under group (every weight the file declares) as float32, on top of held bytes,
 * must fit the memory cap: checked from their dataspaces before any is read. A missing group
 * passes. */
int rs_h5_check_weights_fit(hid_t loc, const char *group, size_t held, const char *where,
                            rs_error *err);
/* Refuse HDF5 images that would hang libhdf5 (corrupt global heaps) before opening them. */
int rs_h5_check_image(const unsigned char *buf, size_t len, const char *where, rs_error *err);
int rs_h5_check_file(const char *path, rs_error *err);

/* Run fn (a load that makes libhdf5 read a file) first in a child process: when libhdf5
 * crashes or hangs there, fail with a message naming where; else run fn here. */
typedef int (*rs_guarded_fn)(void *ctx, rs_error *err);
int rs_h5_guarded(rs_guarded_fn fn, void *ctx, const char *where, rs_error *err);
/* True in the guard's child process: reads that cannot make libhdf5 crash are skipped there. */
bool rs_h5_in_guard_child(void);
/* True while a load runs that the guard's child completed: its checks need not be repeated. */
bool rs_h5_vouched_by_guard(void);

/* Fill m->layer_ctx and set up every node in order (src/model/setup.c): unknown classes and
 * nodes downstream of them are marked unsupported with a reason (the model still loads); a
 * supported layer whose weights do not fit its config is an error. */
int rs_model_setup_layers(rs_model *m, rs_error *err);

/* ---- small helpers ---- */
char *rs_strdup(const char *s);
char *rs_strndup(const char *s, size_t n);
/* "CamelCase" → "camel_case" as Keras 3 names weight groups. */
char *rs_snake_case(const char *s);

#endif
