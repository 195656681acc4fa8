/* rnnscope: the command-line entry point and subcommand dispatcher. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "commands.h"
#include "rnnscope/keymap.h"
#include "rnnscope/text.h"
#include "rnnscope/signals.h"

static const command commands[] = {
    {"summary", cmd_summary, "print the layer table of MODEL: name, class, output shapes, parameters"},
    {"dump", cmd_dump, "write one layer's output to .npy, .csv or stdout"},
    {"plot", cmd_plot, "print a layer's output as a picture on stdout"},
    {"grad", cmd_grad, "write the gradient of the prediction or loss w.r.t. a layer or weight"},
    {"diff", cmd_diff, "compare two checkpoints: how far each weight and layer output moved"},
    {"timeline", cmd_timeline, "statistics of every checkpoint in a directory, in epoch order"},
};

/* One line on stderr, whatever the message quotes from a file (a layer name with a newline
 * or an escape sequence in it): the whole message goes through rs_text_sanitize. */
void cli_error(const char *fmt, ...)
{
    char msg[4096], shown[4 * sizeof msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rs_text_sanitize(msg, shown, sizeof shown);
    fprintf(stderr, "rnnscope: %s\n", shown);
}

const char *cli_shown(const char *s)
{
    static char slots[4][1024];
    static int next;
    next = (next + 1) % 4;
    rs_text_sanitize(s, slots[next], sizeof slots[next]);
    return slots[next];
}

/* ---- standard output that cannot be written ---- */

static bool stdout_settled; /* checked, or an error about it already given */

/* A pipe whose reader has gone (| head): the end of the output, not an error. */
static bool reader_gone(int fd)
{
    struct pollfd p = {fd, 0, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/* At exit: everything printed must have reached stdout (/dev/full, a closed stdout, a full
 * disk), else one message and exit status 1. */
static void check_stdout(void)
{
    if (stdout_settled)
        return;
    stdout_settled = true;
    errno = 0;
    int failed = fflush(stdout) != 0, e = errno;
    if (!failed && !ferror(stdout))
        return;
    if (e == EPIPE || reader_gone(STDOUT_FILENO))
        return;
    cli_error("standard output: %s", failed && e ? strerror(e) : "write failed");
    _exit(EXIT_FAIL);
}

/* Descriptors 0-2 that are closed get /dev/null, so that files we open never take their
 * numbers; a closed stdout gets it read-only, so that writing to it fails as it should. */
static void occupy_std_descriptors(void)
{
    static const int modes[3] = {O_RDONLY, O_RDONLY, O_WRONLY};
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
            open("/dev/null", modes[fd]); /* the lowest free number: fd */
}

static void print_usage(FILE *f)
{
    fputs("Usage: rnnscope [INPUT OPTIONS] [--graphics MODE] [--grad [OBJECTIVE]] [MODEL]\n"
          "       rnnscope MODEL_A --compare MODEL_B [INPUT OPTIONS]\n"
          "       rnnscope DIR | --watch PATH [--compare MODEL_B] [INPUT OPTIONS]\n"
          "       rnnscope summary [--weights] MODEL\n"
          "       rnnscope dump MODEL --layer NAME [--output K] [--internal gates|cell|attention]\n"
          "                     [INPUT OPTIONS] [--compare B [--show a|b|diff]] -o OUT\n"
          "       rnnscope plot MODEL --layer NAME [--output K] [INPUT OPTIONS] [PLOT OPTIONS]\n"
          "       rnnscope grad MODEL --layer NAME [--output K] [--method grad|input_x_grad|ig]\n"
          "                     [--ig-steps N] [--baseline FILE.npy] [--importance]\n"
          "                     | --weight NAME [--by-gate]\n"
          "                     [--labels Y.npy [--loss NAME] | --unit J] [--output-of NAME]\n"
          "                     [INPUT OPTIONS] -o OUT\n"
          "       rnnscope diff MODEL_A MODEL_B [INPUT OPTIONS] [--format text|tsv]\n"
          "       rnnscope timeline DIR [--layer NAME] [INPUT OPTIONS] [--format text|tsv]\n"
          "       rnnscope --help | --version | --help-keys\n"
          "\n"
          "Explore trained Keras sequence models (LSTM, GRU, attention) in the terminal.\n"
          "MODEL is a Keras .h5 file, a Keras 3 .keras archive, a TensorFlow.js model.json,\n"
          "or a model.to_json() file with --weights FILE.h5.\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Input options:\n"
          "  --input FILE     .npy of shape (N, ...) or (...), or .csv (rows = timesteps)\n"
          "  --random SEED    uniform [0,1) input of the model's input shape\n"
          "  --sample N       use sample N of the input batch\n"
          "  --weights FILE   the save_weights HDF5 of a model.to_json() MODEL\n"
          "  --threads N      compute on at most N threads (default: RNNSCOPE_THREADS, else\n"
          "                   every CPU this process may run on, busy or not)\n"
          "\n"
          "Memory (explorer, summary, dump, plot, grad):\n"
          "  --max-memory SIZE  refuse models, inputs and layer outputs that need more: bytes,\n"
          "                   or K M G T (also KiB MiB GiB TiB: powers of 1024), KB MB GB TB\n"
          "                   (powers of 1000), e.g. 512M, 1.5G; 'none' for no cap. Default:\n"
          "                   RNNSCOPE_MAX_MEMORY, else 'set max-memory' in the settings file,\n"
          "                   else half of the physical memory\n"
          "\n"
          "Explorer options:\n"
          "  --graphics MODE  auto (detect), sixel, unicode or ascii; also RNNSCOPE_GRAPHICS\n"
          "  --watch PATH     reload the model file PATH, or the newest checkpoint of the\n"
          "                   directory PATH, when it changes (once written completely)\n"
          "  --compare B      a second checkpoint of MODEL's architecture on the same input:\n"
          "                   every view shows A, B or A - B (key a), A and B on one scale;\n"
          "                   with --watch A, A is reloaded and B stays\n"
          "  DIR              a directory of checkpoints: its newest, and the timeline view (9)\n"
          "                   of the selected layer over all of them (also with --watch DIR)\n"
          "  --mouse          clicks select layers, channels and timesteps; the wheel scrolls\n"
          "  --keys FILE      type the keys in FILE first (key names as in the settings file),\n"
          "                   then read the keyboard; for scripts and tests\n"
          "  --dump-screen F  with --headless: append the screen as text to F\n"
          "  --headless, --size COLSxROWS  draw into memory only (tests)\n"
          "  --grad           open showing gradients (key d toggles values and gradients) of\n"
          "                   the objective: --labels Y.npy [--loss NAME] | --unit J,\n"
          "                   --output-of NAME, as for 'grad'; on the InputLayer the saliency\n"
          "                   --method grad|input_x_grad|ig [--ig-steps N] [--baseline FILE]\n"
          "\n"
          "Exit status: 0 success, 1 failure (message on stderr), 2 command-line misuse,\n"
          "128 + N when ended by signal N (SIGINT 130, SIGHUP 129, SIGTERM 143).\n",
          f);
}

/* The explorer's keys from the keymap table: plain text, or troff for the man page. */
static void print_keys(bool man)
{
    rs_keymap km;
    rs_keymap_defaults(&km);
    size_t n;
    const rs_action_info *t = rs_action_table(&n);
    int name_w = 0; /* the widest name: a column of its own however long the names get */
    for (size_t i = 1; i < n; i++)
        name_w = (int)strlen(t[i].name) > name_w ? (int)strlen(t[i].name) : name_w;
    for (size_t i = 1; i < n; i++) {
        char keys[64];
        rs_keymap_keys_of(&km, t[i].id, keys, sizeof keys);
        if (man) {
            printf(".TP\n.B ");
            for (const char *p = keys; *p; p++)
                printf(*p == '-' ? "\\-" : *p == '\\' ? "\\e" : "%c", *p);
            printf("\n%s (\\fB%s\\fR)\n", t[i].help, t[i].name);
        } else {
            printf("  %-16s %-*s %s\n", keys, name_w, t[i].name, t[i].help);
        }
    }
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    rs_signals_install(); /* SIGINT, SIGTERM, SIGHUP: exit 128 + signal after the cleanup hooks */
    setlocale(LC_ALL, "");
    /* A full disk or a file-size limit is an error to report, not a signal to die of, and a
     * closed pipe (| head) ends output quietly. */
    signal(SIGXFSZ, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    occupy_std_descriptors();
    /* the explorer's output is the terminal (ncurses); everything else prints to stdout */
    if (argc >= 2 && (find_command(argv[1]) || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
                      !strcmp(argv[1], "--version") || !strncmp(argv[1], "--help-keys", 11)))
        atexit(check_stdout);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_usage(stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && strncmp(argv[1], "--help-keys", 11) == 0) {
        print_keys(strcmp(argv[1], "--help-keys=man") == 0);
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("rnnscope %s\n", PACKAGE_VERSION);
        return EXIT_OK;
    }
    if (argc >= 2) {
        const command *cmd = find_command(argv[1]);
        if (cmd) {
            if (!cmd->run) {
                cli_error("%s: not implemented yet", cmd->name);
                return EXIT_USAGE;
            }
            int rc = cmd->run(argc - 1, argv + 1);
            if (rc != EXIT_OK)
                stdout_settled = true; /* the error has been told */
            return rc;
        }
    }
    return cmd_explore(argc, argv);
}
