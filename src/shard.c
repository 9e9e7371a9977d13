/* shard.c: the fast mode's steps on a block of cells.
 *
 * The streamed and the sharded fits (R/shards.R) hold the data in column
 * blocks and drive the iterations from R; these are their numerical steps,
 * made of the in-memory solver's own pieces, so that the blocked fit does
 * the arithmetic of the in-memory one:
 *  - the joint H step of some cells on the graph of their block (the block's
 *    cells and their neighbours), joint_h_cells() of solve_joint.c;
 *  - the block's parts of the path objective (each graph edge is seen from
 *    both ends, so halves of the owned rows sum to the trace), or the
 *    traces of the whole graph at once (shard_traces);
 *  - the W step of every scale from the reduced X H' and H H' (as
 *    joint_w_step); the warm start's H update and block objective
 *    (hals_h_rows(), block_eval()).
 */
#include "shard.h"
#include "parallel.h"
#include <string.h>

static void small_work(int k, int T, const double *scales, joint_work *jw)
{
    jw->den = (double *) R_alloc(T, sizeof(double));
    jw->cell = (joint_cell *) R_alloc(1, sizeof(joint_cell));
    joint_cell_alloc(k, T, jw->cell);
    for (int t = 0; t < T; t++) jw->den[t] = heat_den(scales[t]);
}

void shard_h_step(const shard_graph *sgr, int k, int T, const double *scales,
                  const double *lambda, const double *WtW, const int *upd, int nu,
                  const double *WtX, double *Hl)
{
    graph_index g;
    graph_index_build(sgr->nl, sgr->ne, sgr->ei, sgr->ej, sgr->ed, &g);
    path_problem pp;
    memset(&pp, 0, sizeof(pp));
    pp.k = k; pp.T = T; pp.g = &g; pp.scales = scales;
    pp.l1 = lambda[0]; pp.l2 = lambda[1]; pp.l3 = lambda[2];
    joint_work jw;
    memset(&jw, 0, sizeof(jw));
    small_work(k, T, scales, &jw);
    jw.Hs = Hl;
    jw.WtWall = (double *) WtW;     /* read only */
    joint_h_cells(&pp, &jw, upd, nu, WtX);
}

/* The H step of all n cells of the graph in the in-memory fit's order
 * (joint_setup() of solve_joint.c), colour by colour (order, cstart,
 * ncolour: graph_colour_order(), or the cells' order as one colour); Hs
 * (kT x n) in place, WtX (kT x n) by cell. */
void shard_h_all(const graph_index *g, const int *order, const int *cstart, int ncolour,
                 int k, int T, const double *scales, const double *lambda, const double *WtW,
                 const double *WtX, double *Hs, int nthreads)
{
    int nth = nthreads > 1 ? nthreads : 1;
    path_problem pp;
    memset(&pp, 0, sizeof(pp));
    pp.k = k; pp.T = T; pp.g = g; pp.scales = scales; pp.nthreads = nthreads;
    pp.l1 = lambda[0]; pp.l2 = lambda[1]; pp.l3 = lambda[2];
    joint_work jw;
    memset(&jw, 0, sizeof(jw));
    jw.den = (double *) R_alloc(T, sizeof(double));
    for (int t = 0; t < T; t++) jw.den[t] = heat_den(scales[t]);
    jw.cell = (joint_cell *) R_alloc(nth, sizeof(joint_cell));
    for (int i = 0; i < nth; i++) joint_cell_alloc(k, T, jw.cell + i);
    jw.Hs = Hs;
    jw.WtXs = (double *) WtX;       /* read only */
    jw.WtWall = (double *) WtW;     /* read only */
    jw.order = (int *) order;       /* read only */
    jw.cstart = (int *) cstart;
    jw.ncolour = ncolour;
    joint_h_step(&pp, &jw);
}

/* The parts of scale t (see shard_sums); part[0..1]: its smoothness (to
 * scale t - 1) and anchor sums. */
static void shard_sums_scale(const graph_index *g, int k, int T, int t, double scale,
                             double den, const double *Hl, const int *own, int no,
                             const double *WtX, double *cross, double *hh, double *trace,
                             double *part)
{
    size_t kT = (size_t) k * T, kk = (size_t) k * k;
    double cr = 0.0, tr = 0.0, smooth = 0.0, anchor = 0.0;
    double *o = hh + kk * t;
    int has_edges = g->n > 0 && g->rowptr[g->n] > 0;
    memset(o, 0, kk * sizeof(double));
    for (int i = 0; i < no; i++) {
        int j = own[i];
        const double *ht = Hl + (size_t) j * kT + (size_t) t * k;
        if (WtX != NULL) {
            const double *wtx = WtX + (size_t) i * kT + (size_t) t * k;
            for (int c = 0; c < k; c++) cr += wtx[c] * ht[c];
        }
        for (int c2 = 0; c2 < k; c2++) {
            double v = ht[c2];
            if (v == 0.0) continue;
            for (int c = 0; c < k; c++) o[c + (size_t) c2 * k] += ht[c] * v;
        }
        for (int c = 0; c < k; c++) {
            anchor += ht[c] * ht[c];
            if (t > 0) { double d = ht[c] - ht[c - k]; smooth += d * d; }
        }
        if (!has_edges) continue;
        int lo = g->rowptr[j], end = graph_row_end(g, j, lo, scale);
        double trj = 0.0;
        for (int e = lo; e < end; e++) {
            const double *hn = Hl + (size_t) g->nbr[e] * kT + (size_t) t * k;
            double sq = 0.0;
            for (int c = 0; c < k; c++) { double d = ht[c] - hn[c]; sq += d * d; }
            trj += heat_weight(g->dist[e], den) * sq;
        }
        tr += trj;
    }
    cross[t] = cr;
    trace[t] = 0.5 * tr;
    part[0] = smooth;
    part[1] = anchor;
}

