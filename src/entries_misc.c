/* entries_misc.c: the .Call entries around the fit: the NNDSVDA start, the
 * projection of new cells, the one-pass value summary of the argument
 * checks, the sparse form of a dense block read from HDF5, the permuted
 * null copies of parallel analysis, and the thread counts.  Argument checks
 * and SEXP packing around the kernels of nndsvd.c, project.c, values.c,
 * densecsc.c, permute.c and threads.c; and the allocator's free pages
 * handed back to the system. */
#include "entries.h"
#include "parallel.h"
#include <R_ext/Random.h>
#include <limits.h>
#if defined(__GLIBC__)      /* known once a system header is in */
#include <malloc.h>
#endif

/* list(W, H): the NNDSVDA start from the SVD parts u, d, v. */
SEXP C_nndsvda(SEXP sU, SEXP sd, SEXP sV, SEXP sk, SEXP smean)
{
    if (!isReal(sU) || !isMatrix(sU) || !isReal(sV) || !isMatrix(sV) || !isReal(sd))
        error("'u', 'v' must be double matrices and 'd' a double vector");
    int m = nrows(sU), n = nrows(sV), r = ncols(sU), k = asInteger(sk);
    if (ncols(sV) != r || length(sd) < r) error("SVD parts do not match");
    if (k == NA_INTEGER || k < 1) error("'k' must be a positive integer");
    SEXP res = PROTECT(allocVector(VECSXP, 2));
    SEXP sW = PROTECT(allocMatrix(REALSXP, m, k));
    SEXP sH = PROTECT(allocMatrix(REALSXP, k, n));
    nndsvda(REAL(sU), REAL(sd), REAL(sV), m, n, r, k, asReal(smean), REAL(sW), REAL(sH));
    SET_VECTOR_ELT(res, 0, sW);
    SET_VECTOR_ELT(res, 1, sH);
    const char *names[] = {"W", "H", NULL};
    set_names(res, names);
    UNPROTECT(3);
    return res;
}

/* list(H = k x n, iterations = n) for data X and basis W. */
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
    SEXP res = PROTECT(allocVector(VECSXP, 2));
    SEXP sH = PROTECT(allocMatrix(REALSXP, k, n));
    SEXP sit = PROTECT(allocVector(INTSXP, n));
    project_nnls(&X, REAL(sW), k, ridge, max_iter, tol, as_threads(sthreads), REAL(sH),
                 INTEGER(sit));
    SET_VECTOR_ELT(res, 0, sH);
    SET_VECTOR_ELT(res, 1, sit);
    const char *names[] = {"H", "iterations", NULL};
    set_names(res, names);
    UNPROTECT(3);
    return res;
}

/* c(non-finite count, negative count, sum of squares of the finite values,
 * minimum of the finite values) of a double vector (or matrix). */
SEXP C_value_summary(SEXP sx)
{
    if (!isReal(sx)) error("'x' must be a double vector");
    SEXP res = PROTECT(allocVector(REALSXP, 4));
    value_summary(REAL(sx), XLENGTH(sx), REAL(res));
    UNPROTECT(1);
    return res;
}

/* list(p, i, x): the compressed sparse columns of a dense double matrix
 * (the slots of a dgCMatrix); NULL when at least max_density of its values
 * are non-zero (the block then stays dense). */
SEXP C_dense_to_csc(SEXP sx, SEXP smax_density)
{
    if (!isReal(sx) || !isMatrix(sx)) error("'x' must be a double matrix");
    int m = nrows(sx), n = ncols(sx);
    double max_density = asReal(smax_density);
    ptrdiff_t *p = (ptrdiff_t *) R_alloc((size_t) n + 1, sizeof(ptrdiff_t));
    ptrdiff_t nnz = dense_csc_pattern(REAL(sx), m, n, p);
    if ((double) nnz >= max_density * (double) m * (double) n || nnz > INT_MAX)
        return R_NilValue;
    SEXP sp = PROTECT(allocVector(INTSXP, (R_xlen_t) n + 1));
    int *ip = INTEGER(sp);
    for (int j = 0; j <= n; j++) ip[j] = (int) p[j];
    SEXP si = PROTECT(allocVector(INTSXP, nnz));
    SEXP sv = PROTECT(allocVector(REALSXP, nnz));
    dense_csc_fill(REAL(sx), m, n, INTEGER(si), REAL(sv));
    SEXP res = PROTECT(allocVector(VECSXP, 3));
    SET_VECTOR_ELT(res, 0, sp);
    SET_VECTOR_ELT(res, 1, si);
    SET_VECTOR_ELT(res, 2, sv);
    const char *names[] = {"p", "i", "x", NULL};
    set_names(res, names);
    UNPROTECT(4);
    return res;
}

/* The dense double matrix of list(p, i, x, dim) (a dgCMatrix's slots). */
SEXP C_csc_to_dense(SEXP sX)
{
    data_matrix X;
    data_from_sexp(sX, &X);
    if (X.p == NULL) error("'x' must be sparse data");
    SEXP res = PROTECT(allocMatrix(REALSXP, X.m, X.n));
    memset(REAL(res), 0, sizeof(double) * (size_t) X.m * (size_t) X.n);
    csc_dense_fill(X.p, X.i, X.x, X.m, X.n, REAL(res));
    UNPROTECT(1);
    return res;
}

/* y (m x n double matrix) -> n x m matrix whose column i holds row i of y in
 * a random order, from R's generator (set.seed() applies). */
SEXP C_permuted_transpose(SEXP sy)
{
    if (!isReal(sy) || !isMatrix(sy)) error("'y' must be a double matrix");
    int m = nrows(sy), n = ncols(sy);
    SEXP res = PROTECT(allocMatrix(REALSXP, n, m));
    GetRNGstate();
    permuted_transpose(REAL(sy), m, n, REAL(res));
    PutRNGstate();
    UNPROTECT(1);
    return res;
}

/* c(processors available to this process, OpenMP thread limit); 1, 1
 * without OpenMP (the loops then run serially anyway). */
SEXP C_thread_info(void)
{
    SEXP out = PROTECT(allocVector(INTSXP, 2));
    INTEGER(out)[0] = par_procs();
    INTEGER(out)[1] = par_thread_limit();
    UNPROTECT(1);
    return out;
}

/* Sets OpenBLAS' threads to n (when n >= 1); the previous count, -1 when
 * R's BLAS is not OpenBLAS. */
SEXP C_blas_threads(SEXP n)
{
    return ScalarInteger(blas_threads(asInteger(n)));
}

/* Hands the allocator's free pages back to the system (glibc's
 * malloc_trim(): the free chunks inside the heap too, by madvise()); TRUE
 * when it ran.  The streamed fit calls it when it lets its kept blocks go:
 * freed by R, they stay in the process as holes of the heap (blocks of tens
 * of MB come from the heap, not from their own mappings), and W'X of every
 * cell, allocated next, would add to them. */
SEXP C_release_free_memory(void)
{
#if defined(__GLIBC__)
    malloc_trim(0);
    return ScalarLogical(TRUE);
#else
    return ScalarLogical(FALSE);
#endif
}
