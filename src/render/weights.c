/* Weights by gate (See RNN's rnn_heatmap / rnn_histogram): the kernel and the recurrent kernel
 * side by side as heatmaps cut into gate blocks (LSTM i|f|c|o, GRU z|r|h) by separators, the
 * bias as a strip with the same blocks, one colour bar, then a histogram per gate. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rnnscope/plot.h"
#include "rnnscope/view.h"
#include "render_util.h"

void rs_weights_defaults(rs_weights_opts *o)
{
    memset(o, 0, sizeof *o);
    o->style = (rs_style){RS_GFX_UNICODE, RS_DEPTH_NONE};
    o->cmap = RS_CMAP_BWR;
    o->gates = 4;
    o->histograms = true;
}

/* Gate block g of a panel: its cells; separators sit in the column before each block. */
static rs_rect gate_block(rs_rect panel, int gates, int g)
{
    int bw = (panel.w - (gates - 1)) / gates;
    return (rs_rect){panel.x + g * (bw + 1), panel.y, bw, panel.h};
}

static void draw_gated(rs_canvas *c, rs_rect panel, const rs_matrix *m, int gates,
                       const rs_heatmap_opts *ho, double lo, double hi, rs_error *err, int *rc)
{
    size_t units = m->cols / (size_t)gates;
    int sep = rs_ui_color(ho->style.depth, RS_UI_AXIS);
    for (int g = 0; g < gates; g++) {
        rs_rect b = gate_block(panel, gates, g);
        rs_matrix w = rs_matrix_window(*m, 0, m->rows, (size_t)g * units, units);
        if (*rc == 0 && rs_heatmap_paint(c, b, &w, ho, lo, hi, err) < 0)
            *rc = -1;
        for (int y = 0; g > 0 && y < b.h; y++)
            rs_canvas_set(c, b.x - 1, b.y + y, ho->style.graphics == RS_GFX_ASCII ? '|' : 0x2502u,
                          sep, RS_COLOR_DEFAULT);
    }
}

static void draw_titles(rs_canvas *c, rs_rect panel, const char *what, const rs_matrix *m,
                        int gates, const char *const *names, const char *const *notes,
                        rs_style st)
{
    char t[64];
    snprintf(t, sizeof t, "%s %zux%zu", what, m->rows, m->cols);
    rs_canvas_print(c, panel.x, panel.y, t, panel.w, rs_ui_color(st.depth, RS_UI_LABEL),
                    RS_COLOR_DEFAULT);
    for (int g = 0; names && g < gates; g++) {
        rs_rect b = gate_block(panel, gates, g);
        char name[64]; /* "i 0.0028" with a note, the name alone when that does not fit */
        snprintf(name, sizeof name, "%s%s%s", names[g], notes && notes[g] ? " " : "",
                 notes && notes[g] ? notes[g] : "");
        if (rs_utf8_width(name) > b.w)
            snprintf(name, sizeof name, "%s", names[g]);
        int nw = rs_utf8_width(name);
        rs_canvas_print(c, b.x + (b.w > nw ? (b.w - nw) / 2 : 0), panel.y + 1, name, b.w,
                        rs_ui_color(st.depth, RS_UI_AXIS), RS_COLOR_DEFAULT);
    }
}

static double abs_max(const rs_matrix *m)
{
    rs_stats s;
    rs_stats_matrix(m, &s);
    return s.finite ? fmax(fabs(s.min), fabs(s.max)) : 0;
}

static int check_gates(const rs_matrix *m, const char *what, int gates, rs_error *err)
{
    if (m && m->cols % (size_t)gates != 0)
        return rs_fail(err, "weights", "%s has %zu columns, not a multiple of %d gates", what,
                       m->cols, gates);
    return 0;
}

/* A histogram per gate of each matrix, side by side in one row of boxes. */
static int draw_gate_hists(rs_canvas *c, rs_rect area, const rs_matrix *const mats[2],
                           const char *const what[2], int gates, const char *const *names,
                           rs_style st, rs_error *err)
{
    int n = (mats[0] != NULL) + (mats[1] != NULL);
    int boxes = n * gates, bw = (area.w - (boxes - 1)) / boxes, k = 0;
    if (bw < 4)
        return 0;
    /* full titles ("recurrent i") only when every one fits, else "k i", "r i" throughout */
    bool full = true;
    for (int i = 0; i < 2; i++)
        full = full && (!mats[i] || (int)strlen(what[i]) + 2 <= bw);
    for (int i = 0; i < 2; i++) {
        if (!mats[i])
            continue;
        size_t units = mats[i]->cols / (size_t)gates;
        for (int g = 0; g < gates; g++, k++) {
            char title[96];
            if (full)
                snprintf(title, sizeof title, "%s %s", what[i], names ? names[g] : "");
            else
                snprintf(title, sizeof title, "%c %s", what[i][0], names ? names[g] : "");
            rs_hist_opts ho;
            rs_hist_defaults(&ho);
            ho.style = st;
            ho.title = title;
            ho.axes = area.h >= 6 && bw >= 14;
            rs_matrix w = rs_matrix_window(*mats[i], 0, mats[i]->rows, (size_t)g * units, units);
            if (!ho.axes) { /* no value axis: its x range in the title, as short as fits */
                rs_stats s;
                rs_stats_matrix(&w, &s);
                char lo[16], hi[16];
                size_t tn = strlen(title);
                for (int digits = 4; s.finite && digits >= 2; digits--) {
                    snprintf(title + tn, sizeof title - tn, " %s..%s",
                             rs_format_number(s.min, digits, lo, sizeof lo),
                             rs_format_number(s.max, digits, hi, sizeof hi));
                    if (rs_utf8_width(title) <= bw)
                        break;
                }
                if (rs_utf8_width(title) > bw)
                    title[tn] = '\0';
            }
            if (rs_hist_draw(c, (rs_rect){area.x + k * (bw + 1), area.y, bw, area.h}, &w, &ho,
                             err) < 0)
                return -1;
        }
    }
    return 0;
}

