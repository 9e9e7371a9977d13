# Interpretation: the genes of each factor, and how the gene programs
# (columns of W_t) carry over, split and merge along the path.

# Scale indices asked for: NULL = the stored embedding's scale (else 1),
# "all" = every scale.
scales_asked <- function(object, fit, scale, name, call = sys.call(-1L)) {
    if (is.null(scale)) {
        t <- attr(stored_embedding(object, name), "scale_index")
        return(if (is.null(t)) 1L else t)
    }
    if (identical(scale, "all")) return(seq_along(fit$scales))
    vapply(scale, function(s) check_scale_index(fit, s, call = call), 1L)
}

#' Top features of each factor
#'
#' The genes that characterise each factor (each column of the basis W_t,
#' whose columns have unit norm), as a tidy data.frame.  By default genes are
#' ranked by their specificity to the factor: the weight in the factor minus
#' the largest weight in any other factor.  Ranked by weight alone, highly
#' expressed genes (MALAT1, B2M, ribosomal protein genes in UMI data) lead
#' most factors, because every cell expresses them; the specificity ranking
#' puts first the genes that set a factor apart (on pbmc3k, e.g. LYZ and S100A9
#' for monocytes, NKG7 for NK cells, HLA-DQA1 and CD79A for B cells).
#'
#' @inheritParams plotEmbedding
#' @param scale Scale index(es), or `"all"`; by default the scale of a
#'   stored embedding, else 1 (the finest).
#' @param n Number of features per factor.
#' @param by `"specificity"` (default) or `"weight"`: how features are
#'   ranked within a factor.
#' @return A data.frame with columns `t` (scale index), `factor`, `rank`
#'   (1 = first by `by`), `feature`, `weight` (in the factor) and
#'   `specificity` (weight minus the largest weight in another factor),
#'   ordered by scale, factor and rank.
#' @seealso [plotTopFeatures()], [matchFactors()]
#' @examples
#' fit <- pnmf(preprocessCounts(expm1(villani$logtpm)), k = 4, n_scales = 5)
#' head(topFeatures(fit, n = 5))
#' @export
topFeatures <- function(object, scale = NULL, n = 10L, by = c("specificity", "weight"),
                        name = "PNMF") {
    by <- arg_choice(by, "by")
    fit <- as_fit(object, name)
    if (is.null(fit$W))
        pnmf_stop("this fit was made with keep_W = FALSE, so it has no basis; refit with ",
                  "keep_W = TRUE.")
    ts <- scales_asked(object, fit, scale, name)
    m <- dim(fit$W)[1L]
    n <- min(check_count(n, "n", min = 1L), m)
    feats <- rownames(fit$W)
    if (is.null(feats)) feats <- paste0("feature", seq_len(m))
    comp <- colnames(fit$W)
    rows <- lapply(ts, function(t) {
        W <- matrix(fit$W[, , t], ncol = fit$k)
        spec <- specificity(W)
        key <- if (by == "specificity") spec else W
        do.call(rbind, lapply(seq_len(fit$k), function(j) {
            o <- order(key[, j], W[, j], decreasing = TRUE)[seq_len(n)]
            data.frame(t = t, factor = comp[j], rank = seq_len(n), feature = feats[o],
                       weight = W[o, j], specificity = spec[o, j], stringsAsFactors = FALSE)
        }))
    })
    out <- do.call(rbind, rows)
    out$factor <- factor(out$factor, comp)
    rownames(out) <- NULL
    out
}

# Weight of each feature in each factor minus its largest weight in any
# other factor (the weight itself for a single factor).
specificity <- function(W) {
    k <- ncol(W)
    if (k == 1L) return(W)
    other <- vapply(seq_len(k), function(j) apply(W[, -j, drop = FALSE], 1L, max),
                    numeric(nrow(W)))
    W - matrix(other, nrow(W))
}

