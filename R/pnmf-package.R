#' pnmf: persistent nonnegative matrix factorisation
#'
#' Multi-scale graph-regularised NMF whose scales come from 0-dimensional
#' persistent homology of the cells (Zhang, Miao, Li, arXiv:2602.22536), with
#' a C core.  Start with [persistentScales()] and [pnmf()].
#'
#' With Seurat objects: [RunPNMF()].  In a Bioconductor workflow:
#' [runPNMF()] / [calculatePNMF()] (the
#' embedding of a scale chosen by [selectScale()], the whole path with it,
#' [getPNMF()]), [clusterScale()], [evaluatePath()], [clusterMetrics()], the
#' baselines [fitNMF()] and [fitGNMF()], new cells with [projectPNMF()], and
#' the plots [plotPersistence()], [plotPath()], [plotEmbedding()] and
#' [plotObjective()].  Bad input gives conditions of class
#' `pnmf_input_error` (a `pnmf_error`); a fit too large for the memory gives
#' `pnmf_memory_error`; an exact-mode fit estimated ([exactCost()]) to take
#' over a minute says so first with a `pnmf_cost_message`.
#'
#' Threads: every `threads` argument defaults to [default_threads()]
#' (`options(pnmf.threads)`, else the available cores within
#' `OMP_THREAD_LIMIT`, `OMP_NUM_THREADS` and R CMD check's limit of 2), and
#' a fit runs OpenBLAS with one thread (`options(pnmf.blas_threads)`).
#'
#' @docType package
#' @name pnmf-package
#' @aliases pnmf-package
#' @keywords internal
#' @useDynLib pnmf, .registration = TRUE
NULL

# the tidy-evaluation pronoun of ggplot2's aes(), resolved at plot time
utils::globalVariables(".data")
