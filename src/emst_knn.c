/* emst_knn.c: every point's K nearest points, exactly, at BLAS speed, for
 * the first rounds of emst.c in many dimensions (where a kd-tree visits a
 * large share of the points anyway).
 *
 * The points (in kd-tree order, so that a block of consecutive points is a
 * compact region) are cut into blocks of EMST_TILE.  Each pair of blocks is
 * one dgemm tile (small enough to stay in cache) computed once and screened
 * for the queries of both blocks: l = (n_i - e_i) + (n_j - e_j) - 2 g_ij,
 * with e_i = c_err n_i, is a lower bound of sqdist(i, j) (dgemm and the
 * norms err by less), and it is the same bound for i and for j.  Per point,
 * the candidates offered are stored with their bounds; when 3/2 KEEP are
 * held, the KEEP smallest are kept (KEEP = K + KEEP_SLACK) and T, their
 * largest, only decreases.  A pair is skipped when its bound is at least
 * both points' T, a pair of blocks when the gap of their bounding boxes
 * exceeds every T of the two.  The own block goes first (a first T), then
 * every other pair of blocks, in rounds in which no block appears
 * twice, so that the threads never share a point.  At the end, the kept
 * points are ranked by sqdist() itself (ties to the smaller original
 * index): every point not kept has sqdist() >= its bound >= T, so when the
 * K-th ranked is below T these are the exact K nearest under the package's
 * one distance kernel.  A point where that fails (more than KEEP_SLACK
 * near-ties at the K-th distance, e.g. a large group of exact copies) or
 * whose bounds are not finite (huge coordinates) is ranked over all points.
 */
#include "emst.h"
#include "parallel.h"
#include <float.h>
#include <stdlib.h>
#include <R_ext/BLAS.h>
#ifndef FCONE
#define FCONE
#endif

#define EMST_TILE 512
#define KEEP_SLACK 32

typedef struct { double d; int o, j; } kcand;   /* distance, original index, position */

static int kcand_cmp(const void *x, const void *y)
{
    const kcand *a = (const kcand *) x, *b = (const kcand *) y;
    if (a->d < b->d) return -1;
    if (a->d > b->d) return 1;
    return (a->o > b->o) - (a->o < b->o);
}

/* Per point: the candidates offered since the last cut, with their lower
 * bounds; a cut (when cap are held) keeps the keep smallest and sets T to
 * their largest (+Inf before the first cut): an offer is then a store, the
 * cut costs O(cap) once per cap - keep offers. */
typedef struct {
    int keep, cap;
    double *key;    /* n x cap */
    int *pos;       /* n x cap */
    int *cnt;       /* n */
    double *T;      /* n */
} kept_sets;

/* Offers point j at bound l to point i (l < T[i]). */
static void offer(kept_sets *h, int i, double l, int j)
{
    size_t o = (size_t) i * h->cap;
    int c = h->cnt[i];
    h->key[o + c] = l; h->pos[o + c] = j;
    if (++c == h->cap) {
        select_kth(h->pos + o, h->key + o, 0, c - 1, h->keep - 1);   /* keep the smallest */
        h->T[i] = h->key[o + h->keep - 1];
        c = h->keep;
    }
    h->cnt[i] = c;
}

/* Screens the tile G (nr x ni: G[b nr + r] = <p_{j0 + r}, p_{i0 + b}>) for
 * the points of both blocks; a[x] = n_x - e_x.  For the own block (i0 ==
 * j0) each ordered pair comes once per direction, so one side suffices. */
