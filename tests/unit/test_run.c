/* The on-demand runner: computes what a node needs, caches per input, reports errors by layer.
 * Uses a hand-made graph of test layers so that it does not depend on the loaders. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/layer.h"
#include "rnnscope/run.h"

static int forward_calls;

/* out = in + 1 */
static int add_one(const rs_node *node, rs_layer_io *io, rs_error *err)
{
    forward_calls++;
    if (rs_tensor_copy(&io->outputs[0], io->inputs[0], err) < 0)
        return -1;
    for (size_t i = 0; i < io->outputs[0].size; i++)
        io->outputs[0].data[i] += 1.0f;
    return 0;
}

/* out = a * b, element-wise */
static int multiply(const rs_node *node, rs_layer_io *io, rs_error *err)
{
    forward_calls++;
    if (rs_tensor_copy(&io->outputs[0], io->inputs[0], err) < 0)
        return -1;
    for (size_t i = 0; i < io->outputs[0].size; i++)
        io->outputs[0].data[i] *= io->inputs[1]->data[i];
    return 0;
}

static int always_fails(const rs_node *node, rs_layer_io *io, rs_error *err)
{
    return rs_fail(err, NULL, "numbers went wrong");
}

static const rs_layer_kind add_kind = {"AddOne", NULL, add_one, NULL};
static const rs_layer_kind mul_kind = {"Mul", NULL, multiply, NULL};
static const rs_layer_kind bad_kind = {"Bad", NULL, always_fails, NULL};
static const rs_layer_kind input_kind = {"InputLayer", NULL, NULL, NULL};

/* input(2) → a = +1 → b = +1 → c = a*b ; d = Bad(a); e = Unknown(a) */
typedef struct graph {
    rs_model m;
    rs_node nodes[6];
    rs_ref refs[6][2];
    rs_shape shapes[6];
    int inputs[1];
} graph;

static void node_init(graph *g, int i, const char *name, const rs_layer_kind *kind, int nin,
                      int in0, int in1)
{
    rs_node *n = &g->nodes[i];
    memset(n, 0, sizeof *n);
    n->name = (char *)name;
    n->class_name = (char *)(kind ? kind->class_name : "Mystery");
    n->kind = kind;
    n->n_inputs = nin;
    n->inputs = g->refs[i];
    g->refs[i][0] = (rs_ref){in0, 0};
    g->refs[i][1] = (rs_ref){in1, 0};
    n->n_outputs = 1;
    g->shapes[i] = (rs_shape){1, {2}};
    n->out_shapes = &g->shapes[i];
}

static void make_graph(graph *g)
{
    memset(g, 0, sizeof *g);
    node_init(g, 0, "input", &input_kind, 0, 0, 0);
    node_init(g, 1, "a", &add_kind, 1, 0, 0);
    node_init(g, 2, "b", &add_kind, 1, 1, 0);
    node_init(g, 3, "c", &mul_kind, 2, 1, 2);
    node_init(g, 4, "d", &bad_kind, 1, 1, 0);
    node_init(g, 5, "e", NULL, 1, 1, 0);
    g->nodes[5].unsupported = (char *)"unknown layer class Mystery";
    g->m.path = (char *)"test-model";
    g->m.n_nodes = 6;
    g->m.nodes = g->nodes;
    g->m.n_inputs = 1;
    g->inputs[0] = 0;
    g->m.inputs = g->inputs;
    g->m.keras_major = 2;
}

static void test_computes_on_demand_and_caches(void)
{
    graph g;
    make_graph(&g);
    rs_error err = {0};
    rs_run *r = rs_run_new(&g.m, &err);
    rs_tensor in;
    rs_tensor_alloc_dims(&in, &err, 2, (size_t)1, (size_t)2);
    in.data[0] = 1;
    in.data[1] = 2;
    CHECK(rs_run_set_inputs(r, &in, 1, &err) == 0);
    forward_calls = 0;
    const rs_tensor *out;
    CHECK(rs_run_output(r, 3, 0, &out, &err) == 0);
    CHECK(out && out->data[0] == 2 * 3 && out->data[1] == 3 * 4);
    CHECK(forward_calls == 3); /* a once, b once, c once: a's output is reused */
    CHECK(rs_run_output(r, 2, 0, &out, &err) == 0);
    CHECK(forward_calls == 3);  /* cached */
    in.data[0] = 10;
    CHECK(rs_run_set_inputs(r, &in, 1, &err) == 0); /* a new input clears the cache */
    CHECK(rs_run_output(r, 1, 0, &out, &err) == 0);
    CHECK(out->data[0] == 11 && forward_calls == 4);
    rs_tensor_free(&in);
    rs_run_free(r);
}

