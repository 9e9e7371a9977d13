/* entries.h: the boundary layer: what the .Call entries share to unpack
 * their SEXP arguments (entries_args.c).  Only entry files include it. */
#ifndef PNMF_ENTRIES_H
#define PNMF_ENTRIES_H

#include "pnmf.h"
#include <Rinternals.h>

int as_threads(SEXP s);
SEXP list_elt(SEXP list, const char *name);
SEXP list_elt_or_null(SEXP list, const char *name);
void check_finite(SEXP s, const char *what);
void set_names(SEXP list, const char **names);
void data_from_sexp(SEXP sX, data_matrix *X);
ptrdiff_t edges_from_sexp(SEXP sedges, int n, const int **ei, const int **ej,
                          const double **ed);
ptrdiff_t edge_vectors(SEXP si, SEXP sj, SEXP sd, int n, const int **ei, const int **ej,
                       const double **ed);
void index_from_sexp(SEXP sindex, int n, graph_index *g);
void scale_from_sexp(SEXP sscale, const graph_index *g, scale_graph *s);
int colours_from_sexp(SEXP scolours, int n, const int **order, const int **start);

#endif
