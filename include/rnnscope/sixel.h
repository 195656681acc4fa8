/* Heatmaps as sixel images: a palette image (one byte per pixel) from the colormap's levels,
 * encoded by libsixel with no dithering, so every data block keeps its exact colour. */
#ifndef RNNSCOPE_SIXEL_H
#define RNNSCOPE_SIXEL_H

#include <stddef.h>
#include <stdint.h>

#include "rnnscope/colormap.h"
#include "rnnscope/error.h"
#include "rnnscope/matrix.h"
#include "rnnscope/plot.h"

/* Palette index used for "no value" (NaN); data levels use 0..RS_SIXEL_NAN_INDEX-1. */
#define RS_SIXEL_NAN_INDEX 255

typedef struct rs_sixel_image {
    char *bytes;   /* DCS ... ST, 7-bit */
    size_t len;
    int width, height;
} rs_sixel_image;

/* The 256-entry RGB palette of the images: the colormap over indices 0..254, grey for NaN. */
void rs_sixel_palette(rs_cmap cmap, uint8_t pal[256 * 3]);

/* Palette index of a level (0..255 or RS_LEVEL_NAN). */
int rs_sixel_index(int level);

/* Encode pw x ph levels (rs_heatmap_levels' output). */
int rs_sixel_encode_levels(const uint16_t *levels, int pw, int ph, rs_cmap cmap,
                           rs_sixel_image *out, rs_error *err);

/* A matrix drawn as a pw x ph pixel heatmap over [lo, hi]: blocks of repeated pixels when the
 * matrix is smaller (crisp cells), reduced by agg when larger. */
int rs_sixel_heatmap(const rs_matrix *m, int pw, int ph, rs_cmap cmap, double lo, double hi,
                     rs_agg agg, rs_sixel_image *out, rs_error *err);

/* A colour bar's strip in the images' own colours: pw x ph pixels, the levels 0..255 from left
 * to right (each column one level, as the text colour bar's cells). */
int rs_sixel_colorbar(int pw, int ph, rs_cmap cmap, rs_sixel_image *out, rs_error *err);

void rs_sixel_free(rs_sixel_image *img);

#endif
