/* emst.c: exact Euclidean minimum spanning tree by Boruvka rounds over a
 * kd-tree, in place of Prim's O(n^2 m) pass over all pairs (ph_mst.c).
 *
 * Edges are ordered totally by (sqdist, smaller cell, larger cell), so the
 * minimum spanning tree under that order is unique and Boruvka's rule (every
 * component takes its least outgoing edge) never closes a cycle; its lengths
 * are those of any minimum spanning tree, Prim's included.  A round finds
 * each component's least outgoing edge as the best, over its cells, of each
 * cell's nearest neighbour outside the component:
 *  - every cell's K nearest cells are found once (kd-tree search, or Gram
 *    screening in emst_knn.c); the first of them outside the cell's
 *    component is its nearest outside cell, so the first rounds (and most
 *    cells of the later ones) need no search at all;
 *  - when all K are inside, the K-th distance bounds the nearest outside
 *    from below; a searched nearest outside cell stays valid while it is
 *    still outside (the outside only shrinks), so it is kept across rounds,
 *    and once absorbed its distance is again a lower bound;
 *  - the other cells are searched in the kd-tree, in increasing order of that
 *    lower bound, skipping a cell whose bound exceeds its component's best
 *    edge so far and pruning subtrees farther than that edge or wholly
 *    inside the cell's component (each node carries the component of its
 *    cells, or -1 when they are in several).
 * Box bounds are summed like sqdist() and so bound it exactly (kdtree.h):
 * nothing is pruned that could tie or beat the best edge, and the result is
 * the exact tree of the total order whatever the number of threads (only
 * the amount of work the shared bounds save depends on the schedule).
 */
#include "emst.h"
#include "kdtree.h"
#include "parallel.h"
#include <limits.h>


typedef struct {
    double d;       /* sqdist */
    int a, b;       /* original indices, a < b: the tie-breaking key */
    int p, q;       /* tree positions of the two ends (q outside) */
} edge;

static inline int key_less(double d, int a, int b, double d2, int a2, int b2)
{
    if (d != d2) return d < d2;
    if (a != a2) return a < a2;
    return b < b2;
}

static inline int edge_less(double d, int a, int b, const edge *e)
{
    return key_less(d, a, b, e->d, e->a, e->b);
}

static int uf_find(int *par, int x)
{
    while (par[x] != x) { par[x] = par[par[x]]; x = par[x]; }
    return x;
}

/* Lowers *best to the least edge from tree position ip to a cell outside
 * component c, if one precedes *best. */
static void nearest_outside(const kdtree *t, const int *comp, const int *nlab, int ip, int c,
                            edge *best, int *snode, double *sbound)
{
    int m = t->m, op = t->orig[ip], top = 0;
    const double *p = t->P + (size_t) ip * m;
    if (nlab[0] == c) return;
    snode[top] = 0; sbound[top] = kdtree_min2(t, 0, p); top++;
    while (top > 0) {
        top--;
        int v = snode[top];
        if (sbound[top] > best->d) continue;
        if (t->left[v] < 0) {
            for (int r = t->start[v]; r < t->end[v]; r++) {
                if (comp[r] == c) continue;
                double d = sqdist_upto(p, t->P + (size_t) r * m, m, best->d);
                if (d > best->d) continue;
                int oq = t->orig[r], a = op < oq ? op : oq, b = op < oq ? oq : op;
                if (edge_less(d, a, b, best)) {
                    best->d = d; best->a = a; best->b = b; best->p = ip; best->q = r;
                }
            }
            continue;
        }
        int ch[2] = {t->left[v], t->right[v]};
        double bd[2];
        for (int s = 0; s < 2; s++)
            bd[s] = nlab[ch[s]] == c ? R_PosInf : kdtree_min2(t, ch[s], p);
        int first = bd[1] < bd[0];          /* push the farther child first */
        for (int s = 0; s < 2; s++) {
            int w = s == 0 ? 1 - first : first;
            if (nlab[ch[w]] == c || bd[w] > best->d) continue;
            snode[top] = ch[w]; sbound[top] = bd[w]; top++;
        }
    }
}

/* The (up to) k least edges from tree position ip to the other cells, in
 * key order: positions kq, squared lengths kd; returns their number. */
