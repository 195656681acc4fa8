/* JSON as Python writes it. Keras saves configs with Python's json.dumps, which writes NaN,
 * Infinity and -Infinity for such floats (a Dropout rate, a constraint's max_value); cJSON
 * refuses them. Outside strings they are rewritten to what cJSON reads: Infinity as 1e999
 * (strtod gives infinity), NaN as a marker string that is turned into a NaN number after
 * parsing. Inside strings nothing changes. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NAN_MARK "\"\\u0001NaN\"" /* parsed: the string "\x01NaN" */

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
}

/* text[i..] starts the whole word w (not part of a longer word) */
static bool word_at(const char *text, size_t len, size_t i, const char *w)
{
    size_t n = strlen(w);
    return i + n <= len && memcmp(text + i, w, n) == 0 && (i + n == len || !word_char(text[i + n])) &&
           (i == 0 || !word_char(text[i - 1]));
}

/* The text with NaN/Infinity/-Infinity rewritten outside strings (NULL: out of memory). */
static char *rewrite(const char *text, size_t len, size_t *out_len, bool *has_nan)
{
    char *out = malloc(len * 4 + 1); /* "NaN" (3) becomes 11 bytes at most */
    if (!out)
        return NULL;
    size_t o = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            out[o++] = c;
            if (c == '\\' && i + 1 < len)
                out[o++] = text[++i];
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == 'N' && word_at(text, len, i, "NaN")) {
            memcpy(out + o, NAN_MARK, strlen(NAN_MARK));
            o += strlen(NAN_MARK);
            i += 2;
            *has_nan = true;
            continue;
        } else if (c == 'I' && word_at(text, len, i, "Infinity")) {
            memcpy(out + o, "1e999", 5);
            o += 5;
            i += 7;
            continue;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* The marker strings become NaN numbers (valueint 0: converting NaN to int is undefined). */
static void restore_nan(cJSON *item)
{
    for (cJSON *c = item ? item->child : NULL; c; c = c->next) {
        if (cJSON_IsString(c) && strcmp(c->valuestring, "\001NaN") == 0) {
            cJSON_free(c->valuestring);
            c->valuestring = NULL;
            c->type = cJSON_Number;
            c->valueint = 0;
            c->valuedouble = NAN;
        } else {
            restore_nan(c); /* depth: cJSON refuses nesting beyond CJSON_NESTING_LIMIT */
        }
    }
}

cJSON *rs_json_parse(const char *text, size_t len)
{
    bool has_nan = false;
    size_t n;
    char *plain = rewrite(text, len, &n, &has_nan);
    if (!plain)
        return NULL;
    cJSON *root = cJSON_ParseWithLength(plain, n);
    free(plain);
    if (root && has_nan)
        restore_nan(root);
    return root;
}
