/* diameter.c: the exact diameter (largest sqdist() over all pairs) of the
 * points of a kd-tree, for the complete-graph scale, without all pairs.
 *
 * A double sweep gives a lower bound D (an attained distance); then every
 * cell that might see a farther one searches the tree for its farthest
 * cell, pruning nodes whose box bound (kdtree_max2, exact, see kdtree.h)
 * cannot exceed the best so far, and, before that, skipping cells whose
 * distance to the centroid plus the largest such distance cannot exceed it
 * (that bound is taken with a 1e-9 relative margin for its square roots).
 * The cells run from the outermost in; the answer is a maximum of computed
 * sqdist() values, so the same whatever the number of threads.
 */
#include "kdtree.h"
#include "parallel.h"

static int farthest_brute(const kdtree *t, int ip, double *d2)
{
    int m = t->m, best = ip;
    double bd = -1.0;
    const double *p = t->P + (size_t) ip * m;
    for (int r = 0; r < t->n; r++) {
        double d = sqdist(p, t->P + (size_t) r * m, m);
        if (d > bd) { bd = d; best = r; }
    }
    *d2 = bd;
    return best;
}

/* Largest sqdist(p, q) over the tree above *best (updated). */
static void farthest_search(const kdtree *t, int ip, double *best, int *snode, double *sbound)
{
    int m = t->m, top = 0;
    const double *p = t->P + (size_t) ip * m;
    snode[top] = 0; sbound[top] = kdtree_max2(t, 0, p); top++;
    while (top > 0) {
        top--;
        int v = snode[top];
        if (sbound[top] <= *best) continue;
        if (t->left[v] < 0) {
            for (int r = t->start[v]; r < t->end[v]; r++) {
                double d = sqdist(p, t->P + (size_t) r * m, m);
                if (d > *best) *best = d;
            }
            continue;
        }
        int ch[2] = {t->left[v], t->right[v]};
        double bd[2] = {kdtree_max2(t, ch[0], p), kdtree_max2(t, ch[1], p)};
        int first = bd[1] > bd[0];          /* push the nearer-bounded child first */
        for (int s = 0; s < 2; s++) {
            int w = s == 0 ? 1 - first : first;
            if (bd[w] <= *best) continue;
            snode[top] = ch[w]; sbound[top] = bd[w]; top++;
        }
    }
}

double emst_diameter2(const kdtree *t, int nthreads)
{
    int m = t->m, n = t->n;
    if (n < 2) return 0.0;
    double *g = (double *) R_alloc(m, sizeof(double));
    double *rad = (double *) R_alloc(n, sizeof(double));
    int *ord = (int *) R_alloc(n, sizeof(int));
    for (int l = 0; l < m; l++) g[l] = 0.0;
    for (int i = 0; i < n; i++)
        for (int l = 0; l < m; l++) g[l] += t->P[(size_t) i * m + l] / n;
    double rmax = 0.0;
    int iout = 0;
    for (int i = 0; i < n; i++) {
        rad[i] = -sqrt(sqdist(t->P + (size_t) i * m, g, m));   /* descending order */
        ord[i] = i;
        if (-rad[i] > rmax) { rmax = -rad[i]; iout = i; }
    }
    double D, d2;
    int j = farthest_brute(t, iout, &D);
    farthest_brute(t, j, &d2);
    if (d2 > D) D = d2;
    rsort_with_index(rad, ord, n);
    int nth = nthreads > 0 ? nthreads : 1;
    int *snode = (int *) R_alloc((size_t) nth * t->nnode, sizeof(int));
    double *sbound = (double *) R_alloc((size_t) nth * t->nnode, sizeof(double));
    for (int k0 = 0; k0 < n; k0 += 512) {     /* interrupt checks between chunks */
        int k1 = k0 + 512 < n ? k0 + 512 : n;
        PAR_TEAM(team, nth, (double) (k1 - k0) * m * 64.0);
        OMP(parallel for num_threads(team) schedule(dynamic, 16) if (team > 1))
        for (int k = k0; k < k1; k++) {
            int i = ord[k], tid = par_thread_num();
            double cur;
            OMP(atomic read)
            cur = D;
            double ub = -rad[k] + rmax;
            if (ub * ub * (1.0 + 1e-9) <= cur) continue;   /* nothing can be farther */
            double loc = cur;
            farthest_search(t, i, &loc, snode + (size_t) tid * t->nnode,
                            sbound + (size_t) tid * t->nnode);
            if (loc > cur) {
                OMP(critical(emst_diam))
                {
                    if (loc > D) {
                        OMP(atomic write)
                        D = loc;
                    }
                }
            }
        }
        R_CheckUserInterrupt();
    }
    return D;
}