static int knn_search(const kdtree *t, int ip, int k, int *kq, double *kd,
                      int *snode, double *sbound)
{
    int m = t->m, op = t->orig[ip], top = 0, cnt = 0;
    const double *p = t->P + (size_t) ip * m;
    double thr = R_PosInf;                  /* kd[k - 1] once k are found */
    snode[top] = 0; sbound[top] = kdtree_min2(t, 0, p); top++;
    while (top > 0) {
        top--;
        int v = snode[top];
        if (sbound[top] > thr) continue;
        if (t->left[v] < 0) {
            for (int r = t->start[v]; r < t->end[v]; r++) {
                if (r == ip) continue;
                double d = sqdist_upto(p, t->P + (size_t) r * m, m, thr);
                if (d > thr) continue;
                int oq = t->orig[r], a = op < oq ? op : oq, b = op < oq ? oq : op;
                if (cnt == k) {
                    int ol = t->orig[kq[k - 1]];
                    if (!key_less(d, a, b, kd[k - 1], op < ol ? op : ol, op < ol ? ol : op))
                        continue;
                }
                int pos = cnt < k ? cnt++ : k - 1;
                while (pos > 0) {
                    int ol = t->orig[kq[pos - 1]];
                    if (!key_less(d, a, b, kd[pos - 1], op < ol ? op : ol, op < ol ? ol : op))
                        break;
                    kd[pos] = kd[pos - 1]; kq[pos] = kq[pos - 1]; pos--;
                }
                kd[pos] = d; kq[pos] = r;
                if (cnt == k) thr = kd[k - 1];
            }
            continue;
        }
        int ch[2] = {t->left[v], t->right[v]};
        double bd[2] = {kdtree_min2(t, ch[0], p), kdtree_min2(t, ch[1], p)};
        int first = bd[1] < bd[0];
        for (int s = 0; s < 2; s++) {
            int w = s == 0 ? 1 - first : first;
            if (bd[w] > thr) continue;
            snode[top] = ch[w]; sbound[top] = bd[w]; top++;
        }
    }
    return cnt;
}

/* Node labels: the component of all the node's cells, or -1. */
static void label_nodes(const kdtree *t, const int *comp, int *nlab)
{
    for (int v = t->nnode - 1; v >= 0; v--) {
        if (t->left[v] < 0) {
            int c = comp[t->start[v]];
            for (int r = t->start[v] + 1; r < t->end[v] && c >= 0; r++)
                if (comp[r] != c) c = -1;
            nlab[v] = c;
        } else {
            int a = nlab[t->left[v]], b = nlab[t->right[v]];
            nlab[v] = a == b ? a : -1;
        }
    }
}

