/* Key names, the default bindings from RS_ACTIONS, and rebinding from the config. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "rnnscope/keymap.h"

static const rs_action_info actions[] = {
    {RS_ACTION_NONE, "none", "", "", NULL},
#define RS_ACTION_INFO(id, name, keys, help, bar) {RS_ACTION_##id, name, keys, help, bar},
    RS_ACTIONS(RS_ACTION_INFO)
#define RS_VIEW_ACTION_INFO(ID, fn, name, key, help, bar, applies, defaults, uses) \
    {RS_ACTION_VIEW_##ID, "view-" name, key, help, bar},
    RS_VIEWS(RS_VIEW_ACTION_INFO)
#undef RS_VIEW_ACTION_INFO
    RS_ACTIONS_LATE(RS_ACTION_INFO)
#undef RS_ACTION_INFO
};

const rs_action_info *rs_action_table(size_t *count)
{
    *count = sizeof actions / sizeof actions[0];
    return actions;
}

rs_action rs_action_by_name(const char *name)
{
    for (size_t i = 1; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(actions[i].name, name) == 0)
            return actions[i].id;
    return RS_ACTION_NONE;
}

typedef struct named_key {
    const char *name;
    int key;
} named_key;

static const named_key key_names[] = {
    {"Up", KEY_UP},         {"Down", KEY_DOWN},       {"Left", KEY_LEFT},
    {"Right", KEY_RIGHT},   {"PgUp", KEY_PPAGE},      {"PgDn", KEY_NPAGE},
    {"Home", KEY_HOME},     {"End", KEY_END},         {"Enter", '\n'},
    {"Tab", '\t'},          {"S-Tab", KEY_BTAB},      {"S-Left", KEY_SLEFT},
    {"S-Right", KEY_SRIGHT}, {"Esc", 27},             {"Space", ' '},
    {"Backspace", KEY_BACKSPACE}, {"Delete", KEY_DC},
};

int rs_key_from_name(const char *name)
{
    if (!name || !*name)
        return -1;
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcmp(name, key_names[i].name) == 0)
            return key_names[i].key;
    int n;
    char extra;
    if (name[0] == 'F' && sscanf(name + 1, "%d%c", &n, &extra) == 1 && n >= 1 && n <= 12)
        return KEY_F(n);
    if (strncmp(name, "C-", 2) == 0 && name[2] >= 'a' && name[2] <= 'z' && name[3] == '\0')
        return name[2] - 'a' + 1;
    if (name[1] == '\0' && (unsigned char)name[0] > ' ' && (unsigned char)name[0] < 0x7f)
        return (unsigned char)name[0];
    return -1;
}

const char *rs_key_name(int key, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (key_names[i].key == key) {
            snprintf(buf, len, "%s", key_names[i].name);
            return buf;
        }
    if (key >= KEY_F(1) && key <= KEY_F(12))
        snprintf(buf, len, "F%d", key - KEY_F(0));
    else if (key >= 1 && key <= 26)
        snprintf(buf, len, "C-%c", 'a' + key - 1);
    else if (key > ' ' && key < 0x7f)
        snprintf(buf, len, "%c", key);
    else
        snprintf(buf, len, "key%d", key);
    return buf;
}

static void bind_code(rs_keymap *km, int key, rs_action a)
{
    for (int i = 0; i < km->n; i++)
        if (km->bind[i].key == key) {
            km->bind[i].action = a;
            return;
        }
    if (km->n < RS_KEYMAP_MAX) {
        km->bind[km->n].key = key;
        km->bind[km->n].action = a;
        km->n++;
    }
}

void rs_keymap_defaults(rs_keymap *km)
{
    km->n = 0;
    for (size_t i = 1; i < sizeof actions / sizeof actions[0]; i++) {
        char keys[64];
        snprintf(keys, sizeof keys, "%s", actions[i].keys);
        for (char *save, *k = strtok_r(keys, " ", &save); k; k = strtok_r(NULL, " ", &save))
            bind_code(km, rs_key_from_name(k), actions[i].id);
    }
    bind_code(km, KEY_ENTER, RS_ACTION_OPEN); /* keypad Enter and carriage return too */
    bind_code(km, '\r', RS_ACTION_OPEN);
}

int rs_keymap_bind(rs_keymap *km, const char *key, const char *action_name, rs_error *err)
{
    int code = rs_key_from_name(key);
    if (code < 0)
        return rs_fail(err, NULL, "unknown key '%s'", key);
    rs_action a = rs_action_by_name(action_name);
    if (a == RS_ACTION_NONE && strcmp(action_name, "none") != 0)
        return rs_fail(err, NULL, "unknown action '%s'", action_name);
    bind_code(km, code, a);
    return 0;
}

rs_action rs_keymap_lookup(const rs_keymap *km, int key)
{
    for (int i = 0; i < km->n; i++)
        if (km->bind[i].key == key)
            return km->bind[i].action;
    return RS_ACTION_NONE;
}

const char *rs_keymap_keys_of(const rs_keymap *km, rs_action a, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < km->n; i++) {
        if (km->bind[i].action != a || km->bind[i].key == KEY_ENTER || km->bind[i].key == '\r')
            continue;
        char name[16];
        int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "",
                         rs_key_name(km->bind[i].key, name, sizeof name));
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    return buf;
}
