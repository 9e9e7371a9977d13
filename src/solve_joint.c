/* solve_joint.c: the monotone path solver of the fast mode.
 *
 * Sweeping block by block over the scales moves the whole path slowly when
 * the coupling lambda_2 is strong, and makes 2T thin products per sweep.
 * Here one iteration updates every scale at once, by exact block
 * minimisation, with the scales stacked: H_s (kT x n) holds H_t[c, j] at row
 * t k + c, so X H_s' and W_all' X (W_all = [W_1 ... W_T], m x kT) are each one
 * wide product, and everything one cell needs is one contiguous column.
 *  (a) every W_t by HALS on the sphere (unit-norm columns, as the exact mode);
 *  (b) H by coordinate blocks that each hold one (cell j, component c) at all
 *      T scales: z_t = H_t[c, j] minimises
 *        sum_t [a_t z_t^2 - 2 b_t z_t] + l2 sum_t (z_t - z_{t-1})^2,  z >= 0,
 *      a_t = (W_t'W_t)_cc + l3 + l1 deg_t(j),
 *      b_t = (W_t'X)_cj - sum_{c' != c} (W_t'W_t)_cc' H_t[c', j] + l1 (A_t H_t')_jc,
 *      a tridiagonal M-matrix problem solved exactly by fixing the negative
 *      variables at zero and re-solving the free runs (Chandrasekaran).
 * Cells are visited colour by colour (Gauss-Seidel through the graphs): a
 * greedy colouring of the graph of the largest scale (colour.c), the union
 * of the graphs the H step reads, so that the cells of one colour share no
 * edge and are updated in parallel, each with its own scratch; the result is
 * that of a sequential pass in the colour order, whatever the thread count.
 * The graph weights of a cell are made once per scale and serve all its
 * components.  Every step is an exact minimiser over its block (kept only if
 * it does not increase the objective), so the path objective never
 * increases.
 */
#include "solver.h"
#include "parallel.h"
#include <math.h>
#include <string.h>

static double chain_value(int T, const double *a, const double *b, double l2, const double *z)
{
    double q = 0.0;
    for (int t = 0; t < T; t++) {
        q += a[t] * z[t] * z[t] - 2.0 * b[t] * z[t];
        if (t > 0) { double d = z[t] - z[t - 1]; q += l2 * d * d; }
    }
    return q;
}

/* Exact minimiser over z >= 0; returns 0 if a pivot fails (z unusable). */
static int chain_nnqp(int T, double l2, joint_cell *cw)
{
    const double *a = cw->a, *b = cw->b;
    double *z = cw->z, *cp = cw->cp, *dp = cw->dp;
    int *fixed = cw->fixed;
    for (int t = 0; t < T; t++) fixed[t] = 0;
    for (int round = 0; round <= T; round++) {
        int t = 0;
        while (t < T) {
            if (fixed[t]) { z[t] = 0.0; t++; continue; }
            int s = t;
            while (t < T && !fixed[t]) t++;
            for (int i = s; i < t; i++) {     /* Thomas on the free run [s, t) */
                double diag = a[i] + l2 * ((i > 0) + (i < T - 1));
                double den = i > s ? diag + l2 * cp[i - 1] : diag;
                if (!(den > 0.0)) return 0;
                cp[i] = -l2 / den;
                dp[i] = (b[i] + (i > s ? l2 * dp[i - 1] : 0.0)) / den;
            }
            z[t - 1] = dp[t - 1];
            for (int i = t - 2; i >= s; i--) z[i] = dp[i] - cp[i] * z[i + 1];
        }
        int neg = 0;
        for (int i = 0; i < T; i++) if (!fixed[i] && z[i] < 0.0) { fixed[i] = 1; neg = 1; }
        if (!neg) return 1;
    }
    return 0;
}

/* One thread's scratch of the H step. */
void joint_cell_alloc(int k, int T, joint_cell *c)
{
    c->deg = (double *) R_alloc(T, sizeof(double));
    c->AH = (double *) R_alloc((size_t) k * T, sizeof(double));
    c->fixed = (int *) R_alloc(T, sizeof(int));
    c->a = (double *) R_alloc(T, sizeof(double));
    c->b = (double *) R_alloc(T, sizeof(double));
    c->z = (double *) R_alloc(T, sizeof(double));
    c->zold = (double *) R_alloc(T, sizeof(double));
    c->cp = (double *) R_alloc(T, sizeof(double));
    c->dp = (double *) R_alloc(T, sizeof(double));
}

