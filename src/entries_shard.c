/* entries_shard.c: the .Call entries of the streamed and sharded fits
 * (R/shards.R): unpack and check the SEXP arguments of shard.c's steps and
 * of the block products. */
#include "shard.h"
#include "entries.h"

static void check_real_len(SEXP s, R_xlen_t len, const char *what)
{
    if (!isReal(s) || XLENGTH(s) != len) error("'%s' must be a double vector of length %ld",
                                              what, (long) len);
}

/* list(i, j, d) of a block's graph on nl local cells */
static void graph_from_sexp(SEXP sedges, int nl, shard_graph *sg)
{
    SEXP ei = list_elt(sedges, "i"), ej = list_elt(sedges, "j"), ed = list_elt(sedges, "d");
    if (!isInteger(ei) || !isInteger(ej) || !isReal(ed) || XLENGTH(ej) != XLENGTH(ei) ||
        XLENGTH(ed) != XLENGTH(ei))
        error("'edges' must be list(i = integer, j = integer, d = double) of equal lengths");
    R_xlen_t ne = XLENGTH(ei);
    const int *a = INTEGER(ei), *b = INTEGER(ej);
    const double *d = REAL(ed);
    for (R_xlen_t e = 0; e < ne; e++) {
        if (a[e] < 1 || a[e] > nl || b[e] < 1 || b[e] > nl || a[e] == b[e])
            error("invalid edge %ld", (long) e + 1);
        if (e > 0 && !(d[e] >= d[e - 1])) error("edges must be sorted by distance");
    }
    sg->nl = nl; sg->ne = ne; sg->ei = a; sg->ej = b; sg->ed = d;
}

/* 1-based local indices -> 0-based, checked */
static int *local_index(SEXP s, int nl, const char *what)
{
    if (!isInteger(s)) error("'%s' must be integer", what);
    int n = length(s);
    int *out = (int *) R_alloc((size_t) n + 1, sizeof(int));
    for (int i = 0; i < n; i++) {
        int v = INTEGER(s)[i];
        if (v == NA_INTEGER || v < 1 || v > nl) error("'%s' out of range", what);
        out[i] = v - 1;
    }
    return out;
}

static void check_scales(SEXP sscales)
{
    if (!isReal(sscales) || length(sscales) < 1) error("'scales' must be a double vector");
    for (int t = 0; t < length(sscales); t++)
        /* a scale of 0 (duplicate cells) is an empty graph, as in the path */
        if (!(REAL(sscales)[t] >= 0) || !R_FINITE(REAL(sscales)[t]))
            error("scales must be finite and >= 0");
}

/* list(XHt = X_b H', WtX = W'X_b); H (r x n_b) or W (m x r) may be NULL */
SEXP C_shard_products(SEXP sX, SEXP sH, SEXP sW, SEXP snorm, SEXP sthreads)
{
    data_matrix X;
    data_from_sexp(sX, &X);
    int nth = as_threads(sthreads);
    SEXP res = PROTECT(allocVector(VECSXP, 3));
    if (sH != R_NilValue) {
        if (!isReal(sH) || !isMatrix(sH) || ncols(sH) != X.n)
            error("'H' must be a double matrix with one column per cell");
        SEXP xht = PROTECT(allocMatrix(REALSXP, X.m, nrows(sH)));
        data_times_ht(&X, REAL(sH), nrows(sH), REAL(xht), nth);
        SET_VECTOR_ELT(res, 0, xht);
        UNPROTECT(1);
    }
    if (sW != R_NilValue) {
        if (!isReal(sW) || !isMatrix(sW) || nrows(sW) != X.m)
            error("'W' must be a double matrix with one row per feature");
        SEXP wtx = PROTECT(allocMatrix(REALSXP, ncols(sW), X.n));
        wt_times_data(&X, REAL(sW), ncols(sW), REAL(wtx), nth);
        SET_VECTOR_ELT(res, 1, wtx);
        UNPROTECT(1);
    }
    /* ||X||^2 only when asked: once per fit, where each pass over a block
     * asks for a product (a serial sum over the non-zeros: as long as the
     * thin product itself) */
    SET_VECTOR_ELT(res, 2, ScalarReal(asLogical(snorm) == TRUE ? data_norm2(&X) : NA_REAL));
    const char *names[] = {"XHt", "WtX", "norm2", NULL};
    set_names(res, names);
    UNPROTECT(1);
    return res;
}

