/* ph_mst.c: 0-dimensional persistent homology of the cells.
 *
 * The death times of the Rips filtration are the edge lengths of the
 * Euclidean minimum spanning tree.  Prim's algorithm on the implicit complete
 * graph needs O(n) memory and O(n^2 m) time: after a vertex joins the tree,
 * its distances to all vertices still outside are computed once (in parallel)
 * and the keys lowered.  Every pair is visited exactly once, which also gives
 * the diameter for free.
 */
#include "pnmf.h"
#include "parallel.h"
#include <string.h>

void prim_mst(const double *X, int m, int n, int nthreads,
              int *from, int *to, double *len, double *diameter)
{
    /* The cells outside the tree are kept compact at the front of a working
     * copy (swap-remove), so every step streams one shrinking contiguous
     * block: it soon fits in cache, and the threads read disjoint halves. */
    double *Y = (double *) R_alloc((size_t) m * n + 1, sizeof(double));
    double *key = (double *) R_alloc(n, sizeof(double));
    int *parent = (int *) R_alloc(n, sizeof(int));
    int *id = (int *) R_alloc(n, sizeof(int));
    double *xu = (double *) R_alloc((size_t) m + 1, sizeof(double));
    memcpy(Y, X, (size_t) m * n * sizeof(double));
    for (int v = 0; v < n; v++) { key[v] = R_PosInf; parent[v] = -1; id[v] = v; }
    int nrest = n, pu = 0;          /* position of the vertex joining the tree */
    double dmax = 0.0;
    for (int step = 0; step < n; step++) {
        int u = id[pu];
        if (step > 0) { from[step - 1] = parent[pu]; to[step - 1] = u; len[step - 1] = sqrt(key[pu]); }
        memcpy(xu, Y + (size_t) pu * m, (size_t) m * sizeof(double));
        nrest--;                      /* move the last outside cell into pu */
        if (pu != nrest) {
            memcpy(Y + (size_t) pu * m, Y + (size_t) nrest * m, (size_t) m * sizeof(double));
            key[pu] = key[nrest]; parent[pu] = parent[nrest]; id[pu] = id[nrest];
        }
        if (nrest == 0) break;
        double smax = 0.0, best_key = R_PosInf;
        int best = -1;
        PAR_TEAM(nth, nthreads, (double) nrest * m);
        OMP(parallel num_threads(nth) if (nth > 1))
        {
            double lmax = 0.0, lkey = R_PosInf;
            int lbest = -1;
            OMP(for schedule(static))
            for (int r = 0; r < nrest; r++) {
                double d2 = sqdist(xu, Y + (size_t) r * m, m);
                if (d2 > lmax) lmax = d2;
                /* parent < 0: a key still +Inf where d2 overflowed to +Inf */
                if (d2 < key[r] || parent[r] < 0) { key[r] = d2; parent[r] = u; }
                if (lbest < 0 || key[r] < lkey || (key[r] == lkey && id[r] < id[lbest])) {
                    lkey = key[r]; lbest = r;
                }
            }
            OMP(critical)
            {
                if (lmax > smax) smax = lmax;
                if (lbest >= 0 && (best < 0 || lkey < best_key ||
                                   (lkey == best_key && id[lbest] < id[best]))) {
                    best_key = lkey; best = lbest;
                }
            }
        }
        if (smax > dmax) dmax = smax;
        pu = best;   /* smallest key, ties to the smallest cell index */
        if ((step & 255) == 255) R_CheckUserInterrupt();
    }
    *diameter = sqrt(dmax);
}

/* Number of pairs i < j with d_ij < th[t] for ascending thresholds th. */
void count_pairs_below(const double *X, int m, int n, const double *th,
                              int nt, int nthreads, double *count)
{
    int nth = nthreads;   /* 1 without OpenMP (the entry clamps it) */
    /* hist[b] = pairs whose first threshold above d is th[b]; b = nt: none */
    double *hist = (double *) R_alloc((size_t) nth * (nt + 1), sizeof(double));
    for (size_t l = 0; l < (size_t) nth * (nt + 1); l++) hist[l] = 0.0;
    for (int i0 = 0; i0 < n; i0 += 256) {
        int i1 = i0 + 256 < n ? i0 + 256 : n;
        PAR_TEAM(team, nth, (double) (i1 - i0) * n * m);
        OMP(parallel for num_threads(team) schedule(dynamic, 4) if (team > 1))
        for (int i = i0; i < i1; i++) {
            int tid = par_thread_num();
            double *h = hist + (size_t) tid * (nt + 1);
            const double *xi = X + (size_t) i * m;
            for (int j = i + 1; j < n; j++) {
                double d = sqrt(sqdist(xi, X + (size_t) j * m, m));
                int lo = 0, hi = nt;          /* first t with d < th[t] */
                while (lo < hi) {
                    int mid = (lo + hi) / 2;
                    if (d < th[mid]) hi = mid; else lo = mid + 1;
                }
                h[lo] += 1.0;
            }
        }
        R_CheckUserInterrupt();
    }
    double acc = 0.0;
    for (int t = 0; t < nt; t++) {
        for (int tid = 0; tid < nth; tid++) acc += hist[(size_t) tid * (nt + 1) + t];
        count[t] = acc;
    }
}
