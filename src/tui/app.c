/* The explorer's loop: terminal detection, ncurses set-up, painting the screen canvas, keys from
 * the keyboard or a script, resizes, signals, and restoring the terminal on every way out. */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "explorer.h"
#include "watch_hook.h"
#include "key_reader.h"
#include "rnnscope/settings.h"
#include "rnnscope/fileio.h"
#include "rnnscope/signals.h"
#include "rnnscope/sixel.h"

#define PROBE_TIMEOUT_MS 500
#define PAIR_SLOTS (257 * 257) /* (fg + 1) * 257 + (bg + 1) for colours -1..255 */
#define PROGRESS_DELAY_MS 100

/* ---- giving the terminal back when a signal ends the program (rnnscope/signals.h) ---- */

/* What endwin() would send, prepared while ncurses runs, and the terminal's modes from before
 * ncurses changed them: the signal hook writes the one and sets the other, both
 * async-signal-safe. */
typedef struct terminal_restore {
    char bytes[512];
    size_t len;
    struct termios modes;
    bool have_modes;
} terminal_restore;

static terminal_restore restore;

static void append_cap(terminal_restore *r, const char *cap)
{
    size_t n = cap && cap != (const char *)-1 ? strlen(cap) : 0;
    if (n && r->len + n < sizeof r->bytes) {
        memcpy(r->bytes + r->len, cap, n);
        r->len += n;
    }
}

static void restore_terminal(void *arg)
{
    terminal_restore *r = arg;
    ssize_t ignored = write(STDOUT_FILENO, r->bytes, r->len);
    (void)ignored;
    if (r->have_modes)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &r->modes);
}

/* Before newterm(): the modes to go back to. */
static void restore_save_modes(terminal_restore *r)
{
    memset(r, 0, sizeof *r);
    r->have_modes = tcgetattr(STDIN_FILENO, &r->modes) == 0;
}

/* After newterm(): what endwin() sends, from the terminfo entry ncurses uses; registers the
 * hook and returns its id. */
static int restore_arm(terminal_restore *r, bool mouse)
{
    append_cap(r, "\033\\"); /* ends a sixel image cut off in the middle */
    if (mouse)
        append_cap(r, "\033[?1000l\033[?1002l\033[?1006l");
    append_cap(r, tigetstr("sgr0"));
    append_cap(r, tigetstr("cnorm"));
    append_cap(r, tigetstr("rmkx"));
    append_cap(r, tigetstr("rmcup"));
    append_cap(r, "\r\n");
    return rs_signal_hook_add(restore_terminal, r);
}

/* ---- painting a canvas with ncurses ---- */

typedef struct painter {
    short *pair_of;   /* (fg+1)*257 + (bg+1) → pair number, 0 = not yet */
    int next_pair;
    attr_t under;     /* the attributes of the cells under the images (under_image) */
    rs_canvas shown;  /* the cells as painted last (a space's foreground as painted; ch
                         UNSEEN under an image and before the first paint) */
    rs_cell *row;     /* one row as it is to be painted */
} painter;

#define UNSEEN 0u

/* A new screen size: nothing painted yet. */
static int painter_resize(painter *p, int w, int h, rs_error *err)
{
    rs_canvas_free(&p->shown);
    free(p->row);
    p->row = NULL;
    if (rs_canvas_init(&p->shown, w, h, err) < 0)
        return -1;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        p->shown.cells[i].ch = UNSEEN;
    if (w > 0 && !(p->row = malloc((size_t)w * sizeof *p->row)))
        return rs_fail(err, NULL, "out of memory");
    return 0;
}

