/* path.c: the driver of the solution path over all scales.
 *
 * 1. Warm start: for each scale, the warm-start block of the solver from the
 *    previous scale's (W, H) (the given start for the first): coarse to fine
 *    as the authors, or fine to coarse (fine_first, the fast mode: the fine
 *    end is then not started from the collapsed coarse solutions, a worse
 *    local minimum), as the solver asks.
 * 2. Sweeps: the solver's iterations, each over all scales; they stop after
 *    n_sweeps or once the relative decrease of the path objective is
 *    <= path_tol (when path_tol > 0).
 * The path objective after each stage is sum_t [recon + l1 geom]_t
 * + l2 sum_t ||H_t - H_{t-1}||^2 + l3 sum_t ||H_t||^2.
 * W_t and H_t are updated in place in the output arrays.  The driver sees no
 * R object: progress goes to a C callback, between blocks, after an interrupt
 * check.
 */
#include "path.h"

static void report_progress(const path_spec *sp, int step, int total, double objective)
{
    R_CheckUserInterrupt();
    if (sp->progress != NULL) sp->progress(sp->progress_ctx, step, total, objective);
}

void pnmf_path(const solver *sv, const path_spec *sp, path_result *res)
{
    const data_matrix *X = sp->X;
    int m = X->m, n = X->n, k = sp->k, T = sp->T, n_sweeps = sp->n_sweeps;
    int fine_first = sv->fine_first, nthreads = sp->nthreads;
    graph_index g;
    scale_graph sg;
    block_work wk;
    graph_index_build(n, sp->n_edges, sp->edge_i, sp->edge_j, sp->edge_d, &g);
    scale_graph_alloc(&g, &sg);
    block_work_alloc(m, n, k, &wk);

    size_t mk = (size_t) m * k, kn = (size_t) k * n;
    double *Hall = res->Hall, *rg = res->loss, *obj = res->objective;
    double *Wall = res->Wall != NULL ? res->Wall
                                     : (double *) R_alloc(mk * T + 1, sizeof(double));
    /* W_t'X of every scale: a block starts where its last solve ended */
    double *WtXall = (double *) R_alloc(kn * T + 1, sizeof(double));
    int *iters = res->iterations;

    path_problem pp;
    pp.X = X; pp.xnorm2 = data_norm2(X); pp.k = k; pp.T = T; pp.g = &g; pp.sg = &sg;
    pp.scales = sp->scales; pp.l1 = sp->l1; pp.l2 = sp->l2; pp.l3 = sp->l3;
    pp.Wall = Wall; pp.Hall = Hall; pp.WtXall = WtXall;
    pp.max_iter = sp->max_iter; pp.tol = sp->tol; pp.f_start = sp->f_start;
    pp.nthreads = nthreads; pp.colour_min_cells = sp->colour_min_cells; pp.wk = &wk;

    /* 1. warm start, each scale from its neighbour's solution */
    const double *Wsrc = sp->W0, *Hsrc = sp->H0;
    void *state = sv->setup(&pp, &Wsrc, &Hsrc);
    for (int step = 0; step < T; step++) {
        int t = fine_first ? step : T - 1 - step;
        double *W = Wall + mk * t, *H = Hall + kn * t;
        memcpy(W, Wsrc, mk * sizeof(double));
        memcpy(H, Hsrc, kn * sizeof(double));
        wk.WtX = WtXall + kn * t;
        if (step == 0) wt_times_data(X, W, k, wk.WtX, nthreads);
        else memcpy(wk.WtX, WtXall + kn * (fine_first ? t - 1 : t + 1), kn * sizeof(double));
        scale_graph_set(&g, sp->scales[t], &sg, nthreads);
        block_result r = sv->warm_block(state, &pp, t);
        rg[t] = r.rg;
        iters[t] = r.iter;
        Wsrc = W; Hsrc = H;
        if (step < T - 1) report_progress(sp, step + 1, T + n_sweeps, NA_REAL);
    }
    double sum_rg = 0.0;
    for (int t = 0; t < T; t++) sum_rg += rg[t];
    obj[0] = sum_rg + path_regulariser(Hall, kn, T, sp->l2, sp->l3);
    report_progress(sp, T, T + n_sweeps, obj[0]);

    /* 2. sweeps */
    if (sv->begin != NULL) sv->begin(state, &pp);
    int done = 0;
    for (int s = 1; s <= n_sweeps; s++) {
        obj[s] = sv->iterate(state, &pp, rg, iters + (size_t) T * s);
        done = s;
        report_progress(sp, T + s, T + n_sweeps, obj[s]);
        if (sp->path_tol > 0 && fabs(obj[s - 1] - obj[s]) <= sp->path_tol * fabs(obj[s - 1]))
            break;
    }
    if (sv->finish != NULL) sv->finish(state, &pp);
    res->sweeps = done;
}
