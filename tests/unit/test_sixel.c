/* Sixel: decode what we encode (with libsixel's own decoder) and find the expected colours. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sixel/sixel.h>

#include "check.h"
#include "rnnscope/sixel.h"

/* Sixel colours are percentages: a channel comes back within 255/200 of what we asked. */
#define COLOR_TOL 3

static bool near_rgb(const unsigned char *got, const uint8_t *want)
{
    for (int i = 0; i < 3; i++)
        if (abs((int)got[i] - (int)want[i]) > COLOR_TOL)
            return false;
    return true;
}

/* Decode img and check that pixel (x, y) has the colour of want_index in our palette. */
static int count_bad_pixels(const rs_sixel_image *img, rs_cmap cmap, const int *want_index)
{
    unsigned char *pixels = NULL, *palette = NULL;
    int w = 0, h = 0, ncolors = 0;
    SIXELSTATUS st = sixel_decode_raw((unsigned char *)img->bytes, (int)img->len, &pixels, &w, &h,
                                      &palette, &ncolors, NULL);
    CHECK(SIXEL_SUCCEEDED(st));
    CHECK(w == img->width && h == img->height);
    if (SIXEL_FAILED(st) || w != img->width || h != img->height)
        return -1;
    uint8_t pal[256 * 3];
    rs_sixel_palette(cmap, pal);
    int bad = 0;
    for (int i = 0; i < w * h; i++) {
        int idx = pixels[i];
        CHECK(idx < ncolors);
        /* the decoder's palette is RGB triplets */
        if (idx >= ncolors || !near_rgb(palette + 3 * idx, pal + 3 * want_index[i]))
            bad++;
    }
    free(pixels);
    free(palette);
    return bad;
}

static void test_known_matrix_round_trip(void)
{
    /* a 3x4 matrix drawn at 12x9 pixels: every data cell is a 3x4 block of one colour */
    float data[12] = {-1, -0.5f, 0, 0.5f, 1, NAN, 0.25f, -0.25f, 0.75f, -0.75f, 0.1f, -0.1f};
    rs_matrix m = rs_matrix_make(data, 3, 4);
    rs_sixel_image img;
    rs_error err;
    CHECK(rs_sixel_heatmap(&m, 12, 9, RS_CMAP_BWR, -1, 1, RS_AGG_MEAN, &img, &err) == 0);
    CHECK(img.len > 10 && memcmp(img.bytes, "\033P", 2) == 0);
    CHECK(memcmp(img.bytes + img.len - 2, "\033\\", 2) == 0);
    int want[12 * 9];
    for (int y = 0; y < 9; y++)
        for (int x = 0; x < 12; x++) {
            float v = data[(y / 3) * 4 + x / 3];
            want[y * 12 + x] = rs_sixel_index(rs_norm_level(v, -1, 1));
        }
    CHECK(count_bad_pixels(&img, RS_CMAP_BWR, want) == 0);
    rs_sixel_free(&img);
}

static void test_palette_ends(void)
{
    uint8_t pal[256 * 3];
    rs_sixel_palette(RS_CMAP_GRAY, pal);
    CHECK(pal[0] == 0 && pal[1] == 0 && pal[2] == 0);
    CHECK(pal[254 * 3] == 255 && pal[254 * 3 + 1] == 255);
    CHECK(rs_sixel_index(0) == 0 && rs_sixel_index(255) == 254);
    CHECK(rs_sixel_index(RS_LEVEL_NAN) == RS_SIXEL_NAN_INDEX);
}

static void test_downsampled_attention(void)
{
    /* a 240x240 identity-like attention matrix at 60x60 pixels with viridis */
    enum { T = 240, P = 60 };
    float *a = calloc(T * T, sizeof *a);
    for (int i = 0; i < T; i++)
        a[i * T + i] = 1.0f;
    rs_matrix m = rs_matrix_make(a, T, T);
    rs_sixel_image img;
    rs_error err;
    CHECK(rs_sixel_heatmap(&m, P, P, RS_CMAP_VIRIDIS, 0, 1, RS_AGG_MAX, &img, &err) == 0);
    int *want = malloc(P * P * sizeof *want);
    for (int y = 0; y < P; y++)
        for (int x = 0; x < P; x++) /* max over 4x4 blocks: the diagonal blocks hold a 1 */
            want[y * P + x] = rs_sixel_index(rs_norm_level(x == y ? 1.0 : 0.0, 0, 1));
    CHECK(count_bad_pixels(&img, RS_CMAP_VIRIDIS, want) == 0);
    free(want);
    free(a);
    rs_sixel_free(&img);
}

static void test_bad_sizes(void)
{
    float v = 1;
    rs_matrix m = rs_matrix_make(&v, 1, 1);
    rs_sixel_image img;
    rs_error err;
    CHECK(rs_sixel_heatmap(&m, 0, 5, RS_CMAP_BWR, 0, 1, RS_AGG_MEAN, &img, &err) < 0);
    CHECK_CONTAINS(err.msg, "outside");
    CHECK(img.bytes == NULL);
}

int main(void)
{
    run_test("a known matrix decodes to the expected colours, cell by cell", test_known_matrix_round_trip);
    run_test("palette ends and the NaN index", test_palette_ends);
    run_test("a downsampled attention matrix keeps its diagonal", test_downsampled_attention);
    run_test("impossible sizes are refused", test_bad_sizes);
    return check_finish();
}