/* The column range of a streamed block: cells first .. first + nb - 1 of a
 * kT x n matrix of the sweeps (0-based first). */
static double *block_columns(SEXP sM, int kT, SEXP sfirst, int nb, const char *what)
{
    if (!isReal(sM) || !isMatrix(sM) || nrows(sM) != kT)
        error("'%s' must be a double matrix with kT rows", what);
    int n = ncols(sM), first = asInteger(sfirst);
    if (first == NA_INTEGER || first < 0 || nb > n - first) error("invalid block 'first'");
    return REAL(sM) + (size_t) first * kT;
}

/* The streamed sweeps' first pass over block X_b (R/shards.R): W'X_b
 * written in place into its columns of WtX (kT x n), the sweeps' own
 * matrix, so that no block-sized copy is made or collected per block (here
 * fresh memory costs about as much as the product). */
SEXP C_block_wtx_into(SEXP sX, SEXP sW, SEXP sWtX, SEXP sfirst, SEXP sthreads)
{
    data_matrix X;
    data_from_sexp(sX, &X);
    if (!isReal(sW) || !isMatrix(sW) || nrows(sW) != X.m)
        error("'W' must be a double matrix with one row per feature");
    int kT = ncols(sW);
    double *out = block_columns(sWtX, kT, sfirst, X.n, "WtX");
    wt_times_data(&X, REAL(sW), kT, out, as_threads(sthreads));
    return R_NilValue;
}

/* X_b H_b' (m x k) with H_b the block's columns of H (k x n), read where
 * they are: the streamed warm start's X H' pass (R/shards.R) makes no
 * block-sized copy of H. */
SEXP C_block_xht(SEXP sX, SEXP sH, SEXP sfirst, SEXP sthreads)
{
    data_matrix X;
    data_from_sexp(sX, &X);
    if (!isReal(sH) || !isMatrix(sH)) error("'H' must be a double matrix");
    int k = nrows(sH);
    const double *Hb = block_columns(sH, k, sfirst, X.n, "H");
    SEXP xht = PROTECT(allocMatrix(REALSXP, X.m, k));
    data_times_ht(&X, Hb, k, REAL(xht), as_threads(sthreads));
    UNPROTECT(1);
    return xht;
}

/* The streamed sweeps' second pass over block X_b: list(XHt = X_b H_b',
 * cross, hh, sums) with H_b and W'X_b the block's columns of Hs and WtX
 * (kT x n; WtX NULL: cross = 0), read where they are (shard_sums()). */
