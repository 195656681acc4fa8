/* The values view (See RNN's features_0D): per sample, its index (the sample on screen marked
 * ">"), the value as the fewest digits that read back as the same float32, and a bar from the
 * zero column on the batch's scale [min(0, lo), max(0, hi)] over the bar cells. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "render_util.h"
#include "rnnscope/view.h"

static const char *values(const float *batch, size_t n, size_t R, size_t C, int w, int h,
                          void (*adjust)(rs_view_state *))
{
    rs_canvas c = blank(w, h);
    rs_view_state s;
    rs_view_state_init(&s);
    s.style = UNI;
    s.full = rs_matrix_make(batch, R, C);
    s.batch = batch;
    s.nsamples = n;
    if (adjust)
        adjust(&s);
    rs_error err = {0};
    CHECK(rs_view_draw(RS_VIEW_VALUES, &c, rs_canvas_rect(&c), &s, &err) == 0);
    return text_and_free(&c);
}

/* Bar cells from column 9 (11 of them): zero at round(0.25 / 1.25 * 11) = 2; 0.5 ends at
 * round(6.6) = 7, 1 at 11, -0.25 starts at 0. */
static void test_vector(void)
{
    float b[3] = {0.5f, -0.25f, 1};
    CHECK_STR(values(b, 3, 1, 1, 20, 4, NULL),
              "channel 0, 3 samples\n>0   0.5   █████\n 1 -0.25 ██\n 2     1   █████████\n");
}

static void channel_1(rs_view_state *s)
{
    static const size_t ch[1] = {1};
    s->channels = ch;
    s->nchannels = 1;
    s->sample = 1;
}

static void cursor_0(rs_view_state *s)
{
    channel_1(s);
    s->have_cursor = true;
    s->cursor = 0;
}

/* (2 steps, 2 channels) per sample: the last step without a cursor, else the cursor's. */
static void test_step_and_channel(void)
{
    float b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const char *t = values(b, 2, 2, 2, 30, 4, channel_1);
    CHECK_CONTAINS(t, "channel 1 at time 1, 2 samples");
    CHECK_CONTAINS(t, " 0 4 ");
    CHECK_CONTAINS(t, ">1 8 ");
    t = values(b, 2, 2, 2, 30, 4, cursor_0);
    CHECK_CONTAINS(t, "channel 1 at time 0, 2 samples");
    CHECK_CONTAINS(t, " 0 2 ");
    CHECK_CONTAINS(t, ">1 6 ");
}

/* Exact float32 numbers as NumPy prints them: 0.1f is "0.1", 1/3.f "0.33333334" (eight
 * digits read it back; "%.6g" would not); NaN has no bar. */
static void test_exact(void)
{
    float b[3] = {0.1f, 1.0f / 3.0f, NAN};
    const char *t = values(b, 3, 1, 1, 30, 4, NULL);
    CHECK_CONTAINS(t, ">0        0.1 ");
    CHECK_CONTAINS(t, " 1 0.33333334 ");
    CHECK_CONTAINS(t, " 2        nan\n");
}

static void gates_channel_5(rs_view_state *s)
{
    static const size_t ch[1] = {5};
    s->out.gates = 4;
    s->out.gate_names = rs_gate_names(4);
    s->channels = ch;
    s->nchannels = 1;
}

/* A gates internal (1 step, 4 gates x 2 units): channel 5 is unit 1 of gate c; one sample. */
static void test_gate_title(void)
{
    float b[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    const char *t = values(b, 1, 1, 8, 30, 3, gates_channel_5);
    CHECK_CONTAINS(t, "gate c unit 1, 1 sample\n");
    CHECK_CONTAINS(t, ">0 5 ");
}

int main(void)
{
    run_test("values: one per sample, exact, bars from zero", test_vector);
    run_test("values: the channel at the cursor step, or the last", test_step_and_channel);
    run_test("values: float32 numbers read back exactly; NaN", test_exact);
    run_test("values: a gate's channel by gate and unit", test_gate_title);
    return check_finish();
}
