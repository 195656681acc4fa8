/* libFuzzer target: the terminal's replies to the start-up queries (rs_term_parse), then the
 * graphics decision made from whatever they said. A terminal (or what sits between us and it)
 * may answer anything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rnnscope/term.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rs_term_caps caps;
    memset(&caps, 0, sizeof caps);
    rs_term_parse(data, size, &caps);
    /* The parsed values must stay within what the rest of the program assumes. */
    if (memchr(caps.version, '\0', sizeof caps.version) == NULL)
        abort();
    if (caps.color_registers < 0 || caps.sixel_w < 0 || caps.sixel_h < 0 || caps.cell_w < 0 ||
        caps.cell_h < 0)
        abort();
    rs_term_env env = {.term = "xterm-256color", .utf8 = true};
    char why[128];
    rs_term_graphics g = rs_graphics_decide(RS_TERM_AUTO, &caps, &env, why, sizeof why);
    if (g == RS_TERM_AUTO || memchr(why, '\0', sizeof why) == NULL)
        abort();
    return 0;
}
