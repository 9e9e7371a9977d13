# Accessors and methods for "pnmf" fits.

check_fit <- function(object, call = sys.call(-1L)) {
    if (!inherits(object, "pnmf")) pnmf_stop("expected a pnmf() result.", call = call)
}

# The fit behind a pnmf(), calculatePNMF() or runPNMF() result.
as_fit <- function(object, name = "PNMF", call = sys.call(-1L)) {
    if (inherits(object, "pnmf")) return(object)
    if (inherits(object, "pnmf_embedding")) return(attr(object, "fit"))
    if (methods::is(object, "SingleCellExperiment")) return(getPNMF(object, name))
    pnmf_stop("expected a pnmf() fit, a calculatePNMF() result or a SingleCellExperiment ",
              "from runPNMF().", call = call)
}

check_scale_index <- function(object, scale, call = sys.call(-1L)) {
    check_count(scale, "scale", min = 1L, max = length(object$scales), call = call)
}

#' Embedding and basis of one scale
#'
#' `getEmbedding()` returns the embedding of the cells at scale t, the
#' transpose of H_t (cells x k), ready for clustering or plotting;
#' `getBasis()` returns W_t (features x k).
#'
#' @param object A [pnmf()] result.
#' @param scale Index t of the scale, from 1 (finest) to T (coarsest).
#' @return A numeric matrix.
#' @examples
#' fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_sweeps = 2)
#' head(getEmbedding(fit, 1))
#' dim(getBasis(fit, 1))
#' @export
getEmbedding <- function(object, scale = 1L) {
    check_fit(object)
    t <- check_scale_index(object, scale)
    dn <- dimnames(object$H)
    t(matrix(object$H[, , t], nrow = object$k, dimnames = dn[c(1L, 2L)]))
}

#' @rdname getEmbedding
#' @export
getBasis <- function(object, scale = 1L) {
    check_fit(object)
    t <- check_scale_index(object, scale)
    if (is.null(object$W))
        pnmf_stop("this fit was made with keep_W = FALSE; refit with keep_W = TRUE.")
    matrix(object$W[, , t], nrow = dim(object$W)[1L], dimnames = dimnames(object$W)[c(1L, 2L)])
}

#' @export
print.pnmf <- function(x, ...) {
    nobj <- length(x$objective)
    title <- switch(x$mode, nmf = "NMF (baseline)", gnmf = "GNMF (baseline)",
                    sprintf("Persistent NMF (%s mode)", x$mode))
    cat(sprintf("%s: %d features x %d cells, k = %d, %d scale%s\n", title,
                x$dims[1L], x$dims[2L], x$k, length(x$scales),
                if (length(x$scales) == 1L) "" else "s"))
    cat(sprintf("  lambda: geometric %g, smoothness %g, anchoring %g\n",
                x$lambda[1L], x$lambda[2L], x$lambda[3L]))
    cat(sprintf("  scales: %.6g (finest, %s edges) to %.6g (coarsest, %s edges)\n",
                x$scales[1L], format(x$edges[1L], big.mark = ","),
                x$scales[length(x$scales)], format(x$edges[length(x$edges)], big.mark = ",")))
    cat(sprintf("  objective: %.10g after warm start, %.10g after %d sweep(s)\n",
                x$objective[1L], x$objective[nobj], nobj - 1L))
    cat(sprintf("  iterations: %s in total (%s in the warm start)\n",
                format(sum(x$iterations), big.mark = ","),
                format(sum(x$iterations[, 1L]), big.mark = ",")))
    invisible(x)
}

#' Summarise a pnmf fit
#'
#' @param object A [pnmf()] result.
#' @param ... Unused.
#' @return A data.frame with one row per scale: the scale, its number of
#'   edges, the final loss (reconstruction + geometric term), the Frobenius
#'   norm of H_t and the iterations spent on its block (warm start and
#'   sweeps), printed after the fit's header.
#' @examples
#' fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_sweeps = 2)
#' head(summary(fit))
#' @export
summary.pnmf <- function(object, ...) {
    out <- data.frame(t = seq_along(object$scales), scale = object$scales,
                      edges = object$edges, loss = object$loss,
                      norm_H = sqrt(apply(object$H^2, 3L, sum)),
                      iterations = rowSums(object$iterations))
    structure(out, fit = object, class = c("summary.pnmf", "data.frame"))
}

#' @export
print.summary.pnmf <- function(x, ...) {
    print(attr(x, "fit"))
    cat("\nPer scale:\n")
    y <- x
    attr(y, "fit") <- NULL
    class(y) <- "data.frame"
    if (nrow(y) > 12L) {
        print(utils::head(y, 6L), row.names = FALSE)
        cat("  ...\n")
        print(utils::tail(y, 6L), row.names = FALSE)
    } else print(y, row.names = FALSE)
    invisible(x)
}

#' Plot a pnmf fit
#'
#' Draws one of the ggplot2 plots of the fit: `type = "objective"` is
#' [plotObjective()] (the path objective after the warm start and after
#' each sweep), `type = "embedding"` is [plotEmbedding()] with
#' `method = "factors"` (the cells in the first two factors of one scale,
#' the first factor against the cell index when k = 1, coloured by
#' `labels`), `type = "norms"` the norm of H_t against t.  Those functions
#' return the ggplot object itself, to be modified or saved.  Needs the
#' ggplot2 package (an error of class `pnmf_input_error` says so when it is
#' not installed).
#'
#' @param x A [pnmf()] result.
#' @param type `"objective"`, `"embedding"` or `"norms"`.
#' @param scale Index of the scale for `type = "embedding"`.
#' @param labels Optional labels of the cells (colours).
#' @param ... Unused.
#' @return `x`, invisibly (the plot is drawn).
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_sweeps = 3)
#'     plot(fit)
#'     plot(fit, "embedding", scale = 1, labels = circles$labels)
#' }
#' @export
plot.pnmf <- function(x, type = c("objective", "embedding", "norms"), scale = 1L,
                      labels = NULL, ...) {
    type <- arg_choice(type, "type")
    p <- switch(type,
                objective = plotObjective(x),
                embedding = plotEmbedding(x, scale, labels = labels, method = "factors"),
                norms = plot_norms(x))
    print(p)
    invisible(x)
}
