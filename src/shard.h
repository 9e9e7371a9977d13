/* shard.h: the fast mode's steps on a block of cells (shard.c), for the
 * streamed and the sharded fits driven from R (R/shards.R). */
#ifndef PNMF_SHARD_H
#define PNMF_SHARD_H

#include "solver.h"

/* A block's graph: its cells (owned) and their neighbours (halo), local
 * indices; the edge list (1-based, sorted by distance) holds every edge of an
 * owned cell. */
typedef struct {
    int nl;                        /* local cells */
    ptrdiff_t ne;
    const int *ei, *ej;
    const double *ed;
} shard_graph;

/* The joint H step of the cells upd[0..nu) (0-based local, in that order),
 * in place in Hl (kT x nl, stacked); column i of WtX is W_all'x of upd[i];
 * WtW: W_t'W_t, k x k x T. */
void shard_h_step(const shard_graph *sgr, int k, int T, const double *scales,
                  const double *lambda, const double *WtW, const int *upd, int nu,
                  const double *WtX, double *Hl);

/* The H step of every cell (the graph g holds all n cells) in the in-memory
 * fit's order: colour by colour (order, cstart, ncolour of
 * graph_colour_order(); the cells' order is one colour); Hs (kT x n) in
 * place, column j of WtX: W_all'x_j. */
void shard_h_all(const graph_index *g, const int *order, const int *cstart, int ncolour,
                 int k, int T, const double *scales, const double *lambda, const double *WtW,
                 const double *WtX, double *Hs, int nthreads);

/* The block's parts of the path objective at the owned cells own[0..no):
 * cross[t] = <W_t'X, H_t>, hh (k x k x T) = H_t H_t', trace[t] = its half of
 * tr(H_t L_t H_t') (rows of the owned cells), sums[0..1] = smoothness and
 * anchor sums (stacked order).  WtX NULL: no cross terms.  In parallel over
 * the scales (nthreads). */
void shard_traces(const graph_index *g, int k, int T, const double *scales,
                  const double *Hs, double *trace, int nthreads);
void shard_sums(const shard_graph *sgr, int k, int T, const double *scales,
                const double *Hl, const int *own, int no, const double *WtX,
                double *cross, double *hh, double *trace, double *sums, int nthreads);

/* One H update of the warm start at one scale (update != 0), in place in H
 * (k x n), then the block objective (f = rg), given W'X (k x n) and W (m x k);
 * all cells in memory, the index and the scale's graph built by the caller. */
double shard_warm_h(const graph_index *g, const scale_graph *sg, int m, int k, double l1,
                    double xnorm2, const double *W, const double *WtX, double *H, int update,
                    int nthreads);

/* The warm start's H update at one scale of the cells upd[0..nu) only
 * (0-based local, in that order): row by row and, within a row, cell by cell
 * (hals_h_rows() of solve_hals.c restricted to those cells; the other cells,
 * e.g. a neighbouring shard's, keep their values).  H k x nl; column upd[i]
 * of the cell's W'X is WtX + k * upd[i]. */
void shard_warm_cells(const shard_graph *sgr, int k, double eps, double l1, const double *WtW,
                      const double *WtX, const int *upd, int nu, double *H);

/* HALS on the sphere of every W_t (m x k x T) given X H_s' (m x kT) and
 * H_t H_t' (k x k x T); W_t'W_t into WtW. */
void shard_w_step(int m, int k, int T, double *W, const double *XHs, const double *HH,
                  double *WtW);

#endif
