/* emst_knn.c: every point's K nearest points, exactly, at BLAS speed, for
 * the first rounds of emst.c in many dimensions (where a kd-tree visits a
 * large share of the points anyway).
 *
 * All pairs of blocks go through emst_tiles.c.  Per point, the candidates
 * offered are stored with their bounds; when 3/2 KEEP are held, the KEEP
 * smallest are kept (KEEP = K + KEEP_SLACK) and T, their largest, only
 * decreases; a pair is offered to a point when its bound is below its T.
 * At the end, the kept points are ranked by sqdist() itself (ties to the
 * smaller original index): every point not kept has sqdist() >= its bound
 * >= T, so when the K-th ranked is below T these are the exact K nearest
 * under the package's one distance kernel.  A point where that fails (more
 * than KEEP_SLACK near-ties at the K-th distance, e.g. a large group of
 * exact copies) or whose bounds are not finite (huge coordinates) is
 * ranked over all points.
 */
#include "emst.h"
#include "emst_tiles.h"
#include "parallel.h"
#include <stdlib.h>

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
    const double *P;
    int m, keep, cap;
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

/* The screen of a tile (emst_tiles.h); for the own block one side suffices. */
static void screen_tile(void *ctx, int i0, int ni, int j0, int nr, const double *G,
                        const double *a)
{
    kept_sets *h = (kept_sets *) ctx;
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

/* A pair that passed a float tile (emst_tiles.h): its bound is loose (1e-5
 * of the norms), so it is offered at its sqdist(), the kept points'
 * order then follows the distances and T is the keep-th smallest of them:
 * a point never offered has a bound above the T of its time, one cut has a
 * distance above T: finish_point()'s test holds the same. */
static void pair_float(void *ctx, int i, int j, double l, int both)
{
    kept_sets *h = (kept_sets *) ctx;
    double ti = h->T[i], tj = both ? h->T[j] : R_NegInf;
    if (!(l < ti) && !(l < tj)) return;
    double d = sqdist_upto(h->P + (size_t) i * h->m, h->P + (size_t) j * h->m, h->m,
                           ti > tj ? ti : tj);
    if (d < ti) offer(h, i, d, j);
    if (d < tj) offer(h, j, d, i);
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

/* The BLAS is called from the threads, each on its own tiles: pnmf runs it
 * with one thread of its own (mst_of() in R sees to OpenBLAS). */
void emst_knn_gram(const double *P, int m, int n, int K, const int *orig, int nthreads,
                   int use_float, int *kq, double *kd)
{
    const void *vmax = vmaxget();     /* the candidates are freed on return */
    emst_tiling s;
    int all = !emst_tiling_init(P, m, n, use_float, &s);   /* huge coordinates: rank all points */
    kept_sets h;
    h.P = P; h.m = m;
    h.keep = K + KEEP_SLACK;
    h.cap = h.keep + h.keep / 2;
    if (h.cap > n - 1) h.cap = n;      /* at most n - 1 offers: no cut, all kept */
    h.key = (double *) R_alloc((size_t) n * h.cap, sizeof(double));
    h.pos = (int *) R_alloc((size_t) n * h.cap, sizeof(int));
    h.cnt = (int *) R_alloc(n, sizeof(int));
    h.T = (double *) R_alloc(n, sizeof(double));
    for (int i = 0; i < n; i++) { h.cnt[i] = 0; h.T[i] = R_PosInf; }
    int nth = nthreads > 0 ? nthreads : 1;
    if (nth > s.nb) nth = s.nb;
    if (!all) {
        s.T = h.T;
        emst_tiling_run(&s, screen_tile, pair_float, &h, nth);
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
    vmaxset(vmax);
}
