#' pnmf: persistent nonnegative matrix factorisation
#'
#' Multi-scale graph-regularised NMF whose scales come from 0-dimensional
#' persistent homology of the cells (Zhang, Miao, Li, arXiv:2602.22536), with
#' a C core.  Start with [persistentScales()] and [pnmf()].
#'
#' @docType package
#' @name pnmf-package
#' @aliases pnmf-package
#' @keywords internal
#' @useDynLib pnmf, .registration = TRUE
NULL

# the tidy-evaluation pronoun of ggplot2's aes(), resolved at plot time
utils::globalVariables(".data")