SEXP C_block_xht_sums(SEXP sX, SEXP sHs, SEXP sWtX, SEXP sfirst, SEXP sscales,
                      SEXP sthreads)
{
    check_scales(sscales);
    int T = length(sscales);
    data_matrix X;
    data_from_sexp(sX, &X);
    if (!isReal(sHs) || !isMatrix(sHs) || nrows(sHs) % T != 0) error("'Hs' must be kT x n");
    int kT = nrows(sHs), k = kT / T, nb = X.n, nth = as_threads(sthreads);
    const double *Hb = block_columns(sHs, kT, sfirst, nb, "Hs");
    if (sWtX != R_NilValue && (!isMatrix(sWtX) || ncols(sWtX) != ncols(sHs)))
        error("'WtX' must be kT x n, as 'Hs'");
    const double *WtXb = sWtX == R_NilValue ? NULL : block_columns(sWtX, kT, sfirst, nb, "WtX");
    int *own = (int *) R_alloc((size_t) nb + 1, sizeof(int));
    for (int i = 0; i < nb; i++) own[i] = i;
    shard_graph none = {nb, 0, NULL, NULL, NULL};
    SEXP res = PROTECT(allocVector(VECSXP, 4));
    SEXP xht = PROTECT(allocMatrix(REALSXP, X.m, kT));
    SEXP cross = PROTECT(allocVector(REALSXP, T));
    SEXP hh = PROTECT(alloc3DArray(REALSXP, k, k, T));
    SEXP sums = PROTECT(allocVector(REALSXP, 2));
    double *trace = (double *) R_alloc((size_t) T, sizeof(double));
    data_times_ht(&X, Hb, kT, REAL(xht), nth);
    shard_sums(&none, k, T, REAL(sscales), Hb, own, nb, WtXb, REAL(cross), REAL(hh), trace,
               REAL(sums), nth);
    SET_VECTOR_ELT(res, 0, xht);
    SET_VECTOR_ELT(res, 1, cross);
    SET_VECTOR_ELT(res, 2, hh);
    SET_VECTOR_ELT(res, 3, sums);
    const char *names[] = {"XHt", "cross", "hh", "sums", NULL};
    set_names(res, names);
    UNPROTECT(5);
    return res;
}

/* H H' of a k x n matrix */
SEXP C_shard_gram(SEXP sH)
{
    if (!isReal(sH) || !isMatrix(sH)) error("'H' must be a double matrix");
    int k = nrows(sH);
    SEXP out = PROTECT(allocMatrix(REALSXP, k, k));
    gram_rows(REAL(sH), k, ncols(sH), REAL(out));
    UNPROTECT(1);
    return out;
}

/* list(W, WtW): the W step of T scales; W m x kT, XHs m x kT, HH k k T */
SEXP C_shard_w_step(SEXP sW, SEXP sXHs, SEXP sHH, SEXP sT)
{
    int T = asInteger(sT);
    if (T == NA_INTEGER || T < 1) error("'T' must be >= 1");
    if (!isReal(sW) || !isMatrix(sW) || ncols(sW) % T != 0) error("'W' must be m x kT");
    int m = nrows(sW), k = ncols(sW) / T;
    check_real_len(sXHs, (R_xlen_t) m * k * T, "XHs");
    check_real_len(sHH, (R_xlen_t) k * k * T, "HH");
    SEXP res = PROTECT(allocVector(VECSXP, 2));
    SEXP W = PROTECT(duplicate(sW));
    SEXP WtW = PROTECT(alloc3DArray(REALSXP, k, k, T));
    shard_w_step(m, k, T, REAL(W), REAL(sXHs), REAL(sHH), REAL(WtW));
    SET_VECTOR_ELT(res, 0, W);
    SET_VECTOR_ELT(res, 1, WtW);
    const char *names[] = {"W", "WtW", NULL};
    set_names(res, names);
    UNPROTECT(3);
    return res;
}

/* The joint H step on a block's graph: a new Hl (kT x nl) */
SEXP C_shard_h_step(SEXP sHl, SEXP sWtX, SEXP supd, SEXP sedges, SEXP sWtW, SEXP sscales,
                    SEXP slambda)
{
    check_scales(sscales);
    int T = length(sscales);
    if (!isReal(sHl) || !isMatrix(sHl) || nrows(sHl) % T != 0) error("'Hl' must be kT x nl");
    int kT = nrows(sHl), k = kT / T, nl = ncols(sHl);
    shard_graph sg;
    graph_from_sexp(sedges, nl, &sg);
    int nu = length(supd);
    int *upd = local_index(supd, nl, "upd");
    if (!isReal(sWtX) || !isMatrix(sWtX) || nrows(sWtX) != kT || ncols(sWtX) != nu)
        error("'WtX' must be kT x length(upd)");
    check_real_len(sWtW, (R_xlen_t) k * k * T, "WtW");
    check_real_len(slambda, 3, "lambda");
    SEXP Hl = PROTECT(duplicate(sHl));
    shard_h_step(&sg, k, T, REAL(sscales), REAL(slambda), REAL(sWtW), upd, nu, REAL(sWtX),
                 REAL(Hl));
    UNPROTECT(1);
    return Hl;
}

