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
#' `selectScale()` uses none.  Two criteria place the scale on the path
#' without clustering (they cost nothing); two cluster the embedding of
#' every scale:
#' \describe{
#'   \item{`"position"`}{(default) the scale a fraction `position` of the
#'     way along the path from the finest (t = 1 + round(position (T - 1));
#'     with the default 0.2 and the 10 scales of [calculatePNMF()], t = 3):
#'     just past the finest scales, where the graph joins each cell to its
#'     closest neighbours only.  Chosen, together with [calculatePNMF()]'s
#'     graph weight and number of scales, by leave-one-set-out comparison on
#'     eight labelled sets against the finest scale and the scales at the
#'     lower quartile and the median of the death times: the best candidate
#'     over all sets, and the choice made on the other seven sets for five of
#'     the eight (the others chose t = 1 or 2;
#'     `inst/benchmarks/bench-choose-defaults.R`, RESULTS.md);}
#'   \item{`"persistence"`}{the scale closest to the median death time,
#'     where the cells have merged into half as many connected components as
#'     there are cells: every cell is joined to its closest neighbours, but
#'     the groups that merge late (the long bars of the barcode) are still
#'     apart.  Within 0.003 mean ARI gain of `"position"` on those sets;}
#'   \item{`"stability"`}{the agreement (ARI) of a scale's k-means
#'     clustering with the clusterings of its neighbouring scales, the mean
#'     over the two neighbours: the persistence of the clustering along the
#'     path.  On the labelled sets its scores were nearly flat (0.97-1.00)
#'     and it chose the finest scale almost always;}
#'   \item{`"silhouette"`}{the mean silhouette width of a scale's clustering
#'     in its embedding.  Beware: the coarsest scales, whose nearly complete
#'     graphs pull the cells together, can have collapsed embeddings with
#'     few, trivially separated clusters and a high silhouette; on the
#'     labelled sets it chose such a scale on most sets.}
#' }
#' Ties go to the finer scale; a path of one scale (the baselines) gives
#' t = 1.  For the clustering criteria, when `n_clusters` is not given, it
#' is chosen at every scale as the number of k-means clusters (from 2 to
#' `max_clusters`) with the largest silhouette; silhouettes are computed on
#' at most `max_cells` cells (a fixed random subset) so that the cost stays
#' linear in the number of cells.
#'
#' @inheritParams clusterScale
#' @param criterion `"position"`, `"persistence"`, `"stability"` or
#'   `"silhouette"`.
#' @param position For `criterion = "position"`: the fraction of the path,
#'   from 0 (finest scale) to 1 (coarsest).
#' @param n_clusters Number of k-means clusters, or `NULL` to choose it
#'   per scale by silhouette.
#' @param max_clusters Largest number of clusters tried when `n_clusters`
#'   is `NULL`.
#' @param max_cells Largest number of cells the silhouettes are computed on.
#' @param verbose Show a progress bar over the scales (interactive sessions
#'   with cli)?
#' @return An object of class `pnmf_selection`: a list with `t` (the chosen
#'   scale index), `scale` (its value), `criterion`, and `scores`, a
#'   data.frame with one row per scale (`t`, `scale`, `components` (number
#'   of connected components of the scale's graph, from the diagram),
#'   `n_clusters`, `stability`, `silhouette` (`NA` for the persistence
#'   criterion, which clusters nothing), `selected`), and the `settings`
#'   used.  For
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
selectScale <- function(object, criterion = c("position", "persistence", "stability",
                                              "silhouette"),
                        position = 0.2, n_clusters = NULL, max_clusters = 10L, max_cells = 1000L,
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
    if (!is.numeric(position) || length(position) != 1L || is.na(position) || position < 0 ||
        position > 1)
        pnmf_stop("'position' must be a number from 0 (finest scale) to 1 (coarsest).")
    seed <- check_count(seed, "seed", min = 0L)
    verbose <- check_flag(verbose, "verbose")
    # calculatePNMF() / runPNMF() keep their selection with the fit: the same
    # settings give it back without clustering every scale again
    settings <- mget(setdiff(names(formals(sys.function())), c("object", "name", "verbose")))
    if (!is.null(fit$selection) && identical(fit$selection$settings, settings))
        return(fit$selection)
    if (length(fit$scales) == 1L || criterion %in% c("position", "persistence"))
        return(select_on_path(fit, criterion, position, settings))
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
    scores <- data.frame(t = seq_len(n_t), scale = fit$scales,
                         components = scale_components(fit), n_clusters = chosen,
                         stability = stab, silhouette = sil,
                         selected = seq_len(n_t) == t_best)
    structure(list(t = t_best, scale = fit$scales[t_best], criterion = criterion,
                   scores = scores, settings = settings),
              class = "pnmf_selection")
}

# Connected components of each scale's graph, as the persistence diagram
# counted them; NA without a diagram.
scale_components <- function(fit) {
    if (is.null(fit$persistence)) return(rep(NA_integer_, length(fit$scales)))
    as.integer(fit$persistence$components)
}

# The criteria that place the scale on the path: a fixed fraction of the
# way from the finest scale, or the scale closest to the median death time
# (ties to the finer scale).
select_on_path <- function(fit, criterion, position, settings, call = sys.call(-1L)) {
    n_t <- length(fit$scales)
    if (n_t == 1L) t_best <- 1L
    else if (criterion == "position") t_best <- 1L + as.integer(round(position * (n_t - 1L)))
    else {
        if (is.null(fit$persistence))
            pnmf_stop("the persistence criterion needs the fit's persistence diagram (the fit ",
                      "was given plain scales); use criterion = \"position\".", call = call)
        med <- stats::median(fit$persistence$diagram[, "death"])
        gap <- abs(fit$scales - med)
        t_best <- which(gap == min(gap))[1L]
    }
    na <- rep(NA_real_, n_t)
    scores <- data.frame(t = seq_len(n_t), scale = fit$scales,
                         components = scale_components(fit), n_clusters = NA_integer_,
                         stability = na, silhouette = na, selected = seq_len(n_t) == t_best)
    structure(list(t = t_best, scale = fit$scales[t_best], criterion = criterion,
                   scores = scores, settings = settings),
              class = "pnmf_selection")
}

#' @export
print.pnmf_selection <- function(x, ...) {
    s <- x$scores[x$t, ]
    cat(sprintf("Selected scale t = %d of %d (scale %.6g) by %s\n", x$t, nrow(x$scores),
                x$scale, x$criterion))
    if (!is.na(s$components))
        cat(sprintf("  %d connected components at this scale (%d at the finest)\n",
                    s$components, x$scores$components[1L]))
    if (!is.na(s$n_clusters))
        cat(sprintf("  %d clusters; stability %.3f, silhouette %.3f\n", s$n_clusters,
                    s$stability, s$silhouette))
    invisible(x)
}
