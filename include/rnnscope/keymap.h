/* The explorer's named actions and the keys bound to them. One table (RS_ACTIONS, the views of
 * RS_VIEWS, RS_ACTIONS_LATE) gives the default bindings, the help overlay, the key bar and the
 * man page's key list. */
#ifndef RNNSCOPE_KEYMAP_H
#define RNNSCOPE_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "rnnscope/error.h"
#include "rnnscope/view.h"

/* X(ID, name, default keys (space-separated key names), help text, key-bar label or NULL) */
#define RS_ACTIONS(X)                                                                          \
    X(HELP, "help", "? F1", "show this help", "Help")                                         \
    X(QUIT, "quit", "q F10", "quit", "Quit")                                                  \
    X(REDRAW, "redraw", "C-l", "redraw the screen", NULL)                                     \
    X(FOCUS_NEXT, "focus-next", "Tab", "move focus to the next panel", NULL)                  \
    X(FOCUS_PREV, "focus-prev", "S-Tab", "move focus to the previous panel", NULL)            \
    X(LAYERS_PANEL, "layers-panel", "L", "hide or show the layers panel", NULL)                \
    X(UP, "up", "Up k", "previous layer, or previous channel in the view", NULL)              \
    X(DOWN, "down", "Down j", "next layer, or next channel in the view", NULL)                \
    X(LEFT, "left", "Left h", "collapse a layer / previous page of channels", NULL)           \
    X(RIGHT, "right", "Right l", "expand a layer / next page of channels", NULL)              \
    X(PAGE_UP, "page-up", "PgUp", "one page up", NULL)                                        \
    X(PAGE_DOWN, "page-down", "PgDn", "one page down", NULL)                                  \
    X(FIRST, "first", "Home g", "first item", NULL)                                           \
    X(LAST, "last", "End G", "last item", NULL)                                               \
    X(OPEN, "open", "Enter", "open a layer's outputs and internals", NULL)                    \
    X(SEARCH, "search", "/", "search layers by name", "Search")                               \
    X(SEARCH_NEXT, "search-next", "n", "next match", NULL)                                    \
    X(SEARCH_PREV, "search-prev", "N", "previous match", NULL)

/* then one action per view of the view table (rnnscope/view.h), "view-NAME", then these: */
#define RS_ACTIONS_LATE(X)                                                                     \
    X(CURSOR_PREV, "cursor-prev", "[ S-Left",                                                 \
      "move the cursor back: a timestep (timeline: a checkpoint)", NULL)                      \
    X(CURSOR_NEXT, "cursor-next", "] S-Right",                                                \
      "move the cursor on: a timestep (timeline: a checkpoint)", NULL)                        \
    X(ZOOM_IN, "zoom-in", "+ =", "show fewer timesteps", NULL)                                \
    X(ZOOM_OUT, "zoom-out", "-", "show more timesteps", NULL)                                 \
    X(PAN_LEFT, "pan-left", "<", "move the timestep window back", NULL)                       \
    X(PAN_RIGHT, "pan-right", ">", "move the timestep window on", NULL)                       \
    X(EQUAL_AXES, "equal-axes", "e", "one y range for every channel", NULL)                   \
    X(ZERO_LINE, "zero-line", "z", "draw the line y = 0", NULL)                               \
    X(COLUMNS, "columns", "C", "lines: panels per row (auto, 1, 2, 3, 4, 6, 8)", NULL)        \
    X(COLORMAP, "colormap", "c", "next colormap (bwr, viridis, gray)", NULL)                  \
    X(NORMALIZE, "normalize", "M", "next heatmap normalization (auto, min-max)", NULL)        \
    X(TRANSPOSE, "transpose", "t", "transpose the heatmap", NULL)                             \
    X(GRADIENT, "gradient", "d", "values <-> gradients of the objective, in every view", "Grad") \
    X(UNIT_NEXT, "unit-next", "u", "gradients: next unit J of the model output (the objective)", \
      NULL)                                                                                    \
    X(STRIP_SOURCE, "strip-source", "i",                                                       \
      "gradients: the strip shows the output's or the model input's importance", NULL)        \
    X(SALIENCY_METHOD, "saliency-method", "m",                                                 \
      "gradients: the input's saliency: grad, input_x_grad, ig (integrated)", NULL)           \
    X(REFLECT_HALF, "reflect-half", "b",                                                       \
      "Bidirectional: the backward half's steps reversed (both in processing order)", NULL)   \
    X(SAMPLE_NEXT, "sample-next", "s", "next sample of the input batch", "Sample")            \
    X(SAMPLE_PREV, "sample-prev", "S", "previous sample of the input batch", NULL)            \
    X(RANDOM, "random", "r", "new random input (when the input is random)", NULL)             \
    X(EXPORT, "export", "x", "export the current output to .npy or .csv", "Export")        \
    X(COMPARE, "compare", "a", "--compare: show A, B or A - B (A and B on one scale)", NULL)

typedef enum rs_action {
    RS_ACTION_NONE = 0,
#define RS_ACTION_ENUM(id, name, keys, help, bar) RS_ACTION_##id,
    RS_ACTIONS(RS_ACTION_ENUM)
#define RS_ACTION_VIEW_ENUM(ID, fn, name, key, help, bar, applies, defaults, uses) \
    RS_ACTION_VIEW_##ID,
    RS_VIEWS(RS_ACTION_VIEW_ENUM)
#undef RS_ACTION_VIEW_ENUM
    RS_ACTIONS_LATE(RS_ACTION_ENUM)
#undef RS_ACTION_ENUM
    RS_ACTION_COUNT
} rs_action;

/* The action that shows view v, and the view an action shows (RS_VIEW_COUNT: none). */
#define RS_ACTION_OF_VIEW(v) ((rs_action)(RS_ACTION_VIEW_LINES + (v)))
#define RS_VIEW_OF_ACTION(a)                                                                   \
    ((a) >= RS_ACTION_VIEW_LINES && (a) < RS_ACTION_VIEW_LINES + RS_VIEW_COUNT                 \
         ? (rs_view_id)((a) - RS_ACTION_VIEW_LINES) : RS_VIEW_COUNT)

typedef struct rs_action_info {
    rs_action id;
    const char *name;
    const char *keys; /* default bindings */
    const char *help;
    const char *bar;
} rs_action_info;

/* Every action, in table order (index 0 is RS_ACTION_NONE's slot, unused). */
const rs_action_info *rs_action_table(size_t *count);
rs_action rs_action_by_name(const char *name);

#define RS_KEYMAP_MAX 256

typedef struct rs_keymap {
    int n;
    struct {
        int key;           /* ncurses key code or character */
        rs_action action;
    } bind[RS_KEYMAP_MAX];
} rs_keymap;

/* The default bindings of the table. */
void rs_keymap_defaults(rs_keymap *km);

/* Bind a key (by name: "q", "F10", "C-l", "S-Tab", "PgDn", "Enter", "Space") to an action;
 * the key's previous binding is replaced. */
int rs_keymap_bind(rs_keymap *km, const char *key, const char *action_name, rs_error *err);

rs_action rs_keymap_lookup(const rs_keymap *km, int key);

/* Key code of a key name, or -1. */
int rs_key_from_name(const char *name);

/* Name of a key code into buf ("F1", "C-l", "q"). */
const char *rs_key_name(int key, char *buf, size_t len);

/* The keys bound to an action, as "? F1" into buf ("" when none). */
const char *rs_keymap_keys_of(const rs_keymap *km, rs_action a, char *buf, size_t len);

#endif
