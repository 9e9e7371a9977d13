/* entries_index.c: the graph index, a scale's graph and the cells' colour
 * order held in R across calls.  The streamed warm start (R/shards.R) takes
 * one H step per HALS iteration at the same scale, the sweeps one H step and
 * one trace per sweep; building the index (2 random writes per edge), the
 * scale's weights and the colours at every call cost more than a warm H
 * step.  Held as plain R vectors, checked when they come back (one
 * sequential pass). */
#include "entries.h"
#include <limits.h>
#include <string.h>

/* list(rowptr, nbr, dist) of n cells from the edge list (graph_index) */
SEXP C_graph_index(SEXP sedges, SEXP sn)
{
    int n = asInteger(sn);
    /* n + 1 row starts: n = INT_MAX would overflow their loops */
    if (n == NA_INTEGER || n < 1 || n > INT_MAX - 1) error("'n' must be a positive count");
    const int *ei, *ej;
    const double *ed;
    ptrdiff_t ne = edges_from_sexp(sedges, n, &ei, &ej, &ed);
    graph_index_check_size(ne);
    SEXP res = PROTECT(allocVector(VECSXP, 3));
    SEXP rowptr = PROTECT(allocVector(INTSXP, (R_xlen_t) n + 1));
    SEXP nbr = PROTECT(allocVector(INTSXP, 2 * (R_xlen_t) ne));
    SEXP dist = PROTECT(allocVector(REALSXP, 2 * (R_xlen_t) ne));
    int *fill = (int *) R_alloc((size_t) n + 1, sizeof(int));
    graph_index_fill(n, ne, ei, ej, ed, INTEGER(rowptr), INTEGER(nbr), REAL(dist), fill);
    SET_VECTOR_ELT(res, 0, rowptr);
    SET_VECTOR_ELT(res, 1, nbr);
    SET_VECTOR_ELT(res, 2, dist);
    const char *names[] = {"rowptr", "nbr", "dist", NULL};
    set_names(res, names);
    UNPROTECT(4);
    return res;
}

/* The graph_index of a C_graph_index() list on n cells, checked. */
void index_from_sexp(SEXP sindex, int n, graph_index *g)
{
    SEXP rowptr = list_elt(sindex, "rowptr"), nbr = list_elt(sindex, "nbr"),
        dist = list_elt(sindex, "dist");
    if (!isInteger(rowptr) || !isInteger(nbr) || !isReal(dist) ||
        XLENGTH(rowptr) != (R_xlen_t) n + 1 || XLENGTH(dist) != XLENGTH(nbr))
        error("'index' is not a graph index of %d cells", n);
    const int *rp = INTEGER_RO(rowptr), *nb = INTEGER_RO(nbr);
    const double *d = REAL_RO(dist);
    int bad = rp[0] != 0 || rp[n] != XLENGTH(nbr);
    for (int i = 0; i < n; i++) bad |= rp[i + 1] < rp[i];
    for (R_xlen_t e = 0; e < XLENGTH(nbr); e++) bad |= (nb[e] < 0) | (nb[e] >= n);
    /* a scale's graph is a prefix of each row (binary search): rows sorted */
    for (int i = 0; i < n && !bad; i++)
        for (int e = rp[i]; e < rp[i + 1]; e++)
            bad |= !(d[e] >= 0) || (e > rp[i] && !(d[e] >= d[e - 1]));
    if (bad) error("'index' is not a graph index of %d cells", n);
    g->n = n; g->rowptr = rp; g->nbr = nb; g->dist = d;
}

/* The graph_index of a C_graph_index() list (n from its row starts) and a
 * scale eps >= 0, checked; returns eps. */
static double index_at_scale(SEXP sindex, SEXP seps, graph_index *g)
{
    SEXP rowptr = list_elt(sindex, "rowptr");
    if (!isInteger(rowptr) || XLENGTH(rowptr) < 2) error("'index' is not a graph index");
    index_from_sexp(sindex, (int) XLENGTH(rowptr) - 1, g);
    double eps = asReal(seps);
    if (!(eps >= 0) || !R_FINITE(eps)) error("invalid scale");
    return eps;
}

/* list(len, w, deg): the graph of scale eps on a C_graph_index() list
 * (scale_graph_set of graph.c).  into: NULL, or the list of an earlier call
 * on the same index, overwritten and returned (the warm start visits 30
 * scales: 30 fresh lists would be garbage of 2 ne doubles each, which R
 * collects late). */
