/* products.c: the products of the factorisation with the data and each other.
 *
 * X H' and W' X are the only O(m n k) operations of an iteration: dense data
 * go through BLAS dgemm; sparse data are never densified: W' X runs over the
 * CSC columns (one output column per cell) with W transposed once, X H' over
 * a CSR copy (one output row per gene), both in parallel and each output
 * summed in a fixed order, so results do not depend on the thread count.
 * The small Gram matrices H H' and W' W come from dsyrk.
 */
#include "pnmf.h"
#include <R_ext/BLAS.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifndef FCONE
#define FCONE
#endif

/* CSR copy of CSC data, so that X H' can be computed row by row. */
void data_make_csr(data_matrix *X)
{
    if (X->p == NULL) return;
    int m = X->m, n = X->n;
    size_t nnz = (size_t) X->p[n];
    int *rp = (int *) R_alloc((size_t) m + 1, sizeof(int));
    int *rj = (int *) R_alloc(nnz + 1, sizeof(int));
    double *rx = (double *) R_alloc(nnz + 1, sizeof(double));
    int *fill = (int *) R_alloc((size_t) m + 1, sizeof(int));
    for (int r = 0; r <= m; r++) rp[r] = 0;
    for (size_t q = 0; q < nnz; q++) rp[X->i[q] + 1]++;
    for (int r = 0; r < m; r++) rp[r + 1] += rp[r];
    for (int r = 0; r < m; r++) fill[r] = rp[r];
    for (int j = 0; j < n; j++)
        for (int q = X->p[j]; q < X->p[j + 1]; q++) {
            int r = X->i[q];
            rj[fill[r]] = j;
            rx[fill[r]++] = X->x[q];
        }
    X->rp = rp; X->rj = rj; X->rx = rx;
}

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
    if (X->rp == NULL) error("internal: sparse data without its CSR copy");
    /* row r of the result gathers x_rj H[, j] over the non-zeros of row r:
     * one thread per row, contiguous columns of H, a fixed summation order */
    const void *vmax = vmaxget();
    int nth = nthreads > 0 ? nthreads : 1;
    double *acc = (double *) R_alloc((size_t) nth * k + 1, sizeof(double));
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(dynamic, 16) if (nth > 1)
#endif
    for (int r = 0; r < m; r++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        double *a = acc + (size_t) tid * k;
        for (int c = 0; c < k; c++) a[c] = 0.0;
        for (int q = X->rp[r]; q < X->rp[r + 1]; q++) {
            const double *hj = H + (size_t) X->rj[q] * k;
            double v = X->rx[q];
            for (int c = 0; c < k; c++) a[c] += v * hj[c];
        }
        for (int c = 0; c < k; c++) out[r + (size_t) c * m] = a[c];
    }
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
    /* W' once (k x m), so that each non-zero reads a contiguous column */
    const void *vmax = vmaxget();
    double *Wt = (double *) R_alloc((size_t) m * k + 1, sizeof(double));
    for (int c = 0; c < k; c++)
        for (int r = 0; r < m; r++) Wt[c + (size_t) r * k] = W[r + (size_t) c * m];
#ifdef _OPENMP
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 64) if (nthreads > 1)
#endif
    for (int j = 0; j < n; j++) {
        double *o = out + (size_t) j * k;
        for (int c = 0; c < k; c++) o[c] = 0.0;
        for (int q = X->p[j]; q < X->p[j + 1]; q++) {
            const double *wr = Wt + (size_t) X->i[q] * k;
            double v = X->x[q];
            for (int c = 0; c < k; c++) o[c] += v * wr[c];
        }
    }
    vmaxset(vmax);
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
