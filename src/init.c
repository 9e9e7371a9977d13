/* init.c: registration of the .Call entry points. */
#include "entries.h"
#include <R_ext/Rdynload.h>

SEXP C_ph_mst(SEXP, SEXP);
SEXP C_emst(SEXP, SEXP, SEXP, SEXP, SEXP);
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
SEXP C_dense_to_csc(SEXP, SEXP);
SEXP C_release_free_memory(void);
SEXP C_csc_to_dense(SEXP);
SEXP C_thread_info(void);
SEXP C_blas_threads(SEXP);
SEXP C_shard_products(SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_block_wtx_into(SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_block_xht(SEXP, SEXP, SEXP, SEXP);
SEXP C_block_xht_sums(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_shard_gram(SEXP);
SEXP C_shard_w_step(SEXP, SEXP, SEXP, SEXP);
SEXP C_shard_h_step(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_shard_sums(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_shard_traces(SEXP, SEXP, SEXP, SEXP);
SEXP C_shard_h_all(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_shard_warm_h(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_shard_warm_cells(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
SEXP C_graph_index(SEXP, SEXP);
SEXP C_scale_graph(SEXP, SEXP, SEXP, SEXP);
SEXP C_colour_order(SEXP, SEXP);

static const R_CallMethodDef call_methods[] = {
    {"C_ph_mst", (DL_FUNC) &C_ph_mst, 2},
    {"C_emst", (DL_FUNC) &C_emst, 5},
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
    {"C_dense_to_csc", (DL_FUNC) &C_dense_to_csc, 2},
    {"C_release_free_memory", (DL_FUNC) &C_release_free_memory, 0},
    {"C_csc_to_dense", (DL_FUNC) &C_csc_to_dense, 1},
    {"C_thread_info", (DL_FUNC) &C_thread_info, 0},
    {"C_blas_threads", (DL_FUNC) &C_blas_threads, 1},
    {"C_shard_products", (DL_FUNC) &C_shard_products, 5},
    {"C_block_wtx_into", (DL_FUNC) &C_block_wtx_into, 5},
    {"C_block_xht", (DL_FUNC) &C_block_xht, 4},
    {"C_block_xht_sums", (DL_FUNC) &C_block_xht_sums, 6},
    {"C_shard_gram", (DL_FUNC) &C_shard_gram, 1},
    {"C_shard_w_step", (DL_FUNC) &C_shard_w_step, 4},
    {"C_shard_h_step", (DL_FUNC) &C_shard_h_step, 7},
    {"C_shard_sums", (DL_FUNC) &C_shard_sums, 6},
    {"C_shard_traces", (DL_FUNC) &C_shard_traces, 4},
    {"C_shard_h_all", (DL_FUNC) &C_shard_h_all, 8},
    {"C_shard_warm_h", (DL_FUNC) &C_shard_warm_h, 9},
    {"C_graph_index", (DL_FUNC) &C_graph_index, 2},
    {"C_scale_graph", (DL_FUNC) &C_scale_graph, 4},
    {"C_colour_order", (DL_FUNC) &C_colour_order, 2},
    {"C_shard_warm_cells", (DL_FUNC) &C_shard_warm_cells, 7},
    {NULL, NULL, 0}
};

void R_init_pnmf(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
