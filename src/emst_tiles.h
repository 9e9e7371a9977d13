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
 * threads never share a point. */
#ifndef PNMF_EMST_TILES_H
#define PNMF_EMST_TILES_H

#include "pnmf.h"

#define EMST_TILE 512

/* Screens the tile G (nr x ni: G[b nr + r] = <p_{j0 + r}, p_{i0 + b}>) for
 * the points of both blocks; for the own block (i0 == j0) each ordered pair
 * comes once per direction. */
typedef void (*emst_screen_fn)(void *ctx, int i0, int ni, int j0, int nr, const double *G,
                               const double *a);

typedef struct {
    const double *P;
    int m, n, nb;
    double *a;                /* n_x - c_err n_x (n) */
    double *lo, *hi;          /* bounding boxes of the blocks (nb x m) */
    const double *T;          /* per point: pairs with l above it are of no use */
    const int *blab;          /* per block: the group of all its points, or -1 (or NULL) */
} emst_tiling;

/* The blocks of P (m x n) and the a_x; returns 0 when some norm is huge
 * (then the bounds mean nothing and the caller ranks all points itself). */
int emst_tiling_init(const double *P, int m, int n, emst_tiling *s);

/* Every pair of blocks not skipped, through screen. */
void emst_tiling_run(const emst_tiling *s, emst_screen_fn screen, void *ctx, int nthreads);

#endif
