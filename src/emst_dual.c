/* emst_dual.c: the search of one Boruvka round (emst.c) for the cells whose
 * cached nearest neighbours all lie inside their own component, as one
 * dual-tree traversal of the kd-tree against itself (the dual-tree Boruvka
 * of March, Ram and Gray, "Fast Euclidean minimum spanning tree", KDD 2010).
 *
 * A query node Q carries qb[Q], the largest current best edge of the
 * components of its searched cells (a cell is dropped once its lower bound
 * exceeds its component's best).  A pair of nodes (Q, R) is pruned when
 * all their cells are in one component (the node labels), or when the gap
 * between their boxes exceeds qb[Q]; otherwise the larger node is split,
 * the nearer reference child first.  So a tight group of cells that forms
 * one component (resampled copies, duplicates) is searched once as a
 * group, not once per cell; a query cell skips a reference leaf whose
 * ball (kdtree.h) lies beyond its bound.  The gaps are summed like sqdist()
 * and bound it exactly (kdtree.h), distances are stopped early only above the current
 * best (sqdist_upto), and edges are compared under emst.h's total order:
 * nothing that could tie or beat a best edge is pruned, so every
 * component's least outgoing edge from its searched cells is found, and
 * the result is the same whatever the number of threads (only the work
 * the shared bounds save depends on the schedule).  Every distance found
 * is offered to both sides' components.
 */
#include "emst.h"
#include "parallel.h"

static inline double comp_bound(const emst_dual *s, int c)
{
    double d;
    OMP(atomic read)
    d = s->best[c].d;
    return d;
}

/* Offers the edge between positions p (in component c) and q. */
static void offer(emst_dual *s, int c, double d, int p, int q)
{
    if (d > comp_bound(s, c)) return;
    int op = s->t->orig[p], oq = s->t->orig[q];
    int a = op < oq ? op : oq, b = op < oq ? oq : op;
    OMP(critical(emst_dual_best))
    {
        emst_edge *e = s->best + c;
        if (emst_key_less(d, a, b, e->d, e->a, e->b)) {
            e->a = a; e->b = b; e->p = p; e->q = q;
            OMP(atomic write)
            e->d = d;
        }
    }
}

/* qb of a leaf: its searched cells' largest component bound (-Inf: none). */
static double leaf_bound(const emst_dual *s, int v)
{
    double qb = R_NegInf;
    for (int r = s->t->start[v]; r < s->t->end[v]; r++) {
        if (!s->need[r]) continue;
        double bc = comp_bound(s, s->comp[r]);
        if (s->lb[r] <= bc && bc > qb) qb = bc;
    }
    return qb;
}

/* Every searched cell of leaf Q against the cells of leaf R. */
static void base_case(emst_dual *s, int Q, int R)
{
    const kdtree *t = s->t;
    int m = t->m;
    for (int i = t->start[Q]; i < t->end[Q]; i++) {
        if (!s->need[i]) continue;
        int c = s->comp[i];
        double thr = comp_bound(s, c);
        if (s->lb[i] > thr) continue;
        const double *p = t->P + (size_t) i * m;
        if (kdtree_ball_beyond(t, p, R, thr)) continue;
        for (int r = t->start[R]; r < t->end[R]; r++) {
            int cr = s->comp[r];
            if (cr == c) continue;
            double d = sqdist_upto(p, t->P + (size_t) r * m, m, thr);
            if (d > thr) continue;
            offer(s, c, d, i, r);
            offer(s, cr, d, r, i);
            thr = comp_bound(s, c);
        }
    }
    s->qb[Q] = leaf_bound(s, Q);
}

static int node_size(const kdtree *t, int v) { return t->end[v] - t->start[v]; }

/* The pair (Q, R), gap their box gap. */
static void dual(emst_dual *s, int Q, int R, double gap)
{
    const kdtree *t = s->t;
    if (s->qb[Q] == R_NegInf || gap > s->qb[Q]) return;
    if (s->nlab[Q] >= 0 && s->nlab[Q] == s->nlab[R]) return;
    int qleaf = t->left[Q] < 0, rleaf = t->left[R] < 0;
    if (qleaf && rleaf) {
        base_case(s, Q, R);
        return;
    }
    if (!rleaf && (qleaf || node_size(t, R) >= node_size(t, Q))) {
        int a = t->left[R], b = t->right[R];
        double ga = kdtree_gap2(t, Q, a, s->qb[Q]), gb = kdtree_gap2(t, Q, b, s->qb[Q]);
        if (gb < ga) {
            int x = a; a = b; b = x;
            double y = ga; ga = gb; gb = y;
        }
        dual(s, Q, a, ga);
        dual(s, Q, b, gb);
        return;
    }
    int a = t->left[Q], b = t->right[Q];
    dual(s, a, R, kdtree_gap2(t, a, R, s->qb[a]));
    dual(s, b, R, kdtree_gap2(t, b, R, s->qb[b]));
    s->qb[Q] = s->qb[a] > s->qb[b] ? s->qb[a] : s->qb[b];
}

/* qb of every node, bottom-up (children are numbered after parents). */
static void init_bounds(emst_dual *s)
{
    const kdtree *t = s->t;
    for (int v = t->nnode - 1; v >= 0; v--) {
        if (t->left[v] < 0) s->qb[v] = leaf_bound(s, v);
        else {
            double a = s->qb[t->left[v]], b = s->qb[t->right[v]];
            s->qb[v] = a > b ? a : b;
        }
    }
}

/* The query subtrees the threads share out: the tree cut at a depth where
 * there are enough of them (or only leaves are left). */
static int query_tasks(const kdtree *t, int want, int *task)
{
    int nt = 1;
    task[0] = 0;
    for (;;) {
        int grow = 0, nn = 0;
        for (int k = 0; k < nt; k++) grow += t->left[task[k]] >= 0;
        if (grow == 0 || nt >= want) return nt;
        int *nxt = task + nt;              /* build the next level after the current one */
        for (int k = 0; k < nt; k++) {
            int v = task[k];
            if (t->left[v] < 0) nxt[nn++] = v;
            else { nxt[nn++] = t->left[v]; nxt[nn++] = t->right[v]; }
        }
        memmove(task, nxt, (size_t) nn * sizeof(int));
        nt = nn;
    }
}

void emst_dual_search(emst_dual *s, int nthreads)
{
    const kdtree *t = s->t;
    init_bounds(s);
    if (s->qb[0] == R_NegInf) return;
    int nth = nthreads > 0 ? nthreads : 1;
    int want = 64 * nth;
    int *task = (int *) R_alloc((size_t) 3 * want + 4, sizeof(int));
    int nt = query_tasks(t, want, task);
    PAR_TEAM(team, nth, (double) t->n * t->m * 64.0);
    for (int k0 = 0; k0 < nt; k0 += 4 * nth) {   /* interrupt checks between chunks */
        int k1 = k0 + 4 * nth < nt ? k0 + 4 * nth : nt;
        OMP(parallel for num_threads(team) schedule(dynamic, 1) if (team > 1))
        for (int k = k0; k < k1; k++)
            dual(s, task[k], 0, kdtree_gap2(t, task[k], 0, s->qb[task[k]]));
        R_CheckUserInterrupt();
    }
}
