/* filtration.c: the edge list of the exact filtration.
 *
 * Every pair of cells closer than the largest scale, stored once and sorted
 * by distance (ties in upper-triangle row-major order, as the authors' stable
 * sort), so that the graph of any scale eps is the prefix d < eps.  Weights
 * are not stored: they depend on the scale and are made when a scale is used.
 */
#include "entries.h"
#include "parallel.h"
#include <stdlib.h>

typedef struct { double d; int i, j; } edge;

static int edge_cmp(const void *a, const void *b)
{
    const edge *x = (const edge *) a, *y = (const edge *) b;
    if (x->d < y->d) return -1;
    if (x->d > y->d) return 1;
    if (x->i != y->i) return x->i < y->i ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* .Call entry: list(i, j, d) of all pairs i < j with d_ij < emax (1-based). */
SEXP C_filtration_pairs(SEXP sX, SEXP semax, SEXP sthreads)
{
    if (!isReal(sX) || !isMatrix(sX)) error("'x' must be a double matrix");
    if (!isReal(semax) || length(semax) != 1) error("'emax' must be one number");
    check_finite(sX, "x");
    int m = nrows(sX), n = ncols(sX), nthreads = as_threads(sthreads);
    double emax = REAL(semax)[0];
    const double *X = REAL(sX);
    double npairs = (double) n * (n - 1) / 2.0;
    if (npairs > (double) R_XLEN_T_MAX / 2 || npairs > 2147483647.0)
        error("too many cell pairs (%.0f) for the exact filtration", npairs);
    R_xlen_t np = (R_xlen_t) npairs;
    /* pass 1: all distances in row-major upper-triangle order */
    double *dall = (double *) R_alloc(np > 0 ? np : 1, sizeof(double));
    for (int i0 = 0; i0 < n; i0 += 256) {
        int i1 = i0 + 256 < n ? i0 + 256 : n;
        PAR_TEAM(team, nthreads, (double) (i1 - i0) * n * m);
        OMP(parallel for num_threads(team) schedule(dynamic, 4) if (team > 1))
        for (int i = i0; i < i1; i++) {
            R_xlen_t off = (R_xlen_t) i * n - (R_xlen_t) i * (i + 1) / 2;
            const double *xi = X + (size_t) i * m;
            for (int j = i + 1; j < n; j++)
                dall[off + (j - i - 1)] = sqrt(sqdist(xi, X + (size_t) j * m, m));
        }
        R_CheckUserInterrupt();
    }
    /* pass 2: keep d < emax, sort */
    R_xlen_t ne = 0;
    for (R_xlen_t e = 0; e < np; e++) if (dall[e] < emax) ne++;
    edge *ed = (edge *) R_alloc(ne > 0 ? ne : 1, sizeof(edge));
    R_xlen_t e = 0, q = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++, q++)
            if (dall[q] < emax) { ed[e].d = dall[q]; ed[e].i = i; ed[e].j = j; e++; }
    qsort(ed, (size_t) ne, sizeof(edge), edge_cmp);
    SEXP res = PROTECT(allocVector(VECSXP, 3));
    SEXP si = PROTECT(allocVector(INTSXP, ne));
    SEXP sj = PROTECT(allocVector(INTSXP, ne));
    SEXP sd = PROTECT(allocVector(REALSXP, ne));
    for (e = 0; e < ne; e++) {
        INTEGER(si)[e] = ed[e].i + 1;
        INTEGER(sj)[e] = ed[e].j + 1;
        REAL(sd)[e] = ed[e].d;
    }
    SET_VECTOR_ELT(res, 0, si);
    SET_VECTOR_ELT(res, 1, sj);
    SET_VECTOR_ELT(res, 2, sd);
    const char *names[] = {"i", "j", "d", NULL};
    set_names(res, names);
    UNPROTECT(4);
    return res;
}
