/* emst_knn.c: every point's K nearest points, exactly, at BLAS speed, for
 * the first rounds of emst.c in many dimensions (where a kd-tree visits a
 * large share of the points anyway).
 *
 * The points (in kd-tree order, so that a block of consecutive points is a
 * compact region) are cut into blocks of EMST_TILE.  For a block of query
 * points, the reference blocks are taken nearest first by the distance of
 * their bounding boxes, and a block farther than every query's current
 * K-th bound is skipped.  Each query/reference tile is one dgemm (small
 * enough to stay in cache) that screens the pairs: s = n_i + n_j - 2 g_ij
 * differs from sqdist() by at most e = c_err (n_i + n_j).  Per query, a heap
 * keeps the K smallest upper bounds s + e (their largest, T, bounds the
 * K-th nearest from above) and a buffer the points whose lower bound s - e
 * is at most T (T only decreases).  At the end, the buffered points still
 * within T are ranked by sqdist() itself (ties to the smaller original
 * index): the exact K nearest under the package's one distance kernel.  A
 * query whose buffer overflows (many equal distances) or whose bounds are
 * not finite (huge coordinates) is ranked over all points instead.
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
#define BUF_PER_K 8          /* buffer of BUF_PER_K * K points per query */

typedef struct { double d; int o, j; } kcand;   /* distance, original index, position */

static int kcand_cmp(const void *x, const void *y)
{
    const kcand *a = (const kcand *) x, *b = (const kcand *) y;
    if (a->d < b->d) return -1;
    if (a->d > b->d) return 1;
    return (a->o > b->o) - (a->o < b->o);
}

/* max-heap of K upper bounds */
static void heap_replace_top(double *h, int k, double v)
{
    int p = 0;
    for (;;) {
        int l = 2 * p + 1, r = l + 1, g = p;
        double gv = v;
        if (l < k && h[l] > gv) { g = l; gv = h[l]; }
        if (r < k && h[r] > gv) { g = r; }
        if (g == p) break;
        h[p] = h[g];
        p = g;
    }
    h[p] = v;
}

static void heap_push(double *h, int cnt, double v)
{
    int p = cnt;
    while (p > 0 && h[(p - 1) / 2] < v) { h[p] = h[(p - 1) / 2]; p = (p - 1) / 2; }
    h[p] = v;
}

/* per-query state */
typedef struct {
    double *heap;   /* K upper bounds */
    int hcnt;
    int *buf;       /* buffered positions */
    double *blo;    /* their lower bounds */
    int bcnt;
    int over;       /* buffer overflow or non-finite bound: rank all points */
} qstate;

static inline double qT(const qstate *q, int K)
{
    return q->hcnt < K ? R_PosInf : q->heap[0];
}

/* Screens the reference points j0 .. j0 + nr - 1 for query i (Gram column g);
 * enr[j] = c_err * n_j.  The bounds are finite (emst_knn_gram checks). */
static void screen_tile(qstate *q, int K, int cap, int i, double ni, double eni, int j0,
                        int nr, const double *g, const double *nrm, const double *enr)
{
    if (q->over) return;
    double T = qT(q, K);
    for (int r = 0; r < nr; r++) {
        int j = j0 + r;
        double s = ni + nrm[j] - 2.0 * g[r], e = eni + enr[j];
        double l = s - e;
        if (l > T || j == i) continue;      /* cannot be among the K nearest */
        double u = s + e;
        if (q->hcnt < K) {
            heap_push(q->heap, q->hcnt++, u);
            if (q->hcnt == K) T = q->heap[0];
        } else if (u < T) {
            heap_replace_top(q->heap, K, u);
            T = q->heap[0];
        }
        if (l > T) continue;
        if (q->bcnt == cap) {                 /* compact with the current bound */
            int c = 0;
            for (int t = 0; t < q->bcnt; t++)
                if (q->blo[t] <= T) { q->buf[c] = q->buf[t]; q->blo[c] = q->blo[t]; c++; }
            q->bcnt = c;
            if (c == cap) { q->over = 1; return; }
        }
        q->buf[q->bcnt] = j; q->blo[q->bcnt] = l; q->bcnt++;
    }
}