static void screen_tile(kept_sets *h, int i0, int ni, int j0, int nr, const double *G,
                        const double *a)
{
    double *T = h->T;
    const double *aj = a + j0;
    for (int b = 0; b < ni; b++) {
        int i = i0 + b;
        double ai = a[i], Ti = T[i];
        const double *g = G + (size_t) b * nr;
        if (i0 == j0) {
            for (int r = 0; r < nr; r++) {
                double l = ai + aj[r] - 2.0 * g[r];
                if (l < Ti && r != b) { offer(h, i, l, j0 + r); Ti = T[i]; }
            }
            continue;
        }
        double *Tj = T + j0;
        for (int r = 0; r < nr; r++) {
            double l = ai + aj[r] - 2.0 * g[r];
            if (l >= Ti && l >= Tj[r]) continue;
            if (l < Ti) { offer(h, i, l, j0 + r); Ti = T[i]; }
            if (l < Tj[r]) offer(h, j0 + r, l, i);
        }
    }
}

/* The K nearest of point i from its kept points (or from all points). */
static void finish_point(const double *P, int m, int n, int K, const int *orig, int i,
                         const kept_sets *h, int all, kcand *cb, int *kq, double *kd)
{
    const double *pi = P + (size_t) i * m;
    int nc = h->cnt[i];
    if (!all) {
        const int *pos = h->pos + (size_t) i * h->cap;
        for (int t = 0; t < nc; t++) {
            cb[t].j = pos[t]; cb[t].o = orig[pos[t]];
            cb[t].d = sqdist(pi, P + (size_t) pos[t] * m, m);
        }
        qsort(cb, (size_t) nc, sizeof(kcand), kcand_cmp);
        /* before a cut, no point was left out; after, the left out are >= T */
        all = nc < K || !(cb[K - 1].d < h->T[i]);
    }
    if (all) {
        nc = 0;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            cb[nc].d = sqdist(pi, P + (size_t) j * m, m);
            cb[nc].o = orig[j]; cb[nc].j = j;
            nc++;
        }
        qsort(cb, (size_t) nc, sizeof(kcand), kcand_cmp);
    }
    for (int r = 0; r < K; r++) { kq[r] = cb[r].j; kd[r] = cb[r].d; }
}

/* The geometry of the blocks. */
typedef struct {
    const double *P;
    int m, n, nb;
    const double *a;          /* n_x - e_x */
    const double *lo, *hi;    /* bounding boxes, nb x m */
} tiling;

static int block_size(const tiling *s, int b)
{
    int j0 = b * EMST_TILE;
    return j0 + EMST_TILE <= s->n ? EMST_TILE : s->n - j0;
}

static double block_Tmax(const kept_sets *h, int b, int size)
{
    double t = R_NegInf;
    const double *T = h->T + (size_t) b * EMST_TILE;
    for (int r = 0; r < size; r++) if (T[r] > t) t = T[r];
    return t;
}

/* One tile: blocks I and J (I == J: the own block), unless their boxes are
 * farther apart than every T of both. */
static void tile_pair(const tiling *s, kept_sets *h, int I, int J, double *G)
{
    int ni = block_size(s, I), nr = block_size(s, J), m = s->m;
    if (I != J) {
        double gap = box_gap2(s->lo + (size_t) I * m, s->hi + (size_t) I * m,
                              s->lo + (size_t) J * m, s->hi + (size_t) J * m, m);
        double ti = block_Tmax(h, I, ni), tj = block_Tmax(h, J, nr);
        if (gap > (ti > tj ? ti : tj)) return;
    }
    int i0 = I * EMST_TILE, j0 = J * EMST_TILE;
    const double one = 1.0, zero = 0.0;
    F77_CALL(dgemm)("T", "N", &nr, &ni, &m, &one, s->P + (size_t) j0 * m, &m,
                    s->P + (size_t) i0 * m, &m, &zero, G, &nr FCONE FCONE);
    screen_tile(h, i0, ni, j0, nr, G, s->a);
}

/* Round r of the circle method over M (even) slots: pair t of the round. */
static void round_pair(int M, int r, int t, int *I, int *J)
{
    if (t == 0) { *I = r; *J = M - 1; return; }
    *I = (r + t) % (M - 1);
    *J = (r - t + M - 1) % (M - 1);
}

/* All pairs of blocks, the own blocks first (a first T); no block twice in
 * a parallel loop.  (The order hardly matters: in 50 dimensions a point's
 * nearest are spread over the blocks, however they are ordered.) */
