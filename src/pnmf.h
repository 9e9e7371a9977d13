/* pnmf.h: types and prototypes shared by the pnmf C core.
 *
 * Conventions: matrices are column-major; a cell is a column of the data
 * matrix X (m features x n cells); factors are W (m x k) and H (k x n), so
 * the embedding of cell j is the contiguous column H[, j].  All memory comes
 * from R (R_alloc or protected vectors) so that an interrupt leaks nothing.
 * Kernels include this header only (R.h, no Rinternals.h): they never see a
 * SEXP; the .Call entries include entries.h.
 */
#ifndef PNMF_H
#define PNMF_H

#include <R.h>          /* R_alloc, error, R_CheckUserInterrupt, R_FINITE; no Rinternals.h */
#include <stddef.h>
#include <string.h>
#include <math.h>

/* X by rows within chunks of cells (spmm.c), for X H': ptr[ch (m + 1) + r]
 * .. ptr[ch (m + 1) + r + 1] are row r's non-zeros (cells col, values val)
 * in chunk ch; rowcum[r] counts the non-zeros of rows < r. */
typedef struct {
    int m, n, nch;
    int *ptr, *col, *rowcum;
    double *val;
} data_rows;

/* Feature x cell data: dense column-major, or CSC sparse when p != NULL. */
typedef struct {
    int m, n;
    const double *x;   /* dense values (m*n), or the CSC non-zeros */
    const int *p;      /* CSC column pointers (n + 1), NULL when dense */
    const int *i;      /* CSC row indices, NULL when dense */
    const data_rows *rows;  /* sparse X by rows (data_rows_build), or NULL */
    int sorted;        /* sparse: row indices increase within every column */
} data_matrix;

/* The filtration seen from each cell: the edges of the full edge list stored
 * twice (i->j and j->i), each row sorted by distance, so the graph of any
 * scale is a prefix of every row. */
typedef struct {
    int n;
    const int *rowptr;   /* n + 1 */
    const int *nbr;      /* partner cell of each entry */
    const double *dist;  /* distance of each entry */
} graph_index;

/* The graph of one scale on top of a graph_index. */
typedef struct {
    double eps;
    int *len;      /* entries of row i that belong to this scale */
    double *w;     /* heat-kernel weights, same layout as graph_index.nbr */
    double *deg;   /* weighted degrees */
    double *rowtr; /* scratch: per-row part of tr(H L H') */
} scale_graph;

/* Heat-kernel weight exp(-d^2 / den), den = eps^1.5.  A zero distance has
 * weight 1 even when den underflows to 0 (identical cells at a tiny scale). */
static inline double heat_weight(double d, double den)
{
    return d == 0.0 ? 1.0 : exp(-(d * d) / den);
}

/* distance.c */
double sqdist(const double *a, const double *b, int m);
double dense_norm2(const double *x, size_t len);

/* ph_mst.c */
void prim_mst(const double *X, int m, int n, int nthreads,
              int *from, int *to, double *len, double *diameter);
void count_pairs_below(const double *X, int m, int n, const double *th,
                       int nt, int nthreads, double *count);

/* filtration.c: one pair of cells (0-based, i < j) and its distance */
typedef struct { double d; int i, j; } filtration_edge;
filtration_edge *filtration_pairs(const double *X, int m, int n, double emax, int nthreads,
                                  ptrdiff_t *ne);

/* knn.c */
void knn_exact(const double *Y, int m, int n, int k, int nthreads, int *out);
void pair_dist(const double *Y, int m, const int *pi, const int *pj, ptrdiff_t ne,
               int nthreads, double *d);

/* graph.c */
void graph_index_check_size(ptrdiff_t ne);
void graph_index_fill(int n, ptrdiff_t ne, const int *ei, const int *ej, const double *ed,
                      int *rowptr, int *nbr, double *dist, int *fill);
void graph_index_build(int n, ptrdiff_t ne, const int *ei, const int *ej,
                       const double *ed, graph_index *g);
void scale_graph_alloc(const graph_index *g, scale_graph *s);
void scale_graph_set(const graph_index *g, double eps, scale_graph *s,
                     int nthreads);
double heat_den(double eps);
int graph_row_end(const graph_index *g, int i, int from, double eps);
void graph_row_gather_stacked(const graph_index *g, int lo, int end, const double *scales,
                              const double *den, int T, const double *Hs, int k,
                              double *AH, double *deg);
/* blocks of cells of laplacian_traces_stacked() (its scratch: blocks x T) */
#define TRACE_BLOCK 256
static inline int laplacian_trace_blocks(int n) { return (n + TRACE_BLOCK - 1) / TRACE_BLOCK; }
void laplacian_traces_stacked(const graph_index *g, const double *scales, const double *den,
                              int T, const double *Hs, int k, int nthreads, double *part,
                              double *tr);
double laplacian_mult(const graph_index *g, const scale_graph *s,
                      const double *H, int k, double *HA, int nthreads);

/* colour.c */
int graph_colour_order(const graph_index *g, double eps, int *order, int *start);

/* spmm.c: the sparse products (register-blocked) */
void data_rows_build(const data_matrix *X, data_rows *R);
void sparse_times_ht(const data_matrix *X, const data_rows *R, const double *H, int K,
                     double *out, int nthreads);
void sparse_wt_times(const data_matrix *X, const double *W, int K, double *out,
                     int nthreads);
void sparse_times_thin_ht(const data_matrix *X, const double *H, int K, double *out,
                          int nthreads);

/* products.c */
void data_times_ht(const data_matrix *X, const double *H, int k, double *out,
                   int nthreads);
void wt_times_data(const data_matrix *X, const double *W, int k, double *out,
                   int nthreads);
double data_norm2(const data_matrix *X);
void gram_rows(const double *H, int k, int n, double *out);
void gram_cols(const double *W, int m, int k, double *out);
void gram_rows_stacked(const double *Hs, int k, int T, int t, int n, double *out);
void small_mult(const double *A, int k, const double *B, int n, double *out);
void mult_right_small(const double *A, int m, int k, const double *B, double *out,
                      double beta);

/* project.c */
void project_nnls(const data_matrix *X, const double *W, int k, double ridge, int max_iter,
                  double tol, int nthreads, double *H, int *iters);

/* nndsvd.c */
void nndsvda(const double *U, const double *d, const double *V, int m, int n, int r, int k,
             double fill, double *W, double *H);

/* values.c, permute.c, threads.c */
void value_summary(const double *x, ptrdiff_t len, double *out);
void permuted_transpose(const double *y, int m, int n, double *out);
ptrdiff_t dense_csc_pattern(const double *x, int m, int n, ptrdiff_t *p);
void dense_csc_fill(const double *x, int m, int n, int *rows, double *vals);
void csc_dense_fill(const int *p, const int *rows, const double *vals, int m, int n,
                    double *x);
int blas_threads(int n);
int cpu_avx2_fma(void);

#endif
