/* distance.c: the one Euclidean distance kernel used everywhere.
 *
 * Death times, filtration edges and edge counts must agree to the last bit:
 * a scale is a death time and the graph of that scale keeps the pairs with
 * d < eps (strict), so the same pair must get the same distance whichever
 * routine computed it.  Hence one non-inline function, direct differences
 * (no Gram identity: no cancellation, duplicates at exactly 0), and a fixed
 * summation order that does not depend on the number of threads.
 */
#include "pnmf.h"

double sqdist(const double *a, const double *b, int m)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int l = 0;
    for (; l + 4 <= m; l += 4) {
        double d0 = a[l] - b[l], d1 = a[l + 1] - b[l + 1];
        double d2 = a[l + 2] - b[l + 2], d3 = a[l + 3] - b[l + 3];
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    }
    for (; l < m; l++) {
        double d = a[l] - b[l];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

double dense_norm2(const double *x, size_t len)
{
    double s = 0.0;
    for (size_t l = 0; l < len; l++) s += x[l] * x[l];
    return s;
}
