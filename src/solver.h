/* solver.h: the solver interface of the path and its table.
 *
 * The driver (path.c) owns the warm start, the sweeps, the stopping rule and
 * the objective trace; a solver supplies the numerical steps through the
 * table below.  Adding a solver = a new file defining a `const solver` and
 * one line in the table of solver.c (X(solver_NAME)).
 */
#ifndef PNMF_SOLVER_H
#define PNMF_SOLVER_H

#include "block.h"

/* The path problem as the driver hands it to a solver. */
typedef struct {
    const data_matrix *X;
    double xnorm2;                 /* ||X||^2 */
    int k, T;
    const graph_index *g;
    scale_graph *sg;               /* the graph of the current scale (driver's) */
    const double *scales;          /* T, increasing */
    double l1, l2, l3;             /* geometric, smoothness, anchor */
    double *Wall, *Hall, *WtXall;  /* m k T, k n T, k n T: updated in place */
    int max_iter;                  /* iterations per block */
    double tol, f_start;           /* the blocks' stopping rule */
    int nthreads;
    int colour_min_cells;          /* joint H step by colours from this many cells */
    block_work *wk;                /* wk->WtX: W_t'X of the block being solved */
} path_problem;

typedef struct {
    const char *name;
    /* Warm start from the finest scale to the coarsest (1) or the reverse,
     * as the authors (0). */
    int fine_first;
    /* Before the warm start: makes the solver's state (R_alloc); may point
     * *W0, *H0 at an adjusted copy of the start. */
    void *(*setup)(const path_problem *pp, const double **W0, const double **H0);
    /* One warm-start block at scale t, in place in Wall, Hall (the driver
     * has copied the start there, set sg to scale t and wk->WtX to its W'X). */
    block_result (*warm_block)(void *state, const path_problem *pp, int t);
    /* After the warm start, before the sweeps (NULL: nothing). */
    void (*begin)(void *state, const path_problem *pp);
    /* One sweep over all scales: fills rg[t] (the reconstruction + geometric
     * part of scale t) and iters[t]; returns the path objective. */
    double (*iterate)(void *state, const path_problem *pp, double *rg, int *iters);
    /* After the sweeps: the results in Wall, Hall (NULL: nothing). */
    void (*finish)(void *state, const path_problem *pp);
} solver;

/* solver.c: the table (solver_mu of solve_mu.c, the authors' algorithm;
 * solver_hals of solve_hals.c, the fast mode); NULL for an unknown name */
const solver *solver_find(const char *name);

/* solve_joint.c: one iteration updates every scale at once (the fast mode's
 * sweeps), on H stacked by cell */
typedef struct {                   /* one thread's scratch of the H step */
    double *deg, *AH;              /* T, k T */
    int *fixed;                    /* T */
    double *a, *b, *z, *zold, *cp, *dp;  /* T: one chain problem */
} joint_cell;

typedef struct {                   /* scratch of the joint solver, made once */
    double *Hs, *WtXs;             /* kT x n: H and W'X of all scales, stacked */
    double *XHs;                   /* m x kT */
    double *WtWall;                /* k k T */
    double *HHt;                   /* k k */
    double *den, *trace;           /* T: heat-kernel denominators, Laplacian traces */
    double *trace_part;            /* the traces' per-block sums (graph.c) */
    joint_cell *cell;              /* one per thread */
    int ncolour, *order, *cstart;  /* the cells colour by colour (colour.c) */
    data_rows rows;                /* sparse X by rows (spmm.c), for X H' */
} joint_work;

void joint_setup(const path_problem *pp, joint_work *jw);
void joint_finish(const path_problem *pp, const joint_work *jw);
double joint_iteration(const path_problem *pp, joint_work *jw, double *rg);
/* one thread's scratch of the H step; the H step over some cells (shard.c
 * uses them on a block's graph) */
void joint_cell_alloc(int k, int T, joint_cell *c);
void joint_h_cells(const path_problem *pp, joint_work *jw, const int *cells, int ncells,
                   const double *WtX);
/* the H step of every cell of pp->g, colour by colour (jw->order, cstart) */
void joint_h_step(const path_problem *pp, joint_work *jw);

/* solve_hals.c: the warm start's H update given W'X and W'W (every cell,
 * row by row); hrow, rhs: n scratch */
void hals_h_rows(const block_problem *bp, const double *WtX, const double *WtW, double *H,
                 double *hrow, double *rhs);

#endif
