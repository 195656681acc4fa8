/* Terminal detection: the reply parser on recorded replies, the graphics-mode choice, and the
 * probe against a pseudo-terminal that answers like xterm, answers nothing, or answers garbage. */
#include <pthread.h>
#include <stdio.h>
#include <pty.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "rnnscope/term.h"

/* Replies recorded from real terminals (terminal-graphics.md §2, §4; xterm 379, tmux 3.3a). */
#define XTERM_VT340 "\033[?1;0;256S\033[?2;0;480;312S\033P>|XTerm(379)\033\\\033[?63;1;2;4;6;9;15;16;22;28c"
#define XTERM_PLAIN "\033[?1;3S\033[?2;3S\033P>|XTerm(379)\033\\\033[?64;1;2;6;9;15;16;17;18;21;22;28c"
#define TMUX_33A "\033P>|tmux 3.3a\033\\\033[?1;2c"
#define XTERM_WINOPS "\033[?1;0;1024S\033[6;13;6t\033[?63;1;2;4;22c"

static void parse(const char *s, rs_term_caps *caps)
{
    rs_term_parse((const unsigned char *)s, strlen(s), caps);
}

static void test_xterm_vt340(void)
{
    rs_term_caps c;
    parse(XTERM_VT340, &c);
    CHECK(c.answered && c.sixel);
    CHECK(c.color_registers == 256 && c.sixel_w == 480 && c.sixel_h == 312);
    CHECK_STR(c.version, "XTerm(379)");
    parse(XTERM_WINOPS, &c);
    CHECK(c.sixel && c.cell_w == 6 && c.cell_h == 13 && c.color_registers == 1024);
}

static void test_plain_xterm_and_tmux(void)
{
    rs_term_caps c;
    parse(XTERM_PLAIN, &c);
    CHECK(c.answered && !c.sixel);
    CHECK(c.color_registers == 0 && c.sixel_w == 0); /* failure statuses ignored */
    parse(TMUX_33A, &c);
    CHECK(c.answered && !c.sixel);
    CHECK_STR(c.version, "tmux 3.3a");
}

static void test_nothing_and_garbage(void)
{
    rs_term_caps c;
    parse("", &c);
    CHECK(!c.answered && !c.sixel);
    static const unsigned char junk[] = "\033[\033[?;;;;4c\033P>|\033\033[?99999999999;4c\033[6;t\xff\x00\033";
    rs_term_parse(junk, sizeof junk - 1, &c);
    CHECK(c.answered); /* the last well-formed DA1 counts */
    unsigned char noise[512];
    unsigned s = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        s = s * 1103515245u + 12345u;
        noise[i] = (unsigned char)(s >> 16);
    }
    rs_term_parse(noise, sizeof noise, &c); /* must not crash; any result is fine */
    parse("\033[?1;2", &c); /* truncated */
    CHECK(!c.answered);
    CHECK(strstr(rs_term_queries(), "\033[c") + 3 == rs_term_queries() + strlen(rs_term_queries()));
}

static rs_term_env env_utf8(void)
{
    rs_term_env e = {.term = "xterm-256color", .utf8 = true};
    return e;
}

/* Replies the fuzzer found harmful (tests/fuzz/regressions/term), e.g. a tmux version with more
 * digits than an int holds: parsed and decided on without overflow (the ASan/UBSan build of
 * this test fails on any undefined behaviour). */
static void decide_on_reply(const char *name, const unsigned char *data, size_t n, void *user)
{
    (void)name;
    (void)user;
    rs_term_caps c;
    memset(&c, 0, sizeof c);
    rs_term_parse(data, n, &c);
    rs_term_env env = env_utf8();
    char why[64];
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &c, &env, why, sizeof why) != RS_TERM_AUTO);
}

static void test_fuzz_found_replies(void)
{
    CHECK(for_each_file("tests/fuzz/regressions/term", decide_on_reply, NULL) > 0);
    /* A tmux that says it is a huge version is at least 3.4: sixel passes through. */
    rs_term_caps vt340;
    parse(XTERM_VT340, &vt340);
    rs_term_env e = env_utf8();
    e.tmux = "/tmp/tmux-0/default,1,0";
    e.term_program = "tmux";
    e.term_program_version = "99999999999999999999.99999999999";
    char why[64];
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_SIXEL);
    e.term_program_version = "3.10";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_SIXEL);
    e.term_program_version = "next-3.4";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_UNICODE);
}

static void test_mode_choice(void)
{
    rs_term_caps vt340, plain;
    parse(XTERM_VT340, &vt340);
    parse(XTERM_PLAIN, &plain);
    rs_term_env e = env_utf8();
    char why[64];
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_SIXEL);
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &plain, &e, why, sizeof why) == RS_TERM_UNICODE);
    e.tmux = "/tmp/tmux-0/default,1,0";
    e.term_program = "tmux";
    e.term_program_version = "3.3a";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_UNICODE);
    CHECK_CONTAINS(why, "tmux");
    e.term_program_version = "3.4";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_SIXEL);
    CHECK(rs_graphics_decide(RS_TERM_SIXEL, &plain, &e, why, sizeof why) == RS_TERM_SIXEL);
    e = env_utf8();
    e.sty = "1234.pts-0.host";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_UNICODE);
    e = env_utf8();
    e.utf8 = false;
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_ASCII);
    e = env_utf8();
    e.term = "dumb";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &plain, &e, why, sizeof why) == RS_TERM_ASCII);
    e = env_utf8();
    e.graphics = "ascii";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, &vt340, &e, why, sizeof why) == RS_TERM_ASCII);
    CHECK(rs_graphics_decide(RS_TERM_UNICODE, &vt340, &e, why, sizeof why) == RS_TERM_UNICODE);
    /* no terminal (plot into a pipe, the headless explorer): the locale, not TERM, decides;
     * --graphics and RNNSCOPE_GRAPHICS still win */
    e = env_utf8();
    e.term = "dumb";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, NULL, &e, why, sizeof why) == RS_TERM_UNICODE);
    CHECK_STR(why, "not a terminal");
    e.utf8 = false;
    CHECK(rs_graphics_decide(RS_TERM_AUTO, NULL, &e, why, sizeof why) == RS_TERM_ASCII);
    CHECK(rs_graphics_decide(RS_TERM_SIXEL, NULL, &e, why, sizeof why) == RS_TERM_SIXEL);
    e = env_utf8();
    e.graphics = "ascii";
    CHECK(rs_graphics_decide(RS_TERM_AUTO, NULL, &e, why, sizeof why) == RS_TERM_ASCII);
    rs_term_graphics g;
    CHECK(rs_graphics_parse("SIXEL", &g) && g == RS_TERM_SIXEL);
    CHECK(!rs_graphics_parse("kitty", &g));
}

