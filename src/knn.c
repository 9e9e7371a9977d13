/* knn.c: exact k nearest neighbours and distances of given pairs.
 *
 * The sparse (kNN + MST) filtration for large N needs each cell's k nearest
 * cells without the N x N distance matrix.  Cells are taken in blocks of B:
 * the Gram block Y' Y_block (N x B, one contiguous column per cell of the
 * block) comes from BLAS dgemm, so memory is O(B N) and the flops run at BLAS
 * speed.  The Gram identity n_i + n_j - 2 g_ij is only a screen, though: it
 * cancels, so it may misorder near ties, and every distance of the package
 * must come from sqdist().  So per cell (in parallel over the block): a
 * max-heap picks the k smallest screened values, every cell whose screened
 * value minus its rounding-error bound does not exceed the largest
 * (value + bound) of those k becomes a candidate, and the candidates are
 * ranked by sqdist() (ties to the smaller index).  The result is the exact
 * k nearest cells under the package's own distance kernel.
 */
#include "pnmf.h"
#include <stdlib.h>
#include <float.h>
#include <R_ext/BLAS.h>
#ifndef FCONE
#define FCONE
#endif
#include "parallel.h"

typedef struct { double d; int j; } cand;

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = (const cand *) a, *y = (const cand *) b;
    if (x->d < y->d) return -1;
    if (x->d > y->d) return 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* (d, j) is "larger" than (e, l): greater distance, ties to the larger index */
static inline int cand_gt(double d, int j, double e, int l)
{
    return d > e || (d == e && j > l);
}

/* max-heap of size k on (d, j): root = the worst of the current k best */
static void heap_sift_down(double *hd, int *hj, int k, int p)
{
    for (;;) {
        int c = 2 * p + 1, big = p;
        if (c < k && cand_gt(hd[c], hj[c], hd[big], hj[big])) big = c;
        if (c + 1 < k && cand_gt(hd[c + 1], hj[c + 1], hd[big], hj[big])) big = c + 1;
        if (big == p) return;
        double td = hd[p]; hd[p] = hd[big]; hd[big] = td;
        int tj = hj[p]; hj[p] = hj[big]; hj[big] = tj;
        p = big;
    }
}

/* k nearest of cell i from its Gram column g (length n); writes out[i + r n] */
static void knn_one(const double *Y, int m, int n, int k, int i, const double *g,
                    const double *nrm, double c_err, double *hd, int *hj, cand *cb,
                    int *out)
{
    double ni = nrm[i];
    int filled = 0;
    for (int j = 0; j < n; j++) {
        if (j == i) continue;
        double d = ni + nrm[j] - 2.0 * g[j];
        if (filled < k) {
            /* sift up */
            int p = filled++;
            hd[p] = d; hj[p] = j;
            while (p > 0) {
                int q = (p - 1) / 2;
                if (!cand_gt(hd[p], hj[p], hd[q], hj[q])) break;
                double td = hd[p]; hd[p] = hd[q]; hd[q] = td;
                int tj = hj[p]; hj[p] = hj[q]; hj[q] = tj;
                p = q;
            }
        } else if (cand_gt(hd[0], hj[0], d, j)) {
            hd[0] = d; hj[0] = j;
            heap_sift_down(hd, hj, k, 0);
        }
    }
    /* upper bound of the exact k-th smallest squared distance */
    double ub = R_NegInf;
    for (int r = 0; r < k; r++) {
        double u = hd[r] + c_err * (ni + nrm[hj[r]]);
        if (u > ub) ub = u;
    }
    /* candidates: every cell that may be closer than that bound */
    int nc = 0;
    for (int j = 0; j < n; j++) {
        if (j == i) continue;
        double d = ni + nrm[j] - 2.0 * g[j];
        if (d - c_err * (ni + nrm[j]) <= ub) {
            cb[nc].j = j;
            cb[nc].d = sqdist(Y + (size_t) i * m, Y + (size_t) j * m, m);
            nc++;
        }
    }
    if (nc < k) {
        /* the screen overflowed (huge coordinates give NaN bounds): rank
         * every cell by its exact distance instead */
        nc = 0;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            cb[nc].j = j;
            cb[nc].d = sqdist(Y + (size_t) i * m, Y + (size_t) j * m, m);
            nc++;
        }
    }
    qsort(cb, (size_t) nc, sizeof(cand), cand_cmp);
    for (int r = 0; r < k; r++) out[i + (size_t) r * n] = cb[r].j + 1;
}