/* The K nearest of query i from its buffer (or from all points). */
static void finish_query(const double *P, int m, int n, int K, const int *orig, int i,
                         const qstate *q, kcand *cb, int *kq, double *kd)
{
    const double *pi = P + (size_t) i * m;
    int nc = 0;
    if (!q->over) {
        double T = qT(q, K);
        for (int t = 0; t < q->bcnt; t++) {
            if (q->blo[t] > T) continue;
            int j = q->buf[t];
            cb[nc].d = sqdist(pi, P + (size_t) j * m, m);
            cb[nc].o = orig[j]; cb[nc].j = j;
            nc++;
        }
    }
    if (q->over || nc < K) {
        nc = 0;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            cb[nc].d = sqdist(pi, P + (size_t) j * m, m);
            cb[nc].o = orig[j]; cb[nc].j = j;
            nc++;
        }
    }
    qsort(cb, (size_t) nc, sizeof(kcand), kcand_cmp);
    for (int r = 0; r < K; r++) { kq[r] = cb[r].j; kd[r] = cb[r].d; }
}

typedef struct { double g; int b; } gapb;

static int gapb_cmp(const void *x, const void *y)
{
    const gapb *a = (const gapb *) x, *b = (const gapb *) y;
    if (a->g < b->g) return -1;
    if (a->g > b->g) return 1;
    return (a->b > b->b) - (a->b < b->b);
}

/* per-thread scratch */
typedef struct {
    double *G, *heaps, *blos;
    int *bufs;
    qstate *qs;
    gapb *ord;
    kcand *cb;
} scratch;

/* All K nearest lists of the queries of block qb. */
static void query_block(const double *P, int m, int n, int K, const int *orig, int qb,
                        int nb, int cap, const double *nrm, const double *enr, int over,
                        const double *blo, const double *bhi, scratch *w, int *kq, double *kd)
{
    int B = EMST_TILE, i0 = qb * B, ni = i0 + B <= n ? B : n - i0;
    qstate *qs = w->qs;
    for (int b = 0; b < ni; b++) {
        qs[b].heap = w->heaps + (size_t) b * K; qs[b].hcnt = 0;
        qs[b].buf = w->bufs + (size_t) b * cap; qs[b].blo = w->blos + (size_t) b * cap;
        qs[b].bcnt = 0; qs[b].over = over;
    }
    for (int rb = 0; rb < nb; rb++) {
        w->ord[rb].b = rb;
        w->ord[rb].g = rb == qb ? -1.0 : box_gap2(blo + (size_t) qb * m, bhi + (size_t) qb * m,
                                                  blo + (size_t) rb * m, bhi + (size_t) rb * m, m);
    }
    qsort(w->ord, (size_t) nb, sizeof(gapb), gapb_cmp);   /* own block first, then nearest */
    const double one = 1.0, zero = 0.0;
    for (int t = 0; t < nb; t++) {
        double Tmax = R_NegInf;        /* overflowed queries are ranked over all later */
        for (int b = 0; b < ni; b++) {
            double T = qs[b].over ? R_NegInf : qT(qs + b, K);
            if (T > Tmax) Tmax = T;
        }
        /* this block and all later ones are too far (or no query screens) */
        if (w->ord[t].g > Tmax || Tmax == R_NegInf) break;
        int rb = w->ord[t].b, j0 = rb * B, nr = j0 + B <= n ? B : n - j0;
        F77_CALL(dgemm)("T", "N", &nr, &ni, &m, &one, P + (size_t) j0 * m, &m,
                        P + (size_t) i0 * m, &m, &zero, w->G, &nr FCONE FCONE);
        for (int b = 0; b < ni; b++)
            screen_tile(qs + b, K, cap, i0 + b, nrm[i0 + b], enr[i0 + b], j0, nr,
                        w->G + (size_t) b * nr, nrm, enr);
    }
    for (int b = 0; b < ni; b++) {
        int i = i0 + b;
        finish_query(P, m, n, K, orig, i, qs + b, w->cb, kq + (size_t) i * K, kd + (size_t) i * K);
    }
}

