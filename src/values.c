/* values.c: one pass over the data values for the argument checks in R.
 *
 * The checks need the number of non-finite and of negative values and the
 * sum of squares; done in R each is a full-size temporary (400 MB for 50 M
 * non-zeros), here one read with no allocation. */
#include "pnmf.h"

/* out = c(non-finite count, negative count, sum of squares of the finite
 * values, minimum of the finite values) of the len values x. */
void value_summary(const double *x, ptrdiff_t len, double *out)
{
    double nonfinite = 0.0, negative = 0.0, ss = 0.0, mn = R_PosInf;
    for (ptrdiff_t l = 0; l < len; l++) {
        double v = x[l];
        if (!R_FINITE(v)) { nonfinite += 1.0; continue; }
        if (v < 0.0) negative += 1.0;
        if (v < mn) mn = v;
        ss += v * v;
    }
    out[0] = nonfinite;
    out[1] = negative;
    out[2] = ss;
    out[3] = mn;
}