void emst_boruvka(const double *X, int m, int n, int nthreads, int gram,
                  int *from, int *to, double *len, double *diameter)
{
    if (diameter) *diameter = 0.0;
    if (n < 2) return;
    kdtree t;
    kdtree_build(X, m, n, EMST_LEAF, &t);
    int *par = (int *) R_alloc(n, sizeof(int)), *comp = (int *) R_alloc(n, sizeof(int));
    int *nlab = (int *) R_alloc(t.nnode, sizeof(int));
    int *nn = (int *) R_alloc(n, sizeof(int)), *todo = (int *) R_alloc(n, sizeof(int));
    double *nnd = (double *) R_alloc(n, sizeof(double));
    double *lb = (double *) R_alloc(n, sizeof(double));
    double *key = (double *) R_alloc(n, sizeof(double));
    edge *best = (edge *) R_alloc(n, sizeof(edge));
    int nth = nthreads > 0 ? nthreads : 1;
    int *snode = (int *) R_alloc((size_t) nth * t.nnode, sizeof(int));
    double *sbound = (double *) R_alloc((size_t) nth * t.nnode, sizeof(double));
    for (int i = 0; i < n; i++) { par[i] = i; nn[i] = -1; lb[i] = 0.0; }
    /* every cell's K nearest cells: the first one outside its component
     * is its nearest outside, as long as there is one in the list */
    int K = gram && m > 0 ? EMST_K_GRAM : EMST_K_TREE;
    if (K > n - 1) K = n - 1;
    int *kq = (int *) R_alloc((size_t) n * K, sizeof(int)), *kc = (int *) R_alloc(n, sizeof(int));
    int *kp = (int *) R_alloc(n, sizeof(int));
    double *kd = (double *) R_alloc((size_t) n * K, sizeof(double));
    if (gram && m > 0) {                /* (the BLAS wants a leading dimension >= 1) */
        emst_knn_gram(t.P, m, n, K, t.orig, nth, kq, kd);
        for (int i = 0; i < n; i++) { kc[i] = K; kp[i] = 0; }
    } else {
        for (int i0 = 0; i0 < n; i0 += 4096) {      /* interrupt checks between chunks */
            int i1 = i0 + 4096 < n ? i0 + 4096 : n;
            PAR_TEAM(team, nth, (double) (i1 - i0) * m * 64.0);
            OMP(parallel for num_threads(team) schedule(dynamic, 64) if (team > 1))
            for (int i = i0; i < i1; i++) {
                int tid = par_thread_num();
                kc[i] = knn_search(&t, i, K, kq + (size_t) i * K, kd + (size_t) i * K,
                                   snode + (size_t) tid * t.nnode,
                                   sbound + (size_t) tid * t.nnode);
                kp[i] = 0;
            }
            R_CheckUserInterrupt();
        }
    }
    R_CheckUserInterrupt();
    int ne = 0;
    while (ne < n - 1) {
        for (int i = 0; i < n; i++) comp[i] = uf_find(par, i);
        label_nodes(&t, comp, nlab);
        for (int i = 0; i < n; i++) if (comp[i] == i) {
            best[i].d = R_PosInf; best[i].a = best[i].b = INT_MAX; best[i].p = best[i].q = -1;
        }
        /* cached neighbours still outside; the others are searched */
        int ntodo = 0;
        for (int i = 0; i < n; i++) {
            int c = comp[i];
            const int *qi = kq + (size_t) i * K;
            while (kp[i] < kc[i] && comp[qi[kp[i]]] == c) kp[i]++;
            if (kp[i] < kc[i]) {
                int oi = t.orig[i], oq = t.orig[qi[kp[i]]];
                int a = oi < oq ? oi : oq, b = oi < oq ? oq : oi;
                double d = kd[(size_t) i * K + kp[i]];
                if (edge_less(d, a, b, best + c)) {
                    best[c].d = d; best[c].a = a; best[c].b = b;
                    best[c].p = i; best[c].q = qi[kp[i]];
                }
                continue;
            }
            /* all K nearest are inside: the K-th bounds the nearest outside */
            if (kc[i] > 0 && kd[(size_t) i * K + kc[i] - 1] > lb[i])
                lb[i] = kd[(size_t) i * K + kc[i] - 1];
            if (nn[i] >= 0 && comp[nn[i]] != c) {
                int oi = t.orig[i], oq = t.orig[nn[i]];
                int a = oi < oq ? oi : oq, b = oi < oq ? oq : oi;
                if (edge_less(nnd[i], a, b, best + c)) {
                    best[c].d = nnd[i]; best[c].a = a; best[c].b = b;
                    best[c].p = i; best[c].q = nn[i];
                }
            } else {
                if (nn[i] >= 0 && nnd[i] > lb[i]) lb[i] = nnd[i];
                nn[i] = -1;
                key[ntodo] = lb[i];
                todo[ntodo++] = i;
            }
        }
        rsort_with_index(key, todo, ntodo);   /* most promising cells first */
        for (int k0 = 0; k0 < ntodo; k0 += 1024) {   /* interrupt checks between chunks */
            int k1 = k0 + 1024 < ntodo ? k0 + 1024 : ntodo;
            PAR_TEAM(team, nth, (double) (k1 - k0) * m * 64.0);
            OMP(parallel for num_threads(team) schedule(dynamic, 16) if (team > 1))
            for (int k = k0; k < k1; k++) {
                int i = todo[k], c = comp[i], tid = par_thread_num();
                edge e;
                OMP(critical(emst_best))
                e = best[c];
                if (lb[i] > e.d) continue;          /* cannot beat the component's best */
                double bound = e.d;
                e.q = -1;
                nearest_outside(&t, comp, nlab, i, c, &e, snode + (size_t) tid * t.nnode,
                                sbound + (size_t) tid * t.nnode);
                if (e.q >= 0) {                     /* the cell's true nearest outside */
                    nn[i] = e.q; nnd[i] = e.d; lb[i] = e.d;
                    OMP(critical(emst_best))
                    {
                        if (edge_less(e.d, e.a, e.b, best + c)) best[c] = e;
                    }
                } else if (bound > lb[i]) {
                    lb[i] = bound;                  /* nothing outside is nearer */
                }
            }
            R_CheckUserInterrupt();
        }
        for (int c = 0; c < n; c++) {
            if (comp[c] != c || best[c].p < 0) continue;
            int ra = uf_find(par, best[c].p), rb = uf_find(par, best[c].q);
            if (ra == rb) continue;             /* the other side chose it too */
            if (ra < rb) par[rb] = ra; else par[ra] = rb;
            from[ne] = t.orig[best[c].p];
            to[ne] = t.orig[best[c].q];
            len[ne] = sqrt(best[c].d);
            ne++;
        }
        R_CheckUserInterrupt();
    }
    if (diameter) *diameter = sqrt(emst_diameter2(&t, nthreads));
}