#' Plot the top features of each factor
#'
#' A dot plot of the `n` top features (by [topFeatures()]'s `by`) of every
#' factor at one scale: factors
#' in columns, features in rows, dot size and colour the weight of the
#' feature in the factor (every factor's weight of every shown feature, so
#' shared features stand out).
#'
#' @inheritParams topFeatures
#' @param scale One scale index; by default as [topFeatures()].
#' @return A ggplot object.
#' @seealso [topFeatures()]
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     fit <- pnmf(preprocessCounts(expm1(villani$logtpm)), k = 4, n_scales = 5)
#'     plotTopFeatures(fit, n = 4)
#' }
#' @export
plotTopFeatures <- function(object, scale = NULL, n = 5L, by = c("specificity", "weight"),
                            name = "PNMF") {
    need_ggplot()
    top <- topFeatures(object, scale, n, by, name)
    if (length(unique(top$t)) != 1L) pnmf_stop("'scale' must be one scale index.")
    fit <- as_fit(object, name)
    t <- top$t[1L]
    feats <- unique(top$feature[order(top$factor, top$rank)])
    W <- fit$W[, , t]
    if (is.null(rownames(W))) rownames(W) <- paste0("feature", seq_len(nrow(W)))
    d <- expand.grid(feature = feats, factor = colnames(fit$W), stringsAsFactors = FALSE)
    d$weight <- W[cbind(match(d$feature, rownames(W)), match(d$factor, colnames(fit$W)))]
    d$feature <- factor(d$feature, rev(feats))
    d$factor <- factor(d$factor, colnames(fit$W))
    ggplot2::ggplot(d, ggplot2::aes(x = .data$factor, y = .data$feature)) +
        ggplot2::geom_point(ggplot2::aes(size = .data$weight, colour = .data$weight)) +
        ggplot2::scale_colour_gradient(low = "grey90", high = "darkred") +
        ggplot2::scale_size_area(max_size = 4, guide = "none") +
        ggplot2::labs(x = NULL, y = NULL, title = sprintf("top features, scale t = %d", t)) +
        ggplot2::theme_bw() +
        ggplot2::theme(axis.text.x = ggplot2::element_text(angle = 90, vjust = 0.5, hjust = 1),
                       axis.text.y = ggplot2::element_text(size = 7))
}

#' Follow the gene programs along the path
#'
#' Every scale has its own basis W_t.  `matchFactors()` compares the factors
#' (columns of W, unit norm) of neighbouring scales by cosine similarity and
#' links each factor to the factor of the next coarser scale it resembles
#' most, and each factor of the coarser scale to its closest factor of the
#' finer one (pairs below `min_similarity` are dropped).  A program that
#' splits (two factors of scale t + 1 closest to one of scale t) or two
#' that merge (two factors of scale t closest to one of t + 1) show up as
#' two links.  Factors are also given a position
#' per scale that keeps a program on one row (an optimal one-to-one
#' assignment between neighbouring scales), which [plotPrograms()] uses.
#'
#' @inheritParams topFeatures
#' @param min_similarity Smallest cosine similarity of a link (the columns
#'   of W are nonnegative, so unrelated factors already have similarities
#'   around 0.3-0.6).
#' @return A data.frame of links, one row per linked pair of factors of
#'   scales t and t + 1: `t`, `from`, `to`
#'   (factor names), `similarity`, `best` (is `to` the most similar factor
#'   of `from`?), `from_pos`, `to_pos` (rows of the program layout) and
#'   `from_top`, `to_top` (each factor's most specific feature, as
#'   [topFeatures()] ranks them).
#' @seealso [plotPrograms()], [topFeatures()]
#' @examples
#' fit <- pnmf(preprocessCounts(expm1(villani$logtpm)), k = 4, n_scales = 5)
#' head(matchFactors(fit))
#' @export
matchFactors <- function(object, min_similarity = 0.7, name = "PNMF") {
    fit <- as_fit(object, name)
    if (is.null(fit$W))
        pnmf_stop("this fit was made with keep_W = FALSE, so it has no basis; refit with ",
                  "keep_W = TRUE.")
    min_similarity <- check_number(min_similarity, "min_similarity")
    n_t <- length(fit$scales)
    if (n_t < 2L) pnmf_stop("a path of one scale has no programs to follow.")
    k <- fit$k
    comp <- colnames(fit$W)
    feats <- rownames(fit$W)
    if (is.null(feats)) feats <- paste0("feature", seq_len(dim(fit$W)[1L]))
    top <- function(t) feats[apply(specificity(matrix(fit$W[, , t], ncol = k)), 2L, which.max)]
    pos <- matrix(0L, k, n_t)                     # row of each factor at each scale
    pos[, 1L] <- seq_len(k)
    links <- vector("list", n_t - 1L)
    for (t in seq_len(n_t - 1L)) {
        a <- matrix(fit$W[, , t], ncol = k)
        b <- matrix(fit$W[, , t + 1L], ncol = k)
        sim <- crossprod(a, b) / tcrossprod(pmax(sqrt(colSums(a^2)), 1e-300),
                                            pmax(sqrt(colSums(b^2)), 1e-300))
        assign <- hungarian_max(sim)            # factor j of t -> assign[j] of t + 1
        pos[assign, t + 1L] <- pos[, t]
        best <- apply(sim, 1L, which.max)
        best_back <- apply(sim, 2L, which.max)  # the closest factor of t for each of t + 1
        link <- sim >= min_similarity &
            (col(sim) == best[row(sim)] | row(sim) == best_back[col(sim)])
        keep <- which(link, arr.ind = TRUE)
        tops <- top(t)
        topn <- top(t + 1L)
        links[[t]] <- data.frame(t = rep(t, nrow(keep)), from = comp[keep[, 1L]],
                                 to = comp[keep[, 2L]], similarity = sim[keep],
                                 best = best[keep[, 1L]] == keep[, 2L],
                                 from_pos = pos[keep[, 1L], t],
                                 to_pos = pos[keep[, 2L], t + 1L],
                                 from_top = tops[keep[, 1L]], to_top = topn[keep[, 2L]],
                                 stringsAsFactors = FALSE)
    }
    out <- do.call(rbind, links)
    rownames(out) <- NULL
    attr(out, "positions") <- pos
    attr(out, "top") <- lapply(seq_len(n_t), top)
    out
}