static int pair_for(painter *p, int fg, int bg)
{
    if (fg == RS_COLOR_DEFAULT && bg == RS_COLOR_DEFAULT)
        return 0;
    int slot = (fg + 1) * 257 + (bg + 1);
    if (slot < 0 || slot >= PAIR_SLOTS)
        return 0;
    if (p->pair_of[slot])
        return p->pair_of[slot];
    if (p->next_pair >= COLOR_PAIRS || p->next_pair > 32767)
        return 0; /* out of pairs: default colours rather than wrong ones */
    if (init_extended_pair(p->next_pair, fg, bg) == ERR)
        return 0;
    p->pair_of[slot] = (short)p->next_pair;
    return p->next_pair++;
}

/* The cells under the images, which every write erases: always the same invisible spaces in
 * default colours, so that ncurses never rewrites them (a space there took the colour of the
 * marker beside the image, and a marker moving off a row rewrote the row under the image, a
 * white band through it) nor clears a row to its end across them (they are not blank). When
 * an image moves, the cells under the new one must be rewritten once, to erase what the old
 * one left there (xterm erases an image's pixels in a cell that is written or erased): the
 * painter then switches them to the other of two invisible kinds (A_INVIS, A_INVIS|A_DIM). */
static bool under_image(const rs_rect *boxes, int n, int x, int y)
{
    for (int i = 0; i < n; i++)
        if (x >= boxes[i].x && x < boxes[i].x + boxes[i].w && y >= boxes[i].y &&
            y < boxes[i].y + boxes[i].h)
            return true;
    return false;
}

/* Spaces on screen already (the same background) in a run at least this long keep the
 * foreground they were painted with: ncurses skips such a run (a cursor move is cheaper) when
 * their foreground is the same, and would erase it again for a foreground nobody sees. */
#define KEEP_RUN 10

/* A space shows only its background, so its foreground is the one that costs the fewest bytes
 * on the wire: its left neighbour's (the same background), so that a coloured run with gaps
 * (sparklines, labels, key bars) is one colour change instead of a new colour at every gap
 * (about 20 bytes each), or the one on screen in a long run of unchanged spaces. */
static void space_colors(const rs_cell *shown, rs_cell *want, int w)
{
    for (int x = 0; x < w;) {
        int e = x;
        while (e < w && want[e].ch == ' ' && shown[e].ch == ' ' && shown[e].bg == want[e].bg)
            e++;
        for (int k = x; e - x >= KEEP_RUN && k < e; k++)
            want[k].fg = shown[k].fg;
        if (e - x >= KEEP_RUN) {
            x = e;
            continue;
        }
        if (want[x].ch == ' ')
            want[x].fg = x > 0 && want[x - 1].bg == want[x].bg ? want[x - 1].fg
                         : want[x].bg == RS_COLOR_DEFAULT      ? RS_COLOR_DEFAULT
                                                               : want[x].fg;
        x++;
    }
}

static void paint(painter *p, const rs_canvas *c, const rs_rect *images, int nimages)
{
    int w = c->w < COLS ? c->w : COLS;
    for (int y = 0; y < c->h && y < LINES; y++) {
        rs_cell *shown = &p->shown.cells[(size_t)y * (size_t)c->w], *want = p->row;
        for (int x = 0; x < w; x++)
            want[x] = under_image(images, nimages, x, y)
                          ? (rs_cell){UNSEEN, RS_COLOR_DEFAULT, RS_COLOR_DEFAULT}
                          : *rs_canvas_cell(c, x, y);
        space_colors(shown, want, w);
        for (int x = 0; x < w; x++) {
            bool unseen = want[x].ch == UNSEEN;
            wchar_t wch[2] = {unseen ? L' ' : (wchar_t)want[x].ch, 0};
            int pair = unseen ? 0 : pair_for(p, want[x].fg, want[x].bg);
            cchar_t cc;
            setcchar(&cc, wch, unseen ? p->under : A_NORMAL, 0, &pair);
            mvadd_wch(y, x, &cc);
            shown[x] = want[x];
        }
    }
}

/* ---- sixel images over the painted screen ---- */

