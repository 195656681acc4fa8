/* The timeline view (rs_view_draw_timeline): each checkpoint's epoch as a tick label under the
 * heatmap (named) and under the lines, labels never touching and the cursor's always shown
 * under the map;
 * the cursor's "▼" above the map; a checkpoint that did not load an empty column with "×" above
 * it, and no cell blanked that also holds a checkpoint that loaded (more checkpoints than cells). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render_util.h"
#include "rnnscope/view.h"

#define BINS 4

/* n checkpoints, epochs 1..n (or given), every share the same (one mid colour everywhere), one
 * statistic rising; missing as given. */
typedef struct fixture {
    rs_view_timeline tl;
    double *shares, *series;
    long *ticks;
    bool *missing;
    char names[1][32];
} fixture;

static void make(fixture *f, size_t n, const long *epochs)
{
    memset(f, 0, sizeof *f);
    f->shares = malloc(n * BINS * sizeof *f->shares);
    f->series = malloc(n * sizeof *f->series);
    f->ticks = malloc(n * sizeof *f->ticks);
    f->missing = calloc(n, sizeof *f->missing);
    for (size_t c = 0; c < n; c++) {
        for (int b = 0; b < BINS; b++)
            f->shares[c * BINS + (size_t)b] = 1.0 / BINS;
        f->series[c] = (double)c;
        f->ticks[c] = epochs ? epochs[c] : (long)c + 1;
    }
    snprintf(f->names[0], sizeof f->names[0], "|W|");
    f->tl = (rs_view_timeline){.n = n, .bins = BINS, .shares = f->shares, .lo = -1, .hi = 1,
                               .nseries = 1, .names = (const char(*)[32])f->names,
                               .series = f->series, .ticks = f->ticks, .tick_name = "epoch",
                               .missing = f->missing};
}

static void unmake(fixture *f)
{
    free(f->shares);
    free(f->series);
    free(f->ticks);
    free(f->missing);
}

/* The view drawn into a w x h canvas (the caller frees it). */
static rs_canvas draw(fixture *f, int w, int h, size_t cursor)
{
    static rs_layer_desc desc; /* a layer with weights: the histogram is drawn */
    rs_view_state s;
    rs_view_state_init(&s);
    s.style = UNI;
    s.layer = &desc;
    s.timeline = &f->tl;
    s.cursor = cursor;
    s.have_cursor = true;
    rs_canvas c = blank(w, h);
    rs_error err = {0};
    CHECK(rs_view_draw(RS_VIEW_TIMELINE, &c, rs_canvas_rect(&c), &s, &err) == 0);
    return c;
}

/* Row y as text (ASCII digits and words; other glyphs as '#'). */
static const char *row_text(const rs_canvas *c, int y)
{
    static char buf[1024];
    int x = 0;
    for (; x < c->w && x < (int)sizeof buf - 1; x++) {
        uint32_t ch = rs_canvas_cell(c, x, y)->ch;
        buf[x] = ch < 128 ? (char)ch : '#';
    }
    buf[x] = '\0';
    return buf;
}

/* The first row whose text starts (after spaces) with word, or -1. */
static int find_row(const rs_canvas *c, const char *word)
{
    for (int y = 0; y < c->h; y++) {
        const char *t = row_text(c, y);
        if (strncmp(t + strspn(t, " "), word, strlen(word)) == 0)
            return y;
    }
    return -1;
}

/* The numbers of a row: strictly increasing (labels never run into each other: they are
 * separate words), from first to last, with must among them. */
static bool ticks_ok(const char *row, long must, long first, long last)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", row);
    long prev = -1, got_first = -1;
    bool seen = false;
    for (char *w = strtok(copy, " "); w; w = strtok(NULL, " ")) {
        if (strcmp(w, "epoch") == 0)
            continue;
        char *end;
        long v = strtol(w, &end, 10);
        if (*end || v <= prev)
            return false;
        got_first = got_first < 0 ? v : got_first;
        seen = seen || v == must;
        prev = v;
    }
    return seen && got_first == first && prev == last;
}

/* The column of the first cell of row y holding ch, or -1. */
static int column_of(const rs_canvas *c, int y, uint32_t ch)
{
    for (int x = 0; x < c->w; x++)
        if (rs_canvas_cell(c, x, y)->ch == ch)
            return x;
    return -1;
}

static void test_epochs_cursor_missing(void)
{
    fixture f;
    long epochs[5] = {1, 2, 3, 5, 10};
    make(&f, 5, epochs);
    f.missing[3] = true;
    rs_canvas c = draw(&f, 90, 20, 4);
    int tick = find_row(&c, "epoch");
    CHECK(tick > 3 && ticks_ok(row_text(&c, tick), 10, 1, 10));
    int x = column_of(&c, 1, 0x00D7), cur = column_of(&c, 1, 0x25BC);
    CHECK(x > 0 && cur > x);
    CHECK(cur > 0 && strncmp(row_text(&c, 1) + cur + 1, "10", 2) == 0);
    CHECK(column_of(&c, 0, 0x00D7) > 0); /* the title says what × is */
    for (int y = 2; x > 3 && y < tick; y++) { /* the missing column blank, the one before not */
        CHECK(rs_canvas_cell(&c, x, y)->ch == ' ');
        CHECK(rs_canvas_cell(&c, x - 3, y)->ch != ' ');
    }
    CHECK(tick > 0 && strncmp(row_text(&c, tick) + x, "5 ", 2) == 0); /* its epoch under it */
    /* the lines' tick row, the last: the same labels */
    CHECK(ticks_ok(row_text(&c, c.h - 1), 10, 1, 10));
    rs_canvas_free(&c);
    unmake(&f);
}

static void test_many_checkpoints(void)
{
    fixture f;
    make(&f, 200, NULL);
    f.missing[50] = true; /* in a cell with four checkpoints that loaded: not blanked */
    rs_canvas c = draw(&f, 40, 20, 99);
    int tick = find_row(&c, "epoch");
    CHECK(tick > 3 && ticks_ok(row_text(&c, tick), 100, 1, 200));
    int gutter = (int)strlen("epoch") + 1, blank = 0;
    for (int y = 2; y < tick; y++)
        for (int x = gutter; x < c.w; x++)
            blank += rs_canvas_cell(&c, x, y)->ch == ' ';
    CHECK(blank == 0);
    /* the lines' tick row: labels that never touch, first and last, the cursor's only above the
     * map (a label of it under the lines made each cursor step rewrite that row too) */
    CHECK(ticks_ok(row_text(&c, c.h - 1), 1, 1, 200));
    rs_canvas_free(&c);
    unmake(&f);
}

int main(void)
{
    run_test("timeline: epochs under the map, the cursor marked, an empty column marked ×",
             test_epochs_cursor_missing);
    run_test("timeline: 200 checkpoints on 40 columns, labels never touching, the cursor's "
             "shown", test_many_checkpoints);
    return check_finish();
}
