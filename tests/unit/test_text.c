/* Text from files made safe to show (src/core/text.c): controls, C1, bidi, invalid UTF-8,
 * cutting, and proposed file names. */
#include <string.h>

#include "check.h"
#include "rnnscope/text.h"

static const char *shown(const char *in)
{
    static char out[256];
    rs_text_sanitize(in, out, sizeof out);
    return out;
}

static void test_controls(void)
{
    CHECK_STR(shown("plain name_1"), "plain name_1");
    CHECK_STR(shown("a\x1b]0;title\x07z"), "a\\x1b]0;title\\x07z");
    CHECK_STR(shown("x\x1b[2J\ny\rz\x7f\t"), "x\\x1b[2J\\x0ay\\x0dz\\x7f\\x09");
    CHECK_STR(shown("x\x1b]52;c;cHduZWQ=\x07"), "x\\x1b]52;c;cHduZWQ=\\x07");
}

static void test_unicode(void)
{
    CHECK_STR(shown("caf\xc3\xa9 \xe2\x96\xb6 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x96\xb6 \xf0\x9f\x98\x80");
    CHECK_STR(shown("\xc2\x9b" "31m\xc2\x85"), "\\u009b31m\\u0085");         /* C1 as UTF-8 */
    CHECK_STR(shown("a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\xa8"), "a\\u202eb\\u2066c\\u2028");
}

static void test_invalid_utf8(void)
{
    CHECK_STR(shown("\x9b" "31m"), "\\x9b31m");                              /* a lone C1 byte */
    CHECK_STR(shown("\xc0\xaf\xfe\xff"), "\\xc0\\xaf\\xfe\\xff");            /* overlong, never valid */
    CHECK_STR(shown("\xed\xa0\x80"), "\\xed\\xa0\\x80");                     /* a surrogate */
    CHECK_STR(shown("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");            /* > U+10FFFF */
    CHECK_STR(shown("ab\xe2\x96"), "ab\\xe2\\x96");                          /* cut short */
}

static void test_cut_whole(void)
{
    char out[8];
    CHECK(rs_text_sanitize("abc\x1b" "def", out, sizeof out) == 7);
    CHECK_STR(out, "abc\\x1b");
    CHECK(rs_text_sanitize("abcde\x1b", out, sizeof out) == 5); /* no half escape */
    CHECK_STR(out, "abcde");
    CHECK(rs_text_sanitize(NULL, out, sizeof out) == 0 && out[0] == '\0');
}

static const char *file_name(const char *in)
{
    static char out[128];
    rs_text_file_name(in, out, sizeof out);
    return out;
}

static void test_file_names(void)
{
    CHECK_STR(file_name("lstm_1"), "lstm_1");
    CHECK_STR(file_name("../../etc/passwd"), "___.._etc_passwd");
    CHECK_STR(file_name("-rf"), "_rf");
    CHECK_STR(file_name(".hidden"), "_hidden");
    CHECK_STR(file_name("model/dense 1#x"), "model_dense_1_x");
    CHECK_STR(file_name("a\x1b]52;c;x\x07"), "a_x1b]52;c;x_x07");
    CHECK_STR(file_name(""), "output");
}

int main(void)
{
    run_test("C0 controls and DEL as \\x escapes", test_controls);
    run_test("valid UTF-8 kept; C1, bidi and separators as \\u escapes", test_unicode);
    run_test("invalid UTF-8 byte by byte as \\x escapes", test_invalid_utf8);
    run_test("cut at whole characters and escapes", test_cut_whole);
    run_test("proposed file names: no '/', no leading '-' or '.', never empty", test_file_names);
    return check_finish();
}
