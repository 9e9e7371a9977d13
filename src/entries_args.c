/* entries_args.c: SEXP unpacking shared by the .Call entries (threads,
 * list elements, names, finite checks, the data matrix).  Kernels never see
 * a SEXP: the entries turn their arguments into C values with these. */
#include "entries.h"
#include "parallel.h"

/* Threads asked for, clamped to [1, what OpenMP offers]; 1 without OpenMP. */
int as_threads(SEXP s)
{
    int t = asInteger(s);
    if (t == NA_INTEGER || t < 1) t = 1;
    int mx = par_procs();          /* 1 without OpenMP */
    if (t > mx) t = mx;
    return t;
}

/* Names a list from a NULL-terminated array of C strings. */
void set_names(SEXP list, const char **names)
{
    int n = 0;
    while (names[n] != NULL) n++;
    SEXP nms = PROTECT(allocVector(STRSXP, n));
    for (int l = 0; l < n; l++) SET_STRING_ELT(nms, l, mkChar(names[l]));
    setAttrib(list, R_NamesSymbol, nms);
    UNPROTECT(1);
}

/* Errors unless every value of the double vector s is finite. */
void check_finite(SEXP s, const char *what)
{
    const double *v = REAL(s);
    R_xlen_t len = XLENGTH(s);
    for (R_xlen_t l = 0; l < len; l++)
        if (!R_FINITE(v[l])) error("'%s' has missing or infinite values", what);
}

/* The element of that name, or R_NilValue when absent (optional items). */
SEXP list_elt_or_null(SEXP list, const char *name)
{
    if (TYPEOF(list) != VECSXP) error("expected a list holding '%s'", name);
    SEXP nms = getAttrib(list, R_NamesSymbol);
    for (R_xlen_t l = 0; l < XLENGTH(list); l++)
        if (nms != R_NilValue && strcmp(CHAR(STRING_ELT(nms, l)), name) == 0)
            return VECTOR_ELT(list, l);
    return R_NilValue;
}

SEXP list_elt(SEXP list, const char *name)
{
    if (TYPEOF(list) != VECSXP) error("expected a list holding '%s'", name);
    SEXP nms = getAttrib(list, R_NamesSymbol);
    for (R_xlen_t l = 0; l < XLENGTH(list); l++)
        if (nms != R_NilValue && strcmp(CHAR(STRING_ELT(nms, l)), name) == 0)
            return VECTOR_ELT(list, l);
    error("list element '%s' is missing", name);
    return R_NilValue;
}

/* Number of q with i[q] <= i[q - 1]: the data's checks run at every call
 * of a streamed fit (once per block and pass), so 8 at a time where the
 * compiler has vector types (a comparison gives -1 per lane where true;
 * 16-byte vectors: wider ones are spilled to the stack without AVX). */
static R_xlen_t count_descents(const int *i, R_xlen_t len)
{
    R_xlen_t d = 0, q = 1;
#if defined(__GNUC__)
    typedef int v4i __attribute__((vector_size(16), aligned(4)));   /* SSE2's width */
    while (q + 8 <= len) {
        v4i a = {0, 0, 0, 0}, b = {0, 0, 0, 0};
        R_xlen_t stop = q + 8 * (R_xlen_t) 65536 < len ? q + 8 * (R_xlen_t) 65536 : len;
        for (; q + 8 <= stop; q += 8) {    /* (at most 65536 per lane: no overflow) */
            a += *(const v4i *) (i + q) <= *(const v4i *) (i + q - 1);
            b += *(const v4i *) (i + q + 4) <= *(const v4i *) (i + q + 3);
        }
        for (int l = 0; l < 4; l++) d -= a[l] + b[l];
    }
#endif
    for (; q < len; q++) d += i[q] <= i[q - 1];
    return d;
}

/* The data as the C core takes it: a dense double matrix, or the CSC parts
 * list(p, i, x, dim) of a dgCMatrix, checked. */
