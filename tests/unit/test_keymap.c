/* The keymap: names, defaults from the action table, rebinding, reverse lookup. */
#include <curses.h>
#include <string.h>

#include "check.h"
#include "rnnscope/keymap.h"

static void test_key_names(void)
{
    CHECK(rs_key_from_name("q") == 'q');
    CHECK(rs_key_from_name("F10") == KEY_F(10));
    CHECK(rs_key_from_name("C-l") == 12);
    CHECK(rs_key_from_name("S-Tab") == KEY_BTAB);
    CHECK(rs_key_from_name("PgDn") == KEY_NPAGE);
    CHECK(rs_key_from_name("F13") == -1);
    CHECK(rs_key_from_name("qq") == -1);
    CHECK(rs_key_from_name("") == -1);
    char buf[16];
    CHECK_STR(rs_key_name(KEY_F(1), buf, sizeof buf), "F1");
    CHECK_STR(rs_key_name(12, buf, sizeof buf), "C-l");
    CHECK_STR(rs_key_name('[', buf, sizeof buf), "[");
}

static void test_defaults_cover_the_issue_keys(void)
{
    rs_keymap km;
    rs_keymap_defaults(&km);
    CHECK(rs_keymap_lookup(&km, 'q') == RS_ACTION_QUIT);
    CHECK(rs_keymap_lookup(&km, KEY_F(10)) == RS_ACTION_QUIT);
    CHECK(rs_keymap_lookup(&km, '?') == RS_ACTION_HELP);
    CHECK(rs_keymap_lookup(&km, KEY_F(1)) == RS_ACTION_HELP);
    CHECK(rs_keymap_lookup(&km, 'j') == RS_ACTION_DOWN);
    CHECK(rs_keymap_lookup(&km, KEY_UP) == RS_ACTION_UP);
    CHECK(rs_keymap_lookup(&km, '\t') == RS_ACTION_FOCUS_NEXT);
    CHECK(rs_keymap_lookup(&km, '\n') == RS_ACTION_OPEN);
    CHECK(rs_keymap_lookup(&km, '\r') == RS_ACTION_OPEN);
    CHECK(rs_keymap_lookup(&km, '3') == RS_ACTION_VIEW_HEATMAP);
    CHECK(rs_keymap_lookup(&km, ']') == RS_ACTION_CURSOR_NEXT);
    CHECK(rs_keymap_lookup(&km, KEY_SRIGHT) == RS_ACTION_CURSOR_NEXT);
    CHECK(rs_keymap_lookup(&km, 'x') == RS_ACTION_EXPORT);
    CHECK(rs_keymap_lookup(&km, 12) == RS_ACTION_REDRAW);
    CHECK(rs_keymap_lookup(&km, '@') == RS_ACTION_NONE);
    /* no key is bound twice by the table */
    size_t n;
    const rs_action_info *t = rs_action_table(&n);
    int seen = 0;
    for (size_t i = 1; i < n; i++) {
        char keys[64];
        strcpy(keys, t[i].keys);
        for (char *s, *k = strtok_r(keys, " ", &s); k; k = strtok_r(NULL, " ", &s)) {
            CHECK(rs_key_from_name(k) >= 0);
            CHECK(rs_keymap_lookup(&km, rs_key_from_name(k)) == t[i].id);
            seen++;
        }
    }
    /* issue 15: the samples view's "7", "L" (layers panel), "C" (columns); issue 16: the
     * values view's "8"; issue 18: "d", "u", "i", "m", "b"; issue 19: "a", the timeline's "9" */
    CHECK(seen == 60);
}

static void test_rebinding(void)
{
    rs_keymap km;
    rs_error err;
    rs_keymap_defaults(&km);
    CHECK(rs_keymap_bind(&km, "Q", "quit", &err) == 0);
    CHECK(rs_keymap_bind(&km, "q", "none", &err) == 0);
    CHECK(rs_keymap_lookup(&km, 'Q') == RS_ACTION_QUIT);
    CHECK(rs_keymap_lookup(&km, 'q') == RS_ACTION_NONE);
    CHECK(rs_keymap_bind(&km, "Hyper-x", "quit", &err) < 0);
    CHECK_STR(err.msg, "unknown key 'Hyper-x'");
    CHECK(rs_keymap_bind(&km, "w", "fly", &err) < 0);
    CHECK_STR(err.msg, "unknown action 'fly'");
    char buf[64];
    CHECK_STR(rs_keymap_keys_of(&km, RS_ACTION_QUIT, buf, sizeof buf), "F10 Q");
    CHECK_STR(rs_keymap_keys_of(&km, RS_ACTION_OPEN, buf, sizeof buf), "Enter");
}

int main(void)
{
    run_test("key names both ways", test_key_names);
    run_test("default bindings cover the documented keys, each key once", test_defaults_cover_the_issue_keys);
    run_test("rebinding and listing the keys of an action", test_rebinding);
    return check_finish();
}
