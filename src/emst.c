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
 *    from below, and such cells are searched in the kd-tree, all at once,
 *    by one dual-tree traversal (emst_dual.c) that prunes node pairs whose
 *    cells are all in one component or whose box gap exceeds the best edge
 *    of the query cells' components: a tight group of cells that forms one
 *    component is searched as a group;
 *  - when most cells would be searched among many components (groups of
 *    copies larger than K), the K nearest cells give way, once, to every
 *    cell's nearest components (emst_outside.c, all pairs at BLAS speed),
 *    which serve the later rounds in the same way.
 * Box bounds are summed like sqdist() and so bound it exactly (kdtree.h):
 * nothing is pruned that could tie or beat the best edge, and the result is
 * the exact tree of the total order whatever the number of threads (only
 * the amount of work the shared bounds save depends on the schedule).
 */
#include "emst.h"
#include "kdtree.h"
#include "parallel.h"
#include <limits.h>


static inline int edge_less(double d, int a, int b, const emst_edge *e)
{
    return emst_key_less(d, a, b, e->d, e->a, e->b);
}

static int uf_find(int *par, int x)
{
    while (par[x] != x) { par[x] = par[par[x]]; x = par[x]; }
    return x;
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
                    if (!emst_key_less(d, a, b, kd[k - 1], op < ol ? op : ol, op < ol ? ol : op))
                        continue;
                }
                int pos = cnt < k ? cnt++ : k - 1;
                while (pos > 0) {
                    int ol = t->orig[kq[pos - 1]];
                    if (!emst_key_less(d, a, b, kd[pos - 1], op < ol ? op : ol, op < ol ? ol : op))
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
    int use_float;            /* float tiles for the Gram passes, where available */
    int *par, *comp, *nlab, *kq, *kc, *kp, *snode;
    unsigned char *need;
    double *lb, *qb, *kd, *sbound;
    emst_edge *best;
} boruvka;

