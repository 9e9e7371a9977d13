/* emst_knn.c: every point's K nearest points, exactly, at BLAS speed, for
 * the first rounds of emst.c in many dimensions (where a kd-tree visits a
 * large share of the points anyway).
 *
 * A block of query points at a time, the Gram block P' P_block (dgemm)
 * screens all pairs: n_i + n_j - 2 g_ij differs from sqdist() by at most
 * c_err (n_i + n_j).  A heap keeps the K smallest screened values; every
 * point whose screened value minus its error bound does not exceed the
 * largest screened value plus bound among those K is a candidate, ranked by
 * sqdist() itself (ties to the smaller original index).  So the lists are
 * the exact K nearest under the package's one distance kernel.
 */
#include "emst.h"
#include "parallel.h"
#include <float.h>
#include <stdlib.h>
#include <R_ext/BLAS.h>
#ifndef FCONE
#define FCONE
#endif

typedef struct { double d; int o, j; } kcand;   /* distance, original index, position */

static int kcand_cmp(const void *x, const void *y)
{
    const kcand *a = (const kcand *) x, *b = (const kcand *) y;
    if (a->d < b->d) return -1;
    if (a->d > b->d) return 1;
    return (a->o > b->o) - (a->o < b->o);
}

/* max-heap on (value, original index) */
static inline int hgt(double d, int o, double e, int p)
{
    return d > e || (d == e && o > p);
}

static void sift_down(double *hd, int *ho, int *hj, int k, int p)
{
    for (;;) {
        int l = 2 * p + 1, r = l + 1, g = p;
        if (l < k && hgt(hd[l], ho[l], hd[g], ho[g])) g = l;
        if (r < k && hgt(hd[r], ho[r], hd[g], ho[g])) g = r;
        if (g == p) return;
        double td = hd[p]; hd[p] = hd[g]; hd[g] = td;
        int to = ho[p]; ho[p] = ho[g]; ho[g] = to;
        int tj = hj[p]; hj[p] = hj[g]; hj[g] = tj;
        p = g;
    }
}

/* The K nearest of point i given its Gram column g (all n points). */
static void knn_point(const double *P, int m, int n, int K, const int *orig, int i,
                      const double *g, const double *nrm, double c_err,
                      double *hd, int *ho, int *hj, kcand *cb, int *kq, double *kd)
{
    double ni = nrm[i];
    int filled = 0;
    for (int j = 0; j < n; j++) {
        if (j == i) continue;
        double d = ni + nrm[j] - 2.0 * g[j];
        if (filled < K) {
            int p = filled++;
            hd[p] = d; ho[p] = orig[j]; hj[p] = j;
            while (p > 0) {
                int q = (p - 1) / 2;
                if (!hgt(hd[p], ho[p], hd[q], ho[q])) break;
                double td = hd[p]; hd[p] = hd[q]; hd[q] = td;
                int to = ho[p]; ho[p] = ho[q]; ho[q] = to;
                int tj = hj[p]; hj[p] = hj[q]; hj[q] = tj;
                p = q;
            }
        } else if (hgt(hd[0], ho[0], d, orig[j])) {
            hd[0] = d; ho[0] = orig[j]; hj[0] = j;
            sift_down(hd, ho, hj, K, 0);
        }
    }
    double ub = R_NegInf;
    for (int r = 0; r < K; r++) {
        double u = hd[r] + c_err * (ni + nrm[hj[r]]);
        if (u > ub) ub = u;
    }
    const double *pi = P + (size_t) i * m;
    int nc = 0;
    if (R_FINITE(ub)) {
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            double d = ni + nrm[j] - 2.0 * g[j];
            if (d - c_err * (ni + nrm[j]) <= ub) {
                cb[nc].d = sqdist(pi, P + (size_t) j * m, m);
                cb[nc].o = orig[j]; cb[nc].j = j;
                nc++;
            }
        }
    }
    if (nc < K) {   /* the screen overflowed (huge coordinates): rank them all */
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

void emst_knn_gram(const double *P, int m, int n, int K, const int *orig, int nthreads,
                   int *kq, double *kd)
{
    int B = (int) (16777216.0 / n);          /* Gram block of at most 128 MB */
    if (B > 512) B = 512;
    if (B < 16) B = 16;
    if (B > n) B = n;
    double *nrm = (double *) R_alloc(n, sizeof(double));
    for (int j = 0; j < n; j++) nrm[j] = dense_norm2(P + (size_t) j * m, (size_t) m);
    /* dgemm and the norms err by at most gamma_m times the norms, sqdist
     * by gamma_m times the distance (<= 2 (n_i + n_j)), plus a few ulps;
     * doubled for safety (as in knn.c) */
    double c_err = 2.0 * (4.0 * m + 16.0) * DBL_EPSILON;
    double *G = (double *) R_alloc((size_t) n * B, sizeof(double));
    int nth = nthreads > 0 ? nthreads : 1;
    double *hd = (double *) R_alloc((size_t) nth * K, sizeof(double));
    int *ho = (int *) R_alloc((size_t) nth * K, sizeof(int));
    int *hj = (int *) R_alloc((size_t) nth * K, sizeof(int));
    kcand *cb = (kcand *) R_alloc((size_t) nth * n, sizeof(kcand));
    const double one = 1.0, zero = 0.0;
    for (int i0 = 0; i0 < n; i0 += B) {
        int nb = i0 + B <= n ? B : n - i0;
        F77_CALL(dgemm)("T", "N", &n, &nb, &m, &one, P, &m, P + (size_t) i0 * m, &m,
                        &zero, G, &n FCONE FCONE);
        PAR_TEAM(team, nth, (double) nb * n);
        OMP(parallel for num_threads(team) schedule(dynamic, 1) if (team > 1))
        for (int b = 0; b < nb; b++) {
            int tid = par_thread_num(), i = i0 + b;
            knn_point(P, m, n, K, orig, i, G + (size_t) b * n, nrm, c_err,
                      hd + (size_t) tid * K, ho + (size_t) tid * K, hj + (size_t) tid * K,
                      cb + (size_t) tid * n, kq + (size_t) i * K, kd + (size_t) i * K);
        }
        R_CheckUserInterrupt();
    }
}
