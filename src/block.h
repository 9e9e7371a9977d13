/* block.h: the shared work of one block (one scale: W_t, H_t) and of the
 * path objective, used by every solver. */
#ifndef PNMF_BLOCK_H
#define PNMF_BLOCK_H

#include "pnmf.h"

/* The work space of a block solve, made once and reused by every block.
 * Solvers that need more keep it in their own state. */
typedef struct {
    double *XHt, *B1;              /* m x k: X H' and scratch */
    double *HHt, *WtW;             /* k x k */
    double *WtX;                   /* k x n, W'X of the current block (caller's) */
    double *HA;                    /* k x n: H A of the current block */
} block_work;

void block_work_alloc(int m, int n, int k, block_work *wk);

/* One block (one scale):  F = ||X - W H||^2 + l1 tr(H L H'); a solver adds
 * its own path terms (the coupling to the neighbouring scales, the ridge)
 * in its state. */
typedef struct {
    const data_matrix *X;
    double xnorm2;
    int k;
    const graph_index *g;
    const scale_graph *sg;
    double l1;
    int max_iter;
    double tol;                    /* the solver's stopping rule */
    int nthreads;
    block_work *wk;
} block_problem;

typedef struct { double f, rg; int iter; } block_result;

double block_eval(const block_problem *bp, const double *W, const double *H, int have_wtw);
double frob_dot(const double *a, const double *b, size_t len);
void hals_w_columns(double *W, int m, int k, const double *XHt, const double *HHt,
                    double *v);

/* The path regulariser l2 sum_t ||H_t - H_{t-1}||^2 + l3 sum_t ||H_t||^2, of
 * H_all (k x n x T, scale by scale), and its two sums of the stacked H_s
 * (kT x n, cell by cell; each sum in the stacked order). */
double path_regulariser(const double *Hall, size_t kn, int T, double l2, double l3);
void stacked_regulariser_sums(const double *Hs, int k, int T, int n, double *smooth,
                              double *anchor);

#endif
