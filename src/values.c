/* values.c: one pass over the data values for the argument checks in R.
 *
 * The checks need the number of non-finite and of negative values and the
 * sum of squares; done in R each is a full-size temporary (400 MB for 50 M
 * non-zeros), here one read with no allocation. */
#include "entries.h"

/* .Call entry: c(non-finite count, negative count, sum of squares of the
 * finite values, minimum of the finite values) of a double vector (or the
 * values of a matrix). */
SEXP C_value_summary(SEXP sx)
{
    if (!isReal(sx)) error("'x' must be a double vector");
    const double *x = REAL(sx);
    R_xlen_t len = XLENGTH(sx);
    double nonfinite = 0.0, negative = 0.0, ss = 0.0, mn = R_PosInf;
    for (R_xlen_t l = 0; l < len; l++) {
        double v = x[l];
        if (!R_FINITE(v)) { nonfinite += 1.0; continue; }
        if (v < 0.0) negative += 1.0;
        if (v < mn) mn = v;
        ss += v * v;
    }
    SEXP res = PROTECT(allocVector(REALSXP, 4));
    REAL(res)[0] = nonfinite;
    REAL(res)[1] = negative;
    REAL(res)[2] = ss;
    REAL(res)[3] = mn;
    UNPROTECT(1);
    return res;
}