typedef struct sixel_overlay {
    ex_sixel_request key;  /* what the cached image shows */
    rs_sixel_image img;
    bool shown;            /* an image is on the screen now */
    int cell_w, cell_h;
} sixel_overlay;

static bool same_request(const ex_sixel_request *a, const ex_sixel_request *b)
{
    return a->active == b->active && a->colorbar == b->colorbar && a->m.data == b->m.data &&
           a->m.rows == b->m.rows && a->m.cols == b->m.cols && a->m.rstride == b->m.rstride &&
           a->m.cstride == b->m.cstride && a->lo == b->lo && a->hi == b->hi &&
           a->cmap == b->cmap && a->agg == b->agg && a->box.x == b->box.x &&
           a->box.y == b->box.y && a->box.w == b->box.w && a->box.h == b->box.h;
}

/* The explorer's images this frame: the heatmap and its colour bar. */
#define IMAGES 2
static void image_requests(const explorer *ex, const ex_sixel_request *rq[IMAGES])
{
    rq[0] = &ex->sixel;
    rq[1] = &ex->sixel_bar;
}

static bool overlap(rs_rect a, rs_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Before painting: what an image that goes away or moves leaves on the screen is erased by
 * the cells painted over it, which ncurses rewrites because they were invisible under it (a
 * full repaint cost a layer switch 40% more than the cells that change). Cells that stay
 * under an image (the new place of one that moved, or of the other image) are not rewritten:
 * then the invisible kind changes, so that they are (erasing the old pixels the new images
 * might not cover: an image is a whole number of sixel rows high) and every image is sent
 * again. An image whose place stays keeps its cells; sixel_after_paint sends new pixels. */
static void sixel_before_paint(painter *p, sixel_overlay so[IMAGES], const ex_sixel_request *rq[IMAGES])
{
    bool rewrite = false, gone[IMAGES];
    for (int i = 0; i < IMAGES; i++) {
        const rs_rect *was = &so[i].key.box;
        gone[i] = so[i].shown && (!rq[i]->active || memcmp(was, &rq[i]->box, sizeof *was));
        for (int j = 0; gone[i] && j < IMAGES; j++)
            rewrite = rewrite || (rq[j]->active && overlap(*was, rq[j]->box));
    }
    for (int i = 0; i < IMAGES; i++)
        if (gone[i] || rewrite)
            so[i].shown = false;
    if (rewrite)
        p->under = p->under == A_INVIS ? (A_INVIS | A_DIM) : A_INVIS;
}

/* Whether painting may have written over the image's cells: the whole screen was repainted,
 * or a cell inside the image's box changed (ncurses rewrites only the cells that changed, and
 * the cells under an image stay blank). */
static bool image_cells_touched(const rs_canvas *now, const rs_canvas *before, rs_rect box,
                                bool full_repaint)
{
    if (full_repaint)
        return true;
    for (int y = box.y; y < box.y + box.h && y < now->h; y++)
        for (int x = box.x; x < box.x + box.w && x < now->w; x++)
            if (memcmp(rs_canvas_cell(now, x, y), rs_canvas_cell(before, x, y), sizeof(rs_cell)))
                return true;
    return false;
}

/* A request as pw x ph pixels: the heatmap, or the colour bar's levels left to right. */
static int encode_request(const ex_sixel_request *rq, int pw, int ph, rs_sixel_image *img,
                          rs_error *err)
{
    if (rq->colorbar)
        return rs_sixel_colorbar(pw, ph, rq->cmap, img, err);
    return rs_sixel_heatmap(&rq->m, pw, ph, rq->cmap, rq->lo, rq->hi, rq->agg, img, err);
}

/* After painting: draw the image at its cells, sent only when its pixels changed or painting
 * wiped it (a key that changes text elsewhere costs that text, not the image). Encoded only
 * when it changed. Written with save-cursor / move / restore-cursor so ncurses' idea of the
 * cursor stays right. */
static void sixel_after_paint(sixel_overlay *so, const ex_sixel_request *rq, bool touched)
{
    if (!rq->active || (so->shown && !touched && same_request(&so->key, rq)))
        return;
    if (!same_request(&so->key, rq) || !so->img.bytes) {
        rs_sixel_free(&so->img);
        int pw = rq->box.w * so->cell_w, ph = rq->box.h * so->cell_h / 6 * 6; /* never below the box */
        rs_error err;
        if (ph < 6 || encode_request(rq, pw, ph, &so->img, &err) < 0)
            return;
        so->key = *rq;
    }
    printf("\0337\033[%d;%dH", rq->box.y + 1, rq->box.x + 1);
    fwrite(so->img.bytes, 1, so->img.len, stdout);
    printf("\0338");
    fflush(stdout);
    so->shown = true;
}

/* ---- keys from a script (the test seam) ---- */

typedef struct script {
    char *text;
    char *next;
} script;

static int script_open(script *s, const char *path, rs_error *err)
{
    unsigned char *data;
    size_t len;
    if (rs_read_file(path, 1 << 20, &data, &len, err) < 0)
        return -1;
    s->text = (char *)data;
    s->next = s->text;
    return 0;
}

/* The next token of the script, or NULL at its end. */
static const char *script_token(script *s)
{
    while (*s->next == ' ' || *s->next == '\n' || *s->next == '\t' || *s->next == '\r')
        s->next++;
    if (!*s->next)
        return NULL;
    char *tok = s->next;
    while (*s->next && *s->next != ' ' && *s->next != '\n' && *s->next != '\t' && *s->next != '\r')
        s->next++;
    if (*s->next)
        *s->next++ = '\0';
    return tok;
}

static int dump_screen(explorer *ex, rs_canvas *c, const char *path, rs_error *err)
{
    ex_draw(ex, c);
    char *text = rs_canvas_text(c);
    if (!text)
        return rs_fail(err, path, "out of memory");
    FILE *f = fopen(path, "a");
    if (!f) {
        free(text);
        return rs_fail(err, path, "%s", strerror(errno));
    }
    fputs(text, f);
    fputs("\f\n", f); /* screens are separated by a form feed line */
    free(text);
    return fclose(f) == 0 ? 0 : rs_fail(err, path, "write failed");
}

/* One token of a --keys script: a key name as for the config ("j", "Enter", "F10"), "dump" to
 * append the screen to the dump file, "click:X,Y", "wheel:X,Y,DIR" (DIR -1 up, 1 down), or "wait:MS" (in a terminal: act on the
 * keyboard for MS milliseconds before the next token). Shared by headless and terminal runs. */
static int script_step(explorer *ex, rs_canvas *c, const rs_tui_options *o, const char *tok,
                       rs_error *err)
{
    int x, y, key, ms;
    if (sscanf(tok, "wheel:%d,%d,%d", &x, &y, &key) == 3) {
        ex_wheel(ex, x, y, key);
        return 0;
    }
    if (sscanf(tok, "wait:%d", &ms) == 1)
        return 0; /* no keyboard to wait for when headless */
    if (strcmp(tok, "dump") == 0)
        return o->dump_path ? dump_screen(ex, c, o->dump_path, err) : 0;
    if (sscanf(tok, "click:%d,%d", &x, &y) == 2) {
        ex_click(ex, x, y);
        return 0;
    }
    if ((key = rs_key_from_name(tok)) < 0)
        return rs_fail(err, o->keys_script, "unknown key '%s'", tok);
    ex_key(ex, key);
    return 0;
}

/* Headless, a sixel heatmap is encoded as on a terminal of 10x20-pixel cells and dropped:
 * tests drive the encoder through the explorer's own requests. */
static void headless_sixel(const explorer *ex)
{
    const ex_sixel_request *rq[IMAGES];
    image_requests(ex, rq);
    for (int i = 0; i < IMAGES; i++) {
        rs_sixel_image img;
        rs_error ignored;
        if (rq[i]->active && rq[i]->box.w > 0 && rq[i]->box.h > 0 &&
            encode_request(rq[i], rq[i]->box.w * 10, rq[i]->box.h * 20, &img, &ignored) == 0)
            rs_sixel_free(&img);
    }
}

/* Feed the whole script, then dump the final screen. */
static int run_script(explorer *ex, rs_canvas *c, const rs_tui_options *o, rs_error *err)
{
    script s;
    if (script_open(&s, o->keys_script, err) < 0)
        return -1;
    int rc = 0;
    const char *tok;
    while (rc == 0 && !ex->quit && (tok = script_token(&s))) {
        ex_draw(ex, c); /* as on screen: the view sizes of the last draw steer paging */
        headless_sixel(ex);
        rc = script_step(ex, c, o, tok, err);
    }
    if (rc == 0 && o->dump_path)
        rc = dump_screen(ex, c, o->dump_path, err);
    free(s.text);
    return rc;
}

/* ---- progress of long computations ---- */

typedef struct progress_state {
    struct timespec start;
    bool shown;
    explorer *ex;
    key_reader *keys;
} progress_state;

static long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static bool show_progress(void *user, double fraction)
{
    progress_state *p = user;
    if (elapsed_ms(&p->start) < PROGRESS_DELAY_MS)
        return true;
    int w = COLS > 30 ? COLS - 30 : 10, done = (int)(fraction * w);
    move(LINES - 2, 0);
    clrtoeol();
    printw("computing [%-*.*s] %3d%%  Esc cancels", w, done,
           "################################################################################"
           "################################################################################"
           "################################################################################",
           (int)(fraction * 100));
    refresh();
    p->shown = true;
    int key = key_read(p->keys, 0);
    if (key == ERR)
        return true;
    if (key == 27)
        return false; /* Esc cancels */
    if (rs_keymap_lookup(&p->ex->keys, key) == RS_ACTION_QUIT) {
        p->ex->quit = true;
        return false;
    }
    key_unread(p->keys, key); /* other keys act when the computation is done */
    return true;
}

/* ---- the interactive loop ---- */

/* A key within timeout_ms. With --watch, waited for in slices of WATCH_SLICE_MS (shorter when
 * a changed checkpoint settles sooner), returning ERR early when the watcher has something to
 * do: a reload is then late by at most a slice, not by a whole wait (250 ms), and a file
 * written for a long time wakes the explorer at most every slice. */
#define WATCH_SLICE_MS 50

static int wait_key(key_reader *kr, const ex_watch *xw, int timeout_ms)
{
    if (!xw->w)
        return key_read(kr, timeout_ms);
    for (;;) {
        int due = ex_watch_due_ms(xw);
        int slice = timeout_ms < WATCH_SLICE_MS ? timeout_ms : WATCH_SLICE_MS;
        if (due > 0 && due < slice)
            slice = due;
        int key = key_read(kr, slice);
        timeout_ms -= slice;
        if (key != ERR || timeout_ms <= 0 || ex_watch_due_ms(xw) == 0)
            return key;
    }
}

static rs_color_depth detect_depth(void)
{
    const char *no_color = getenv("NO_COLOR");
    if ((no_color && *no_color) || !has_colors())
        return RS_DEPTH_NONE;
    return COLORS >= 256 ? RS_DEPTH_256 : COLORS >= 8 ? RS_DEPTH_8 : RS_DEPTH_NONE;
}

/* The terminal's cell size in pixels, for every image. */
static void cell_size(const rs_term_caps *caps, sixel_overlay so[IMAGES])
{
    int w, h;
    rs_term_cell_size(caps, STDIN_FILENO, &w, &h);
    for (int i = 0; i < IMAGES; i++) {
        so[i].cell_w = w;
        so[i].cell_h = h;
    }
}

static int interactive(explorer *ex, const rs_tui_options *o, rs_error *err)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return rs_fail(err, NULL, "the explorer needs a terminal; in scripts use 'rnnscope plot' "
                                  "or 'rnnscope dump'");
    rs_term_caps caps;
    rs_term_env env;
    rs_term_env_from_process(&env);
    if (o->graphics == RS_TERM_AUTO && rs_term_probe(STDIN_FILENO, PROBE_TIMEOUT_MS, &caps, err) < 0)
        return -1;
    if (o->graphics != RS_TERM_AUTO)
        memset(&caps, 0, sizeof caps);
    ex->mode = rs_graphics_decide(o->graphics, &caps, &env, ex->mode_why, sizeof ex->mode_why);
    ex->style.graphics = ex->mode == RS_TERM_ASCII ? RS_GFX_ASCII : RS_GFX_UNICODE;

    restore_save_modes(&restore);
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr)
        return rs_fail(err, NULL, "cannot start the screen (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
    int hook = restore_arm(&restore, o->mouse);
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    leaveok(stdscr, TRUE); /* the cursor is hidden: no move to park it after each update */
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
    ex->style.depth = detect_depth();
    if (o->mouse)
        mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);

    int rc = 0;
    painter p = {calloc(PAIR_SLOTS, sizeof(short)), 1, A_INVIS, {0}, NULL};
    sixel_overlay so[IMAGES] = {0};
    const ex_sixel_request *rq[IMAGES];
    image_requests(ex, rq);
    script keys = {0};
    if (o->keys_script && script_open(&keys, o->keys_script, err) < 0)
        rc = -1;
    cell_size(&caps, so);
    rs_canvas last = {0};
    key_reader kr = {0};
    long wait_until = 0; /* a script's "wait:MS": the keyboard until then */
    progress_state prog = {.ex = ex, .keys = &kr};
    rs_progress pr = {show_progress, &prog};
    ex->progress = &pr;
    rs_canvas c = {0};
    ex_watch xw = {.w = o->watch};
    ex_watch_tick(ex, &xw);
    while (rc == 0 && !ex->quit && p.pair_of) {
        bool resized = c.w != COLS || c.h != LINES;
        if (resized) {
            rs_canvas_free(&c);
            rs_canvas_free(&last);
            if (rs_canvas_init(&c, COLS, LINES, err) < 0 || rs_canvas_init(&last, COLS, LINES, err) < 0 ||
                painter_resize(&p, COLS, LINES, err) < 0) {
                rc = -1;
                break;
            }
            cell_size(&caps, so);
        }
        clock_gettime(CLOCK_MONOTONIC, &prog.start);
        prog.shown = false;
        ex_draw(ex, &c);
        bool touched[IMAGES];
        for (int i = 0; i < IMAGES; i++)
            touched[i] = image_cells_touched(&c, &last, rq[i]->box, resized || ex->redraw_all);
        if (ex->redraw_all) {
            clearok(curscr, TRUE);
            ex->redraw_all = false;
        }
        sixel_before_paint(&p, so, rq);
        rs_rect images[IMAGES];
        int nimages = 0;
        for (int i = 0; i < IMAGES; i++)
            if (rq[i]->active)
                images[nimages++] = rq[i]->box;
        paint(&p, &c, images, nimages);
        refresh();
        for (int i = 0; i < IMAGES; i++)
            sixel_after_paint(&so[i], rq[i], touched[i]);
        memcpy(last.cells, c.cells, (size_t)c.w * (size_t)c.h * sizeof *c.cells);
        /* keys from --keys first (a real terminal driven by a script), then the keyboard */
        const char *tok = keys.text && now_ms() >= wait_until ? script_token(&keys) : NULL;
        int wait_ms;
        if (tok && sscanf(tok, "wait:%d", &wait_ms) == 1) {
            wait_until = now_ms() + wait_ms;
            continue;
        }
        if (tok) {
            rc = script_step(ex, &c, o, tok, err);
            continue;
        }
        long left = wait_until - now_ms();
        /* wake up now and then to notice signals, a resize on a terminal without SIGWINCH and the
         * end of a script's wait */
        int key = wait_key(&kr, &xw, left > 0 && left < 250 ? (int)left : 250);
        ex_watch_tick(ex, &xw); /* --watch: a new checkpoint, the status line's age */
        if (key == ERR)
            continue;
        MEVENT ev;
        if (key == KEY_MOUSE) {
            if (getmouse(&ev) != OK)
                continue;
            if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
                ex_click(ex, ev.x, ev.y);
            else if (ev.bstate & BUTTON4_PRESSED)
                ex_wheel(ex, ev.x, ev.y, -1);
            else if (ev.bstate & BUTTON5_PRESSED)
                ex_wheel(ex, ev.x, ev.y, 1);
            continue;
        }
        ex_key(ex, key);
    }
    ex_watch_free(ex, &xw);
    rs_canvas_free(&c);
    rs_canvas_free(&last);
    for (int i = 0; i < IMAGES; i++)
        rs_sixel_free(&so[i].img);
    free(keys.text);
    free(p.pair_of);
    rs_canvas_free(&p.shown);
    free(p.row);
    endwin();
    rs_signal_hook_remove(hook);
    delscreen(scr);
    ex->progress = NULL;
    return rc;
}

