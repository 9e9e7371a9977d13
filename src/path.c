/* path.c: the solution path over all scales (the authors' driver).
 *
 * 1. Warm start, coarse to fine: for t = T..1, GNMF at scale t from the
 *    previous scale's (W, H) (NNDSVDA for the first).
 * 2. Sweeps: t = 1..T in order (Gauss-Seidel: H_{t-1} from this sweep,
 *    H_{t+1} from the last), each block the delta-lifted pNMF solve with
 *    alpha = l2 (0 at t = 1) and beta = l2 (0 at t = T).
 * The path objective after each stage is sum_t [recon + l1 geom]_t
 * + l2 sum_t ||H_t - H_{t-1}||^2 + l3 sum_t ||H_t||^2.
 * W_t and H_t are updated in place in the output arrays.
 *
 * Blocks are solved by the authors' multiplicative updates (solver "mu",
 * fixed number of sweeps) or by the monotone HALS / coordinate descent of
 * solve_hals.c (solver "hals"), where every block decreases the path
 * objective, so the sweeps stop once its relative decrease is <= path_tol.
 *
 * Progress goes to an optional R function progress(step, total, objective),
 * called between blocks (never inside a parallel region): one step per
 * warm-start scale and per sweep.  An R error or interrupt raised there
 * unwinds cleanly, since all work memory comes from R_alloc.
 */
#include "solver.h"
#include <string.h>
#include <math.h>

static void report_progress(SEXP fn, int step, int total, double objective)
{
    R_CheckUserInterrupt();
    if (fn == R_NilValue) return;
    SEXP call = PROTECT(lang4(fn, ScalarInteger(step), ScalarInteger(total),
                              ScalarReal(objective)));
    eval(call, R_GlobalEnv);
    UNPROTECT(1);
}

