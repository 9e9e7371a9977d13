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

/* The state of the rounds. */
typedef struct {
    kdtree t;
    int n, m, nth, K;
    int *par, *comp, *nlab, *nn, *todo, *kq, *kc, *kp, *snode;
    double *nnd, *lb, *key, *kd, *sbound;
    edge *best;
} boruvka;

static void boruvka_alloc(const double *X, int m, int n, int nthreads, int gram, boruvka *b)
{
    kdtree_build(X, m, n, EMST_LEAF, &b->t);
    b->n = n; b->m = m;
    b->nth = nthreads > 0 ? nthreads : 1;
    b->par = (int *) R_alloc(n, sizeof(int));
    b->comp = (int *) R_alloc(n, sizeof(int));
    b->nlab = (int *) R_alloc(b->t.nnode, sizeof(int));
    b->nn = (int *) R_alloc(n, sizeof(int));
    b->todo = (int *) R_alloc(n, sizeof(int));
    b->nnd = (double *) R_alloc(n, sizeof(double));
    b->lb = (double *) R_alloc(n, sizeof(double));
    b->key = (double *) R_alloc(n, sizeof(double));
    b->best = (edge *) R_alloc(n, sizeof(edge));
    b->snode = (int *) R_alloc((size_t) b->nth * b->t.nnode, sizeof(int));
    b->sbound = (double *) R_alloc((size_t) b->nth * b->t.nnode, sizeof(double));
    for (int i = 0; i < n; i++) { b->par[i] = i; b->nn[i] = -1; b->lb[i] = 0.0; }
    int K = gram && m > 0 ? EMST_K_GRAM : EMST_K_TREE;
    b->K = K > n - 1 ? n - 1 : K;
    b->kq = (int *) R_alloc((size_t) n * b->K, sizeof(int));
    b->kc = (int *) R_alloc(n, sizeof(int));
    b->kp = (int *) R_alloc(n, sizeof(int));
    b->kd = (double *) R_alloc((size_t) n * b->K, sizeof(double));
}

/* Every cell's K nearest cells: the first one outside its component is its
 * nearest outside, as long as there is one in the list. */
static void boruvka_neighbours(boruvka *b, int gram)
{
    int n = b->n, m = b->m, K = b->K;
    if (gram && m > 0) {                /* (the BLAS wants a leading dimension >= 1) */
        emst_knn_gram(b->t.P, m, n, K, b->t.orig, b->nth, b->kq, b->kd);
        for (int i = 0; i < n; i++) { b->kc[i] = K; b->kp[i] = 0; }
        return;
    }
    for (int i0 = 0; i0 < n; i0 += 4096) {      /* interrupt checks between chunks */
        int i1 = i0 + 4096 < n ? i0 + 4096 : n;
        PAR_TEAM(team, b->nth, (double) (i1 - i0) * m * 64.0);
        OMP(parallel for num_threads(team) schedule(dynamic, 64) if (team > 1))
        for (int i = i0; i < i1; i++) {
            int tid = par_thread_num();
            b->kc[i] = knn_search(&b->t, i, K, b->kq + (size_t) i * K, b->kd + (size_t) i * K,
                                  b->snode + (size_t) tid * b->t.nnode,
                                  b->sbound + (size_t) tid * b->t.nnode);
            b->kp[i] = 0;
        }
        R_CheckUserInterrupt();
    }
}

static void offer_edge(boruvka *b, int c, double d, int p, int q)
{
    int oi = b->t.orig[p], oq = b->t.orig[q];
    int a = oi < oq ? oi : oq, z = oi < oq ? oq : oi;
    if (edge_less(d, a, z, b->best + c)) {
        b->best[c].d = d; b->best[c].a = a; b->best[c].b = z;
        b->best[c].p = p; b->best[c].q = q;
    }
}

/* Start of a round: components, node labels, and the best edges from the
 * cached neighbours; returns the number of cells left to search (b->todo,
 * most promising first). */
