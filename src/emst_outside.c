/* emst_outside.c: every point's L nearest components, exactly, at BLAS
 * speed: for each of the L components nearest to the point (other than its
 * own), the component's nearest cell to it, in emst.h's key order.
 *
 * Boruvka's later rounds need each cell's nearest cell outside its
 * component, and components only merge: the nearest outside is the nearest
 * cell of the nearest component of this pass not yet merged with the cell.
 * So the first entry of the list outside the cell's component is its
 * nearest outside, in every later round, and when all L are inside, the
 * L-th distance bounds it from below (emst.c).  Unlike a list of nearest
 * cells, which a group of copies larger than the list fills with its own
 * cells, this list reaches L components whatever their sizes.
 *
 * All pairs of blocks go through emst_tiles.c; a pair within one
 * component is skipped, and one whose bound l exceeds a point's T (the
 * L-th distance of its list once full) is of no use to that point.  The
 * others are measured by sqdist() itself (exact, at most a few thousand
 * per point) and kept in a short list sorted by key, one entry per
 * component.  When the bounds are not finite (huge coordinates) no pair is
 * screened out. */
#include "emst.h"
#include "emst_tiles.h"
#include "parallel.h"

typedef struct {
    const double *P;
    int m, L, stride;
    const int *orig, *comp;
    int *kq, *kc, *lc;        /* per point: positions, count, components of the list
                               * (comp[kq[]] kept beside them: the scan of every
                               * offer reads them without a random load each) */
    double *kd, *T;           /* per point: sqdist of the list; its L-th (or +Inf) */
} outside_lists;

/* Offers position j at sqdist d to point i's list. */
static void offer(outside_lists *h, int i, int j, double d)
{
    size_t o = (size_t) i * h->stride, oc = (size_t) i * h->L;
    int *q = h->kq + o, *lc = h->lc + oc, c = h->kc[i], cj = h->comp[j], oj = h->orig[j];
    double *dd = h->kd + o;
    int x = 0;
    while (x < c && lc[x] != cj) x++;
    int last = x < c ? x : c - 1;         /* the entry that d replaces, if it wins */
    if (x == c && c < h->L) last = c++;
    else if (!emst_key_less(d, oj, 0, dd[last], h->orig[q[last]], 0)) return;
    while (last > 0 && emst_key_less(d, oj, 0, dd[last - 1], h->orig[q[last - 1]], 0)) {
        q[last] = q[last - 1]; dd[last] = dd[last - 1]; lc[last] = lc[last - 1];
        last--;
    }
    q[last] = j; dd[last] = d; lc[last] = cj;
    h->kc[i] = c;
    if (c == h->L) h->T[i] = dd[c - 1];
}

/* The pair (i, j) of tree positions for i's list (threshold *ti, updated)
 * and for j's (tj; -Inf: not for j). */
static void try_pair(outside_lists *h, int i, int j, double *ti, double tj)
{
    if (h->comp[j] == h->comp[i]) return;
    double d = sqdist_upto(h->P + (size_t) i * h->m, h->P + (size_t) j * h->m, h->m,
                           *ti > tj ? *ti : tj);
    if (d <= *ti) { offer(h, i, j, d); *ti = h->T[i]; }
    if (d <= tj) offer(h, j, i, d);
}

/* Most pairs fail both thresholds: that test comes first, on the bound. */
static void screen_tile(void *ctx, int i0, int ni, int j0, int nr, const double *G,
                        const double *a)
{
    outside_lists *h = (outside_lists *) ctx;
    const double *T = h->T, *aj = a + j0, *Tj = T + j0;
    for (int b = 0; b < ni; b++) {
        int i = i0 + b;
        double ai = a[i], ti = T[i];
        const double *g = G + (size_t) b * nr;
        if (i0 == j0) {                      /* own block: each way once, i only */
            for (int r = 0; r < nr; r++) {
                double l = ai + aj[r] - 2.0 * g[r];
                if (!(l > ti) && r != b) try_pair(h, i, j0 + r, &ti, R_NegInf);
            }
            continue;
        }
        for (int r = 0; r < nr; r++) {
            double l = ai + aj[r] - 2.0 * g[r];
            if (l > ti && l > Tj[r]) continue;
            try_pair(h, i, j0 + r, &ti, l > Tj[r] ? R_NegInf : Tj[r]);
        }
    }
}

/* A pair that passed a float tile (emst_tiles.h). */
static void pair_float(void *ctx, int i, int j, double l, int both)
{
    outside_lists *h = (outside_lists *) ctx;
    double ti = h->T[i], tj = both ? h->T[j] : R_NegInf;
    if (l > ti && l > tj) return;
    try_pair(h, i, j, &ti, l > tj ? R_NegInf : tj);
}

/* The component of all the points of each block, or -1. */
static int *block_labels(const int *comp, int n, int nb)
{
    int *blab = (int *) R_alloc(nb, sizeof(int));
    for (int b = 0; b < nb; b++) {
        int s = b * EMST_TILE, e = s + EMST_TILE < n ? s + EMST_TILE : n, c = comp[s];
        for (int r = s + 1; r < e && c >= 0; r++) if (comp[r] != c) c = -1;
        blab[b] = c;
    }
    return blab;
}

void emst_outside_gram(const double *P, int m, int n, int L, int stride, const int *orig,
                       const int *comp, int nthreads, int use_float, int *kq, double *kd,
                       int *kc)
{
    const void *vmax = vmaxget();
    emst_tiling s;
    int ok = emst_tiling_init(P, m, n, use_float, &s);
    outside_lists h = {P, m, L, stride, orig, comp, kq, kc, NULL, kd, NULL};
    h.lc = (int *) R_alloc((size_t) n * L, sizeof(int));
    h.T = (double *) R_alloc(n, sizeof(double));
    for (int i = 0; i < n; i++) { kc[i] = 0; h.T[i] = R_PosInf; }
    if (!ok) for (int j = 0; j < n; j++) s.a[j] = R_NegInf;    /* no screen */
    s.T = h.T;
    s.blab = block_labels(comp, n, s.nb);
    emst_tiling_run(&s, screen_tile, pair_float, &h, nthreads);
    vmaxset(vmax);
}
