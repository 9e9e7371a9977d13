/* nndsvd.c: NNDSVDA initialisation (Boutsidis & Gallopoulos), as the authors.
 *
 * From the leading singular triplets (u_j, s_j, v_j): the first component is
 * sqrt(s_1) |u_1|, |v_1|; each further one keeps the positive or the negative
 * parts of (u_j, v_j), whichever has the larger norm product (positive only
 * when strictly larger), scaled by sqrt(s_j * that product).  Entries below
 * 1e-8 are then filled with the mean of X.  The result does not depend on the
 * signs the SVD chose.  Components beyond the available triplets, or whose
 * chosen parts are empty, are left at the fill value.
 */
#include "entries.h"
#include <math.h>

SEXP C_nndsvda(SEXP sU, SEXP sd, SEXP sV, SEXP sk, SEXP smean)
{
    if (!isReal(sU) || !isMatrix(sU) || !isReal(sV) || !isMatrix(sV) || !isReal(sd))
        error("'u', 'v' must be double matrices and 'd' a double vector");
    int m = nrows(sU), n = nrows(sV), r = ncols(sU), k = asInteger(sk);
    if (ncols(sV) != r || length(sd) < r) error("SVD parts do not match");
    if (k == NA_INTEGER || k < 1) error("'k' must be a positive integer");
    double fill = asReal(smean);
    const double *U = REAL(sU), *V = REAL(sV), *d = REAL(sd);
    SEXP res = PROTECT(allocVector(VECSXP, 2));
    SEXP sW = PROTECT(allocMatrix(REALSXP, m, k));
    SEXP sH = PROTECT(allocMatrix(REALSXP, k, n));
    double *W = REAL(sW), *H = REAL(sH);
    for (size_t l = 0; l < (size_t) m * k; l++) W[l] = 0.0;
    for (size_t l = 0; l < (size_t) k * n; l++) H[l] = 0.0;
    for (int j = 0; j < k && j < r; j++) {
        const double *x = U + (size_t) j * m, *y = V + (size_t) j * n;
        if (j == 0) {
            double s = sqrt(d[0]);
            for (int i = 0; i < m; i++) W[i] = s * fabs(x[i]);
            for (int i = 0; i < n; i++) H[(size_t) i * k] = s * fabs(y[i]);
            continue;
        }
        double xp = 0, xn = 0, yp = 0, yn = 0;
        for (int i = 0; i < m; i++) { if (x[i] > 0) xp += x[i] * x[i]; else xn += x[i] * x[i]; }
        for (int i = 0; i < n; i++) { if (y[i] > 0) yp += y[i] * y[i]; else yn += y[i] * y[i]; }
        xp = sqrt(xp); xn = sqrt(xn); yp = sqrt(yp); yn = sqrt(yn);
        double mp = xp * yp, mn = xn * yn;
        int pos = mp > mn;
        double nx = pos ? xp : xn, ny = pos ? yp : yn, sigma = pos ? mp : mn;
        if (!(nx > 0 && ny > 0)) continue;
        double lbd = sqrt(d[j] * sigma);
        for (int i = 0; i < m; i++) {
            double v = pos ? fmax(x[i], 0.0) : fabs(fmin(x[i], 0.0));
            W[i + (size_t) j * m] = lbd * v / nx;
        }
        for (int i = 0; i < n; i++) {
            double v = pos ? fmax(y[i], 0.0) : fabs(fmin(y[i], 0.0));
            H[j + (size_t) i * k] = lbd * v / ny;
        }
    }
    for (size_t l = 0; l < (size_t) m * k; l++) if (W[l] < 1e-8) W[l] = fill;
    for (size_t l = 0; l < (size_t) k * n; l++) if (H[l] < 1e-8) H[l] = fill;
    SET_VECTOR_ELT(res, 0, sW);
    SET_VECTOR_ELT(res, 1, sH);
    const char *names[] = {"W", "H", NULL};
    set_names(res, names);
    UNPROTECT(3);
    return res;
}
