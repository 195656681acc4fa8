/* Keys from the keyboard, late terminal replies dropped. An Esc followed within a few
 * milliseconds by '[' or 'P' is a sequence from the terminal, not typing: its bytes are read
 * (waiting longer, as a slow link may split them) and matched against the reply grammar. */
#include <curses.h>
#include <string.h>

#include "key_reader.h"
#include "rnnscope/term.h"

#define FIRST_FOLLOW_MS 30  /* after Esc: a person cannot type the next byte this fast */
#define REST_FOLLOW_MS 1000 /* inside a sequence: a slow link may split it */
#define MAX_SEQUENCE 300

static int raw_key(key_reader *kr, int timeout_ms)
{
    if (kr->n > 0) {
        int k = kr->queue[0];
        memmove(kr->queue, kr->queue + 1, (size_t)--kr->n * sizeof *kr->queue);
        return k;
    }
    timeout(timeout_ms);
    return getch();
}

void key_unread(key_reader *kr, int key)
{
    if (kr->n == KEY_READER_QUEUE)
        kr->n--; /* the oldest read-ahead key gives way */
    memmove(kr->queue + 1, kr->queue, (size_t)kr->n * sizeof *kr->queue);
    kr->queue[0] = key;
    kr->n++;
}

/* Put keys[0..n) back in front of the queue, in order. */
static void unread_all(key_reader *kr, const unsigned char *keys, size_t n)
{
    for (size_t i = n; i > 0; i--)
        key_unread(kr, keys[i - 1]);
}

int key_read(key_reader *kr, int timeout_ms)
{
    for (;;) {
        int k = raw_key(kr, timeout_ms);
        if (k != 27)
            return k;
        unsigned char seq[MAX_SEQUENCE] = {27};
        size_t len = 1, used = 0;
        int pending = ERR; /* a function key that ended the sequence */
        rs_term_reply r;
        while ((r = rs_term_reply_match(seq, len, &used)) == RS_REPLY_MORE && len < sizeof seq) {
            int f = raw_key(kr, len == 1 ? FIRST_FOLLOW_MS : REST_FOLLOW_MS);
            if (f == ERR)
                break;
            if (f < 0 || f > 255) {
                pending = f;
                break;
            }
            seq[len++] = (unsigned char)f;
        }
        if (pending != ERR)
            key_unread(kr, pending);
        if (r == RS_REPLY_YES) {
            kr->dropped += (long)used;
            unread_all(kr, seq + used, len - used);
            continue;
        }
        if (r == RS_REPLY_MORE && len > 2) { /* a reply cut short (a lost byte): drop it too */
            kr->dropped += (long)len;
            continue;
        }
        unread_all(kr, seq + 1, len - 1);
        return 27;
    }
}
