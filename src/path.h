/* path.h: the driver of the solution path over all scales (path.c). */
#ifndef PNMF_PATH_H
#define PNMF_PATH_H

#include "solver.h"

/* Called between blocks (never inside a parallel region): one step per
 * warm-start scale and per sweep; objective is NA_REAL before the warm start
 * is complete.  May raise an R error (all work memory comes from R_alloc). */
typedef void (*progress_fn)(void *ctx, int step, int total, double objective);

typedef struct {
    const data_matrix *X;
    const double *W0, *H0;         /* the start, m x k and k x n */
    int k;
    ptrdiff_t n_edges;             /* the filtration: 1-based (i, j, d), sorted by d */
    const int *edge_i, *edge_j;
    const double *edge_d;
    const double *scales;          /* T, increasing */
    int T;
    double l1, l2, l3;
    int n_sweeps, max_iter;
    double tol, f_start, path_tol;
    int nthreads;
    int colour_min_cells;          /* the joint solver's parallel H step from this many cells */
    progress_fn progress;          /* NULL: none */
    void *progress_ctx;
} path_spec;

typedef struct {                   /* arrays of the caller, filled by the driver */
    double *Hall;                  /* k n T */
    double *Wall;                  /* m k T, or NULL: not kept */
    double *objective;             /* n_sweeps + 1 */
    int *iterations;               /* T x (n_sweeps + 1) */
    double *loss;                  /* T: recon + l1 geom of each scale, at the end */
    int sweeps;                    /* sweeps done */
} path_result;

void pnmf_path(const solver *sv, const path_spec *sp, path_result *res);

#endif
