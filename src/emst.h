/* emst.h: the exact Euclidean minimum spanning tree and diameter of the
 * columns of a feature x cell matrix without visiting all pairs. */
#ifndef PNMF_EMST_H
#define PNMF_EMST_H

#include "pnmf.h"

/* Leaf size of the kd-tree of both searches. */
#define EMST_LEAF 24

/* Nearest cells kept per cell: the first rounds need no search.  Gram
 * screening costs about the same for any K, and a K above the size of the
 * tight groups of cells (resampled copies) spares most later searches. */
#define EMST_K_TREE 32
#define EMST_K_GRAM 128

/* The n - 1 edges (0-based from / to, lengths sqrt(sqdist())) of a minimum
 * spanning tree; the lengths are exactly those of prim_mst() (the same
 * multiset; under ties the tree itself may differ).  When diameter is not
 * NULL, also the largest sqrt(sqdist()) over all pairs, exactly.  The K
 * nearest cells of the first rounds come from the kd-tree, or, with gram,
 * from emst_knn_gram() (all pairs at BLAS speed: faster in many dimensions
 * where the tree has to visit much of the data anyway). */
void emst_boruvka(const double *X, int m, int n, int nthreads, int gram,
                  int *from, int *to, double *len, double *diameter);

/* emst_knn.c: the K nearest points of each column of P (m x n, K <= n - 1)
 * in (sqdist, orig) order by Gram screening: positions kq, sqdist kd (n x K,
 * one row of K per point). */
void emst_knn_gram(const double *P, int m, int n, int K, const int *orig, int nthreads,
                   int *kq, double *kd);

#endif