/* In parallel over the scales: each scale's sums run over the cells in the
 * same order whatever the number of threads, so the result does not depend
 * on it. */
void shard_sums(const shard_graph *sgr, int k, int T, const double *scales,
                const double *Hl, const int *own, int no, const double *WtX,
                double *cross, double *hh, double *trace, double *sums, int nthreads)
{
    graph_index g;
    graph_index_build(sgr->nl, sgr->ne, sgr->ei, sgr->ej, sgr->ed, &g);
    double *den = (double *) R_alloc(T, sizeof(double));
    double *part = (double *) R_alloc((size_t) 2 * T + 1, sizeof(double));
    for (int t = 0; t < T; t++) den[t] = heat_den(scales[t]);
    PAR_TEAM(nth, nthreads, (double) no * k * k * T);
    OMP(parallel for num_threads(nth) schedule(dynamic, 1) if (nth > 1))
    for (int t = 0; t < T; t++)
        shard_sums_scale(&g, k, T, t, scales[t], den[t], Hl, own, no, WtX, cross, hh, trace,
                         part + 2 * t);
    sums[0] = sums[1] = 0.0;
    for (int t = 0; t < T; t++) {
        sums[0] += part[2 * t];
        sums[1] += part[2 * t + 1];
    }
}

/* The Laplacian traces tr(H_t L_t H_t') of all scales over the whole graph
 * (n cells), as the in-memory fit sums them (laplacian_traces_stacked()):
 * each edge once, all its scales from one read of both columns, where
 * shard_sums() sees it from both ends, scale by scale. */
void shard_traces(const graph_index *g, int k, int T, const double *scales,
                  const double *Hs, double *trace, int nthreads)
{
    double *den = (double *) R_alloc((size_t) T + 1, sizeof(double));
    double *part = (double *) R_alloc((size_t) laplacian_trace_blocks(g->n) * T + 1,
                                      sizeof(double));
    for (int t = 0; t < T; t++) den[t] = heat_den(scales[t]);
    laplacian_traces_stacked(g, scales, den, T, Hs, k, nthreads, part, trace);
}

double shard_warm_h(const graph_index *g, const scale_graph *sg, int m, int k, double l1,
                    double xnorm2, const double *W, const double *WtX, double *H, int update,
                    int nthreads)
{
    int n = g->n;
    block_work wk;                  /* no m x k or k x n work: H A is not needed */
    memset(&wk, 0, sizeof(wk));
    wk.WtW = (double *) R_alloc((size_t) k * k + 1, sizeof(double));
    wk.HHt = (double *) R_alloc((size_t) k * k + 1, sizeof(double));
    wk.WtX = (double *) WtX;        /* read only */
    data_matrix dims;               /* hals_h_rows() and block_eval() read m, n only */
    memset(&dims, 0, sizeof(dims));
    dims.m = m; dims.n = n;
    block_problem bp;
    memset(&bp, 0, sizeof(bp));
    bp.X = &dims; bp.xnorm2 = xnorm2; bp.k = k; bp.g = g; bp.sg = sg; bp.l1 = l1;
    bp.nthreads = nthreads; bp.wk = &wk;
    gram_cols(W, m, k, wk.WtW);
    if (update) {
        double *hrow = (double *) R_alloc((size_t) n + 1, sizeof(double));
        double *rhs = (double *) R_alloc((size_t) n + 1, sizeof(double));
        hals_h_rows(&bp, WtX, wk.WtW, H, hrow, rhs);
    }
    return block_eval(&bp, W, H, 1);   /* no path terms in a block: f = rg */
}

void shard_w_step(int m, int k, int T, double *W, const double *XHs, const double *HH,
                  double *WtW)
{
    size_t mk = (size_t) m * k, kk = (size_t) k * k;
    double *v = (double *) R_alloc(mk + 1, sizeof(double));
    for (int t = 0; t < T; t++) {
        hals_w_columns(W + mk * t, m, k, XHs + mk * t, HH + kk * t, v);
        gram_cols(W + mk * t, m, k, WtW + kk * t);
    }
}

void shard_warm_cells(const shard_graph *sgr, int k, double eps, double l1, const double *WtW,
                      const double *WtX, const int *upd, int nu, double *H)
{
    graph_index g;
    scale_graph sg;
    graph_index_build(sgr->nl, sgr->ne, sgr->ei, sgr->ej, sgr->ed, &g);
    scale_graph_alloc(&g, &sg);
    scale_graph_set(&g, eps, &sg, 1);
    int use_graph = l1 != 0.0;
    for (int c = 0; c < k; c++) {
        double diag = WtW[c + (size_t) c * k];
        for (int i = 0; i < nu; i++) {
            int j = upd[i];
            double *hj = H + (size_t) j * k;
            double r = WtX[c + (size_t) j * k];
            for (int c2 = 0; c2 < k; c2++)
                if (c2 != c) r -= WtW[c + (size_t) c2 * k] * hj[c2];
            double den = use_graph ? diag + l1 * sg.deg[j] : diag;
            if (!(den > 0.0)) continue;
            double ah = 0.0;
            if (use_graph) {
                int lo = g.rowptr[j], hi = lo + sg.len[j];
                for (int e = lo; e < hi; e++) ah += sg.w[e] * H[c + (size_t) g.nbr[e] * k];
            }
            double v = (r + l1 * ah) / den;
            hj[c] = v > 0.0 ? v : 0.0;
        }
        R_CheckUserInterrupt();
    }
}