static int headless(explorer *ex, const rs_tui_options *o, rs_error *err)
{
    int cols = o->headless_cols > 0 ? o->headless_cols : 80;
    int rows = o->headless_rows > 0 ? o->headless_rows : 24;
    rs_canvas c;
    if (rs_canvas_init(&c, cols, rows, err) < 0)
        return -1;
    rs_term_env env;
    rs_term_env_from_process(&env);
    ex->mode = rs_graphics_decide(o->graphics, NULL, &env, ex->mode_why, sizeof ex->mode_why);
    ex->style.graphics = ex->mode == RS_TERM_ASCII ? RS_GFX_ASCII : RS_GFX_UNICODE;
    ex->style.depth = RS_DEPTH_NONE;
    int rc = o->keys_script ? run_script(ex, &c, o, err)
                            : (o->dump_path ? dump_screen(ex, &c, o->dump_path, err) : 0);
    rs_canvas_free(&c);
    return rc;
}

/* Settings from the config file; command-line options and RNNSCOPE_GRAPHICS win over it. */
static int apply_config(explorer *ex, rs_tui_options *o, rs_error *err)
{
    rs_settings cfg;
    rs_settings_defaults(&cfg);
    if (rs_settings_load(&cfg, err) < 0)
        return -1;
    ex->keys = cfg.keys;
    ex->cmap = cfg.cmap;
    o->mouse = o->mouse || cfg.mouse;
    const char *env = getenv("RNNSCOPE_GRAPHICS");
    if (o->graphics == RS_TERM_AUTO && !(env && *env))
        o->graphics = cfg.graphics;
    ex->default_view[0] = cfg.view_sequence - 1;
    ex->default_view[1] = cfg.view_attention - 1;
    ex->default_view[2] = cfg.view_vector - 1;
    return 0;
}

int rs_tui_run(rs_model *m, rs_tui_input *input, const rs_tui_options *opts, rs_error *err)
{
    explorer ex;
    rs_tui_options copy = *opts, *o = &copy;
    if (ex_init(&ex, m, input, err) < 0)
        return -1;
    ex.grad.opts = o->grad;
    ex.grad.on = o->grad.start;
    ex.timeline.dir = o->timeline_dir;
    if ((o->compare && ex_compare_init(&ex, o->compare, err) < 0) || apply_config(&ex, o, err) < 0) {
        ex_free(&ex);
        return -1;
    }
    int rc = o->headless ? headless(&ex, o, err) : interactive(&ex, o, err);
    ex_free(&ex);
    return rc;
}