void joint_setup(const path_problem *jp, joint_work *jw)
{
    int T = jp->T, k = jp->k, n = jp->X->n, m = jp->X->m;
    int nth = jp->nthreads > 1 ? jp->nthreads : 1;
    size_t kT = (size_t) k * T;
    jw->Hs = (double *) R_alloc(kT * n + 1, sizeof(double));
    jw->WtXs = (double *) R_alloc(kT * n + 1, sizeof(double));
    jw->XHs = (double *) R_alloc(kT * m + 1, sizeof(double));
    jw->WtWall = (double *) R_alloc((size_t) k * k * T + 1, sizeof(double));
    jw->HHt = (double *) R_alloc((size_t) k * k + 1, sizeof(double));
    jw->den = (double *) R_alloc(T, sizeof(double));
    jw->trace = (double *) R_alloc(T, sizeof(double));
    jw->trace_part = (double *) R_alloc((size_t) laplacian_trace_blocks(n) * T + 1,
                                        sizeof(double));
    jw->cell = (joint_cell *) R_alloc(nth, sizeof(joint_cell));
    for (int i = 0; i < nth; i++) joint_cell_alloc(k, T, jw->cell + i);
    jw->order = (int *) R_alloc((size_t) n + 1, sizeof(int));
    jw->cstart = (int *) R_alloc((size_t) n + 2, sizeof(int));
    /* colours (parallel H step) only for many cells: below, the cells in
     * their order, one colour (see ?pnmf, Details) */
    if (n >= jp->colour_min_cells)
        jw->ncolour = graph_colour_order(jp->g, T > 0 ? jp->scales[T - 1] : 0.0, jw->order,
                                         jw->cstart);
    else {
        for (int j = 0; j < n; j++) jw->order[j] = j;
        jw->cstart[0] = 0; jw->cstart[1] = n;
        jw->ncolour = 1;
    }
    if (jp->X->p != NULL && jp->X->rows == NULL) data_rows_build(jp->X, &jw->rows);
    for (int t = 0; t < T; t++) jw->den[t] = heat_den(jp->scales[t]);
    /* H_all (k x n x T) -> H_s (kT x n) */
    for (int t = 0; t < T; t++)
        for (int j = 0; j < n; j++)
            memcpy(jw->Hs + (size_t) j * kT + (size_t) t * k,
                   jp->Hall + ((size_t) t * n + j) * k, (size_t) k * sizeof(double));
}

void joint_finish(const path_problem *jp, const joint_work *jw)
{
    int T = jp->T, k = jp->k, n = jp->X->n;
    size_t kT = (size_t) k * T;
    for (int t = 0; t < T; t++)
        for (int j = 0; j < n; j++)
            memcpy(jp->Hall + ((size_t) t * n + j) * k,
                   jw->Hs + (size_t) j * kT + (size_t) t * k, (size_t) k * sizeof(double));
}

/* (a): W_t for every scale; leaves W_all'X (stacked) and every W_t'W_t. */
static void joint_w_step(const path_problem *jp, joint_work *jw)
{
    const data_matrix *X = jp->X;
    int m = X->m, n = X->n, k = jp->k, T = jp->T, kT = k * T;
    size_t mk = (size_t) m * k, kk = (size_t) k * k;
    if (X->p != NULL)
        sparse_times_ht(X, X->rows != NULL ? X->rows : &jw->rows, jw->Hs, kT, jw->XHs,
                        jp->nthreads);
    else data_times_ht(X, jw->Hs, kT, jw->XHs, jp->nthreads);
    for (int t = 0; t < T; t++) {
        gram_rows_stacked(jw->Hs, k, T, t, n, jw->HHt);
        hals_w_columns(jp->Wall + mk * t, m, k, jw->XHs + mk * t, jw->HHt, jp->wk->B1);
        gram_cols(jp->Wall + mk * t, m, k, jw->WtWall + kk * t);
    }
    wt_times_data(X, jp->Wall, kT, jw->WtXs, jp->nthreads);
}

/* (b) for cell j, with one thread's scratch cw; wtx: W_all'x_j (kT). */
static void joint_h_cell(const path_problem *jp, const joint_work *jw, joint_cell *cw, int j,
                         const double *wtx)
{
    const graph_index *g = jp->g;
    int k = jp->k, T = jp->T;
    size_t kT = (size_t) k * T, kk = (size_t) k * k;
    double l1 = jp->l1, l2 = jp->l2, l3 = jp->l3;
    const double *den = jw->den, *WtWall = jw->WtWall;
    double *deg = cw->deg, *AH = cw->AH, *Hs = jw->Hs;
    int lo = g->rowptr[j];
    double *hj = Hs + (size_t) j * kT;
    /* graph of cell j at every scale: nested prefixes of its row */
    for (int l = 0; l < (int) kT; l++) AH[l] = 0.0;
    for (int t = 0; t < T; t++) deg[t] = 0.0;
    if (l1 != 0.0 && T > 0)
        graph_row_gather_stacked(g, lo, graph_row_end(g, j, lo, jp->scales[T - 1]), jp->scales,
                                 den, T, Hs, k, AH, deg);
    for (int c = 0; c < k; c++) {
        for (int t = 0; t < T; t++) {
            const double *WtW = WtWall + kk * t;
            const double *h = hj + (size_t) t * k;
            double r = wtx[(size_t) t * k + c];
            for (int c2 = 0; c2 < k; c2++) if (c2 != c) r -= WtW[c + (size_t) c2 * k] * h[c2];
            cw->a[t] = WtW[c + (size_t) c * k] + l3 + l1 * deg[t];
            cw->b[t] = r + l1 * AH[(size_t) t * k + c];
            cw->zold[t] = h[c];
        }
        if (!chain_nnqp(T, l2, cw)) continue;
        if (chain_value(T, cw->a, cw->b, l2, cw->z) > chain_value(T, cw->a, cw->b, l2, cw->zold))
            continue;
        for (int t = 0; t < T; t++) hj[(size_t) t * k + c] = cw->z[t];
    }
}