SEXP C_pnmf_path(SEXP sX, SEXP sW0, SEXP sH0, SEXP sedges, SEXP sscales,
                 SEXP slambda, SEXP scontrol)
{
    data_matrix X;
    data_from_sexp(sX, &X);
    int m = X.m, n = X.n;
    if (!isReal(sW0) || !isMatrix(sW0) || nrows(sW0) != m)
        error("'W0' must be a double matrix with one row per feature");
    int k = ncols(sW0);
    if (!isReal(sH0) || !isMatrix(sH0) || nrows(sH0) != k || ncols(sH0) != n)
        error("'H0' must be a k x n double matrix");
    if (!isReal(sscales) || length(sscales) < 1) error("'scales' must be a double vector");
    if (!isReal(slambda) || length(slambda) != 3) error("'lambda' must be 3 doubles");
    int T = length(sscales);
    const double *scales = REAL(sscales), *lam = REAL(slambda);
    for (int t = 0; t < T; t++)
        if (!(scales[t] >= 0) || !R_FINITE(scales[t]) || (t > 0 && scales[t] < scales[t - 1]))
            error("scales must be finite, >= 0 and increasing");
    SEXP ei = list_elt(sedges, "i"), ej = list_elt(sedges, "j"), ed = list_elt(sedges, "d");
    if (!isInteger(ei) || !isInteger(ej) || !isReal(ed) || XLENGTH(ej) != XLENGTH(ei) ||
        XLENGTH(ed) != XLENGTH(ei))
        error("'edges' must be list(i = integer, j = integer, d = double) of equal lengths");
    R_xlen_t ne = XLENGTH(ei);
    for (R_xlen_t e = 0; e < ne; e++) {
        int a = INTEGER(ei)[e], b = INTEGER(ej)[e];
        if (a < 1 || a > n || b < 1 || b > n || a == b) error("invalid edge %ld", (long) e + 1);
        if (e > 0 && !(REAL(ed)[e] >= REAL(ed)[e - 1])) error("edges must be sorted by distance");
    }
    int n_sweeps = asInteger(list_elt(scontrol, "n_sweeps"));
    int max_iter = asInteger(list_elt(scontrol, "max_iter"));
    int warm_iter = asInteger(list_elt(scontrol, "warm_max_iter"));
    double tol = asReal(list_elt(scontrol, "tol"));
    double warm_tol = asReal(list_elt(scontrol, "warm_tol"));
    double f_start = asReal(list_elt(scontrol, "f_start"));
    int keep_W = asLogical(list_elt(scontrol, "keep_W"));
    SEXP progress = list_elt(scontrol, "progress");
    if (progress != R_NilValue && !isFunction(progress))
        error("'progress' must be a function or NULL");
    int nthreads = as_threads(list_elt(scontrol, "threads"));
    SEXP ssolver = list_elt(scontrol, "solver");
    if (!isString(ssolver) || length(ssolver) != 1) error("'solver' must be a string");
    int hals = strcmp(CHAR(STRING_ELT(ssolver, 0)), "hals") == 0;
    if (!hals && strcmp(CHAR(STRING_ELT(ssolver, 0)), "mu") != 0) error("unknown solver");
    /* warm-start order: the authors go coarse to fine; the fast mode starts
     * at the finest scale (the NMF-like problem) so that the fine end is not
     * started from the collapsed coarse solutions (a worse local minimum) */
    int fine_first = asLogical(list_elt(scontrol, "warm_fine_first"));
    if (fine_first == NA_LOGICAL) error("invalid 'warm_fine_first'");
    double path_tol = asReal(list_elt(scontrol, "path_tol"));
    if (!R_FINITE(path_tol) || path_tol < 0) error("invalid 'path_tol'");
    block_result (*solve)(const block_problem *, double *, double *) =
        hals ? solve_block_hals : solve_block_mu;
    if (n_sweeps == NA_INTEGER || n_sweeps < 0 || n_sweeps > 10000000 || max_iter == NA_INTEGER || max_iter < 0 ||
        warm_iter == NA_INTEGER || warm_iter < 0 || !R_FINITE(tol) || !R_FINITE(warm_tol) ||
        !(f_start > 0) || !R_FINITE(f_start) || keep_W == NA_LOGICAL || !R_FINITE(lam[0]) ||
        !R_FINITE(lam[1]) || !R_FINITE(lam[2]) || lam[0] < 0 || lam[1] < 0 || lam[2] < 0)
        error("invalid control values");

    graph_index g;
    scale_graph sg;
    block_work wk;
    graph_index_build(n, ne, INTEGER(ei), INTEGER(ej), REAL(ed), &g);
    scale_graph_alloc(&g, &sg);
    block_work_alloc(m, n, k, &wk);

    size_t mk = (size_t) m * k, kn = (size_t) k * n;
    SEXP res = PROTECT(allocVector(VECSXP, 6));
    SEXP sH = PROTECT(alloc3DArray(REALSXP, k, n, T));
    SEXP sW = PROTECT(keep_W ? alloc3DArray(REALSXP, m, k, T) : allocVector(REALSXP, 0));
    SEXP sobj = PROTECT(allocVector(REALSXP, n_sweeps + 1));
    SEXP siter = PROTECT(allocMatrix(INTSXP, T, n_sweeps + 1));
    SEXP srg = PROTECT(allocVector(REALSXP, T));
    double *Hall = REAL(sH), *rg = REAL(srg), *obj = REAL(sobj);
    double *Wall = keep_W ? REAL(sW) : (double *) R_alloc(mk * T + 1, sizeof(double));
    /* W_t'X of every scale: a block starts where its last solve ended */
    double *WtXall = (double *) R_alloc(kn * T + 1, sizeof(double));
    int *iters = INTEGER(siter);

    block_problem bp;
    bp.X = &X; bp.xnorm2 = data_norm2(&X); bp.k = k; bp.g = &g; bp.sg = &sg;
    bp.l1 = lam[0]; bp.nthreads = nthreads; bp.wk = &wk; bp.f_start = f_start;

    /* 1. warm start, each scale from its neighbour's solution, coarse to fine
     * (or fine to coarse, see fine_first); the monotone solver works on
     * unit-norm columns of W, so its start is rescaled once (W H unchanged) */
    const double *Wsrc = REAL(sW0), *Hsrc = REAL(sH0);
    if (hals) {
        double *W0 = (double *) R_alloc(mk + 1, sizeof(double));
        double *H0 = (double *) R_alloc(kn + 1, sizeof(double));
        memcpy(W0, Wsrc, mk * sizeof(double));
        memcpy(H0, Hsrc, kn * sizeof(double));
        for (int c = 0; c < k; c++) {
            double nrm = sqrt(dense_norm2(W0 + (size_t) c * m, (size_t) m));
            if (!(nrm > 0.0) || !R_FINITE(nrm)) continue;
            for (int r = 0; r < m; r++) W0[r + (size_t) c * m] /= nrm;
            for (int j = 0; j < n; j++) H0[c + (size_t) j * k] *= nrm;
        }
        Wsrc = W0; Hsrc = H0;
    }
    bp.alpha = bp.beta = bp.l3 = 0.0; bp.Hprev = bp.Hnext = NULL;
    bp.lifted = 0; bp.max_iter = warm_iter; bp.tol = warm_tol;
    for (int step = 0; step < T; step++) {
        int t = fine_first ? step : T - 1 - step;
        double *W = Wall + mk * t, *H = Hall + kn * t;
        memcpy(W, Wsrc, mk * sizeof(double));
        memcpy(H, Hsrc, kn * sizeof(double));
        wk.WtX = WtXall + kn * t;
        if (step == 0) wt_times_data(&X, W, k, wk.WtX, nthreads);
        else memcpy(wk.WtX, WtXall + kn * (fine_first ? t - 1 : t + 1), kn * sizeof(double));
        scale_graph_set(&g, scales[t], &sg, nthreads);
        block_result r = solve(&bp, W, H);
        rg[t] = r.rg;
        iters[t] = r.iter;
        Wsrc = W; Hsrc = H;
        if (step < T - 1) report_progress(progress, step + 1, T + n_sweeps, NA_REAL);
    }
    double sum_rg = 0.0;
    for (int t = 0; t < T; t++) sum_rg += rg[t];
    obj[0] = sum_rg + path_regulariser(Hall, kn, T, lam[1], lam[2]);
    report_progress(progress, T, T + n_sweeps, obj[0]);

    /* 2. sweeps: the authors' Gauss-Seidel over scales, fine to coarse, or
     * the joint monotone iterations (one W and one H update of every scale) */
    bp.lifted = 1; bp.max_iter = max_iter; bp.tol = tol; bp.l3 = lam[2];
    joint_problem jp;
    if (hals) {
        jp.X = &X; jp.xnorm2 = bp.xnorm2; jp.k = k; jp.T = T; jp.g = &g;
        jp.scales = scales; jp.l1 = lam[0]; jp.l2 = lam[1]; jp.l3 = lam[2];
        jp.Wall = Wall; jp.Hall = Hall; jp.nthreads = nthreads;
        jp.wk = &wk; jp.sg = &sg;
        joint_setup(&jp);
    }
    int done = 0;
    for (int s = 1; s <= n_sweeps; s++) {
        if (hals) {
            obj[s] = joint_iteration(&jp, rg);
            for (int t = 0; t < T; t++) iters[t + (size_t) T * s] = 1;
        } else {
            for (int t = 0; t < T; t++) {
                bp.alpha = t > 0 ? lam[1] : 0.0;
                bp.beta = t < T - 1 ? lam[1] : 0.0;
                bp.Hprev = t > 0 ? Hall + kn * (t - 1) : NULL;
                bp.Hnext = t < T - 1 ? Hall + kn * (t + 1) : NULL;
                scale_graph_set(&g, scales[t], &sg, nthreads);
                wk.WtX = WtXall + kn * t;
                block_result r = solve(&bp, Wall + mk * t, Hall + kn * t);
                rg[t] = r.rg;
                iters[t + (size_t) T * s] = r.iter;
            }
            sum_rg = 0.0;
            for (int t = 0; t < T; t++) sum_rg += rg[t];
            obj[s] = sum_rg + path_regulariser(Hall, kn, T, lam[1], lam[2]);
        }
        done = s;
        report_progress(progress, T + s, T + n_sweeps, obj[s]);
        if (path_tol > 0 && fabs(obj[s - 1] - obj[s]) <= path_tol * fabs(obj[s - 1])) break;
    }
    if (hals) joint_finish(&jp);

    SET_VECTOR_ELT(res, 0, sH);
    SET_VECTOR_ELT(res, 1, sW);
    SET_VECTOR_ELT(res, 2, sobj);
    SET_VECTOR_ELT(res, 3, siter);
    SET_VECTOR_ELT(res, 4, srg);
    SET_VECTOR_ELT(res, 5, ScalarInteger(done));
    const char *names[] = {"H", "W", "objective", "iterations", "loss", "sweeps", NULL};
    set_names(res, names);
    UNPROTECT(6);
    return res;
}
