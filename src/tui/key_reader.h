/* Keys from the keyboard with the terminal's late replies taken out (see rs_term_reply_match):
 * on a slow link the replies to the start-up queries can arrive after the probe gave up, and
 * must never act as keys. Uses ncurses' getch. */
#ifndef RNNSCOPE_TUI_KEY_READER_H
#define RNNSCOPE_TUI_KEY_READER_H

#define KEY_READER_QUEUE 512

typedef struct key_reader {
    int queue[KEY_READER_QUEUE]; /* keys read ahead that turned out not to be a reply */
    int n;
    long dropped;                /* bytes of replies dropped (for the tests' diagnostics) */
} key_reader;

/* The next key within timeout_ms (0: do not wait), or ERR. */
int key_read(key_reader *kr, int timeout_ms);

/* Put a key back in front of the queue (a key read during a computation, acted on later). */
void key_unread(key_reader *kr, int key);

#endif
