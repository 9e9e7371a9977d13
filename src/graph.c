/* graph.c: the graph of a scale and its Laplacian products, from the edge list.
 *
 * The sorted edge list is indexed once per cell (each edge twice, rows sorted
 * by distance); the graph of scale eps is then a prefix of every row, found by
 * binary search, with weights exp(-d^2 / eps^1.5) made when the scale is set.
 * H A and tr(H L H') come from one gather pass over the prefixes: each row is
 * written by one thread and summed in a fixed order, so results do not depend
 * on the number of threads.  This file is the only owner of the prefix
 * search, the weights and the Laplacian products; the joint solver uses its
 * row-level pieces (graph_row_end, graph_row_gather_stacked) and the traces
 * of all scales at once (laplacian_traces_stacked).
 */
#include "pnmf.h"
#include "parallel.h"
#include <math.h>

/* Row starts are int: callers check ne before allocating the index. */
void graph_index_check_size(ptrdiff_t ne)
{
    if (2.0 * (double) ne > 2147483000.0)
        error("the filtration has too many edges (%.0f) to index", (double) ne);
}

/* The index into caller's arrays: rowptr n + 1, nbr and dist 2 ne each, fill
 * n scratch (C_graph_index() of entries_index.c keeps one in R); ne checked
 * by graph_index_check_size(). */
void graph_index_fill(int n, ptrdiff_t ne, const int *ei, const int *ej, const double *ed,
                      int *rowptr, int *nbr, double *dist, int *fill)
{
    for (int i = 0; i <= n; i++) rowptr[i] = 0;
    for (ptrdiff_t e = 0; e < ne; e++) { rowptr[ei[e]]++; rowptr[ej[e]]++; }
    /* counts sit at index cell + 1 (1-based cells): prefix sum gives starts */
    for (int i = 0; i < n; i++) rowptr[i + 1] += rowptr[i];
    for (int i = 0; i < n; i++) fill[i] = rowptr[i];
    for (ptrdiff_t e = 0; e < ne; e++) {   /* global order => rows sorted by d */
        int a = ei[e] - 1, b = ej[e] - 1;
        nbr[fill[a]] = b; dist[fill[a]++] = ed[e];
        nbr[fill[b]] = a; dist[fill[b]++] = ed[e];
    }
}

void graph_index_build(int n, ptrdiff_t ne, const int *ei, const int *ej,
                       const double *ed, graph_index *g)
{
    graph_index_check_size(ne);
    int *rowptr = (int *) R_alloc((size_t) n + 1, sizeof(int));
    int *nbr = (int *) R_alloc(2 * (size_t) ne + 1, sizeof(int));
    double *dist = (double *) R_alloc(2 * (size_t) ne + 1, sizeof(double));
    int *fill = (int *) R_alloc((size_t) n + 1, sizeof(int));
    graph_index_fill(n, ne, ei, ej, ed, rowptr, nbr, dist, fill);
    g->n = n; g->rowptr = rowptr; g->nbr = nbr; g->dist = dist;
}

void scale_graph_alloc(const graph_index *g, scale_graph *s)
{
    int n = g->n;
    s->eps = R_NaN;
    s->len = (int *) R_alloc((size_t) n + 1, sizeof(int));
    s->w = (double *) R_alloc((size_t) g->rowptr[n] + 1, sizeof(double));
    s->deg = (double *) R_alloc((size_t) n + 1, sizeof(double));
    s->rowtr = (double *) R_alloc((size_t) n + 1, sizeof(double));
}

/* The heat-kernel denominator eps^1.5 of a scale. */
double heat_den(double eps)
{
    return pow(eps, 1.5);
}

/* End of the entries of row i with dist < eps, searched from entry `from`
 * on: the row's start, or its end at a smaller scale (prefixes are nested). */
int graph_row_end(const graph_index *g, int i, int from, double eps)
{
    int a = from, b = g->rowptr[i + 1];
    while (a < b) {                     /* first entry with dist >= eps */
        int mid = a + (b - a) / 2;
        if (g->dist[mid] < eps) a = mid + 1; else b = mid;
    }
    return a;
}

/* The row of cell j up to `end` (its end at the largest scale) at every
 * scale at once, for the stacked factors Hs (kT x n, H_t at rows t k) and
 * ascending scales: adds sum_e w_t(e) H_t[, nbr_e] to AH (kT) and w_t(e) to
 * deg (T) for the scales whose graph holds the edge (d < scales[t]).  Each
 * neighbour's column is read once, contiguously, for all its scales; per
 * scale the edges are summed in row order, as graph_row_gather() would. */
void graph_row_gather_stacked(const graph_index *g, int lo, int end, const double *scales,
                              const double *den, int T, const double *Hs, int k,
                              double *AH, double *deg)
{
    size_t kT = (size_t) k * T;
    int t0 = 0;
    for (int e = lo; e < end; e++) {
        double d = g->dist[e];
        while (t0 < T && !(d < scales[t0])) t0++;     /* rows are sorted by d */
        const double *hn = Hs + (size_t) g->nbr[e] * kT;
        for (int t = t0; t < T; t++) {
            double w = heat_weight(d, den[t]);
            const double *h = hn + (size_t) t * k;
            double *ah = AH + (size_t) t * k;
            deg[t] += w;
            for (int c = 0; c < k; c++) ah[c] += w * h[c];
        }
    }
}