/* The H step of all cells in the in-memory fit's order.  Hs (kT x n) is
 * updated in place and returned: its one caller, the streamed sweeps, owns
 * it (made by its own warm start, never seen by users).  A MAYBE_SHARED()
 * test cannot be trusted there: any closure given Hs (ncol(), a helper)
 * leaves its reference count above one, and the copy was k N T doubles.
 * index and colours: C_graph_index() and C_colour_order(), made once a fit. */
SEXP C_shard_h_all(SEXP sHs, SEXP sWtX, SEXP sindex, SEXP scolours, SEXP sWtW, SEXP sscales,
                   SEXP slambda, SEXP sthreads)
{
    check_scales(sscales);
    int T = length(sscales);
    if (!isReal(sHs) || !isMatrix(sHs) || nrows(sHs) % T != 0) error("'Hs' must be kT x n");
    int kT = nrows(sHs), k = kT / T, n = ncols(sHs);
    graph_index g;
    index_from_sexp(sindex, n, &g);
    const int *order, *cstart;
    int ncolour = colours_from_sexp(scolours, n, &order, &cstart);
    if (!isReal(sWtX) || !isMatrix(sWtX) || nrows(sWtX) != kT || ncols(sWtX) != n)
        error("'WtX' must be kT x n");
    check_real_len(sWtW, (R_xlen_t) k * k * T, "WtW");
    check_real_len(slambda, 3, "lambda");
    shard_h_all(&g, order, cstart, ncolour, k, T, REAL(sscales), REAL(slambda), REAL(sWtW),
                REAL(sWtX), REAL(sHs), as_threads(sthreads));
    return sHs;
}

/* tr(H_t L_t H_t') of every scale (T doubles), Hs (kT x n) stacked by cell
 * and index the graph of all n cells (C_graph_index(); the streamed sweeps'
 * objective) */
SEXP C_shard_traces(SEXP sHs, SEXP sindex, SEXP sscales, SEXP sthreads)
{
    check_scales(sscales);
    int T = length(sscales);
    if (!isReal(sHs) || !isMatrix(sHs) || nrows(sHs) % T != 0) error("'Hs' must be kT x n");
    int k = nrows(sHs) / T, n = ncols(sHs);
    graph_index g;
    index_from_sexp(sindex, n, &g);
    SEXP trace = PROTECT(allocVector(REALSXP, T));
    shard_traces(&g, k, T, REAL(sscales), REAL(sHs), REAL(trace), as_threads(sthreads));
    UNPROTECT(1);
    return trace;
}

/* list(cross, hh, trace, sums) of the owned cells of a block; WtX NULL:
 * cross = 0; edges NULL: trace = 0 */
SEXP C_shard_sums(SEXP sHl, SEXP sWtX, SEXP sown, SEXP sedges, SEXP sscales, SEXP sthreads)
{
    check_scales(sscales);
    int T = length(sscales);
    if (!isReal(sHl) || !isMatrix(sHl) || nrows(sHl) % T != 0) error("'Hl' must be kT x nl");
    int kT = nrows(sHl), k = kT / T, nl = ncols(sHl);
    shard_graph sg;
    if (sedges == R_NilValue) { sg.nl = nl; sg.ne = 0; sg.ei = sg.ej = NULL; sg.ed = NULL; }
    else graph_from_sexp(sedges, nl, &sg);
    int no = length(sown);
    int *own = local_index(sown, nl, "own");
    if (sWtX != R_NilValue &&
        (!isReal(sWtX) || !isMatrix(sWtX) || nrows(sWtX) != kT || ncols(sWtX) != no))
        error("'WtX' must be kT x length(own)");
    SEXP res = PROTECT(allocVector(VECSXP, 4));
    SEXP cross = PROTECT(allocVector(REALSXP, T));
    SEXP hh = PROTECT(alloc3DArray(REALSXP, k, k, T));
    SEXP trace = PROTECT(allocVector(REALSXP, T));
    SEXP sums = PROTECT(allocVector(REALSXP, 2));
    shard_sums(&sg, k, T, REAL(sscales), REAL(sHl), own, no,
               sWtX != R_NilValue ? REAL(sWtX) : NULL, REAL(cross),
               REAL(hh), REAL(trace), REAL(sums), as_threads(sthreads));
    SET_VECTOR_ELT(res, 0, cross);
    SET_VECTOR_ELT(res, 1, hh);
    SET_VECTOR_ELT(res, 2, trace);
    SET_VECTOR_ELT(res, 3, sums);
    const char *names[] = {"cross", "hh", "trace", "sums", NULL};
    set_names(res, names);
    UNPROTECT(5);
    return res;
}