SEXP C_scale_graph(SEXP sindex, SEXP seps, SEXP sthreads, SEXP sinto)
{
    graph_index g;
    double eps = index_at_scale(sindex, seps, &g);
    int n = g.n;
    SEXP res;
    scale_graph s;
    if (isNull(sinto)) {
        res = PROTECT(allocVector(VECSXP, 3));
        SET_VECTOR_ELT(res, 0, allocVector(INTSXP, n));
        SET_VECTOR_ELT(res, 1, allocVector(REALSXP, (R_xlen_t) g.rowptr[n]));
        SET_VECTOR_ELT(res, 2, allocVector(REALSXP, n));
        const char *names[] = {"len", "w", "deg", NULL};
        set_names(res, names);
        s.eps = R_NaN; s.len = INTEGER(VECTOR_ELT(res, 0)); s.w = REAL(VECTOR_ELT(res, 1));
        s.deg = REAL(VECTOR_ELT(res, 2)); s.rowtr = NULL;    /* not used to set a scale */
    } else {
        res = PROTECT(sinto);
        scale_from_sexp(res, &g, &s);   /* checks its shape; eps NaN: always set */
    }
    scale_graph_set(&g, eps, &s, as_threads(sthreads));
    /* weights past a row's prefix are never read; zeroed so the vector is defined */
    for (int i = 0; i < n; i++)
        for (int e = g.rowptr[i] + s.len[i]; e < g.rowptr[i + 1]; e++) s.w[e] = 0.0;
    UNPROTECT(1);
    return res;
}

/* The scale_graph of a C_scale_graph() list on the index g, checked;
 * rowtr: n doubles of scratch from R_alloc. */
void scale_from_sexp(SEXP sscale, const graph_index *g, scale_graph *s)
{
    int n = g->n;
    SEXP len = list_elt(sscale, "len"), w = list_elt(sscale, "w"), deg = list_elt(sscale, "deg");
    if (!isInteger(len) || !isReal(w) || !isReal(deg) || XLENGTH(len) != n ||
        XLENGTH(deg) != n || XLENGTH(w) != (R_xlen_t) g->rowptr[n])
        error("'graph' is not a scale's graph on this index");
    const int *ln = INTEGER_RO(len);
    int bad = 0;
    for (int i = 0; i < n; i++) bad |= (ln[i] < 0) | (ln[i] > g->rowptr[i + 1] - g->rowptr[i]);
    if (bad) error("'graph' is not a scale's graph on this index");
    s->eps = R_NaN;                   /* not set again from this struct */
    s->len = (int *) ln; s->w = (double *) REAL_RO(w); s->deg = (double *) REAL_RO(deg);
    s->rowtr = (double *) R_alloc((size_t) n + 1, sizeof(double));
}

/* list(order, start): the cells colour by colour (graph_colour_order() of
 * colour.c at scale eps), 0-based, colour c at order[start[c]..start[c+1]). */
SEXP C_colour_order(SEXP sindex, SEXP seps)
{
    graph_index g;
    double eps = index_at_scale(sindex, seps, &g);
    int n = g.n;
    int *start = (int *) R_alloc((size_t) n + 2, sizeof(int));
    SEXP res = PROTECT(allocVector(VECSXP, 2));
    SEXP order = PROTECT(allocVector(INTSXP, n));
    int nc = graph_colour_order(&g, eps, INTEGER(order), start);
    SEXP sstart = PROTECT(allocVector(INTSXP, (R_xlen_t) nc + 1));
    memcpy(INTEGER(sstart), start, ((size_t) nc + 1) * sizeof(int));
    SET_VECTOR_ELT(res, 0, order);
    SET_VECTOR_ELT(res, 1, sstart);
    const char *names[] = {"order", "start", NULL};
    set_names(res, names);
    UNPROTECT(3);
    return res;
}

/* The colour order of a C_colour_order() list on n cells, checked (a
 * permutation, colours' starts increasing from 0 to n); returns the number
 * of colours. */
int colours_from_sexp(SEXP scolours, int n, const int **order, const int **start)
{
    SEXP so = list_elt(scolours, "order"), ss = list_elt(scolours, "start");
    if (!isInteger(so) || !isInteger(ss) || XLENGTH(so) != n || XLENGTH(ss) < 1 ||
        XLENGTH(ss) > (R_xlen_t) n + 1)
        error("'colours' is not a colour order of %d cells", n);
    const int *o = INTEGER_RO(so), *st = INTEGER_RO(ss);
    int nc = (int) XLENGTH(ss) - 1, bad = st[0] != 0 || st[nc] != n;
    for (int c = 0; c < nc; c++) bad |= st[c + 1] < st[c];
    char *seen = (char *) R_alloc((size_t) n + 1, 1);
    memset(seen, 0, (size_t) n + 1);
    for (int q = 0; q < n && !bad; q++) {
        bad |= o[q] < 0 || o[q] >= n;
        if (!bad) { bad |= seen[o[q]]; seen[o[q]] = 1; }
    }
    if (bad) error("'colours' is not a colour order of %d cells", n);
    *order = o; *start = st;
    return nc;
}