static int boruvka_cached(boruvka *b)
{
    int n = b->n, K = b->K;
    for (int i = 0; i < n; i++) b->comp[i] = uf_find(b->par, i);
    label_nodes(&b->t, b->comp, b->nlab);
    for (int i = 0; i < n; i++) if (b->comp[i] == i) {
        edge *e = b->best + i;
        e->d = R_PosInf; e->a = e->b = INT_MAX; e->p = e->q = -1;
    }
    int ntodo = 0;
    for (int i = 0; i < n; i++) {
        int c = b->comp[i];
        const int *qi = b->kq + (size_t) i * K;
        while (b->kp[i] < b->kc[i] && b->comp[qi[b->kp[i]]] == c) b->kp[i]++;
        if (b->kp[i] < b->kc[i]) {
            offer_edge(b, c, b->kd[(size_t) i * K + b->kp[i]], i, qi[b->kp[i]]);
            continue;
        }
        /* all K nearest are inside: the K-th bounds the nearest outside */
        if (b->kc[i] > 0 && b->kd[(size_t) i * K + b->kc[i] - 1] > b->lb[i])
            b->lb[i] = b->kd[(size_t) i * K + b->kc[i] - 1];
        if (b->nn[i] >= 0 && b->comp[b->nn[i]] != c) {
            offer_edge(b, c, b->nnd[i], i, b->nn[i]);
        } else {
            if (b->nn[i] >= 0 && b->nnd[i] > b->lb[i]) b->lb[i] = b->nnd[i];
            b->nn[i] = -1;
            b->key[ntodo] = b->lb[i];
            b->todo[ntodo++] = i;
        }
    }
    rsort_with_index(b->key, b->todo, ntodo);   /* most promising cells first */
    return ntodo;
}

/* The searched cells' nearest outside, in the kd-tree. */
static void boruvka_search(boruvka *b, int ntodo)
{
    for (int k0 = 0; k0 < ntodo; k0 += 1024) {   /* interrupt checks between chunks */
        int k1 = k0 + 1024 < ntodo ? k0 + 1024 : ntodo;
        PAR_TEAM(team, b->nth, (double) (k1 - k0) * b->m * 64.0);
        OMP(parallel for num_threads(team) schedule(dynamic, 16) if (team > 1))
        for (int k = k0; k < k1; k++) {
            int i = b->todo[k], c = b->comp[i], tid = par_thread_num();
            edge e;
            OMP(critical(emst_best))
            e = b->best[c];
            if (b->lb[i] > e.d) continue;          /* cannot beat the component's best */
            double bound = e.d;
            e.q = -1;
            nearest_outside(&b->t, b->comp, b->nlab, i, c, &e,
                            b->snode + (size_t) tid * b->t.nnode,
                            b->sbound + (size_t) tid * b->t.nnode);
            if (e.q >= 0) {                     /* the cell's true nearest outside */
                b->nn[i] = e.q; b->nnd[i] = e.d; b->lb[i] = e.d;
                OMP(critical(emst_best))
                {
                    if (edge_less(e.d, e.a, e.b, b->best + c)) b->best[c] = e;
                }
            } else if (bound > b->lb[i]) {
                b->lb[i] = bound;                  /* nothing outside is nearer */
            }
        }
        R_CheckUserInterrupt();
    }
}

/* End of a round: every component's best edge joins the tree. */
static int boruvka_join(boruvka *b, int ne, int *from, int *to, double *len)
{
    for (int c = 0; c < b->n; c++) {
        const edge *e = b->best + c;
        if (b->comp[c] != c || e->p < 0) continue;
        int ra = uf_find(b->par, e->p), rb = uf_find(b->par, e->q);
        if (ra == rb) continue;             /* the other side chose it too */
        if (ra < rb) b->par[rb] = ra; else b->par[ra] = rb;
        from[ne] = b->t.orig[e->p];
        to[ne] = b->t.orig[e->q];
        len[ne] = sqrt(e->d);
        ne++;
    }
    return ne;
}

void emst_boruvka(const double *X, int m, int n, int nthreads, int gram,
                  int *from, int *to, double *len, double *diameter)
{
    if (diameter) *diameter = 0.0;
    if (n < 2) return;
    boruvka b;
    boruvka_alloc(X, m, n, nthreads, gram, &b);
    boruvka_neighbours(&b, gram);
    R_CheckUserInterrupt();
    int ne = 0;
    while (ne < n - 1) {
        boruvka_search(&b, boruvka_cached(&b));
        ne = boruvka_join(&b, ne, from, to, len);
        R_CheckUserInterrupt();
    }
    if (diameter) *diameter = sqrt(emst_diameter2(&b.t, nthreads));
}
