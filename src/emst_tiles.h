/* emst_tiles.h: all pairs of points at BLAS speed, for the Gram passes of
 * the spanning tree (emst_knn.c: every point's nearest points;
 * emst_outside.c: every point's nearest components).
 *
 * The points (in kd-tree order, so that a block of consecutive points is a
 * compact region) are cut into blocks of EMST_TILE.  Each pair of blocks is
 * one dgemm tile (small enough to stay in cache) computed once and handed
 * to a screen for the points of both blocks, with l = a_i + a_j - 2 g_ij,
 * a_x = n_x - c_err n_x: a lower bound of sqdist(i, j) (dgemm and the
 * norms err by less), the same for i and for j.  A pair of blocks is
 * skipped when the gap of their bounding boxes exceeds every threshold T of
 * their points (a screen only lowers T), or when all their points are in
 * one group (lab).  The own blocks go first (a first T), then every other
 * pair of blocks, in rounds in which no block appears twice, so that the
 * threads never share a point.
 *
 * Where the processor has AVX2 and FMA, a tile is computed in single
 * precision instead, with its screen fused in (emst_ftile.c): the same
 * bound l, from centred and scaled float copies of the points with a margin
 * that covers their rounding, compared in registers with both thresholds;
 * only the pairs that pass reach the caller (pair_fn), which measures them
 * by sqdist() itself.  Twice the arithmetic rate and no tile in memory: the
 * bound is looser (by ~1e-5 of the norms, against ~1e-14) but every pair is
 * decided in double, so the results are the same. */
#ifndef PNMF_EMST_TILES_H
#define PNMF_EMST_TILES_H

#include "pnmf.h"

#define EMST_TILE 512

/* Screens the tile G (nr x ni: G[b nr + r] = <p_{j0 + r}, p_{i0 + b}>) for
 * the points of both blocks; for the own block (i0 == j0) each ordered pair
 * comes once per direction. */
typedef void (*emst_screen_fn)(void *ctx, int i0, int ni, int j0, int nr, const double *G,
                               const double *a);

/* A pair that passed a float tile's screen: i and j tree positions, l a lower
 * bound of sqdist(i, j); both = 0 for the own block (for i only, each way
 * once). */
typedef void (*emst_pair_fn)(void *ctx, int i, int j, double l, int both);

/* The float copies of the points (emst_ftile.c). */
typedef struct {
    float *Q;                 /* panels of 8 points, coordinate-major: Q[(p m + l) 8 + c] */
    float *a;                 /* per point: |q_x|^2 less the margin, rounded down; padding +Inf */
    double s2;                /* the scale squared: bounds in Q's units are s2 times sqdist */
} emst_ftiles;

typedef struct {
    const double *P;
    int m, n, nb;
    double *a;                /* n_x - c_err n_x (n) */
    double *lo, *hi;          /* bounding boxes of the blocks (nb x m) */
    const double *T;          /* per point: pairs with l above it are of no use */
    const int *blab;          /* per block: the group of all its points, or -1 (or NULL) */
    const emst_ftiles *f;     /* float tiles, or NULL: dgemm tiles */
} emst_tiling;

/* The blocks of P (m x n) and the a_x, and with use_float the float tiles
 * where they can be used; returns 0 when some norm is huge (then the bounds
 * mean nothing and the caller ranks all points itself). */
int emst_tiling_init(const double *P, int m, int n, int use_float, emst_tiling *s);

/* Every pair of blocks not skipped, through screen (dgemm tiles) or pair
 * (float tiles). */
void emst_tiling_run(const emst_tiling *s, emst_screen_fn screen, emst_pair_fn pair, void *ctx,
                     int nthreads);

/* Float tiles for s (s->f set; emst_tiling_init() calls it) when the processor has AVX2 and FMA and the
 * points allow them (finite range, not too many dimensions); else s->f
 * stays NULL.  emst_ftile.c. */
void emst_ftiles_init(emst_tiling *s);

/* The float tile of blocks I and J (i0, ni; j0, nr), through pair; Tf is
 * scratch of 2 EMST_TILE floats. */
void emst_ftile_pair(const emst_tiling *s, emst_pair_fn pair, void *ctx, int i0, int ni,
                     int j0, int nr, float *Tf);

#endif
