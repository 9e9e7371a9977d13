/* emst.h: the exact Euclidean minimum spanning tree and diameter of the
 * columns of a feature x cell matrix without visiting all pairs. */
#ifndef PNMF_EMST_H
#define PNMF_EMST_H

#include "pnmf.h"
#include "kdtree.h"

/* Leaf size of the kd-tree of both searches. */
#define EMST_LEAF 24

/* Nearest cells kept per cell: the first rounds need no search.  Gram
 * screening takes about the same time for any K (and 18 (K + 32) bytes per
 * cell for its candidates while it runs, emst_knn.c); once a cell's K
 * nearest are all in its component, the round's dual-tree search
 * (emst_dual.c) takes it, which is cheap for a few large components (tight
 * groups of copies) and dear for many small ones, so K stays well above the
 * first rounds' component sizes (with K = 16 instead of 128, 100,000
 * resampled cells in 50 dimensions took four times the CPU). */
#define EMST_K_TREE 32
#define EMST_K_GRAM 128

/* Nearest components kept per cell by the pass of emst_outside.c. */
#define EMST_L_OUTSIDE 16

/* emst_boruvka()'s gram: 0 nearest cells from the kd-tree; EMST_GRAM by
 * Gram screening (and the nearest components when they pay, emst.c);
 * EMST_GRAM_OUTSIDE the nearest components at the first round with cells
 * to search (for the tests: the tree is the same).  Added to either,
 * EMST_GRAM_DGEMM keeps the Gram passes on dgemm tiles where float tiles
 * would be used (emst_tiles.h; for the tests: the result is the same). */
#define EMST_GRAM 1
#define EMST_GRAM_OUTSIDE 2
#define EMST_GRAM_DGEMM 4

/* The n - 1 edges (0-based from / to, lengths sqrt(sqdist())) of a minimum
 * spanning tree; the lengths are exactly those of prim_mst() (the same
 * multiset; under ties the tree itself may differ).  When diameter is not
 * NULL, also the largest sqrt(sqdist()) over all pairs, exactly.  The K
 * nearest cells of the first rounds come from the kd-tree, or, with gram,
 * from emst_knn_gram() (all pairs at BLAS speed: faster in many dimensions
 * where the tree has to visit much of the data anyway).  With knn (not
 * NULL), also each cell's `keep` nearest cells, as emst_knn_available() says. */
void emst_boruvka(const double *X, int m, int n, int nthreads, int gram,
                  int *from, int *to, double *len, double *diameter, int keep, int *knn);

/* The number of nearest cells emst_boruvka() finds for every cell (exact,
 * nearest first, ties to the smaller index): it returns the first `keep`
 * of them in knn (n x keep, 1-based) when keep <= this number. */
int emst_knn_available(int m, int n, int gram);

/* An edge under the total order (sqdist, smaller cell, larger cell) that
 * makes the minimum spanning tree unique (emst.c). */
typedef struct {
    double d;       /* sqdist */
    int a, b;       /* original indices, a < b: the tie-breaking key */
    int p, q;       /* tree positions of the two ends (p in the component) */
} emst_edge;

static inline int emst_key_less(double d, int a, int b, double d2, int a2, int b2)
{
    if (d != d2) return d < d2;
    if (a != a2) return a < a2;
    return b < b2;
}

/* emst_dual.c: one Boruvka round's search for the cells whose cached
 * neighbours are all inside their component, as one dual-tree traversal
 * (query nodes against reference nodes of the same kd-tree). */
typedef struct {
    const kdtree *t;          
    const int *comp;          /* component (root) of each tree position */
    const int *nlab;          /* component of all the cells of a node, or -1 */
    const unsigned char *need;/* positions to search */
    const double *lb;         /* lower bound of each position's nearest outside */
    double *qb;               /* per node: the largest best edge its searched cells can improve */
    emst_edge *best;          /* per component root: least outgoing edge so far (lowered) */
} emst_dual;

/* Lowers every component's best edge to the least edge from its searched
 * cells to the outside (exact; the same whatever the number of threads). */
void emst_dual_search(emst_dual *s, int nthreads);

/* emst_knn.c: the K nearest points of each column of P (m x n, K <= n - 1)
 * in (sqdist, orig) order by Gram screening: positions kq, sqdist kd (n x K,
 * one row of K per point). */
void emst_knn_gram(const double *P, int m, int n, int K, const int *orig, int nthreads,
                   int use_float, int *kq, double *kd);

/* emst_outside.c: for each column i of P, the L components (comp, by tree
 * position) nearest to it other than its own, each by its nearest cell to
 * i, in key order: positions kq, sqdist kd (row i at i * stride), count kc
 * (< L only when fewer components exist). */
void emst_outside_gram(const double *P, int m, int n, int L, int stride, const int *orig,
                       const int *comp, int nthreads, int use_float, int *kq, double *kd,
                       int *kc);

#endif