void data_from_sexp(SEXP sX, data_matrix *X)
{
    if (isReal(sX) && isMatrix(sX)) {
        X->m = nrows(sX); X->n = ncols(sX); X->x = REAL(sX); X->p = NULL; X->i = NULL;
        X->rows = NULL; X->sorted = 0;
        return;
    }
    if (TYPEOF(sX) == VECSXP) {   /* list(p, i, x, dim) of a dgCMatrix */
        SEXP p = list_elt(sX, "p"), i = list_elt(sX, "i"), x = list_elt(sX, "x"),
            dim = list_elt(sX, "dim");
        if (!isInteger(p) || !isInteger(i) || !isReal(x) || !isInteger(dim) || length(dim) != 2)
            error("sparse data must be list(p = integer, i = integer, x = double, dim = integer(2))");
        int m = INTEGER(dim)[0], n = INTEGER(dim)[1];
        /* pointers and lengths taken once: the checks run at every call of
         * a streamed fit, once per block and pass.  Read-only pointers: an
         * ALTREP wrapper (R makes one when an attribute of a shared vector
         * changes, e.g. a read block's dim dropped) is read where it is,
         * where REAL()/INTEGER() would copy it into fresh memory first. */
        const int *pp = INTEGER_RO(p), *ii = INTEGER_RO(i);
        R_xlen_t nnz = XLENGTH(i);
        if (m < 0 || n < 0 || XLENGTH(p) != (R_xlen_t) n + 1 || pp[0] != 0 ||
            pp[n] != nnz || XLENGTH(x) != nnz)
            error("inconsistent sparse data");
        for (int j = 0; j < n; j++)
            if (pp[j + 1] < pp[j]) error("inconsistent sparse data");
        /* Row indices increasing within each column (a dgCMatrix's are; a
         * 10x file's need not be) are in range when each column's first and
         * last are.  Sorted: every descent of the whole array is at the
         * start of a column (one pass without branches over the array) */
        int bad = 0;
        R_xlen_t desc = count_descents(ii, nnz), at_start = 0;
        for (int j = 0; j < n; j++) {
            int q0 = pp[j], q1 = pp[j + 1];
            if (q1 == q0) continue;
            bad |= (ii[q0] < 0) | (ii[q1 - 1] >= m);
            if (q0 > 0) at_start += ii[q0] <= ii[q0 - 1];
        }
        int unsorted = desc != at_start;
        if (unsorted)
            for (R_xlen_t q = 0; q < nnz; q++) bad |= (ii[q] < 0) | (ii[q] >= m);
        if (bad) error("sparse row index out of range");
        X->m = m; X->n = n; X->x = REAL_RO(x); X->p = pp; X->i = ii;
        X->rows = NULL; X->sorted = !unsorted;
        return;
    }
    error("data must be a double matrix or a sparse list");
}

/* The filtration list(i, j, d) of n cells: 1-based pairs, sorted by d,
 * checked; returns the number of edges. */
ptrdiff_t edges_from_sexp(SEXP sedges, int n, const int **ei, const int **ej,
                          const double **ed)
{
    SEXP si = list_elt(sedges, "i"), sj = list_elt(sedges, "j"), sd = list_elt(sedges, "d");
    if (!isInteger(si) || !isInteger(sj) || !isReal(sd) || XLENGTH(sj) != XLENGTH(si) ||
        XLENGTH(sd) != XLENGTH(si))
        error("'edges' must be list(i = integer, j = integer, d = double) of equal lengths");
    return edge_vectors(si, sj, sd, n, ei, ej, ed);
}

/* The edge vectors (i, j, d) of n cells, checked as edges_from_sexp(). */
ptrdiff_t edge_vectors(SEXP si, SEXP sj, SEXP sd, int n, const int **ei, const int **ej,
                       const double **ed)
{
    if (!isInteger(si) || !isInteger(sj) || !isReal(sd))
        error("edge list must be (integer, integer, double)");
    R_xlen_t ne = XLENGTH(si);
    if (XLENGTH(sj) != ne || XLENGTH(sd) != ne) error("edge list columns differ in length");
    const int *pi = INTEGER(si), *pj = INTEGER(sj);
    const double *pd = REAL(sd);
    for (R_xlen_t e = 0; e < ne; e++) {
        int a = pi[e], b = pj[e];
        if (a < 1 || a > n || b < 1 || b > n || a == b) error("invalid edge %ld", (long) e + 1);
        if (e > 0 && !(pd[e] >= pd[e - 1])) error("edges must be sorted by distance");
    }
    *ei = pi; *ej = pj; *ed = pd;
    return ne;
}
