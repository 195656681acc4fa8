/* The subcommands of the rnnscope program. Each returns the process exit status:
 * 0 success, 1 failure (bad file, wrong shape...), 2 command-line misuse. */
#ifndef RNNSCOPE_CLI_COMMANDS_H
#define RNNSCOPE_CLI_COMMANDS_H

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef int (*command_fn)(int argc, char **argv);

typedef struct command {
    const char *name;
    command_fn run;     /* NULL: not built yet */
    const char *summary;
} command;

/* rnnscope plot (src/cli/plot.c). */
int cmd_plot(int argc, char **argv);

/* Print "rnnscope: <msg>" on stderr, as one line of printable text (rs_text_sanitize). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* s (from a file) as safe text for stdout (rs_text_sanitize), in one of 4 rotating static
 * buffers of 1 KiB: up to four at a time in one printf. */
const char *cli_shown(const char *s);

/* The subcommands. */
int cmd_summary(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_grad(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_timeline(int argc, char **argv);

struct rs_tensor;
/* Write t to out: a .npy file, a .csv file (by its name) or "-" (.npy on standard output, never
 * to a terminal). Prints the error (naming cmd for misuse); returns the exit status. */
int cli_write_tensor(const char *cmd, const char *out, const struct rs_tensor *t);

#endif
