/* entries_path.c: the .Call entry of the solution path: unpacks and checks
 * the SEXP arguments, hands the R progress function to the driver as a C
 * callback, and packs the results. */
#include "path.h"
#include "entries.h"
#include <limits.h>

/* The R function progress(step, total, objective), as a progress_fn. */
static void r_progress(void *ctx, int step, int total, double objective)
{
    SEXP fn = *(SEXP *) ctx;
    SEXP call = PROTECT(lang4(fn, ScalarInteger(step), ScalarInteger(total),
                              ScalarReal(objective)));
    eval(call, R_GlobalEnv);
    UNPROTECT(1);
}

/* The path's settings from the control list; *keep_W, *progress and the
 * solver go to the caller. */
static const solver *control_from_sexp(SEXP scontrol, path_spec *sp, int *keep_W,
                                       SEXP *progress)
{
    sp->n_sweeps = asInteger(list_elt(scontrol, "n_sweeps"));
    sp->max_iter = asInteger(list_elt(scontrol, "max_iter"));
    sp->tol = asReal(list_elt(scontrol, "tol"));
    sp->f_start = asReal(list_elt(scontrol, "f_start"));
    *keep_W = asLogical(list_elt(scontrol, "keep_W"));
    *progress = list_elt(scontrol, "progress");
    if (*progress != R_NilValue && !isFunction(*progress))
        error("'progress' must be a function or NULL");
    sp->nthreads = as_threads(list_elt(scontrol, "threads"));
    SEXP scolour = list_elt_or_null(scontrol, "colour_min_cells");
    sp->colour_min_cells = scolour == R_NilValue ? INT_MAX : asInteger(scolour);
    if (sp->colour_min_cells == NA_INTEGER || sp->colour_min_cells < 0)
        error("invalid 'colour_min_cells'");
    SEXP ssolver = list_elt(scontrol, "solver");
    if (!isString(ssolver) || length(ssolver) != 1) error("'solver' must be a string");
    const solver *sv = solver_find(CHAR(STRING_ELT(ssolver, 0)));
    if (sv == NULL) error("unknown solver");
    sp->path_tol = asReal(list_elt(scontrol, "path_tol"));
    if (!R_FINITE(sp->path_tol) || sp->path_tol < 0) error("invalid 'path_tol'");
    if (sp->n_sweeps == NA_INTEGER || sp->n_sweeps < 0 || sp->n_sweeps > 10000000 ||
        sp->max_iter == NA_INTEGER || sp->max_iter < 0 || !R_FINITE(sp->tol) ||
        !(sp->f_start > 0) || !R_FINITE(sp->f_start) || *keep_W == NA_LOGICAL)
        error("invalid control values");
    return sv;
}

/* The start, the scales and the weights into sp (X already there). */
static void problem_from_sexp(SEXP sW0, SEXP sH0, SEXP sscales, SEXP slambda, path_spec *sp)
{
    int m = sp->X->m, n = sp->X->n;
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
    if (!R_FINITE(lam[0]) || !R_FINITE(lam[1]) || !R_FINITE(lam[2]) || lam[0] < 0 ||
        lam[1] < 0 || lam[2] < 0)
        error("invalid control values");
    sp->W0 = REAL(sW0); sp->H0 = REAL(sH0); sp->k = k;
    sp->scales = scales; sp->T = T; sp->l1 = lam[0]; sp->l2 = lam[1]; sp->l3 = lam[2];
}

SEXP C_pnmf_path(SEXP sX, SEXP sW0, SEXP sH0, SEXP sedges, SEXP sscales,
                 SEXP slambda, SEXP scontrol)
{
    data_matrix X;
    data_from_sexp(sX, &X);
    data_rows rows;              /* X by rows, for every X H' of the fit */
    if (X.p != NULL) { data_rows_build(&X, &rows); X.rows = &rows; }
    path_spec sp;
    sp.X = &X;
    problem_from_sexp(sW0, sH0, sscales, slambda, &sp);
    sp.n_edges = edges_from_sexp(sedges, X.n, &sp.edge_i, &sp.edge_j, &sp.edge_d);
    int keep_W;
    SEXP progress;
    const solver *sv = control_from_sexp(scontrol, &sp, &keep_W, &progress);
    sp.progress = progress != R_NilValue ? r_progress : NULL;
    sp.progress_ctx = &progress;
    int m = X.m, n = X.n, k = sp.k, T = sp.T, n_sweeps = sp.n_sweeps;

    SEXP res = PROTECT(allocVector(VECSXP, 6));
    SEXP sH = PROTECT(alloc3DArray(REALSXP, k, n, T));
    SEXP sW = PROTECT(keep_W ? alloc3DArray(REALSXP, m, k, T) : allocVector(REALSXP, 0));
    SEXP sobj = PROTECT(allocVector(REALSXP, n_sweeps + 1));
    SEXP siter = PROTECT(allocMatrix(INTSXP, T, n_sweeps + 1));
    SEXP srg = PROTECT(allocVector(REALSXP, T));
    path_result pr;
    pr.Hall = REAL(sH); pr.Wall = keep_W ? REAL(sW) : NULL; pr.objective = REAL(sobj);
    pr.iterations = INTEGER(siter); pr.loss = REAL(srg); pr.sweeps = 0;
    pnmf_path(sv, &sp, &pr);

    SET_VECTOR_ELT(res, 0, sH);
    SET_VECTOR_ELT(res, 1, sW);
    SET_VECTOR_ELT(res, 2, sobj);
    SET_VECTOR_ELT(res, 3, siter);
    SET_VECTOR_ELT(res, 4, srg);
    SET_VECTOR_ELT(res, 5, ScalarInteger(pr.sweeps));
    const char *names[] = {"H", "W", "objective", "iterations", "loss", "sweeps", NULL};
    set_names(res, names);
    UNPROTECT(6);
    return res;
}
