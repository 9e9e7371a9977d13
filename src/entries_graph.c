/* entries_graph.c: the .Call entries of the filtration (persistence
 * diagram, pair counts, the exact edge list, nearest neighbours, distances
 * of given pairs): argument checks and SEXP packing around the kernels of
 * ph_mst.c, filtration.c and knn.c. */
#include "entries.h"
#include "emst.h"

/* The tree of the columns of X as list(from, to, length, diameter, knn),
 * 1-based vertices; prim: Prim's order (ph_mst.c), else Boruvka's rounds
 * (emst.c, first neighbours by Gram screening when gram); the diameter only
 * when want_diam (NA otherwise); knn: the keep nearest cells of every cell
 * (n x keep) when Boruvka found that many on its way, else NULL. */
static SEXP mst_sexp(SEXP sX, SEXP sthreads, int prim, int want_diam, int gram, int keep)
{
    if (!isReal(sX) || !isMatrix(sX)) error("'x' must be a double matrix");
    int m = nrows(sX), n = ncols(sX), nthreads = as_threads(sthreads);
    if (n < 1) error("'x' must have at least one column");
    check_finite(sX, "x");
    SEXP res = PROTECT(allocVector(VECSXP, 5));
    SEXP sfrom = PROTECT(allocVector(INTSXP, n - 1));
    SEXP sto = PROTECT(allocVector(INTSXP, n - 1));
    SEXP slen = PROTECT(allocVector(REALSXP, n - 1));
    int with_knn = !prim && n >= 2 && keep > 0 && keep <= emst_knn_available(m, n, gram);
    SEXP sknn = PROTECT(with_knn ? allocMatrix(INTSXP, n, keep) : R_NilValue);
    double diam = 0.0;
    if (prim) prim_mst(REAL(sX), m, n, nthreads, INTEGER(sfrom), INTEGER(sto), REAL(slen), &diam);
    else emst_boruvka(REAL(sX), m, n, nthreads, gram, INTEGER(sfrom), INTEGER(sto), REAL(slen),
                      want_diam ? &diam : NULL, keep, with_knn ? INTEGER(sknn) : NULL);
    for (int e = 0; e < n - 1; e++) { INTEGER(sfrom)[e]++; INTEGER(sto)[e]++; }
    SET_VECTOR_ELT(res, 0, sfrom);
    SET_VECTOR_ELT(res, 1, sto);
    SET_VECTOR_ELT(res, 2, slen);
    SET_VECTOR_ELT(res, 3, ScalarReal(want_diam ? diam : NA_REAL));
    SET_VECTOR_ELT(res, 4, sknn);
    const char *names[] = {"from", "to", "length", "diameter", "knn", NULL};
    set_names(res, names);
    UNPROTECT(5);
    return res;
}

/* .Call entry: MST of the columns of X by Prim's algorithm (edges in the
 * order Prim added them) with the diameter. */
SEXP C_ph_mst(SEXP sX, SEXP sthreads)
{
    return mst_sexp(sX, sthreads, 1, 1, 0, 0);
}

/* .Call entry: the same tree by Boruvka rounds over a kd-tree (edges in
 * the order the rounds added them; same lengths as Prim's); the diameter
 * (exact) only when `diameter` is TRUE.  `gram`: first neighbours by Gram
 * screening (TRUE) or by the kd-tree (FALSE); 2: Gram, and the nearest
 * components at the first round with cells to search; plus 4: the Gram
 * passes on dgemm tiles even where float tiles would be used; the result is
 * the same.
 * `knn`: how many nearest cells of every cell to return (0: none). */
SEXP C_emst(SEXP sX, SEXP sthreads, SEXP sdiameter, SEXP sgram, SEXP sknn)
{
    int want_diam = asLogical(sdiameter);
    if (want_diam == NA_LOGICAL) error("'diameter' must be TRUE or FALSE");
    /* TRUE, FALSE or 2 (EMST_GRAM_OUTSIDE), + 4 (EMST_GRAM_DGEMM): tests */
    int gram = asInteger(sgram);
    if (gram == NA_INTEGER || gram < 0 || (gram & ~EMST_GRAM_DGEMM) > EMST_GRAM_OUTSIDE)
        error("'gram' must be TRUE, FALSE or 2, plus 4 for dgemm tiles");
    int keep = asInteger(sknn);
    if (keep == NA_INTEGER || keep < 0) error("'knn' must be a count >= 0");
    return mst_sexp(sX, sthreads, 0, want_diam, gram, keep);
}