/* (b): H at all scales, colour by colour; the cells of one colour share no
 * edge, so they are updated in parallel with the result of a sequential
 * pass in the colour order.  Reads jw->Hs, WtXs (by cell), WtWall, den,
 * cell, order, cstart, ncolour only (the streamed fit calls it, shard.c). */
void joint_h_step(const path_problem *jp, joint_work *jw)
{
    size_t kT = (size_t) jp->k * jp->T;
    int done = 0;
    for (int col = 0; col < jw->ncolour; col++) {
        int q0 = jw->cstart[col], q1 = jw->cstart[col + 1];
        PAR_TEAM(nth, jp->nthreads, (double) (q1 - q0) * kT * (jp->k + 4));
        OMP(parallel for num_threads(nth) schedule(dynamic, 16) if (nth > 1))
        for (int q = q0; q < q1; q++)
            joint_h_cell(jp, jw, jw->cell + par_thread_num(), jw->order[q],
                         jw->WtXs + (size_t) jw->order[q] * kT);
        done += q1 - q0;
        if (done >= 4096) { R_CheckUserInterrupt(); done = 0; }
    }
}

/* (b) of the block/shard drivers (shard.c): H at all scales of the cells
 * cells[0..ncells) in that order (cells NULL: 0..ncells-1), serially with
 * the scratch of thread 0; jw->Hs holds every cell of the graph jp->g and
 * column i of WtX is W_all'x of the i-th updated cell. */
void joint_h_cells(const path_problem *jp, joint_work *jw, const int *cells, int ncells,
                   const double *WtX)
{
    size_t kT = (size_t) jp->k * jp->T;
    for (int i = 0; i < ncells; i++) {
        joint_h_cell(jp, jw, jw->cell, cells != NULL ? cells[i] : i, WtX + (size_t) i * kT);
        if ((i & 4095) == 4095) R_CheckUserInterrupt();
    }
}

/* The path objective at the current W_all, H_s (W_all'X and W_t'W_t must be
 * current); rg[t] = recon_t + l1 tr(H_t L_t H_t'). */
static double joint_objective(const path_problem *jp, joint_work *jw, double *rg)
{
    const graph_index *g = jp->g;
    int n = jp->X->n, k = jp->k, T = jp->T;
    size_t kT = (size_t) k * T, kk = (size_t) k * k;
    const double *Hs = jw->Hs;
    double smooth, anchor;
    for (int t = 0; t < T; t++) rg[t] = 0.0;
    for (int j = 0; j < n; j++) {          /* cross terms */
        const double *h = Hs + (size_t) j * kT, *wtx = jw->WtXs + (size_t) j * kT;
        for (int t = 0; t < T; t++) {
            double cr = 0.0;
            for (int c = 0; c < k; c++) {
                size_t l = (size_t) t * k + c;
                cr += wtx[l] * h[l];
            }
            rg[t] -= 2.0 * cr;
        }
    }
    stacked_regulariser_sums(Hs, k, T, n, &smooth, &anchor);
    for (int t = 0; t < T; t++) {
        gram_rows_stacked(Hs, k, T, t, n, jw->HHt);
        double quad = 0.0;
        for (size_t l = 0; l < kk; l++) quad += jw->WtWall[kk * t + l] * jw->HHt[l];
        rg[t] += jp->xnorm2 + quad;
        if (rg[t] < 0.0) rg[t] = 0.0;
    }
    if (jp->l1 != 0.0) {                   /* tr(H_t L_t H_t'), by graph.c */
        laplacian_traces_stacked(g, jp->scales, jw->den, T, Hs, k, jp->nthreads, jw->trace_part,
                                 jw->trace);
        for (int t = 0; t < T; t++) rg[t] += jp->l1 * jw->trace[t];
    }
    double total = 0.0;
    for (int t = 0; t < T; t++) total += rg[t];
    return total + jp->l2 * smooth + jp->l3 * anchor;
}

double joint_iteration(const path_problem *jp, joint_work *jw, double *rg)
{
    joint_w_step(jp, jw);
    R_CheckUserInterrupt();
    joint_h_step(jp, jw);
    return joint_objective(jp, jw, rg);
}
