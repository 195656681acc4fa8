/* Sixel encoding of heatmaps through libsixel (PAL8 input with our own palette). */
#include <stdlib.h>
#include <string.h>

#include <sixel/sixel.h>

#include "rnnscope/sixel.h"

#define MAX_SIDE 8192

static const uint8_t nan_rgb[3] = {128, 128, 128};

int rs_sixel_index(int level)
{
    if (level < 0 || level >= RS_LEVELS)
        return RS_SIXEL_NAN_INDEX;
    return (level * (RS_SIXEL_NAN_INDEX - 1) + (RS_LEVELS - 1) / 2) / (RS_LEVELS - 1);
}

void rs_sixel_palette(rs_cmap cmap, uint8_t pal[256 * 3])
{
    for (int i = 0; i < RS_SIXEL_NAN_INDEX; i++)
        rs_cmap_rgb(cmap, (double)i / (RS_SIXEL_NAN_INDEX - 1), pal + 3 * i);
    memcpy(pal + 3 * RS_SIXEL_NAN_INDEX, nan_rgb, 3);
}

typedef struct byte_sink {
    char *buf;
    size_t len, cap;
    bool failed;
} byte_sink;

static int collect(char *data, int size, void *priv)
{
    byte_sink *s = priv;
    if (s->failed || size < 0)
        return -1;
    if (s->len + (size_t)size + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        while (cap < s->len + (size_t)size + 1)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b) {
            s->failed = true;
            return -1;
        }
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, (size_t)size);
    s->len += (size_t)size;
    s->buf[s->len] = '\0';
    return size;
}

int rs_sixel_encode_levels(const uint16_t *levels, int pw, int ph, rs_cmap cmap,
                           rs_sixel_image *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    if (pw < 1 || ph < 1 || pw > MAX_SIDE || ph > MAX_SIDE)
        return rs_fail(err, "sixel", "image size %dx%d is outside 1..%d", pw, ph, MAX_SIDE);
    unsigned char *pixels = malloc((size_t)pw * (size_t)ph);
    if (!pixels)
        return rs_fail(err, "sixel", "out of memory");
    for (size_t i = 0; i < (size_t)pw * (size_t)ph; i++)
        pixels[i] = (unsigned char)rs_sixel_index(levels[i]);
    uint8_t pal[256 * 3];
    rs_sixel_palette(cmap, pal);

    byte_sink sink = {0};
    sixel_output_t *output = NULL;
    sixel_dither_t *dither = NULL;
    int rc = -1;
    if (SIXEL_FAILED(sixel_output_new(&output, collect, &sink, NULL)) ||
        SIXEL_FAILED(sixel_dither_new(&dither, 256, NULL))) {
        rs_fail(err, "sixel", "libsixel could not start");
        goto done;
    }
    sixel_output_set_8bit_availability(output, 0); /* 7-bit ESC P ... ESC \ : safe over SSH */
    sixel_dither_set_palette(dither, pal);
    sixel_dither_set_pixelformat(dither, SIXEL_PIXELFORMAT_PAL8);
    sixel_dither_set_diffusion_type(dither, SIXEL_DIFFUSE_NONE);
    if (SIXEL_FAILED(sixel_encode(pixels, pw, ph, 0, dither, output)) || sink.failed) {
        rs_fail(err, "sixel", "libsixel could not encode the image");
        goto done;
    }
    out->bytes = sink.buf;
    out->len = sink.len;
    out->width = pw;
    out->height = ph;
    sink.buf = NULL;
    rc = 0;
done:
    if (dither)
        sixel_dither_unref(dither);
    if (output)
        sixel_output_unref(output);
    free(sink.buf);
    free(pixels);
    return rc;
}

/* Room for pw x ph levels, or NULL with err. */
static uint16_t *new_levels(int pw, int ph, rs_error *err)
{
    if (pw < 1 || ph < 1 || pw > MAX_SIDE || ph > MAX_SIDE) {
        rs_fail(err, "sixel", "image size %dx%d is outside 1..%d", pw, ph, MAX_SIDE);
        return NULL;
    }
    uint16_t *levels = malloc((size_t)pw * (size_t)ph * sizeof *levels);
    if (!levels)
        rs_fail(err, "sixel", "out of memory");
    return levels;
}

int rs_sixel_heatmap(const rs_matrix *m, int pw, int ph, rs_cmap cmap, double lo, double hi,
                     rs_agg agg, rs_sixel_image *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    uint16_t *levels = new_levels(pw, ph, err);
    if (!levels)
        return -1;
    rs_heatmap_levels(m, (size_t)pw, (size_t)ph, agg, lo, hi, levels);
    int rc = rs_sixel_encode_levels(levels, pw, ph, cmap, out, err);
    free(levels);
    return rc;
}

int rs_sixel_colorbar(int pw, int ph, rs_cmap cmap, rs_sixel_image *out, rs_error *err)
{
    memset(out, 0, sizeof *out);
    uint16_t *levels = new_levels(pw, ph, err);
    if (!levels)
        return -1;
    for (int y = 0; y < ph; y++)
        for (int x = 0; x < pw; x++)
            levels[(size_t)y * (size_t)pw + (size_t)x] =
                (uint16_t)(pw > 1 ? x * (RS_LEVELS - 1) / (pw - 1) : RS_LEVELS / 2);
    int rc = rs_sixel_encode_levels(levels, pw, ph, cmap, out, err);
    free(levels);
    return rc;
}

void rs_sixel_free(rs_sixel_image *img)
{
    free(img->bytes);
    memset(img, 0, sizeof *img);
}
