# Clustering of a scale's embedding, and the paper's metrics over the path.

cluster_embedding <- function(emb, method, n_clusters, k_graph, nstart, seed,
                              call = sys.call(-1L)) {
    if (method == "kmeans") {
        if (is.null(n_clusters))
            pnmf_stop("k-means needs 'n_clusters' (or use method = \"graph\").", call = call)
        if (n_clusters > nrow(unique(emb))) {        # fewer distinct cells: one cluster each
            key <- do.call(paste, as.data.frame(emb))
            return(factor(match(key, key)))
        }
        run <- function(e, algorithm)
            with_seed(seed, stats::kmeans(e, n_clusters, nstart = nstart, iter.max = 100L,
                                          algorithm = algorithm))
        # Hartigan-Wong (R's default) stops on nearly coincident points
        # ("empty cluster"); Lloyd's algorithm on the rescaled embedding does not
        km <- tryCatch(run(emb, "Hartigan-Wong"), error = function(e)
            tryCatch(run(emb / max(abs(emb)), "Lloyd"), error = function(e2) pnmf_stop(
                "k-means failed on this embedding (", conditionMessage(e2),
                "); try method = \"graph\" or fewer clusters.", call = call)))
        return(factor(km$cluster))
    }
    if (!requireNamespace("bluster", quietly = TRUE))
        pnmf_stop("graph-based clustering needs the bluster package ",
                  "(BiocManager::install(\"bluster\")); or use method = \"kmeans\".", call = call)
    k_graph <- min(k_graph, nrow(emb) - 1L)
    with_seed(seed, bluster::clusterRows(emb, bluster::NNGraphParam(k = k_graph,
                                                                    cluster.fun = "louvain")))
}

#' Cluster the cells at one scale
#'
#' Clusters the embedding of one scale (cells x k, as [getEmbedding()]) by
#' k-means (the paper's choice: `nstart` starts) or by graph-based
#' clustering (a shared-nearest-neighbour graph of the embedding with
#' Louvain communities, through the bluster package).  Random starts are
#' drawn from `seed`; the caller's random number stream is left as it was.
#'
#' @inheritParams plotEmbedding
#' @param scale Index of the scale (1 = finest).
#' @param method `"kmeans"` or `"graph"`.
#' @param n_clusters Number of clusters for k-means.
#' @param k_graph Neighbours of the graph for `method = "graph"`.
#' @param nstart Random starts of k-means.
#' @param seed Seed of the random starts.
#' @return A factor of cluster labels, one per cell.
#' @seealso [evaluatePath()], [clusterMetrics()]
#' @examples
#' fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#' cl <- clusterScale(fit, scale = 1, n_clusters = 5)
#' table(cl, circles$labels)
#' @export
clusterScale <- function(object, scale = 1L, method = c("kmeans", "graph"), n_clusters = NULL,
                         k_graph = 10L, nstart = 10L, seed = 1L, name = "PNMF") {
    method <- arg_choice(method, "method")
    fit <- as_fit(object, name)
    t <- check_scale_index(fit, scale)
    if (!is.null(n_clusters)) n_clusters <- check_count(n_clusters, "n_clusters", min = 1L,
                                                         max = fit$dims[["cells"]])
    k_graph <- check_count(k_graph, "k_graph", min = 1L)
    nstart <- check_count(nstart, "nstart", min = 1L)
    seed <- check_count(seed, "seed", min = 0L)
    cluster_embedding(getEmbedding(fit, t), method, n_clusters, k_graph, nstart, seed)
}

# One name given for the labels of a SummarizedExperiment is a colData column.
is_coldata_name <- function(labels, object) {
    is.character(labels) && length(labels) == 1L && !is.na(labels) &&
        methods::is(object, "SummarizedExperiment")
}

check_labels <- function(labels, n, object = NULL, call = sys.call(-1L)) {
    if (is_coldata_name(labels, object)) {
        cd <- SummarizedExperiment::colData(object)
        if (!labels %in% names(cd))
            pnmf_stop("no colData column '", labels, "' (columns: ",
                      paste(names(cd), collapse = ", "), ").", call = call)
        labels <- cd[[labels]]
        if (is.factor(labels)) labels <- droplevels(labels)
    }
    if (!is.atomic(labels) || length(labels) != n)
        pnmf_stop("'labels' must be a vector or factor with one label per cell (", n, ").",
                  call = call)
    if (all(is.na(labels))) pnmf_stop("all 'labels' are NA.", call = call)
    labels
}

#' Evaluate every scale of a fit against known labels
#'
#' Clusters the embedding of every scale (see [clusterScale()]) and compares
#' each clustering with the labels using the paper's metrics
#' ([clusterMetrics()]): ARI, NMI, purity and Hungarian accuracy, and their
#' mean.  With k-means the number of clusters is by default the number of
#' distinct labels, as in the paper.  The best scale by a metric, chosen
#' with the labels, is the paper's "best t"; [selectScale()] chooses a
#' scale without them.
#'
#' @inheritParams clusterScale
#' @param labels Known labels, one per cell (cells with `NA` labels are
#'   clustered but left out of the metrics); for a SingleCellExperiment
#'   also the name of a `colData` column.
#' @param scales Indices of the scales to evaluate (default all).
#' @return A data.frame with one row per scale: `t`, `scale`, `clustering`,
#'   `n_clusters`, `ARI`, `NMI`, `purity`, `accuracy` and `mean` (of the four).
#' @seealso [plotPath()] to plot a metric against the scale.
#' @examples
#' fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#' ev <- evaluatePath(fit, circles$labels)
#' head(ev)
#' ev[which.max(ev$ARI), ]   # the best scale, chosen with the labels
#' @export
evaluatePath <- function(object, labels, method = c("kmeans", "graph"), n_clusters = NULL,
                         scales = NULL, k_graph = 10L, nstart = 10L, seed = 1L,
                         name = "PNMF") {
    method <- arg_choice(method, "method")
    fit <- as_fit(object, name)
    labels <- check_labels(labels, fit$dims[["cells"]], object)
    if (is.null(n_clusters) && method == "kmeans")
        n_clusters <- length(unique(labels[!is.na(labels)]))
    ts <- if (is.null(scales)) seq_along(fit$scales)
          else vapply(scales, function(s) check_scale_index(fit, s), integer(1))
    rows <- lapply(ts, function(t) {
        cl <- clusterScale(fit, t, method, n_clusters, k_graph, nstart, seed)
        m <- clusterMetrics(cl, labels)
        data.frame(t = t, scale = fit$scales[t], clustering = method,
                   n_clusters = nlevels(cl), ARI = m[["ARI"]], NMI = m[["NMI"]],
                   purity = m[["purity"]], accuracy = m[["accuracy"]], mean = mean(m))
    })
    do.call(rbind, rows)
}
