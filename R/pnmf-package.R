#' pnmf: persistent nonnegative matrix factorisation
#'
#' Multi-scale graph-regularised NMF whose scales come from 0-dimensional
#' persistent homology of the cells (Zhang, Miao, Li, arXiv:2602.22536), with
#' a C core.  Start with [persistentScales()] and [pnmf()].
#'
#' @keywords internal
#' @useDynLib pnmf, .registration = TRUE
"_PACKAGE"
