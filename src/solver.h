/* solver.h: the solvers of the path. */
#ifndef PNMF_SOLVER_H
#define PNMF_SOLVER_H

#include "block.h"

/* solve_mu.c: the authors' multiplicative updates of one block */
block_result solve_block_mu(const block_problem *bp, double *W, double *H);

/* solve_hals.c: the monotone HALS / coordinate descent of one block */
block_result solve_block_hals(const block_problem *bp, double *W, double *H);

/* solve_joint.c: every scale at once (the fast mode's sweeps) */
typedef struct {                   /* scratch of the joint solver, made once */
    double *Hs, *WtXs;             /* kT x n: H and W'X of all scales, stacked */
    double *XHs;                   /* m x kT */
    double *WtWall;                /* k k T */
    double *HHt;                   /* k k */
    double *den, *deg, *AH;        /* T, T, k T */
    int *len, *fixed;              /* T */
    double *a, *b, *z, *zold, *cp, *dp;  /* T: one chain problem */
} joint_work;

typedef struct {
    const data_matrix *X;
    double xnorm2;
    int k, T;
    const graph_index *g;
    const double *scales;
    double l1, l2, l3;
    double *Wall, *Hall;           /* m k T, k n T */
    int nthreads;
    block_work *wk;
    scale_graph *sg;               /* for the trace of each scale */
    joint_work jw;
} joint_problem;

void joint_setup(joint_problem *jp);
void joint_finish(joint_problem *jp);
double joint_iteration(joint_problem *jp, double *rg);

#endif