/* The BLAS is called from the threads, each on its own tiles: pnmf runs it
 * with one thread of its own (mst_of() in R sees to OpenBLAS). */
void emst_knn_gram(const double *P, int m, int n, int K, const int *orig, int nthreads,
                   int *kq, double *kd)
{
    int B = EMST_TILE, nb = (n + B - 1) / B, cap = BUF_PER_K * K;
    if (cap < 64) cap = 64;
    double *nrm = (double *) R_alloc(n, sizeof(double));
    for (int j = 0; j < n; j++) nrm[j] = dense_norm2(P + (size_t) j * m, (size_t) m);
    /* dgemm and the norms err by at most gamma_m times the norms, sqdist
     * by gamma_m times the distance (<= 2 (n_i + n_j)), plus a few ulps;
     * doubled for safety (as in knn.c) */
    double c_err = 2.0 * (4.0 * m + 16.0) * DBL_EPSILON;
    double *enr = (double *) R_alloc(n, sizeof(double));
    int over = 0;                  /* huge coordinates: no screen, rank all points */
    for (int j = 0; j < n; j++) {
        enr[j] = c_err * nrm[j];
        if (!(nrm[j] <= 1e300)) over = 1;
    }
    /* bounding boxes of the blocks */
    double *blo = (double *) R_alloc((size_t) nb * m + 1, sizeof(double));
    double *bhi = (double *) R_alloc((size_t) nb * m + 1, sizeof(double));
    for (int b = 0; b < nb; b++) {
        int s = b * B, e = s + B < n ? s + B : n;
        double *lo = blo + (size_t) b * m, *hi = bhi + (size_t) b * m;
        for (int l = 0; l < m; l++) lo[l] = hi[l] = P[(size_t) s * m + l];
        for (int r = s + 1; r < e; r++)
            for (int l = 0; l < m; l++) {
                double v = P[(size_t) r * m + l];
                if (v < lo[l]) lo[l] = v;
                if (v > hi[l]) hi[l] = v;
            }
    }
    int nth = nthreads > 0 ? nthreads : 1;
    if (nth > nb) nth = nb;
    scratch *ws = (scratch *) R_alloc(nth, sizeof(scratch));
    for (int t = 0; t < nth; t++) {
        ws[t].G = (double *) R_alloc((size_t) B * B, sizeof(double));
        ws[t].qs = (qstate *) R_alloc(B, sizeof(qstate));
        ws[t].heaps = (double *) R_alloc((size_t) B * K, sizeof(double));
        ws[t].bufs = (int *) R_alloc((size_t) B * cap, sizeof(int));
        ws[t].blos = (double *) R_alloc((size_t) B * cap, sizeof(double));
        ws[t].ord = (gapb *) R_alloc(nb, sizeof(gapb));
        ws[t].cb = (kcand *) R_alloc(n, sizeof(kcand));
    }
    int step = nth;                            /* query blocks between interrupt checks */
    for (int q0 = 0; q0 < nb; q0 += step) {
        int q1 = q0 + step < nb ? q0 + step : nb;
        OMP(parallel for num_threads(nth) schedule(dynamic, 1) if (nth > 1))
        for (int qb = q0; qb < q1; qb++)
            query_block(P, m, n, K, orig, qb, nb, cap, nrm, enr, over, blo, bhi,
                        ws + par_thread_num(), kq, kd);
        R_CheckUserInterrupt();
    }
}
