/* entries_kernels.c: .Call entries that expose the solver's kernels to the
 * tests, benchmarks and users: the Laplacian products of graph.c and the
 * data products of products.c. */
#include "entries.h"

/* .Call entry (for tests and users): H A, degrees and tr(H L H') of the
 * graph at scale eps of the edge list (i, j, d). */
SEXP C_laplacian_products(SEXP si, SEXP sj, SEXP sd, SEXP sn, SEXP seps, SEXP sH,
                          SEXP sthreads)
{
    if (!isReal(sH) || !isMatrix(sH)) error("'H' must be a double matrix");
    int n = asInteger(sn), k = nrows(sH);
    if (n == NA_INTEGER || ncols(sH) != n) error("'H' must have n columns");
    const int *ei, *ej;
    const double *ed;
    ptrdiff_t ne = edge_vectors(si, sj, sd, n, &ei, &ej, &ed);
    int nthreads = as_threads(sthreads);
    graph_index g;
    scale_graph s;
    graph_index_build(n, ne, ei, ej, ed, &g);
    scale_graph_alloc(&g, &s);
    scale_graph_set(&g, asReal(seps), &s, nthreads);
    SEXP res = PROTECT(allocVector(VECSXP, 3));
    SEXP HA = PROTECT(allocMatrix(REALSXP, k, n));
    SEXP deg = PROTECT(allocVector(REALSXP, n));
    double tr = laplacian_mult(&g, &s, REAL(sH), k, REAL(HA), nthreads);
    for (int i = 0; i < n; i++) REAL(deg)[i] = s.deg[i];
    SET_VECTOR_ELT(res, 0, HA);
    SET_VECTOR_ELT(res, 1, deg);
    SET_VECTOR_ELT(res, 2, ScalarReal(tr));
    const char *names[] = {"HA", "degree", "trace", NULL};
    set_names(res, names);
    UNPROTECT(3);
    return res;
}

/* .Call entry (tests, benchmarks): list(X H', W' X) by the solver's kernels. */
SEXP C_data_products(SEXP sX, SEXP sH, SEXP sW, SEXP sthreads)
{
    data_matrix X;
    data_from_sexp(sX, &X);
    if (!isReal(sH) || !isMatrix(sH) || ncols(sH) != X.n)
        error("'H' must be a double matrix with one column per cell");
    if (!isReal(sW) || !isMatrix(sW) || nrows(sW) != X.m || ncols(sW) != nrows(sH))
        error("'W' must be a double matrix, features x nrow(H)");
    int k = nrows(sH), nth = as_threads(sthreads);
    SEXP res = PROTECT(allocVector(VECSXP, 2));
    SEXP xht = PROTECT(allocMatrix(REALSXP, X.m, k));
    SEXP wtx = PROTECT(allocMatrix(REALSXP, k, X.n));
    data_times_ht(&X, REAL(sH), k, REAL(xht), nth);
    wt_times_data(&X, REAL(sW), k, REAL(wtx), nth);
    SET_VECTOR_ELT(res, 0, xht);
    SET_VECTOR_ELT(res, 1, wtx);
    UNPROTECT(3);
    return res;
}
