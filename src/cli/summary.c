/* rnnscope summary [--weights] MODEL: the layer table, like Keras' model.summary(); --weights
 * then lists every weight's full name and shape (the names `grad --weight` takes).
 * `--weights W.h5` beside a MODEL is the weights file of a model.to_json() architecture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "model_io.h"
#include "rnnscope/model.h"

static void usage_error(const char *msg)
{
    cli_error("summary: %s; usage: rnnscope summary [--weights] MODEL [--weights FILE.h5] "
              "[--max-memory SIZE]", msg);
}

/* "1,234,567" */
static char *group_digits(size_t v, char *buf, size_t len)
{
    char plain[32];
    int n = snprintf(plain, sizeof plain, "%zu", v);
    size_t k = 0;
    for (int i = 0; i < n && k + 2 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = plain[i];
    }
    buf[k] = '\0';
    return buf;
}

/* "lstm_1, dense_2[1]" : producers of the node's inputs (with the output index when not 0). */
static void format_inbound(const rs_model *m, const rs_node *n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n->n_inputs && used < len; i++) {
        const char *src = cli_shown(m->nodes[n->inputs[i].node].name);
        int w = n->inputs[i].output
                    ? snprintf(buf + used, len - used, "%s%s[%d]", i ? ", " : "", src,
                               n->inputs[i].output)
                    : snprintf(buf + used, len - used, "%s%s", i ? ", " : "", src);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static void format_output(const rs_node *n, int k, char *buf, size_t len)
{
    char shape[160];
    rs_shape_format_batch(&n->out_shapes[k], shape, sizeof shape);
    if (n->n_outputs > 1 && n->out_names && n->out_names[k])
        snprintf(buf, len, "%s: %s", cli_shown(n->out_names[k]), shape);
    else
        snprintf(buf, len, "%s", shape);
}

typedef struct widths {
    int name, shape, params;
} widths;

/* "name (Class)", as shown */
static void format_name(const rs_node *n, char *buf, size_t len)
{
    snprintf(buf, len, "%s (%s)", cli_shown(n->name), cli_shown(n->class_name));
}

static widths measure(const rs_model *m)
{
    widths w = {(int)strlen("Layer (type)"), (int)strlen("Output Shape"), (int)strlen("Param #")};
    char buf[512];
    for (int i = 0; i < m->n_nodes; i++) {
        const rs_node *n = &m->nodes[i];
        format_name(n, buf, sizeof buf);
        if ((int)strlen(buf) > w.name)
            w.name = (int)strlen(buf);
        for (int k = 0; k < n->n_outputs; k++) {
            format_output(n, k, buf, sizeof buf);
            if ((int)strlen(buf) > w.shape)
                w.shape = (int)strlen(buf);
        }
        group_digits(rs_node_param_count(n), buf, sizeof buf);
        if ((int)strlen(buf) > w.params)
            w.params = (int)strlen(buf);
    }
    return w;
}

static void print_table(const rs_model *m, bool functional)
{
    widths w = measure(m);
    int idx_w = snprintf(NULL, 0, "%d", m->n_nodes > 0 ? m->n_nodes - 1 : 0);
    if (idx_w < 1)
        idx_w = 1;
    printf("%*s  %-*s  %-*s  %*s%s\n", idx_w, "#", w.name, "Layer (type)", w.shape,
           "Output Shape", w.params, "Param #", functional ? "  Connected to" : "");
    char name[512], shape[512], params[64], inbound[1024];
    for (int i = 0; i < m->n_nodes; i++) {
        const rs_node *n = &m->nodes[i];
        format_name(n, name, sizeof name);
        format_inbound(m, n, inbound, sizeof inbound);
        for (int k = 0; k < (n->n_outputs > 0 ? n->n_outputs : 1); k++) {
            if (n->n_outputs > 0)
                format_output(n, k, shape, sizeof shape);
            else
                snprintf(shape, sizeof shape, "?");
            group_digits(rs_node_param_count(n), params, sizeof params);
            if (k == 0)
                printf("%*d  %-*s  %-*s  %*s%s%s\n", idx_w, i, w.name, name, w.shape, shape,
                       w.params, params, functional && *inbound ? "  " : "",
                       functional ? inbound : "");
            else
                printf("%*s  %-*s  %s\n", idx_w, "", w.name, "", shape);
        }
        if (n->unsupported)
            printf("%*s  ! cannot run: %s\n", idx_w, "", cli_shown(n->unsupported));
        if (n->note)
            printf("%*s  note: %s\n", idx_w, "", cli_shown(n->note));
    }
}

/* Every weight: full name as stored, shape, layer. Shared layers' later calls are left out. */
static void print_weights(const rs_model *m)
{
    int wn = (int)strlen("Weight"), ws = (int)strlen("Shape");
    char shape[160];
    for (int i = 0; i < m->n_nodes; i++)
        for (int k = 0; m->nodes[i].owns_weights && k < m->nodes[i].n_weights; k++) {
            const rs_tensor *v = &m->nodes[i].weights[k].value;
            int l = (int)strlen(m->nodes[i].weights[k].name);
            int s = (int)strlen(rs_shape_format(v->rank, v->shape, shape, sizeof shape));
            wn = l > wn ? l : wn;
            ws = s > ws ? s : ws;
        }
    printf("\n%-*s  %-*s  %s\n", wn, "Weight", ws, "Shape", "Layer");
    for (int i = 0; i < m->n_nodes; i++)
        for (int k = 0; m->nodes[i].owns_weights && k < m->nodes[i].n_weights; k++) {
            const rs_tensor *v = &m->nodes[i].weights[k].value;
            printf("%-*s  %-*s  %s\n", wn, m->nodes[i].weights[k].name, ws,
                   rs_shape_format(v->rank, v->shape, shape, sizeof shape), m->nodes[i].name);
        }
}

int cmd_summary(int argc, char **argv)
{
    const char *model = NULL, *maybe_weights = NULL; /* "--weights X": a file, or the flag */
    bool list_weights = false;
    input_opts in = {0};
    for (int i = 1; i < argc; i++) {
        int opt = !strncmp(argv[i], "--weights", 9) ? OPT_WEIGHTS
                  : !strncmp(argv[i], "--max-memory", 12) ? OPT_MAX_MEMORY : 0;
        size_t len = opt == OPT_WEIGHTS ? 9 : 12;
        if (opt == OPT_WEIGHTS && argv[i][len] == '\0') {
            /* the flag, unless a value follows and another argument is the MODEL (below) */
            if (argv[i + 1] && argv[i + 1][0] != '-' && !maybe_weights)
                maybe_weights = argv[++i];
            else
                list_weights = true;
            continue;
        }
        if (opt && (argv[i][len] == '\0' || argv[i][len] == '=')) {
            const char *value = argv[i][len] == '=' ? argv[i] + len + 1 : argv[i + 1];
            if (!value) {
                usage_error(opt == OPT_WEIGHTS ? "--weights needs a file"
                                               : "--max-memory needs a size");
                return EXIT_USAGE;
            }
            if (argv[i][len] == '\0')
                i++;
            if (input_opts_take(&in, "summary", opt, value) < 0)
                return EXIT_USAGE;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("Usage: rnnscope summary [--weights] MODEL [--weights FILE.h5] [--max-memory SIZE]\n"
                 "Print the layers of MODEL: name, class, output shapes, parameters;\n"
                 "--weights (without a value) lists every weight's full name and shape.\n"
                 "--weights FILE.h5 beside a MODEL: the weights of a model.to_json() file.");
            return EXIT_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            char msg[300];
            snprintf(msg, sizeof msg, "unknown option '%.200s'", argv[i]);
            usage_error(msg);
            return EXIT_USAGE;
        } else if (model) {
            usage_error("more than one MODEL given");
            return EXIT_USAGE;
        } else {
            model = argv[i];
        }
    }
    if (maybe_weights && !model) {
        model = maybe_weights; /* "summary --weights MODEL": the listing */
        list_weights = true;
    } else if (maybe_weights && input_opts_take(&in, "summary", OPT_WEIGHTS, maybe_weights) < 0) {
        return EXIT_USAGE;
    }
    if (!model) {
        usage_error("no MODEL given");
        return EXIT_USAGE;
    }
    rs_model *m;
    int rc = cli_open_model(model, &in, &m);
    if (rc != EXIT_OK)
        return rc;
    bool functional = strcmp(m->model_class, "Sequential") != 0;
    if (*m->model_name)
        printf("Model: \"%s\" (%s)\n", cli_shown(m->model_name), cli_shown(m->model_class));
    else
        printf("Model: %s\n", cli_shown(m->model_class));
    if (*m->keras_version)
        printf("Format: %s, Keras %s\n", rs_format_name(m->format), cli_shown(m->keras_version));
    else
        printf("Format: %s, Keras %d (version not recorded)\n", rs_format_name(m->format),
               m->keras_major);
    print_table(m, functional);
    size_t total = 0;
    for (int i = 0; i < m->n_nodes; i++)
        total += rs_node_param_count(&m->nodes[i]);
    char buf[64];
    printf("Total params: %s\n", group_digits(total, buf, sizeof buf));
    if (list_weights)
        print_weights(m);
    rs_model_free(m);
    return EXIT_OK;
}