/* The k nearest cells (1-based, nearest first, ties to the smaller index)
 * of every column of Y (m x n), into out (n x k, column-major); 1 <= k < n. */
void knn_exact(const double *Y, int m, int n, int k, int nthreads, int *out)
{
    /* block size: Gram block of about 16 M doubles (128 MB) */
    int B = (int) (16777216.0 / n);
    if (B > 1024) B = 1024;
    if (B < 32) B = 32;
    if (B > n) B = n;
    double *nrm = (double *) R_alloc(n, sizeof(double));
    for (int j = 0; j < n; j++) nrm[j] = dense_norm2(Y + (size_t) j * m, (size_t) m);
    /* bound of |screen - sqdist| relative to n_i + n_j: dgemm and the norms
     * err by at most gamma_m times the norms, sqdist by gamma_m times the
     * distance (<= 2 (n_i + n_j)); the three final operations add a few ulps.
     * Doubled for safety. */
    double c_err = 2.0 * (4.0 * m + 16.0) * DBL_EPSILON;
    double *G = (double *) R_alloc((size_t) n * B, sizeof(double));
    int nth = nthreads;   /* 1 without OpenMP (the entry clamps it) */
    double *hd = (double *) R_alloc((size_t) nth * k, sizeof(double));
    int *hj = (int *) R_alloc((size_t) nth * k, sizeof(int));
    cand *cb = (cand *) R_alloc((size_t) nth * n, sizeof(cand));
    double one = 1.0, zero = 0.0;
    for (int i0 = 0; i0 < n; i0 += B) {
        int nb = i0 + B < n ? B : n - i0;
        if (m > 0)
            F77_CALL(dgemm)("T", "N", &n, &nb, &m, &one, Y, &m, Y + (size_t) i0 * m, &m,
                            &zero, G, &n FCONE FCONE);
        else
            for (size_t l = 0; l < (size_t) n * nb; l++) G[l] = 0.0;
        PAR_TEAM(team, nth, (double) nb * n);
        OMP(parallel for num_threads(team) schedule(dynamic, 8) if (team > 1))
        for (int c = 0; c < nb; c++) {
            int tid = par_thread_num();
            knn_one(Y, m, n, k, i0 + c, G + (size_t) c * n, nrm, c_err,
                    hd + (size_t) tid * k, hj + (size_t) tid * k, cb + (size_t) tid * n,
                    out);
        }
        R_CheckUserInterrupt();
    }
}

/* Exact distances sqrt(sqdist()) of the pairs (pi[e], pj[e]), 1-based
 * columns of Y (m x n, indices checked by the caller), into d. */
void pair_dist(const double *Y, int m, const int *pi, const int *pj, ptrdiff_t ne,
               int nthreads, double *d)
{
    const ptrdiff_t chunk = 1 << 20;
    for (ptrdiff_t e0 = 0; e0 < ne; e0 += chunk) {
        ptrdiff_t e1 = e0 + chunk < ne ? e0 + chunk : ne;
        PAR_TEAM(team, nthreads, (double) (e1 - e0) * m);
        OMP(parallel for num_threads(team) schedule(static) if (team > 1))
        for (ptrdiff_t e = e0; e < e1; e++)
            d[e] = sqrt(sqdist(Y + (size_t) (pi[e] - 1) * m, Y + (size_t) (pj[e] - 1) * m, m));
        R_CheckUserInterrupt();
    }
}