int rs_weights_draw(rs_canvas *c, rs_rect box, const rs_matrix *kernel,
                    const rs_matrix *recurrent, const rs_matrix *bias, const rs_weights_opts *o,
                    rs_error *err)
{
    int gates = o->gates > 0 ? o->gates : 1;
    if (!kernel && !recurrent && !bias)
        return rs_fail(err, "weights", "no kernel, recurrent kernel or bias to show");
    if (check_gates(kernel, "kernel", gates, err) < 0 ||
        check_gates(recurrent, "recurrent kernel", gates, err) < 0 ||
        check_gates(bias, "bias", gates, err) < 0)
        return -1;
    if (box.w < 1 || box.h < 1)
        return 0;
    const char *const *names = o->gate_names ? o->gate_names : rs_gate_names(gates);
    rs_heatmap_opts ho;
    rs_heatmap_defaults(&ho);
    ho.style = o->style;
    ho.cmap = o->cmap;
    /* one symmetric scale over the kernels; the bias only when there is nothing else */
    double m = fmax(kernel ? abs_max(kernel) : 0, recurrent ? abs_max(recurrent) : 0);
    m = fmax(m, o->cover);
    if (!kernel && !recurrent)
        m = fmax(abs_max(bias), o->cover_bias);
    if (!(m > 0))
        m = 1;
    int fixed = 2 + (bias != NULL) + 1; /* titles, gate names, bias strip, colour bar */
    int hist_h = o->histograms && (kernel || recurrent) && box.h >= 16 ? (box.h - fixed) / 3 : 0;
    int map_h = box.h - fixed - hist_h;
    bool decorated = map_h >= 1;
    if (!decorated)
        map_h = box.h - (bias != NULL && box.h >= 2);
    const rs_matrix *mats[2] = {kernel, recurrent};
    const char *what[2] = {"kernel", "recurrent"};
    int n = (kernel != NULL) + (recurrent != NULL), pw = n ? (box.w - (n - 1) * 2) / n : 0;
    int rc = 0, y = box.y + (decorated ? 2 : 0);
    for (int i = 0, k = 0; i < 2; i++) {
        if (!mats[i])
            continue;
        rs_rect panel = {box.x + k * (pw + 2), y, pw, map_h};
        if (decorated)
            draw_titles(c, (rs_rect){panel.x, box.y, pw, 2}, what[i], mats[i], gates, names,
                        o->notes[i], o->style);
        draw_gated(c, panel, mats[i], gates, &ho, -m, m, err, &rc);
        k++;
    }
    y += map_h;
    if (bias && y < box.y + box.h) {
        /* on its own scale, named beside it: a -4 forget bias must not saturate the kernels,
         * nor the kernels' scale wash out the bias */
        double mb = fmax(abs_max(bias), o->cover_bias);
        if (!(mb > 0))
            mb = 1;
        char label[40], num[16];
        snprintf(label, sizeof label, "bias \u00b1%s", rs_format_number(mb, 6, num, sizeof num));
        if (o->style.graphics == RS_GFX_ASCII)
            snprintf(label, sizeof label, "bias +-%s", num);
        int lw = box.w >= 30 ? rs_utf8_width(label) + 1 : box.w >= 12 ? 5 : 0;
        rs_canvas_print(c, box.x, y, lw > 5 ? label : "bias", lw ? lw : 4,
                        rs_ui_color(o->style.depth, RS_UI_LABEL), RS_COLOR_DEFAULT);
        draw_gated(c, (rs_rect){box.x + lw, y, box.w - lw, 1}, bias, gates, &ho, -mb, mb, err,
                   &rc);
        y++;
    }
    if (decorated && y < box.y + box.h) {
        rs_colorbar_draw(c, (rs_rect){box.x, y, box.w, 1}, &ho, -m, m);
        y++;
    }
    if (rc == 0 && hist_h > 0)
        rc = draw_gate_hists(c, (rs_rect){box.x, y, box.w, box.y + box.h - y}, mats, what, gates,
                             names, o->style, err);
    return rc;
}
