/* kdtree.h: a kd-tree over the columns of a feature x cell matrix, with the
 * box bounds that the exact spanning-tree and diameter searches prune on. */
#ifndef PNMF_KDTREE_H
#define PNMF_KDTREE_H

#include "pnmf.h"

typedef struct {
    int m, n, nnode;
    double *P;        /* the points in tree order (m x n) */
    int *orig;        /* original column of each tree position */
    int *start, *end; /* node i holds positions start[i] .. end[i] - 1 */
    int *left, *right;/* children (-1 for a leaf); children follow parents */
    double *lo, *hi;  /* tight bounding box of each node (m values each) */
    double *cen;      /* centroid of each node (m values each) */
    double *rad;      /* largest sqrt(sqdist()) from the centroid to the node's points */
} kdtree;

void kdtree_build(const double *X, int m, int n, int leaf_size, kdtree *t);

/* Rearranges idx[lo..hi] with their keys w so that position k holds the
 * k-th smallest key and no position before it a larger one. */
void select_kth(int *idx, double *w, int lo, int hi, int k);

/* Lower / upper bounds of sqdist(p, q) over the points q of node i.  Both
 * sum the per-coordinate terms in sqdist()'s order, so by the monotonicity
 * of rounding they bound the computed sqdist() exactly, not just up to
 * rounding: kdtree_min2 <= sqdist(p, q) <= kdtree_max2 for q in the node. */
double kdtree_min2(const kdtree *t, int i, const double *p);

/* sqdist(a, b, m) when it is at most thr; otherwise some value above thr
 * (a partial sum: the terms are summed as in sqdist(), so every partial
 * sum is at most the full one and stopping early rejects nothing that
 * sqdist() would accept).  Principal components come first in the data:
 * most far points are rejected after a few coordinates. */
double sqdist_upto(const double *a, const double *b, int m, double thr);
double kdtree_max2(const kdtree *t, int i, const double *p);

/* Lower bound of sqdist(p, q) over p in node i and q in node j, exact in
 * the same sense (the per-coordinate gaps between the boxes). */
double box_gap2(const double *alo, const double *ahi, const double *blo, const double *bhi,
                int m);
/* The same when it is at most thr; otherwise some value above thr. */
double box_gap2_upto(const double *alo, const double *ahi, const double *blo,
                     const double *bhi, int m, double thr);
double kdtree_gap2(const kdtree *t, int i, int j, double thr);

/* Whether every sqdist(p, q) over the points q of node j exceeds thr, by
 * the node's ball: |p - q| >= |p - c_j| - r_j, each side taken with a
 * relative margin of 1e-9 (as diameter.c), far above the rounding of the
 * computed distances, so that it never excludes a point sqdist() would
 * accept.  Tighter than the box for a point against a leaf in many
 * dimensions. */
int kdtree_ball_beyond(const kdtree *t, const double *p, int j, double thr);

/* diameter.c: the largest sqdist() over all pairs of the tree's points. */
double emst_diameter2(const kdtree *t, int nthreads);

#endif
