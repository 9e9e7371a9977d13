/* products.c: the products of the factorisation with the data and each other.
 *
 * X H' and W' X are the only O(m n k) operations of an iteration: dense data
 * go through BLAS dgemm; sparse data are never densified: they go through
 * the register-blocked kernels of spmm.c (each output summed in a fixed
 * order, so results do not depend on the thread count).
 * The small Gram matrices H H' and W' W come from dsyrk.
 */
#include "pnmf.h"
#include "parallel.h"
#include <R_ext/BLAS.h>
#ifndef FCONE
#define FCONE
#endif

#define KB 64   /* below this many factors X H' goes over the CSC arrays as they are */

/* out (m x k) = X H' */
void data_times_ht(const data_matrix *X, const double *H, int k, double *out,
                   int nthreads)
{
    int m = X->m, n = X->n;
    if (X->p == NULL) {
        double one = 1.0, zero = 0.0;
        if (m == 0 || k == 0) return;
        if (n == 0) { for (size_t l = 0; l < (size_t) m * k; l++) out[l] = 0.0; return; }
        F77_CALL(dgemm)("N", "T", &m, &k, &n, &one, X->x, &m, H, &k, &zero, out, &m
                        FCONE FCONE);
        return;
    }
    if (X->rows != NULL) { sparse_times_ht(X, X->rows, H, k, out, nthreads); return; }
    if (k < KB) { sparse_times_thin_ht(X, H, k, out, nthreads); return; }
    /* X by rows, made for this product (a fit makes it once: X->rows) */
    const void *vmax = vmaxget();
    data_rows R;
    data_rows_build(X, &R);
    sparse_times_ht(X, &R, H, k, out, nthreads);
    vmaxset(vmax);
}

/* out (k x n) = W' X */
void wt_times_data(const data_matrix *X, const double *W, int k, double *out,
                   int nthreads)
{
    int m = X->m, n = X->n;
    if (X->p == NULL) {
        double one = 1.0, zero = 0.0;
        if (n == 0 || k == 0) return;
        if (m == 0) { for (size_t l = 0; l < (size_t) n * k; l++) out[l] = 0.0; return; }
        F77_CALL(dgemm)("T", "N", &k, &n, &m, &one, W, &m, X->x, &m, &zero, out, &k
                        FCONE FCONE);
        return;
    }
    sparse_wt_times(X, W, k, out, nthreads);
}

double data_norm2(const data_matrix *X)
{
    size_t len = X->p == NULL ? (size_t) X->m * X->n : (size_t) X->p[X->n];
    return dense_norm2(X->x, len);
}

/* out (k x k) = H H', H is k x n */
void gram_rows(const double *H, int k, int n, double *out)
{
    double one = 1.0, zero = 0.0;
    for (int l = 0; l < k * k; l++) out[l] = 0.0;
    if (n > 0)
        F77_CALL(dsyrk)("U", "N", &k, &n, &one, H, &k, &zero, out, &k FCONE FCONE);
    for (int a = 0; a < k; a++)
        for (int b = a + 1; b < k; b++) out[b + a * k] = out[a + b * k];
}

/* out (k x k) = W' W, W is m x k */
void gram_cols(const double *W, int m, int k, double *out)
{
    double one = 1.0, zero = 0.0;
    for (int l = 0; l < k * k; l++) out[l] = 0.0;
    if (m > 0)
        F77_CALL(dsyrk)("U", "T", &k, &m, &one, W, &m, &zero, out, &k FCONE FCONE);
    for (int a = 0; a < k; a++)
        for (int b = a + 1; b < k; b++) out[b + a * k] = out[a + b * k];
}

/* out (k x k) = H_t H_t' from the stacked rows t k .. t k + k - 1 of H_s
 * (kT x n, the joint solver's layout): dsyrk with leading dimension kT */
void gram_rows_stacked(const double *Hs, int k, int T, int t, int n, double *out)
{
    double one = 1.0, zero = 0.0;
    int kT = k * T;
    for (int l = 0; l < k * k; l++) out[l] = 0.0;
    if (n > 0)
        F77_CALL(dsyrk)("U", "N", &k, &n, &one, Hs + (size_t) t * k, &kT, &zero, out, &k
                        FCONE FCONE);
    for (int a = 0; a < k; a++)
        for (int b = a + 1; b < k; b++) out[b + (size_t) a * k] = out[a + (size_t) b * k];
}

/* out (k x n) = A B with A k x k, B k x n */
void small_mult(const double *A, int k, const double *B, int n, double *out)
{
    double one = 1.0, zero = 0.0;
    if (n == 0) return;
    F77_CALL(dgemm)("N", "N", &k, &n, &k, &one, A, &k, B, &k, &zero, out, &k
                    FCONE FCONE);
}

/* out (m x k) = A B + beta out, with A m x k and B k x k */
void mult_right_small(const double *A, int m, int k, const double *B, double *out,
                      double beta)
{
    double one = 1.0;
    if (m == 0) return;
    F77_CALL(dgemm)("N", "N", &m, &k, &k, &one, A, &m, B, &k, &beta, out, &m
                    FCONE FCONE);
}