/* The warm start's H update at one scale (when update), in place in H, and
 * the block objective (a number); index and graph from C_graph_index() and
 * C_scale_graph().  H is the caller's own (R/shards.R: a copy made for the
 * warm start): a fresh k x n copy per call would cost as much as the step. */
SEXP C_shard_warm_h(SEXP sH, SEXP sWtX, SEXP sW, SEXP sindex, SEXP sgraph, SEXP sl1,
                    SEXP sxnorm2, SEXP supdate, SEXP sthreads)
{
    if (!isReal(sH) || !isMatrix(sH)) error("'H' must be a double matrix");
    int k = nrows(sH), n = ncols(sH);
    if (!isReal(sW) || !isMatrix(sW) || ncols(sW) != k) error("'W' must be m x k");
    int m = nrows(sW);
    if (!isReal(sWtX) || !isMatrix(sWtX) || nrows(sWtX) != k || ncols(sWtX) != n)
        error("'WtX' must be k x n");
    double l1 = asReal(sl1), xnorm2 = asReal(sxnorm2);
    int update = asLogical(supdate);
    if (!(l1 >= 0) || !R_FINITE(l1) || !R_FINITE(xnorm2) || update == NA_LOGICAL)
        error("invalid lambda or norm");
    graph_index g;
    scale_graph sg;
    index_from_sexp(sindex, n, &g);
    scale_from_sexp(sgraph, &g, &sg);
    return ScalarReal(shard_warm_h(&g, &sg, m, k, l1, xnorm2, REAL(sW), REAL(sWtX), REAL(sH),
                                   update, as_threads(sthreads)));
}

/* The warm start's H update at one scale of the cells upd of a block: a new
 * H (k x nl); WtX k x (number of owned cells, the first local ones) */
SEXP C_shard_warm_cells(SEXP sH, SEXP sWtX, SEXP supd, SEXP sedges, SEXP seps, SEXP sl1,
                        SEXP sWtW)
{
    if (!isReal(sH) || !isMatrix(sH)) error("'H' must be a double matrix");
    int k = nrows(sH), nl = ncols(sH);
    if (!isReal(sWtX) || !isMatrix(sWtX) || nrows(sWtX) != k || ncols(sWtX) > nl)
        error("'WtX' must be k x (owned cells)");
    double eps = asReal(seps), l1 = asReal(sl1);
    if (!(eps >= 0) || !R_FINITE(eps) || !(l1 >= 0) || !R_FINITE(l1))
        error("invalid scale or lambda");
    check_real_len(sWtW, (R_xlen_t) k * k, "WtW");
    shard_graph sg;
    graph_from_sexp(sedges, nl, &sg);
    int nu = length(supd);
    int *upd = local_index(supd, ncols(sWtX), "upd");
    SEXP H = PROTECT(duplicate(sH));
    shard_warm_cells(&sg, k, eps, l1, REAL(sWtW), REAL(sWtX), upd, nu, REAL(H));
    UNPROTECT(1);
    return H;
}
