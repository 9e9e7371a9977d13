# Choosing a scale without labels.

# Mean silhouette width of a clustering given the full distance matrix d of
# the cells; cells in singleton clusters count 0, as in cluster::silhouette().
mean_silhouette <- function(d, cl) {
    cl <- as.integer(factor(cl))
    nc <- max(cl)
    if (nc < 2L) return(0)
    n <- nrow(d)
    ind <- matrix(0, n, nc)
    ind[cbind(seq_len(n), cl)] <- 1
    size <- colSums(ind)
    tot <- d %*% ind                          # sum of distances to each cluster
    own <- tot[cbind(seq_len(n), cl)]
    a <- own / pmax(size[cl] - 1, 1)
    other <- sweep(tot, 2L, size, "/")
    other[cbind(seq_len(n), cl)] <- Inf
    b <- apply(other, 1L, min)
    s <- ifelse(size[cl] > 1, (b - a) / pmax(a, b), 0)
    s[!is.finite(s)] <- 0
    mean(s)
}

#' Choose a scale without labels
#'
#' The paper picks the best scale of the path with the true labels.
#' `selectScale()` uses none: it clusters the embedding of every scale and
#' scores the scales by
#' \describe{
#'   \item{`"stability"`}{(default) the agreement (ARI) of a scale's
#'     clustering with the clusterings of its neighbouring scales, the mean
#'     over the two neighbours: the persistence of the clustering along the
#'     path (a structure seen over a range of scales is real, one that
#'     appears at a single scale is not);}
#'   \item{`"silhouette"`}{the mean silhouette width of a scale's clustering
#'     in its embedding (how well the clusters are separated).  Beware: the
#'     coarsest scales, whose nearly complete graphs pull the cells
#'     together, can have collapsed embeddings with few, trivially separated
#'     clusters and a high silhouette; on the labelled sets of the benchmark
#'     (`inst/benchmarks/bench-select.R`) it chose such a scale on most sets.}
#' }
#' and returns the best one; ties go to the finer scale.  When
#' `n_clusters` is not given, it is chosen at every scale as the number of
#' k-means clusters (from 2 to `max_clusters`) with the largest silhouette.
#' Silhouettes are computed on at most `max_cells` cells (a fixed random
#' subset) so that the cost stays linear in the number of cells.
#'
#' @inheritParams clusterScale
#' @param criterion `"stability"` or `"silhouette"`.
#' @param n_clusters Number of k-means clusters, or `NULL` to choose it
#'   per scale by silhouette.
#' @param max_clusters Largest number of clusters tried when `n_clusters`
#'   is `NULL`.
#' @param max_cells Largest number of cells the silhouettes are computed on.
#' @param verbose Show a progress bar over the scales (interactive sessions
#'   with cli)?
#' @return An object of class `pnmf_selection`: a list with `t` (the chosen
#'   scale index), `scale` (its value), `criterion`, and `scores`, a
#'   data.frame with one row per scale (`t`, `scale`, `n_clusters`,
#'   `stability`, `silhouette`, `selected`), and the `settings` used.  For
#'   a [calculatePNMF()] / [runPNMF()] result made with `scale = "select"`,
#'   the selection made then is returned without recomputing it when the
#'   settings are the same (it is kept as `getPNMF(x)$selection`).
#' @seealso [evaluatePath()] to compare with labels, [plotPath()]
#' @examples
#' fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#' sel <- selectScale(fit, n_clusters = 5)
#' sel
#' head(getEmbedding(fit, sel$t))
#' @export
selectScale <- function(object, criterion = c("stability", "silhouette"),
                        n_clusters = NULL, max_clusters = 10L, max_cells = 1000L,
                        nstart = 10L, seed = 1L, name = "PNMF", verbose = FALSE) {
    criterion <- arg_choice(criterion, "criterion")
    fit <- as_fit(object, name)
    n <- fit$dims[["cells"]]
    if (n < 3L) pnmf_stop("choosing a scale needs at least 3 cells.")
    if (!is.null(n_clusters)) n_clusters <- check_count(n_clusters, "n_clusters", min = 2L,
                                                         max = n - 1L)
    max_clusters <- check_count(max_clusters, "max_clusters", min = 2L)
    max_cells <- check_count(max_cells, "max_cells", min = 3L)
    nstart <- check_count(nstart, "nstart", min = 1L)
    seed <- check_count(seed, "seed", min = 0L)
    verbose <- check_flag(verbose, "verbose")
    # calculatePNMF() / runPNMF() keep their selection with the fit: the same
    # settings give it back without clustering every scale again
    settings <- mget(setdiff(names(formals(sys.function())), c("object", "name", "verbose")))
    if (!is.null(fit$selection) && identical(fit$selection$settings, settings))
        return(fit$selection)
    sub <- if (n > max_cells) sort(with_seed(seed, sample.int(n, max_cells))) else seq_len(n)
    tried <- if (is.null(n_clusters)) seq.int(2L, max(2L, min(max_clusters, n - 1L)))
             else n_clusters
    n_t <- length(fit$scales)
    clusters <- vector("list", n_t)
    sil <- numeric(n_t)
    chosen <- integer(n_t)
    tick <- step_reporter(verbose, n_t, "choosing the scale")
    for (t in seq_len(n_t)) {
        tick(t)
        emb <- getEmbedding(fit, t)
        d <- as.matrix(stats::dist(emb[sub, , drop = FALSE]))
        best <- -Inf
        for (nc in tried) {
            cl <- cluster_embedding(emb, "kmeans", nc, 10L, nstart, seed)
            s <- mean_silhouette(d, cl[sub])
            if (s > best) {
                best <- s
                clusters[[t]] <- cl
                chosen[t] <- nlevels(cl)
            }
        }
        sil[t] <- best
    }
    stab <- vapply(seq_len(n_t), function(t) {
        nb <- intersect(c(t - 1L, t + 1L), seq_len(n_t))
        if (!length(nb)) return(1)
        mean(vapply(nb, function(u) ari_table(table(clusters[[t]], clusters[[u]])), 0))
    }, 0)
    score <- if (criterion == "stability") stab else sil
    t_best <- which(score == max(score))[1L]
    scores <- data.frame(t = seq_len(n_t), scale = fit$scales, n_clusters = chosen,
                         stability = stab, silhouette = sil,
                         selected = seq_len(n_t) == t_best)
    structure(list(t = t_best, scale = fit$scales[t_best], criterion = criterion,
                   scores = scores, settings = settings),
              class = "pnmf_selection")
}

#' @export
print.pnmf_selection <- function(x, ...) {
    s <- x$scores[x$t, ]
    cat(sprintf("Selected scale t = %d of %d (scale %.6g) by %s\n", x$t, nrow(x$scores),
                x$scale, x$criterion))
    cat(sprintf("  %d clusters; stability %.3f, silhouette %.3f\n", s$n_clusters,
                s$stability, s$silhouette))
    invisible(x)
}