/* A fake terminal on the master side of a pty: reads the queries, then writes `reply`. */
typedef struct fake_term {
    int master;
    const char *reply;
    char got[256];
} fake_term;

static void *fake_term_main(void *arg)
{
    fake_term *f = arg;
    size_t len = 0;
    struct timespec pause = {0, 20 * 1000 * 1000};
    for (int tries = 0; tries < 25 && !strstr(f->got, "\033[c"); tries++) {
        ssize_t n = read(f->master, f->got + len, sizeof f->got - 1 - len);
        if (n > 0) {
            len += (size_t)n;
            f->got[len] = '\0';
        } else {
            nanosleep(&pause, NULL);
        }
    }
    if (f->reply)
        (void)!write(f->master, f->reply, strlen(f->reply));
    return NULL;
}

static long probe_with(const char *reply, rs_term_caps *caps, char *queries_seen)
{
    int master, slave;
    if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
        CHECK(!"openpty works");
        return -1;
    }
    fake_term f = {.master = master, .reply = reply};
    pthread_t th;
    pthread_create(&th, NULL, fake_term_main, &f);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    rs_error err;
    CHECK(rs_term_probe(slave, 500, caps, &err) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(th, NULL);
    if (queries_seen)
        strcpy(queries_seen, f.got);
    close(master);
    close(slave);
    return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

static void test_probe_on_a_pty(void)
{
    rs_term_caps c;
    char seen[256];
    long ms = probe_with(XTERM_VT340, &c, seen);
    CHECK(c.answered && c.sixel && c.color_registers == 256);
    CHECK(strstr(seen, "\033[c") != NULL);
    CHECK(ms < 500); /* returns as soon as DA1 arrives */
    ms = probe_with(NULL, &c, NULL);
    CHECK(!c.answered && !c.sixel);
    CHECK(ms >= 450 && ms < 1000); /* a silent terminal costs the timeout, no more */
    ms = probe_with("\033[?\033[zz\xff\xfe garbage \033P>|", &c, NULL);
    CHECK(!c.answered && ms < 1000);
    rs_error err;
    CHECK(rs_term_probe(-1, 100, &c, &err) < 0);
}

static rs_term_reply match(const char *s, size_t *used)
{
    return rs_term_reply_match((const unsigned char *)s, strlen(s), used);
}

/* Every reply of the recorded terminals, one after another, is recognised whole; keys and
 * other sequences (arrows, F-keys, Alt+P, Ctrl-PgDn) are not; prefixes ask for more. */
static void test_late_replies(void)
{
    static const char *const recorded[] = {XTERM_VT340, XTERM_PLAIN, TMUX_33A, XTERM_WINOPS};
    for (size_t i = 0; i < sizeof recorded / sizeof *recorded; i++) {
        const char *p = recorded[i];
        size_t used = 0;
        while (*p && match(p, &used) == RS_REPLY_YES && used > 0)
            p += used;
        CHECK(*p == '\0');
    }
    size_t used;
    CHECK(match("\033[>0;276;0c", &used) == RS_REPLY_YES && used == 11); /* DA2 */
    CHECK(match("\033[6;20;10tj", &used) == RS_REPLY_YES && used == 10);
    static const char *const keys[] = {"\033[A", "\033OP", "\033[6~", "\033[6;5~", "\033Pq",
                                       "\033j", "\033\033", "\033[1;2c", "\033[?1;2x", "\033[4;1;2t",
                                       "\033P>x"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        CHECK(match(keys[i], &used) == RS_REPLY_NO);
    static const char *const prefixes[] = {"\033", "\033[", "\033[?", "\033[?64;1", "\033[6;20",
                                           "\033P", "\033P>|XTerm(3", "\033P>|XTerm(379)\033"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        CHECK(match(prefixes[i], &used) == RS_REPLY_MORE);
    CHECK(match("j", &used) == RS_REPLY_NO);
}

int main(void)
{
    run_test("late replies are told from keys by their grammar", test_late_replies);
    run_test("xterm -ti vt340 replies: sixel, registers, geometry, cell size", test_xterm_vt340);
    run_test("plain xterm and tmux 3.3a replies: no sixel", test_plain_xterm_and_tmux);
    run_test("no reply, garbage, truncated replies", test_nothing_and_garbage);
    run_test("graphics mode from replies, multiplexers, locale, overrides", test_mode_choice);
    run_test("replies the fuzzer found: no overflow", test_fuzz_found_replies);
    run_test("probe on a pty: answers, silence, garbage, within a bounded wait",
             test_probe_on_a_pty);
    return check_finish();
}
