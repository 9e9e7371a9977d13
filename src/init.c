/* init.c: registration of the .Call entry points and small shared helpers. */
#include "pnmf.h"
#include <R_ext/Rdynload.h>
#ifdef _OPENMP
#include <omp.h>
#endif

SEXP C_ph_mst(SEXP, SEXP);
SEXP C_count_pairs(SEXP, SEXP, SEXP);
SEXP C_filtration_pairs(SEXP, SEXP, SEXP);
SEXP C_laplacian_products(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_nndsvda(SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_pnmf_path(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_data_products(SEXP, SEXP, SEXP, SEXP);
SEXP C_knn_exact(SEXP, SEXP, SEXP);
SEXP C_pair_dist(SEXP, SEXP, SEXP, SEXP);
SEXP C_project_nnls(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_value_summary(SEXP);
SEXP C_permuted_transpose(SEXP);
SEXP C_thread_info(void);
SEXP C_blas_threads(SEXP);

/* Threads asked for, clamped to [1, what OpenMP offers]; 1 without OpenMP. */
int as_threads(SEXP s)
{
    int t = asInteger(s);
    if (t == NA_INTEGER || t < 1) t = 1;
#ifdef _OPENMP
    int mx = omp_get_num_procs();
    if (t > mx) t = mx;
#else
    t = 1;
#endif
    return t;
}

/* Names a list from a NULL-terminated array of C strings. */
void set_names(SEXP list, const char **names)
{
    int n = 0;
    while (names[n] != NULL) n++;
    SEXP nms = PROTECT(allocVector(STRSXP, n));
    for (int l = 0; l < n; l++) SET_STRING_ELT(nms, l, mkChar(names[l]));
    setAttrib(list, R_NamesSymbol, nms);
    UNPROTECT(1);
}

/* Errors unless every value of the double vector s is finite. */
void check_finite(SEXP s, const char *what)
{
    const double *v = REAL(s);
    for (R_xlen_t l = 0; l < XLENGTH(s); l++)
        if (!R_FINITE(v[l])) error("'%s' has missing or infinite values", what);
}

SEXP list_elt(SEXP list, const char *name)
{
    if (TYPEOF(list) != VECSXP) error("expected a list holding '%s'", name);
    SEXP nms = getAttrib(list, R_NamesSymbol);
    for (R_xlen_t l = 0; l < XLENGTH(list); l++)
        if (nms != R_NilValue && strcmp(CHAR(STRING_ELT(nms, l)), name) == 0)
            return VECTOR_ELT(list, l);
    error("list element '%s' is missing", name);
    return R_NilValue;
}

static const R_CallMethodDef call_methods[] = {
    {"C_ph_mst", (DL_FUNC) &C_ph_mst, 2},
    {"C_count_pairs", (DL_FUNC) &C_count_pairs, 3},
    {"C_filtration_pairs", (DL_FUNC) &C_filtration_pairs, 3},
    {"C_laplacian_products", (DL_FUNC) &C_laplacian_products, 7},
    {"C_nndsvda", (DL_FUNC) &C_nndsvda, 5},
    {"C_pnmf_path", (DL_FUNC) &C_pnmf_path, 7},
    {"C_data_products", (DL_FUNC) &C_data_products, 4},
    {"C_knn_exact", (DL_FUNC) &C_knn_exact, 3},
    {"C_pair_dist", (DL_FUNC) &C_pair_dist, 4},
    {"C_project_nnls", (DL_FUNC) &C_project_nnls, 6},
    {"C_value_summary", (DL_FUNC) &C_value_summary, 1},
    {"C_permuted_transpose", (DL_FUNC) &C_permuted_transpose, 1},
    {"C_thread_info", (DL_FUNC) &C_thread_info, 0},
    {"C_blas_threads", (DL_FUNC) &C_blas_threads, 1},
    {NULL, NULL, 0}
};

void R_init_pnmf(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
