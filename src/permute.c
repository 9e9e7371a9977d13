/* permute.c: the null copies of parallel analysis (selectRank() in R).
 *
 * Every row of a matrix gets its own random order of the columns; the copy
 * is written transposed (rows become columns), which has the same singular
 * values and is written sequentially.  R's random number generator is used
 * (R_unif_index, so set.seed() and sample.kind apply). */
#include "pnmf.h"
#include <R_ext/Random.h>

/* y (m x n) -> out (n x m) whose column i holds row i of y in a random
 * order (Fisher-Yates); the caller brackets it with GetRNGstate() and
 * PutRNGstate(). */
void permuted_transpose(const double *y, int m, int n, double *out)
{
    for (int i = 0; i < m; i++) {
        double *col = out + (size_t) i * n;
        for (int j = 0; j < n; j++) col[j] = y[i + (size_t) j * m];
        for (int j = n - 1; j > 0; j--) {
            int r = (int) R_unif_index((double) j + 1.0);
            double tmp = col[j];
            col[j] = col[r];
            col[r] = tmp;
        }
    }
}