/* tr(H_t L_t H_t') of every scale of the stacked Hs (kT x n) into tr (T),
 * scales ascending, in one pass over the rows: each neighbour's column is
 * read once for all the scales that hold the edge (per scale, the strided
 * reads cost a cache miss per edge), and each edge once, from the row of
 * its smaller end.  den: heat_den() of each scale; part: scratch of
 * laplacian_trace_blocks(n) x T doubles.  Summed over fixed blocks of
 * cells, so the result does not depend on the number of threads. */
void laplacian_traces_stacked(const graph_index *g, const double *scales, const double *den,
                              int T, const double *Hs, int k, int nthreads, double *part,
                              double *tr)
{
    int n = g->n, nb = laplacian_trace_blocks(n);
    size_t kT = (size_t) k * T;
    for (int t = 0; t < T; t++) tr[t] = 0.0;
    if (T == 0 || n == 0) return;
    PAR_TEAM(nth, nthreads, (double) g->rowptr[n] * kT);
    OMP(parallel for num_threads(nth) schedule(dynamic, 1) if (nth > 1))
    for (int b = 0; b < nb; b++) {
        double *p = part + (size_t) b * T;
        int i1 = (b + 1) * TRACE_BLOCK < n ? (b + 1) * TRACE_BLOCK : n;
        for (int t = 0; t < T; t++) p[t] = 0.0;
        for (int i = b * TRACE_BLOCK; i < i1; i++) {
            const double *hi = Hs + (size_t) i * kT;
            int lo = g->rowptr[i], end = graph_row_end(g, i, lo, scales[T - 1]), t0 = 0;
            for (int e = lo; e < end; e++) {
                double d = g->dist[e];
                while (t0 < T && !(d < scales[t0])) t0++;
                if (g->nbr[e] < i) continue;            /* counted in the other row */
                const double *hj = Hs + (size_t) g->nbr[e] * kT;
                for (int t = t0; t < T; t++) {
                    const double *a = hi + (size_t) t * k, *c = hj + (size_t) t * k;
                    double sq = 0.0;
                    for (int q = 0; q < k; q++) { double df = a[q] - c[q]; sq += df * df; }
                    p[t] += heat_weight(d, den[t]) * sq;
                }
            }
        }
    }
    for (int b = 0; b < nb; b++)
        for (int t = 0; t < T; t++) tr[t] += part[(size_t) b * T + t];
}

void scale_graph_set(const graph_index *g, double eps, scale_graph *s, int nthreads)
{
    if (s->eps == eps) return;
    double den = heat_den(eps);
    PAR_TEAM(nth, nthreads, (double) g->rowptr[g->n]);
    OMP(parallel for num_threads(nth) schedule(dynamic, 64) if (nth > 1))
    for (int i = 0; i < g->n; i++) {
        int lo = g->rowptr[i], a = graph_row_end(g, i, lo, eps);
        s->len[i] = a - lo;
        double deg = 0.0;
        for (int e = lo; e < a; e++) {
            double d = g->dist[e];
            s->w[e] = heat_weight(d, den);
            deg += s->w[e];
        }
        s->deg[i] = deg;
    }
    s->eps = eps;
}

/* Row i of H A and its part of tr(H L H'), the columns of H at stride ld;
 * out == NULL: the trace part only. */
static inline double laplacian_row(const graph_index *g, const scale_graph *s, int i,
                                   const double *H, int k, size_t ld, double *out)
{
    const double *hi = H + (size_t) i * ld;
    double tr = 0.0;
    int lo = g->rowptr[i], hi_e = lo + s->len[i];
    if (out != NULL) {
        for (int c = 0; c < k; c++) out[c] = 0.0;
        for (int e = lo; e < hi_e; e++) {
            const double *hj = H + (size_t) g->nbr[e] * ld;
            double w = s->w[e], sq = 0.0;
            for (int c = 0; c < k; c++) {
                double diff = hi[c] - hj[c];
                out[c] += w * hj[c];
                sq += diff * diff;
            }
            tr += w * sq;
        }
    } else {
        for (int e = lo; e < hi_e; e++) {
            const double *hj = H + (size_t) g->nbr[e] * ld;
            double w = s->w[e], sq = 0.0;
            for (int c = 0; c < k; c++) { double diff = hi[c] - hj[c]; sq += diff * diff; }
            tr += w * sq;
        }
    }
    return tr;
}

/* tr(H L H') = 1/2 sum_ij A_ij ||h_i - h_j||^2, and H A (k x n) into HA
 * unless HA == NULL; the columns of H at stride ld. */
static double laplacian_products(const graph_index *g, const scale_graph *s,
                                 const double *H, int k, size_t ld, double *HA,
                                 int nthreads)
{
    PAR_TEAM(nth, nthreads, (double) g->rowptr[g->n] * k);
    OMP(parallel for num_threads(nth) schedule(dynamic, 64) if (nth > 1))
    for (int i = 0; i < g->n; i++)
        s->rowtr[i] = laplacian_row(g, s, i, H, k, ld, HA != NULL ? HA + (size_t) i * k : NULL);
    double tr = 0.0;
    for (int i = 0; i < g->n; i++) tr += s->rowtr[i];
    return 0.5 * tr;
}

/* HA = H A unless HA == NULL; returns tr(H L H'). */
double laplacian_mult(const graph_index *g, const scale_graph *s,
                      const double *H, int k, double *HA, int nthreads)
{
    return laplacian_products(g, s, H, k, (size_t) k, HA, nthreads);
}

