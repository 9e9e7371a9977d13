/* emst_tiles.c: the tiles of the Gram passes (emst_tiles.h): blocks, their
 * boxes, and the order of the pairs of blocks over the threads. */
#include "emst_tiles.h"
#include "kdtree.h"
#include "parallel.h"
#include <float.h>
#include <R_ext/BLAS.h>
#ifndef FCONE
#define FCONE
#endif

static int block_size(const emst_tiling *s, int b)
{
    int j0 = b * EMST_TILE;
    return j0 + EMST_TILE <= s->n ? EMST_TILE : s->n - j0;
}

static double block_Tmax(const emst_tiling *s, int b, int size)
{
    double t = R_NegInf;
    const double *T = s->T + (size_t) b * EMST_TILE;
    for (int r = 0; r < size; r++) if (T[r] > t) t = T[r];
    return t;
}

/* One tile: blocks I and J (I == J: the own block), unless it is of no use. */
static void tile_pair(const emst_tiling *s, emst_screen_fn screen, emst_pair_fn pair, void *ctx,
                      int I, int J, double *G)
{
    int ni = block_size(s, I), nr = block_size(s, J), m = s->m;
    if (s->blab && s->blab[I] >= 0 && s->blab[I] == s->blab[J]) return;
    if (I != J) {
        double gap = box_gap2(s->lo + (size_t) I * m, s->hi + (size_t) I * m,
                              s->lo + (size_t) J * m, s->hi + (size_t) J * m, m);
        double ti = block_Tmax(s, I, ni), tj = block_Tmax(s, J, nr);
        if (gap > (ti > tj ? ti : tj)) return;
    }
    int i0 = I * EMST_TILE, j0 = J * EMST_TILE;
    if (s->f) {
        emst_ftile_pair(s, pair, ctx, i0, ni, j0, nr, (float *) G);
        return;
    }
    const double one = 1.0, zero = 0.0;
    F77_CALL(dgemm)("T", "N", &nr, &ni, &m, &one, s->P + (size_t) j0 * m, &m,
                    s->P + (size_t) i0 * m, &m, &zero, G, &nr FCONE FCONE);
    screen(ctx, i0, ni, j0, nr, G, s->a);
}

/* Round r of the circle method over M (even) slots: pair t of the round. */
static void round_pair(int M, int r, int t, int *I, int *J)
{
    if (t == 0) { *I = r; *J = M - 1; return; }
    *I = (r + t) % (M - 1);
    *J = (r - t + M - 1) % (M - 1);
}

/* (The order hardly matters: in 50 dimensions a point's nearest are spread
 * over the blocks, however they are ordered.) */
void emst_tiling_run(const emst_tiling *s, emst_screen_fn screen, emst_pair_fn pair, void *ctx,
                     int nthreads)
{
    int nb = s->nb, M = nb + (nb & 1);
    int nth = nthreads > 0 ? nthreads : 1;
    if (nth > nb) nth = nb;
    /* per thread: a dgemm tile, or the float tile's thresholds */
    size_t gsz = s->f ? (size_t) EMST_TILE : (size_t) EMST_TILE * EMST_TILE;
    const void *vmax = vmaxget();
    double *Gs = (double *) R_alloc((size_t) nth * gsz, sizeof(double));
    OMP(parallel for num_threads(nth) schedule(dynamic, 1) if (nth > 1))
    for (int b = 0; b < nb; b++)
        tile_pair(s, screen, pair, ctx, b, b, Gs + gsz * par_thread_num());
    R_CheckUserInterrupt();
    for (int r = 0; r < M - 1; r++) {
        OMP(parallel for num_threads(nth) schedule(dynamic, 1) if (nth > 1))
        for (int t = 0; t < M / 2; t++) {
            int I, J;
            round_pair(M, r, t, &I, &J);
            if (I < nb && J < nb)                 /* slot nb is empty when nb is odd */
                tile_pair(s, screen, pair, ctx, I, J, Gs + gsz * par_thread_num());
        }
        R_CheckUserInterrupt();
    }
    vmaxset(vmax);
}

/* Bounding boxes of the blocks (nb x m each). */
static void block_boxes(const double *P, int m, int n, int nb, double *lo, double *hi)
{
    for (int b = 0; b < nb; b++) {
        int s = b * EMST_TILE, e = s + EMST_TILE < n ? s + EMST_TILE : n;
        double *bl = lo + (size_t) b * m, *bh = hi + (size_t) b * m;
        for (int l = 0; l < m; l++) bl[l] = bh[l] = P[(size_t) s * m + l];
        for (int r = s + 1; r < e; r++)
            for (int l = 0; l < m; l++) {
                double v = P[(size_t) r * m + l];
                if (v < bl[l]) bl[l] = v;
                if (v > bh[l]) bh[l] = v;
            }
    }
}

int emst_tiling_init(const double *P, int m, int n, int use_float, emst_tiling *s)
{
    s->P = P; s->m = m; s->n = n;
    s->nb = (n + EMST_TILE - 1) / EMST_TILE;
    s->T = NULL; s->blab = NULL; s->f = NULL;
    /* dgemm and the norms err by at most gamma_m times the norms, sqdist
     * by gamma_m times the distance (<= 2 (n_i + n_j)), plus a few ulps;
     * doubled for safety (as in knn.c) */
    double c_err = 2.0 * (4.0 * m + 16.0) * DBL_EPSILON;
    int ok = 1;
    s->a = (double *) R_alloc(n, sizeof(double));
    for (int j = 0; j < n; j++) {
        double nj = dense_norm2(P + (size_t) j * m, (size_t) m);
        s->a[j] = nj - c_err * nj;
        if (!(nj <= 1e300)) ok = 0;
    }
    s->lo = (double *) R_alloc((size_t) s->nb * m + 1, sizeof(double));
    s->hi = (double *) R_alloc((size_t) s->nb * m + 1, sizeof(double));
    block_boxes(P, m, n, s->nb, s->lo, s->hi);
    if (ok && use_float) emst_ftiles_init(s);
    return ok;
}