/* Number of pairs below each (ascending) threshold. */
SEXP C_count_pairs(SEXP sX, SEXP sth, SEXP sthreads)
{
    if (!isReal(sX) || !isMatrix(sX)) error("'x' must be a double matrix");
    if (!isReal(sth)) error("'thresholds' must be double");
    check_finite(sX, "x");
    int nt = length(sth);
    const double *th = REAL(sth);
    for (int t = 1; t < nt; t++)
        if (!(th[t] >= th[t - 1])) error("'thresholds' must be sorted increasingly");
    SEXP res = PROTECT(allocVector(REALSXP, nt));
    count_pairs_below(REAL(sX), nrows(sX), ncols(sX), th, nt, as_threads(sthreads), REAL(res));
    UNPROTECT(1);
    return res;
}

/* list(i, j, d) of all pairs i < j with d_ij < emax (1-based), sorted. */
SEXP C_filtration_pairs(SEXP sX, SEXP semax, SEXP sthreads)
{
    if (!isReal(sX) || !isMatrix(sX)) error("'x' must be a double matrix");
    if (!isReal(semax) || length(semax) != 1) error("'emax' must be one number");
    check_finite(sX, "x");
    ptrdiff_t ne = 0;
    filtration_edge *ed = filtration_pairs(REAL(sX), nrows(sX), ncols(sX), REAL(semax)[0],
                                           as_threads(sthreads), &ne);
    SEXP res = PROTECT(allocVector(VECSXP, 3));
    SEXP si = PROTECT(allocVector(INTSXP, ne));
    SEXP sj = PROTECT(allocVector(INTSXP, ne));
    SEXP sd = PROTECT(allocVector(REALSXP, ne));
    for (ptrdiff_t e = 0; e < ne; e++) {
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

/* N x k integer matrix of the k nearest cells (1-based, nearest first, ties
 * to the smaller index) of every column of Y (d x N). */
SEXP C_knn_exact(SEXP sY, SEXP sk, SEXP sthreads)
{
    if (!isReal(sY) || !isMatrix(sY)) error("'y' must be a double matrix");
    int m = nrows(sY), n = ncols(sY), k = asInteger(sk);
    int nthreads = as_threads(sthreads);
    if (n < 2) error("at least 2 cells are needed for nearest neighbours");
    if (k == NA_INTEGER || k < 1 || k > n - 1)
        error("'k' must be between 1 and %d (the number of cells - 1)", n - 1);
    check_finite(sY, "y");
    SEXP res = PROTECT(allocMatrix(INTSXP, n, k));
    knn_exact(REAL(sY), m, n, k, nthreads, INTEGER(res));
    UNPROTECT(1);
    return res;
}

/* Exact distances sqrt(sqdist()) of the pairs (i[e], j[e]), 1-based
 * columns of Y. */
SEXP C_pair_dist(SEXP sY, SEXP si, SEXP sj, SEXP sthreads)
{
    if (!isReal(sY) || !isMatrix(sY)) error("'y' must be a double matrix");
    if (!isInteger(si) || !isInteger(sj)) error("'i' and 'j' must be integer vectors");
    R_xlen_t ne = XLENGTH(si);
    if (XLENGTH(sj) != ne) error("'i' and 'j' must have the same length");
    int m = nrows(sY), n = ncols(sY), nthreads = as_threads(sthreads);
    check_finite(sY, "y");
    const int *pi = INTEGER(si), *pj = INTEGER(sj);
    for (R_xlen_t e = 0; e < ne; e++)
        if (pi[e] == NA_INTEGER || pj[e] == NA_INTEGER || pi[e] < 1 || pi[e] > n ||
            pj[e] < 1 || pj[e] > n)
            error("pair %.0f has a cell index outside 1..%d", (double) e + 1, n);
    SEXP res = PROTECT(allocVector(REALSXP, ne));
    pair_dist(REAL(sY), m, pi, pj, ne, nthreads, REAL(res));
    UNPROTECT(1);
    return res;
}