#' Plot the gene programs along the path
#'
#' Scales from fine (left) to coarse (right); one row per program (a factor
#' followed along the path by [matchFactors()]), each labelled with its top
#' feature at the finest scale and wherever the top feature changes.
#' Links between the factors of neighbouring scales are drawn when their
#' cosine similarity is at least `min_similarity`, thicker and darker for
#' more similar factors: a straight line is a program that persists, a
#' diagonal link a program that splits or merges.  The selected scale of a
#' stored embedding is marked.
#'
#' @inheritParams matchFactors
#' @return A ggplot object.
#' @seealso [matchFactors()], [topFeatures()]
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     fit <- pnmf(preprocessCounts(expm1(villani$logtpm)), k = 4, n_scales = 5)
#'     plotPrograms(fit)
#' }
#' @export
plotPrograms <- function(object, min_similarity = 0.7, name = "PNMF") {
    need_ggplot()
    links <- matchFactors(object, min_similarity, name)
    pos <- attr(links, "positions")
    top <- attr(links, "top")
    n_t <- ncol(pos)
    k <- nrow(pos)
    nodes <- data.frame(t = rep(seq_len(n_t), each = k), pos = as.vector(pos),
                        top = unlist(top), stringsAsFactors = FALSE)
    nodes <- nodes[order(nodes$pos, nodes$t), ]
    prev <- c(NA, nodes$top[-nrow(nodes)])
    first <- c(TRUE, nodes$pos[-1L] != nodes$pos[-nrow(nodes)])
    nodes$label <- ifelse(first | nodes$top != prev, nodes$top, NA)
    sel <- attr(stored_embedding(object, name), "scale_index")
    p <- ggplot2::ggplot() +
        ggplot2::geom_segment(data = links,
                              ggplot2::aes(x = .data$t, xend = .data$t + 1, y = .data$from_pos,
                                           yend = .data$to_pos, alpha = .data$similarity,
                                           linewidth = .data$similarity)) +
        ggplot2::geom_point(data = nodes, ggplot2::aes(x = .data$t, y = .data$pos), size = 1) +
        ggplot2::geom_text(data = nodes[!is.na(nodes$label), ],
                           ggplot2::aes(x = .data$t, y = .data$pos, label = .data$label),
                           size = 2.5, vjust = -0.6, hjust = 0, na.rm = TRUE) +
        ggplot2::scale_alpha(range = c(0.2, 1), limits = c(min_similarity, 1)) +
        ggplot2::scale_linewidth(range = c(0.2, 1.5), limits = c(min_similarity, 1)) +
        ggplot2::scale_y_reverse(breaks = seq_len(k)) +
        ggplot2::scale_x_continuous(breaks = seq(1L, n_t, by = max(1L, ceiling(n_t / 10)))) +
        ggplot2::labs(x = "scale t (fine to coarse)", y = "program",
                      alpha = "similarity", linewidth = "similarity") +
        ggplot2::theme_bw()
    if (!is.null(sel))
        p <- p + ggplot2::geom_vline(xintercept = sel, colour = "red", linetype = "dashed")
    p
}
