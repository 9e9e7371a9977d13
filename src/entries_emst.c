/* entries_emst.c: .Call entry of the exact sub-quadratic minimum spanning
 * tree (emst.c); same result layout as C_ph_mst. */
#include "entries.h"
#include "emst.h"

/* .Call entry: MST of the columns of X by Boruvka rounds over a kd-tree.
 * Returns list(from, to, length, diameter) with 1-based vertices, edges in
 * the order the rounds added them; the diameter (exact) only when
 * `diameter` is TRUE, NA otherwise.  `gram`: first neighbours by Gram
 * screening (TRUE) or by the kd-tree (FALSE); the result is the same. */
SEXP C_emst(SEXP sX, SEXP sthreads, SEXP sdiameter, SEXP sgram)
{
    if (!isReal(sX) || !isMatrix(sX)) error("'x' must be a double matrix");
    int m = nrows(sX), n = ncols(sX), nthreads = as_threads(sthreads);
    if (n < 1) error("'x' must have at least one column");
    int want_diam = asLogical(sdiameter);
    if (want_diam == NA_LOGICAL) error("'diameter' must be TRUE or FALSE");
    int gram = asLogical(sgram);
    if (gram == NA_LOGICAL) error("'gram' must be TRUE or FALSE");
    check_finite(sX, "x");
    SEXP res = PROTECT(allocVector(VECSXP, 4));
    SEXP sfrom = PROTECT(allocVector(INTSXP, n - 1));
    SEXP sto = PROTECT(allocVector(INTSXP, n - 1));
    SEXP slen = PROTECT(allocVector(REALSXP, n - 1));
    double diam = 0.0;
    emst_boruvka(REAL(sX), m, n, nthreads, gram, INTEGER(sfrom), INTEGER(sto), REAL(slen),
                 want_diam ? &diam : NULL);
    for (int e = 0; e < n - 1; e++) { INTEGER(sfrom)[e]++; INTEGER(sto)[e]++; }
    SET_VECTOR_ELT(res, 0, sfrom);
    SET_VECTOR_ELT(res, 1, sto);
    SET_VECTOR_ELT(res, 2, slen);
    SET_VECTOR_ELT(res, 3, ScalarReal(want_diam ? diam : NA_REAL));
    const char *names[] = {"from", "to", "length", "diameter", NULL};
    set_names(res, names);
    UNPROTECT(4);
    return res;
}