static void test_errors_name_the_layer(void)
{
    graph g;
    make_graph(&g);
    rs_error err = {0};
    rs_run *r = rs_run_new(&g.m, &err);
    rs_tensor in;
    rs_tensor_alloc_dims(&in, &err, 2, (size_t)1, (size_t)2);
    const rs_tensor *out;
    CHECK(rs_run_output(r, 1, 0, &out, &err) < 0);
    CHECK_STR(err.msg, "test-model: no input has been given to the model");
    CHECK(rs_run_set_inputs(r, &in, 1, &err) == 0);
    CHECK(rs_run_output(r, 4, 0, &out, &err) < 0);
    CHECK_STR(err.msg, "layer d (Bad): numbers went wrong");
    CHECK(rs_run_output(r, 5, 0, &out, &err) < 0);
    CHECK_STR(err.msg, "layer e (Mystery): unknown layer class Mystery");
    CHECK(rs_run_output(r, 2, 0, &out, &err) == 0); /* the layers before still run */
    CHECK(rs_run_output(r, 2, 3, &out, &err) < 0);
    CHECK_STR(err.msg, "b: has no output 3 (it has 1)");
    rs_tensor_free(&in);
    rs_run_free(r);
}

/* Taken inputs are held once: the input layer's output is the very tensor given. A refused
 * input stays the caller's. */
static void test_inputs_taken(void)
{
    graph g;
    make_graph(&g);
    rs_error err = {0};
    rs_run *r = rs_run_new(&g.m, &err);
    rs_tensor in, wrong;
    rs_tensor_alloc_dims(&in, &err, 2, (size_t)1, (size_t)2);
    rs_tensor_alloc_dims(&wrong, &err, 2, (size_t)1, (size_t)3);
    in.data[0] = 5;
    const float *given = in.data;
    CHECK(rs_run_take_inputs(r, &wrong, 1, &err) < 0);
    CHECK(wrong.data != NULL && wrong.size == 3);
    CHECK(rs_run_take_inputs(r, &in, 1, &err) == 0);
    CHECK(in.data == NULL && in.size == 0);
    const rs_tensor *out;
    CHECK(rs_run_output(r, 0, 0, &out, &err) == 0);
    CHECK(out->data == given && out->data[0] == 5);
    CHECK(rs_run_output(r, 1, 0, &out, &err) == 0 && out->data[0] == 6);
    rs_run_clear(r); /* forgetting the outputs keeps the input */
    CHECK(rs_run_output(r, 1, 0, &out, &err) == 0 && out->data[0] == 6);
    rs_tensor_free(&in);
    rs_tensor_free(&wrong);
    rs_run_free(r);
}

static void test_input_shape_checked(void)
{
    graph g;
    make_graph(&g);
    rs_error err = {0};
    rs_run *r = rs_run_new(&g.m, &err);
    rs_tensor in;
    rs_tensor_alloc_dims(&in, &err, 2, (size_t)1, (size_t)3);
    CHECK(rs_run_set_inputs(r, &in, 1, &err) < 0);
    CHECK_STR(err.msg, "input: input has shape (1, 3), the model expects (None, 2)");
    CHECK(rs_run_set_inputs(r, &in, 2, &err) < 0);
    CHECK_STR(err.msg, "test-model: the model has 1 input, 2 given");
    rs_tensor_free(&in);
    rs_run_free(r);
}

int main(void)
{
    run_test("taken inputs are held once; refused ones stay the caller's", test_inputs_taken);
    run_test("computes on demand and caches per input", test_computes_on_demand_and_caches);
    run_test("errors name the layer and its class; earlier layers still run",
             test_errors_name_the_layer);
    run_test("input shapes are checked against the model", test_input_shape_checked);
    return check_finish();
}
