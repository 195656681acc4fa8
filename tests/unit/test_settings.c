/* The settings file: defaults, every setting, key bindings, errors naming file and line, and
 * the shipped share/rnnscope/config (all comments: it must give exactly the defaults). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rnnscope/settings.h"
#include "rnnscope/fileio.h"

static void test_settings(void)
{
    rs_settings c;
    rs_error err;
    rs_settings_defaults(&c);
    CHECK(c.cmap == RS_CMAP_BWR && !c.mouse && c.graphics == RS_TERM_AUTO);
    const char *text = "# comment\n\n"
                       "set colormap = viridis\n"
                       "set mouse = yes   # trailing comment\n"
                       "set graphics = ascii\n"
                       "set view.sequence = detail\n"
                       "set view.attention = lines\n"
                       "set view.vector = hist\n"
                       "bind Q quit\n"
                       "bind q none\n";
    CHECK(rs_settings_parse(&c, text, "cfg", &err) == 0);
    CHECK(c.cmap == RS_CMAP_VIRIDIS && c.mouse && c.graphics == RS_TERM_ASCII);
    CHECK(c.view_sequence == 2 && c.view_attention == 1 && c.view_vector == 4);
    CHECK(rs_keymap_lookup(&c.keys, 'Q') == RS_ACTION_QUIT);
    CHECK(rs_keymap_lookup(&c.keys, 'q') == RS_ACTION_NONE);
}

static void test_errors_name_line(void)
{
    rs_settings c;
    rs_error err;
    rs_settings_defaults(&c);
    CHECK(rs_settings_parse(&c, "set colormap = bwr\nset colour = red\n", "my.cfg", &err) < 0);
    CHECK_STR(err.msg, "my.cfg:2: unknown setting 'colour'");
    CHECK(rs_settings_parse(&c, "bind w fly\n", "my.cfg", &err) < 0);
    CHECK_STR(err.msg, "my.cfg:1: unknown action 'fly'");
    CHECK(rs_settings_parse(&c, "set mouse = maybe\n", "my.cfg", &err) < 0);
    CHECK_CONTAINS(err.msg, "my.cfg:1: mouse is yes or no");
    CHECK(rs_settings_parse(&c, "colormap viridis\n", "my.cfg", &err) < 0);
    CHECK_CONTAINS(err.msg, "expected 'set NAME = VALUE'");
    CHECK(rs_settings_parse(&c, "set view.vector = pie\n", "my.cfg", &err) < 0);
    CHECK_STR(err.msg, "my.cfg:1: unknown view 'pie'");
    CHECK(rs_settings_parse(&c, "\nset max-memory = lots\n", "my.cfg", &err) < 0);
    CHECK_STR(err.msg, "my.cfg:2: max-memory is a size such as 512M, 2G or 1.5GiB, none or "
                       "auto, not 'lots'");
    CHECK(rs_settings_parse(&c, "set max-memory = 1.5G\n", "my.cfg", &err) == 0);
    CHECK(c.max_memory == (size_t)3 << 29);
    CHECK(rs_settings_parse(&c, "set max-memory = auto\n", "my.cfg", &err) == 0);
    CHECK(c.max_memory == 0);
}

static void test_shipped_defaults(void)
{
    unsigned char *text;
    size_t len;
    rs_error err;
    CHECK(rs_read_file(test_path("share/rnnscope/config"), 1 << 20, &text, &len, &err) == 0);
    rs_settings c, d;
    rs_settings_defaults(&c);
    rs_settings_defaults(&d);
    CHECK(rs_settings_parse(&c, (const char *)text, "config", &err) == 0);
    CHECK(memcmp(&c, &d, sizeof c) == 0);
    /* uncommented, every line of it still parses and gives the defaults */
    for (unsigned char *p = text; *p; p++)
        if (*p == '#' && p[1] == ' ' && (p[2] == 's' || p[2] == 'b') && (p == text || p[-1] == '\n'))
            p[0] = p[1] = ' ';
    CHECK(rs_settings_parse(&c, (const char *)text, "config", &err) == 0);
    CHECK(c.cmap == d.cmap && c.mouse == d.mouse && c.graphics == d.graphics);
    CHECK(rs_keymap_lookup(&c.keys, 'q') == RS_ACTION_QUIT);
    free(text);
}

int main(void)
{
    run_test("every setting and key binding", test_settings);
    run_test("errors name the file and line", test_errors_name_line);
    run_test("the shipped config is the defaults", test_shipped_defaults);
    return check_finish();
}
