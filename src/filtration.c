/* filtration.c: the edge list of the exact filtration.
 *
 * Every pair of cells closer than the largest scale, stored once and sorted
 * by distance (ties in upper-triangle row-major order, as the authors' stable
 * sort), so that the graph of any scale eps is the prefix d < eps.  Weights
 * are not stored: they depend on the scale and are made when a scale is used.
 */
#include "pnmf.h"
#include "parallel.h"
#include <stdlib.h>

static int edge_cmp(const void *a, const void *b)
{
    const filtration_edge *x = (const filtration_edge *) a, *y = (const filtration_edge *) b;
    if (x->d < y->d) return -1;
    if (x->d > y->d) return 1;
    if (x->i != y->i) return x->i < y->i ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* All pairs i < j (0-based) of the columns of X (m x n) with d_ij < emax,
 * sorted by (d, i, j), in R_alloc memory; *ne receives their number. */
filtration_edge *filtration_pairs(const double *X, int m, int n, double emax, int nthreads,
                                  ptrdiff_t *ne_out)
{
    double npairs = (double) n * (n - 1) / 2.0;
    if (npairs > 2147483647.0)
        error("too many cell pairs (%.0f) for the exact filtration", npairs);
    ptrdiff_t np = (ptrdiff_t) npairs;
    /* pass 1: all distances in row-major upper-triangle order */
    double *dall = (double *) R_alloc(np > 0 ? np : 1, sizeof(double));
    for (int i0 = 0; i0 < n; i0 += 256) {
        int i1 = i0 + 256 < n ? i0 + 256 : n;
        PAR_TEAM(team, nthreads, (double) (i1 - i0) * n * m);
        OMP(parallel for num_threads(team) schedule(dynamic, 4) if (team > 1))
        for (int i = i0; i < i1; i++) {
            ptrdiff_t off = (ptrdiff_t) i * n - (ptrdiff_t) i * (i + 1) / 2;
            const double *xi = X + (size_t) i * m;
            for (int j = i + 1; j < n; j++)
                dall[off + (j - i - 1)] = sqrt(sqdist(xi, X + (size_t) j * m, m));
        }
        R_CheckUserInterrupt();
    }
    /* pass 2: keep d < emax, sort */
    ptrdiff_t ne = 0;
    for (ptrdiff_t e = 0; e < np; e++) if (dall[e] < emax) ne++;
    filtration_edge *ed = (filtration_edge *) R_alloc(ne > 0 ? ne : 1, sizeof(filtration_edge));
    ptrdiff_t e = 0, q = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++, q++)
            if (dall[q] < emax) { ed[e].d = dall[q]; ed[e].i = i; ed[e].j = j; e++; }
    qsort(ed, (size_t) ne, sizeof(filtration_edge), edge_cmp);
    *ne_out = ne;
    return ed;
}