static void screen_all_pairs(const tiling *s, kept_sets *h, int nth, double *Gs)
{
    int nb = s->nb, M = nb + (nb & 1);
    size_t gsz = (size_t) EMST_TILE * EMST_TILE;
    OMP(parallel for num_threads(nth) schedule(dynamic, 1) if (nth > 1))
    for (int b = 0; b < nb; b++)
        tile_pair(s, h, b, b, Gs + gsz * par_thread_num());
    R_CheckUserInterrupt();
    for (int r = 0; r < M - 1; r++) {
        OMP(parallel for num_threads(nth) schedule(dynamic, 1) if (nth > 1))
        for (int t = 0; t < M / 2; t++) {
            int I, J;
            round_pair(M, r, t, &I, &J);
            if (I < nb && J < nb)                 /* slot nb is empty when nb is odd */
                tile_pair(s, h, I, J, Gs + gsz * par_thread_num());
        }
        R_CheckUserInterrupt();
    }
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

/* The BLAS is called from the threads, each on its own tiles: pnmf runs it
 * with one thread of its own (mst_of() in R sees to OpenBLAS). */
void emst_knn_gram(const double *P, int m, int n, int K, const int *orig, int nthreads,
                   int *kq, double *kd)
{
    int nb = (n + EMST_TILE - 1) / EMST_TILE;
    /* dgemm and the norms err by at most gamma_m times the norms, sqdist
     * by gamma_m times the distance (<= 2 (n_i + n_j)), plus a few ulps;
     * doubled for safety (as in knn.c) */
    double c_err = 2.0 * (4.0 * m + 16.0) * DBL_EPSILON;
    double *a = (double *) R_alloc(n, sizeof(double));
    int all = 0;                   /* huge coordinates: no screen, rank all points */
    for (int j = 0; j < n; j++) {
        double nj = dense_norm2(P + (size_t) j * m, (size_t) m);
        a[j] = nj - c_err * nj;
        if (!(nj <= 1e300)) all = 1;
    }
    kept_sets h;
    h.keep = K + KEEP_SLACK;
    h.cap = h.keep + h.keep / 2;
    if (h.cap > n - 1) h.cap = n;      /* at most n - 1 offers: no cut, all kept */
    h.key = (double *) R_alloc((size_t) n * h.cap, sizeof(double));
    h.pos = (int *) R_alloc((size_t) n * h.cap, sizeof(int));
    h.cnt = (int *) R_alloc(n, sizeof(int));
    h.T = (double *) R_alloc(n, sizeof(double));
    for (int i = 0; i < n; i++) { h.cnt[i] = 0; h.T[i] = R_PosInf; }
    int nth = nthreads > 0 ? nthreads : 1;
    if (nth > nb) nth = nb;
    if (!all) {
        tiling s = {P, m, n, nb, a, NULL, NULL};
        double *lo = (double *) R_alloc((size_t) nb * m + 1, sizeof(double));
        double *hi = (double *) R_alloc((size_t) nb * m + 1, sizeof(double));
        block_boxes(P, m, n, nb, lo, hi);
        s.lo = lo; s.hi = hi;
        double *Gs = (double *) R_alloc((size_t) nth * EMST_TILE * EMST_TILE, sizeof(double));
        screen_all_pairs(&s, &h, nth, Gs);
    }
    kcand *cb = (kcand *) R_alloc((size_t) nth * n, sizeof(kcand));
    for (int i0 = 0; i0 < n; i0 += 4096) {      /* interrupt checks between chunks */
        int i1 = i0 + 4096 < n ? i0 + 4096 : n;
        OMP(parallel for num_threads(nth) schedule(dynamic, 64) if (nth > 1))
        for (int i = i0; i < i1; i++)
            finish_point(P, m, n, K, orig, i, &h, all, cb + (size_t) n * par_thread_num(),
                         kq + (size_t) i * K, kd + (size_t) i * K);
        R_CheckUserInterrupt();
    }
}
