/* kdtree.c: kd-tree build (median split on the widest coordinate of the
 * node's tight box) and the exact box bounds of the point-to-node distance. */
#include "kdtree.h"

/* Rearranges idx[lo..hi] (with their keys w) so that idx[k] has the k-th
 * smallest key and none before it a larger one (Hoare partition: copes with
 * many equal keys). */
void select_kth(int *idx, double *w, int lo, int hi, int k)
{
    while (hi > lo) {
        double a = w[lo], b = w[(lo + hi) / 2], c = w[hi];
        double piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int i = lo, j = hi;
        while (i <= j) {
            while (w[i] < piv) i++;
            while (w[j] > piv) j--;
            if (i <= j) {
                int s = idx[i]; idx[i] = idx[j]; idx[j] = s;
                double x = w[i]; w[i] = w[j]; w[j] = x;
                i++; j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
}

void kdtree_build(const double *X, int m, int n, int leaf_size, kdtree *t)
{
    if (leaf_size < 1) leaf_size = 1;
    /* leaves hold more than leaf_size / 2 points: at most 4n / (L + 1) nodes */
    int maxnode = (int) (4.0 * n / (leaf_size + 1)) + 3;
    t->m = m; t->n = n;
    t->P = (double *) R_alloc((size_t) m * n + 1, sizeof(double));
    t->orig = (int *) R_alloc(n, sizeof(int));
    t->start = (int *) R_alloc(maxnode, sizeof(int));
    t->end = (int *) R_alloc(maxnode, sizeof(int));
    t->left = (int *) R_alloc(maxnode, sizeof(int));
    t->right = (int *) R_alloc(maxnode, sizeof(int));
    t->lo = (double *) R_alloc((size_t) maxnode * m + 1, sizeof(double));
    t->hi = (double *) R_alloc((size_t) maxnode * m + 1, sizeof(double));
    t->cen = (double *) R_alloc((size_t) maxnode * m + 1, sizeof(double));
    t->rad = (double *) R_alloc(maxnode, sizeof(double));

    int *idx = t->orig;
    double *wkey = (double *) R_alloc(n, sizeof(double));
    for (int i = 0; i < n; i++) idx[i] = i;
    /* depth-first with an explicit stack: a parent's number is below its
     * children's (the searches rely on it when labelling nodes bottom-up) */
    int *stack = (int *) R_alloc(maxnode, sizeof(int));
    int top = 0, nnode = 1;
    t->start[0] = 0; t->end[0] = n;
    stack[top++] = 0;
    while (top > 0) {
        int v = stack[--top], s = t->start[v], e = t->end[v];
        double *lo = t->lo + (size_t) v * m, *hi = t->hi + (size_t) v * m;
        for (int l = 0; l < m; l++) lo[l] = hi[l] = X[(size_t) idx[s] * m + l];
        for (int r = s + 1; r < e; r++) {
            const double *x = X + (size_t) idx[r] * m;
            for (int l = 0; l < m; l++) {
                if (x[l] < lo[l]) lo[l] = x[l];
                if (x[l] > hi[l]) hi[l] = x[l];
            }
        }
        t->left[v] = t->right[v] = -1;
        double *c = t->cen + (size_t) v * m;        /* the ball of every node */
        for (int l = 0; l < m; l++) c[l] = 0.0;
        for (int r = s; r < e; r++)
            for (int l = 0; l < m; l++) c[l] += X[(size_t) idx[r] * m + l];
        for (int l = 0; l < m; l++) c[l] /= (e - s);
        int ia = idx[s], ib = idx[s];
        double da = -1.0, db = -1.0;
        for (int r = s; r < e; r++) {
            double d = sqdist(X + (size_t) idx[r] * m, c, m);
            if (d > da) { da = d; ia = idx[r]; }
        }
        t->rad[v] = sqrt(da);
        if (e - s <= leaf_size || nnode + 2 > maxnode) continue;
        /* split at the median along the line through a, the point farthest
         * from the centroid, and b, the point farthest from a: it follows
         * the clusters of the data better than a coordinate axis */
        for (int r = s; r < e; r++) {
            double d = sqdist(X + (size_t) idx[r] * m, X + (size_t) ia * m, m);
            if (d > db) { db = d; ib = idx[r]; }
        }
        const double *xa = X + (size_t) ia * m, *xb = X + (size_t) ib * m;
        for (int r = s; r < e; r++) {
            const double *x = X + (size_t) idx[r] * m;
            double z = 0.0;
            for (int l = 0; l < m; l++) z += (x[l] - xa[l]) * (xb[l] - xa[l]);
            wkey[r] = z;
        }
        int mid = s + (e - s) / 2;
        select_kth(idx, wkey, s, e - 1, mid);
        int a = nnode++, b = nnode++;
        t->start[a] = s; t->end[a] = mid;
        t->start[b] = mid; t->end[b] = e;
        t->left[v] = a; t->right[v] = b;
        stack[top++] = b;
        stack[top++] = a;
    }
    t->nnode = nnode;
    for (int i = 0; i < n; i++)
        memcpy(t->P + (size_t) i * m, X + (size_t) idx[i] * m, (size_t) m * sizeof(double));
}

double sqdist_upto(const double *a, const double *b, int m, double thr)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int l = 0;
    for (; l + 4 <= m; l += 4) {
        double d0 = a[l] - b[l], d1 = a[l + 1] - b[l + 1];
        double d2 = a[l + 2] - b[l + 2], d3 = a[l + 3] - b[l + 3];
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
        if ((l & 7) == 4 && (s0 + s1) + (s2 + s3) > thr) return (s0 + s1) + (s2 + s3);
    }
    for (; l < m; l++) {
        double d = a[l] - b[l];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

/* The gap between p[l] and the box along l (0 inside), squared. */
static inline double gap2(double p, double lo, double hi)
{
    double g = p < lo ? lo - p : (p > hi ? p - hi : 0.0);
    return g * g;
}

/* The distance from p[l] to the far side of the box along l, squared. */
static inline double far2(double p, double lo, double hi)
{
    double a = p - lo, b = hi - p;
    a = a > b ? a : b;
    return a * a;
}

/* The squared distance from p to the nearest (far = 0) or farthest (far = 1)
 * point of box i: the same partial sums in the same order as sqdist()
 * (distance.c), so the bounds compare exactly with its distances. */
static inline double box2(const kdtree *t, int i, const double *p, int far)
{
    const double *lo = t->lo + (size_t) i * t->m, *hi = t->hi + (size_t) i * t->m;
    int m = t->m, l = 0;
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    for (; l + 4 <= m; l += 4)
        for (int r = 0; r < 4; r++)
            s[r] += far ? far2(p[l + r], lo[l + r], hi[l + r])
                        : gap2(p[l + r], lo[l + r], hi[l + r]);
    for (; l < m; l++) s[0] += far ? far2(p[l], lo[l], hi[l]) : gap2(p[l], lo[l], hi[l]);
    return (s[0] + s[1]) + (s[2] + s[3]);
}

double kdtree_min2(const kdtree *t, int i, const double *p) { return box2(t, i, p, 0); }

double kdtree_max2(const kdtree *t, int i, const double *p) { return box2(t, i, p, 1); }

/* Lower bound of the squared distance between two boxes [alo, ahi] and
 * [blo, bhi], summed like sqdist() so that it is exact as a bound; once the
 * partial sums exceed thr, they are returned (the terms are nonnegative and
 * rounding monotone, so the whole sum exceeds thr too), as sqdist_upto(). */
double box_gap2_upto(const double *alo, const double *ahi, const double *blo,
                     const double *bhi, int m, double thr)
{
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    int l = 0;
    for (; l + 4 <= m; l += 4) {
        for (int r = 0; r < 4; r++) {
            double g1 = blo[l + r] - ahi[l + r], g2 = alo[l + r] - bhi[l + r];
            double g = g1 > g2 ? g1 : g2;
            if (g > 0.0) s[r] += g * g;
        }
        if ((l & 7) == 4 && (s[0] + s[1]) + (s[2] + s[3]) > thr)
            return (s[0] + s[1]) + (s[2] + s[3]);
    }
    for (; l < m; l++) {
        double g1 = blo[l] - ahi[l], g2 = alo[l] - bhi[l];
        double g = g1 > g2 ? g1 : g2;
        if (g > 0.0) s[0] += g * g;
    }
    return (s[0] + s[1]) + (s[2] + s[3]);
}

double box_gap2(const double *alo, const double *ahi, const double *blo, const double *bhi,
                int m)
{
    return box_gap2_upto(alo, ahi, blo, bhi, m, R_PosInf);
}

double kdtree_gap2(const kdtree *t, int i, int j, double thr)
{
    size_t m = (size_t) t->m;
    return box_gap2_upto(t->lo + i * m, t->hi + i * m, t->lo + j * m, t->hi + j * m, t->m,
                         thr);
}

int kdtree_ball_beyond(const kdtree *t, const double *p, int j, double thr)
{
    const double mg = 1e-9;
    if (!(thr >= 0.0) || thr == R_PosInf) return 0;    /* (a NaN radius never prunes) */
    double r = (sqrt(thr) + t->rad[j]) * (1.0 + mg) * (1.0 + mg);
    double lim = r * r;
    return sqdist_upto(p, t->cen + (size_t) j * t->m, t->m, lim) > lim;
}
