/* densecsc.c: a dense column block as compressed sparse columns, and back.
 *
 * The blocks read from an HDF5 dataset arrive dense; the products want them
 * sparse (a quarter of the flops at the usual density).  Matrix's coercion
 * takes about 0.9 s for a 2,000 x 6,250 block; these two passes take a few
 * tens of milliseconds.  NaN counts as a non-zero, so the argument checks
 * still see it. */
#include "pnmf.h"

/* p[0..n]: the column pointers of the non-zeros of x (m x n, by column);
 * returns their number. */
ptrdiff_t dense_csc_pattern(const double *x, int m, int n, ptrdiff_t *p)
{
    ptrdiff_t nnz = 0;
    p[0] = 0;
    for (int j = 0; j < n; j++) {
        const double *col = x + (ptrdiff_t) j * m;
        for (int r = 0; r < m; r++) nnz += (col[r] != 0.0);
        p[j + 1] = nnz;
    }
    return nnz;
}

/* The 0-based row indices and values of the non-zeros, by column. */
void dense_csc_fill(const double *x, int m, int n, int *rows, double *vals)
{
    ptrdiff_t l = 0;
    for (int j = 0; j < n; j++) {
        const double *col = x + (ptrdiff_t) j * m;
        for (int r = 0; r < m; r++) {
            if (col[r] == 0.0) continue;
            rows[l] = r;
            vals[l++] = col[r];
        }
    }
}

/* The dense m x n matrix (zeroed by the caller) of compressed sparse
 * columns: the other way, for the Gram matrix of a streamed block. */
void csc_dense_fill(const int *p, const int *rows, const double *vals, int m, int n,
                    double *x)
{
    for (int j = 0; j < n; j++) {
        double *col = x + (ptrdiff_t) j * m;
        for (int l = p[j]; l < p[j + 1]; l++) col[rows[l]] = vals[l];
    }
}
