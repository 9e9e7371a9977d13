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
#include "pnmf.h"
#include <math.h>

/* W (m x k) and H (k x n) from the r leading triplets: U (m x r), d (r),
 * V (n x r); entries below 1e-8 become fill. */
void nndsvda(const double *U, const double *d, const double *V, int m, int n, int r, int k,
             double fill, double *W, double *H)
{
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
}
