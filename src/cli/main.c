/* rnnscope: the command-line entry point and subcommand dispatcher. */
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "commands.h"
#include "rnnscope/keymap.h"

static const command commands[] = {
    {"summary", cmd_summary, "print the layer table of MODEL: name, class, output shapes, parameters"},
    {"dump", cmd_dump, "write one layer's output to .npy, .csv or stdout"},
    {"plot", cmd_plot, "print a layer's output as a picture on stdout"},
    {"grad", cmd_grad, "write the gradient of the prediction or loss w.r.t. a layer or weight"},
};

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rnnscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void print_usage(FILE *f)
{
    fputs("Usage: rnnscope [INPUT OPTIONS] [--graphics MODE] [MODEL]\n"
          "       rnnscope summary [--weights] MODEL\n"
          "       rnnscope dump MODEL --layer NAME [--output K] [INPUT OPTIONS] -o OUT\n"
          "       rnnscope plot MODEL --layer NAME [--output K] [INPUT OPTIONS] [PLOT OPTIONS]\n"
          "       rnnscope grad MODEL --layer NAME [--output K] [--method grad|input_x_grad|ig]\n"
          "                     | --weight NAME\n"
          "                     [--labels Y.npy [--loss NAME] | --unit J] [--output-of NAME]\n"
          "                     [INPUT OPTIONS] -o OUT\n"
          "       rnnscope --help | --version\n"
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
          "  --threads N      compute on at most N threads (default: the CPUs, or\n"
          "                   RNNSCOPE_THREADS)\n"
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
          "  --mouse          click to select layers\n"
          "  --keys FILE      read keys from FILE (key names, as in the config), for scripts;\n"
          "  --dump-screen F  with --headless: append the screen as text to F\n"
          "  --headless, --size COLSxROWS  draw into memory only (tests)\n"
          "\n"
          "Exit status: 0 success, 1 failure (message on stderr), 2 command-line misuse.\n",
          f);
}

/* The explorer's keys from the keymap table: plain text, or troff for the man page. */
static void print_keys(bool man)
{
    rs_keymap km;
    rs_keymap_defaults(&km);
    size_t n;
    const rs_action_info *t = rs_action_table(&n);
    for (size_t i = 1; i < n; i++) {
        char keys[64];
        rs_keymap_keys_of(&km, t[i].id, keys, sizeof keys);
        if (man) {
            printf(".TP\n.B ");
            for (const char *p = keys; *p; p++)
                printf(*p == '-' ? "\\-" : *p == '\\' ? "\\e" : "%c", *p);
            printf("\n%s (\\fB%s\\fR)\n", t[i].help, t[i].name);
        } else {
            printf("  %-16s %-14s %s\n", keys, t[i].name, t[i].help);
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
    setlocale(LC_ALL, "");
    /* A full disk or a file-size limit is an error to report, not a signal to die of, and a
     * closed pipe (| head) ends output quietly. */
    signal(SIGXFSZ, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
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
            return cmd->run(argc - 1, argv + 1);
        }
    }
    return cmd_explore(argc, argv);
}