static void boruvka_alloc(const double *X, int m, int n, int nthreads, int gram, boruvka *b)
{
    kdtree_build(X, m, n, EMST_LEAF, &b->t);
    b->n = n; b->m = m;
    b->nth = nthreads > 0 ? nthreads : 1;
    b->par = (int *) R_alloc(n, sizeof(int));
    b->comp = (int *) R_alloc(n, sizeof(int));
    b->nlab = (int *) R_alloc(b->t.nnode, sizeof(int));
    b->need = (unsigned char *) R_alloc(n, sizeof(unsigned char));
    b->qb = (double *) R_alloc(b->t.nnode, sizeof(double));
    b->lb = (double *) R_alloc(n, sizeof(double));
    b->best = (emst_edge *) R_alloc(n, sizeof(emst_edge));
    b->snode = (int *) R_alloc((size_t) b->nth * b->t.nnode, sizeof(int));
    b->sbound = (double *) R_alloc((size_t) b->nth * b->t.nnode, sizeof(double));
    for (int i = 0; i < n; i++) { b->par[i] = i; b->lb[i] = 0.0; }
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
        emst_knn_gram(b->t.P, m, n, K, b->t.orig, b->nth, b->use_float, b->kq, b->kd);
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

/* Start of a round: the components and the node labels. */
static void boruvka_components(boruvka *b)
{
    for (int i = 0; i < b->n; i++) b->comp[i] = uf_find(b->par, i);
    label_nodes(&b->t, b->comp, b->nlab);
}

/* The round's best edges from the cached neighbours; returns the number of
 * cells left to search (b->need). */
static int boruvka_cached(boruvka *b)
{
    int n = b->n, K = b->K;
    for (int i = 0; i < n; i++) if (b->comp[i] == i) {
        emst_edge *e = b->best + i;
        e->d = R_PosInf; e->a = e->b = INT_MAX; e->p = e->q = -1;
    }
    int ntodo = 0;
    for (int i = 0; i < n; i++) {
        int c = b->comp[i];
        const int *qi = b->kq + (size_t) i * K;
        while (b->kp[i] < b->kc[i] && b->comp[qi[b->kp[i]]] == c) b->kp[i]++;
        b->need[i] = b->kp[i] == b->kc[i];
        if (!b->need[i]) {
            int q = qi[b->kp[i]];          /* the edge leaves q's component too */
            offer_edge(b, c, b->kd[(size_t) i * K + b->kp[i]], i, q);
            offer_edge(b, b->comp[q], b->kd[(size_t) i * K + b->kp[i]], q, i);
            continue;
        }
        /* all K nearest are inside: the K-th bounds the nearest outside
         * (as does an earlier round's bound, boruvka_search()) */
        if (b->kc[i] > 0 && b->kd[(size_t) i * K + b->kc[i] - 1] > b->lb[i])
            b->lb[i] = b->kd[(size_t) i * K + b->kc[i] - 1];
        ntodo++;
    }
    return ntodo;
}

/* The searched cells' components' least edges, by the dual-tree search. */
static void boruvka_search(boruvka *b)
{
    emst_dual s = {&b->t, b->comp, b->nlab, b->need, b->lb, b->qb, b->best};
    emst_dual_search(&s, b->nth);
    /* Each component's best is its cells' least distance to the outside,
     * and the outside only shrinks: a lower bound for the later rounds,
     * which then drop these cells sooner (about 40 % fewer distances). */
    for (int i = 0; i < b->n; i++)
        if (b->need[i] && b->best[b->comp[i]].d > b->lb[i]) b->lb[i] = b->best[b->comp[i]].d;
}

/* End of a round: every component's best edge joins the tree. */
static int boruvka_join(boruvka *b, int ne, int *from, int *to, double *len)
{
    for (int c = 0; c < b->n; c++) {
        const emst_edge *e = b->best + c;
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

/* The first `keep` cached neighbours of every cell, 1-based original
 * indices, into knn (n x keep, column r = the r-th nearest). */
static void boruvka_knn_out(const boruvka *b, int keep, int *knn)
{
    size_t n = (size_t) b->n;
    for (int i = 0; i < b->n; i++) {
        const int *qi = b->kq + (size_t) i * b->K;
        int o = b->t.orig[i];
        for (int r = 0; r < keep; r++) knn[o + r * n] = b->t.orig[qi[r]] + 1;
    }
}

int emst_knn_available(int m, int n, int gram)
{
    gram &= ~EMST_GRAM_DGEMM;
    int K = gram && m > 0 ? EMST_K_GRAM : EMST_K_TREE;
    return K < n - 1 ? K : n - 1;
}

/* Whether to replace the cached nearest cells by the nearest components
 * (emst_outside.c) before this round's search: once, in many dimensions
 * (Gram), when most cells would be searched and the components are many
 * (then a cell's search visits much of the data: one pass over the pairs
 * at BLAS speed costs less, and it serves the later rounds too), e.g. the
 * groups of ~370 copies of 10^6 cells resampled from 2,700, which fill the
 * lists of 128 nearest cells with their own.  A few large components are
 * left to the search, which prunes them as groups.  EMST_GRAM_OUTSIDE
 * (tests): at the first round with cells to search. */
static int outside_pays(const boruvka *b, int gram, int done, int ntodo, int ncomp)
{
    if (done || b->m == 0 || ntodo == 0) return 0;
    if (gram == EMST_GRAM_OUTSIDE) return 1;
    return gram && ntodo >= b->n / 2 && (double) ncomp * ncomp >= b->n;
}

static void boruvka_outside(boruvka *b)
{
    int L = b->K < EMST_L_OUTSIDE ? b->K : EMST_L_OUTSIDE;
    emst_outside_gram(b->t.P, b->m, b->n, L, b->K, b->t.orig, b->comp, b->nth, b->use_float,
                      b->kq, b->kd, b->kc);
    for (int i = 0; i < b->n; i++) b->kp[i] = 0;
}

void emst_boruvka(const double *X, int m, int n, int nthreads, int gram,
                  int *from, int *to, double *len, double *diameter, int keep, int *knn)
{
    if (diameter) *diameter = 0.0;
    if (n < 2) return;
    boruvka b;
    b.use_float = !(gram & EMST_GRAM_DGEMM);
    gram &= ~EMST_GRAM_DGEMM;
    boruvka_alloc(X, m, n, nthreads, gram, &b);
    boruvka_neighbours(&b, gram);
    if (knn != NULL && keep > 0 && keep <= b.K) boruvka_knn_out(&b, keep, knn);
    R_CheckUserInterrupt();
    int ne = 0, outside = 0;
    while (ne < n - 1) {
        boruvka_components(&b);
        int ntodo = boruvka_cached(&b);
        if (outside_pays(&b, gram, outside, ntodo, n - ne)) {
            boruvka_outside(&b);
            outside = 1;
            ntodo = boruvka_cached(&b);
        }
        if (ntodo > 0) boruvka_search(&b);
        ne = boruvka_join(&b, ne, from, to, len);
        R_CheckUserInterrupt();
    }
    if (diameter) *diameter = sqrt(emst_diameter2(&b.t, nthreads));
}
