/* project.c: embeddings of new cells on a fixed basis.
 *
 * h_j = argmin_{h >= 0} ||x_j - W h||^2 + ridge ||h||^2 for every column x_j
 * of X, by cyclic coordinate descent on the k x k Gram matrix G = W'W +
 * ridge I with b_j = W'x_j: each step minimises exactly over one coordinate,
 * so the objective never increases and the iterates converge to a minimiser
 * (the unique one when W has full column rank or ridge > 0).  Cells are
 * independent, each solved in a fixed order, so the result does not depend
 * on the number of threads.
 */
#include "pnmf.h"
#include <R_ext/BLAS.h>
#ifndef FCONE
#define FCONE
#endif

/* One cell: b (k), h (k, output); returns the sweeps used. */
static int nnls_cell(const double *G, const double *b, int k, int max_iter, double tol,
                     double *h)
{
    for (int c = 0; c < k; c++) h[c] = 0.0;
    int it = 0;
    while (it < max_iter) {
        it++;
        double delta = 0.0, hmax = 0.0;
        for (int c = 0; c < k; c++) {
            const double *gc = G + (size_t) c * k;
            double gcc = gc[c];
            if (!(gcc > 0.0)) { h[c] = 0.0; continue; }   /* a zero column of W */
            double grad = b[c];
            for (int l = 0; l < k; l++) grad -= gc[l] * h[l];
            double v = h[c] + grad / gcc;
            if (!(v > 0.0)) v = 0.0;
            double d = fabs(v - h[c]);
            if (d > delta) delta = d;
            h[c] = v;
            if (v > hmax) hmax = v;
        }
        if (delta <= tol * hmax) break;
    }
    return it;
}

/* .Call entry: list(H = k x n, iterations = n) for data X and basis W. */
SEXP C_project_nnls(SEXP sX, SEXP sW, SEXP sridge, SEXP smax_iter, SEXP stol, SEXP sthreads)
{
    data_matrix X;
    data_from_sexp(sX, &X);
    if (!isReal(sW) || !isMatrix(sW) || nrows(sW) != X.m || ncols(sW) < 1)
        error("'W' must be a double matrix with one row per feature and >= 1 column");
    check_finite(sW, "W");
    int k = ncols(sW), n = X.n, max_iter = asInteger(smax_iter);
    double ridge = asReal(sridge), tol = asReal(stol);
    if (!R_FINITE(ridge) || ridge < 0) error("'ridge' must be finite and >= 0");
    if (max_iter == NA_INTEGER || max_iter < 1) error("'max_iter' must be >= 1");
    if (!R_FINITE(tol) || tol < 0) error("'tol' must be finite and >= 0");
    int nth = as_threads(sthreads);
    const double *W = REAL(sW);
    double *G = (double *) R_alloc((size_t) k * k, sizeof(double));
    double one = 1.0, zero = 0.0;
    int m = X.m;
    if (m > 0)
        F77_CALL(dgemm)("T", "N", &k, &k, &m, &one, W, &m, W, &m, &zero, G, &k FCONE FCONE);
    else
        for (size_t l = 0; l < (size_t) k * k; l++) G[l] = 0.0;
    for (int c = 0; c < k; c++) G[c + (size_t) c * k] += ridge;
    SEXP res = PROTECT(allocVector(VECSXP, 2));
    SEXP sH = PROTECT(allocMatrix(REALSXP, k, n));
    SEXP sit = PROTECT(allocVector(INTSXP, n));
    double *H = REAL(sH);
    int *iters = INTEGER(sit);
    double *B = (double *) R_alloc((size_t) k * n + 1, sizeof(double));
    wt_times_data(&X, W, k, B, nth);
    const int block = 4096;
    for (int j0 = 0; j0 < n; j0 += block) {
        int j1 = j0 + block < n ? j0 + block : n;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(dynamic, 64) if (nth > 1 && j1 - j0 > 256)
#endif
        for (int j = j0; j < j1; j++)
            iters[j] = nnls_cell(G, B + (size_t) j * k, k, max_iter, tol, H + (size_t) j * k);
        R_CheckUserInterrupt();
    }
    SET_VECTOR_ELT(res, 0, sH);
    SET_VECTOR_ELT(res, 1, sit);
    const char *names[] = {"H", "iterations", NULL};
    set_names(res, names);
    UNPROTECT(3);
    return res;
}
