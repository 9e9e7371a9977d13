# The default answer, run as a user would, against the references a user
# would otherwise take.  For every labelled set of <shared>/data/scrna:
#   counts (or what the set stores) -> scuttle::logNormCounts ->
#   scran::getTopHVGs(scran::modelGeneVar(sce), n = 2000) ->
#   runPNMF(sce, subset_row = hvgs) with every other argument at its default
# (rank by parallel analysis, scale chosen without labels), timed as a whole.
# References on the same genes: PCA (scater::runPCA defaults, 50 components),
# plain NMF and GNMF (fitNMF(), fitGNMF()) at the rank runPNMF chose, on the
# same unit-norm matrix, and RcppML::nmf (seed 1, its defaults otherwise;
# "rcppml" columns, when installed); and pNMF's best scale chosen WITH the labels (the
# paper's oracle).  Each embedding is clustered two ways: k-means with the
# true number of classes (10 starts, seed 1), and graph-based clustering as
# users do: bluster::clusterRows() with its default NNGraphParam() (shared
# 10-nearest-neighbour graph, Walktrap; "gr" columns, what the defaults were
# chosen with) and with Louvain communities ("lv" columns).
# Prints the table and writes results/default.csv.
#   Rscript inst/benchmarks/bench-default.R [--sets a,b,...] [--threads N]
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))
suppressPackageStartupMessages({
    library(pnmf)
    library(SingleCellExperiment)
})
for (p in c("scuttle", "scran", "scater", "bluster"))
    if (!requireNamespace(p, quietly = TRUE)) stop("bench-default.R needs ", p)

sets <- c("biase", "yan", "goolam", "tscan", "buettner", "villani1", "villani2", "pbmc3k")
if (!is.null(opt_value(args, "--sets"))) sets <- strsplit(opt_value(args, "--sets"), ",")[[1L]]
threads <- as.integer(opt_value(args, "--threads", "2"))

both <- function(emb, labels) c(km = kmeans_ari(emb, labels), graph = graph_ari(emb, labels),
                                louvain = graph_ari(emb, labels, "louvain"))

rows <- list()
for (s in sets) {
    d <- user_set(s)
    if (is.null(d)) { message("skipping ", s, ": data not found"); next }
    sce <- d$sce
    labels <- sce$label
    hvgs <- scran::getTopHVGs(scran::modelGeneVar(sce), n = 2000)
    nl <- length(unique(labels))
    t_pnmf <- elapsed(sce <- runPNMF(sce, subset_row = hvgs, threads = threads,
                                     verbose = FALSE))
    fit <- getPNMF(sce)
    k <- fit$k
    x <- pnmf::preprocessCounts(as.matrix(logcounts(sce)[hvgs, ]), log = FALSE)
    t_nmf <- elapsed(nmf <- fitNMF(x, k, threads = threads))
    gnmf <- fitGNMF(x, k, threads = threads)
    rml <- if (requireNamespace("RcppML", quietly = TRUE)) {
        m <- RcppML::nmf(x, k, seed = 1, verbose = FALSE)
        t(m$h * m$d)                          # cells x k, scaled as W diag(d) H
    }
    pca <- SingleCellExperiment::reducedDim(scater::runPCA(sce, subset_row = hvgs), "PCA")
    path_km <- vapply(seq_along(fit$scales), function(t)
        kmeans_ari(getEmbedding(fit, t), labels), 0)
    path_gr <- vapply(seq_along(fit$scales), function(t)
        graph_ari(getEmbedding(fit, t), labels), 0)
    path_lv <- vapply(seq_along(fit$scales), function(t)
        graph_ari(getEmbedding(fit, t), labels, "louvain"), 0)
    emb <- as.matrix(reducedDim(sce, "PNMF"))
    r <- rbind(default = both(emb, labels), nmf = both(getEmbedding(nmf), labels),
               gnmf = both(getEmbedding(gnmf), labels), pca = both(pca, labels),
               rcppml = if (is.null(rml)) NA else both(rml, labels))
    rows[[s]] <- data.frame(
        set = s, cells = ncol(sce), classes = nl, k = k, T = length(fit$scales),
        t = attr(reducedDim(sce, "PNMF"), "scale_index"),
        km_default = r["default", "km"], km_best = max(path_km), km_best_t = which.max(path_km),
        km_nmf = r["nmf", "km"], km_gnmf = r["gnmf", "km"], km_pca = r["pca", "km"],
        km_rcppml = r["rcppml", "km"],
        gr_default = r["default", "graph"], gr_best = max(path_gr),
        gr_nmf = r["nmf", "graph"], gr_gnmf = r["gnmf", "graph"], gr_pca = r["pca", "graph"],
        gr_rcppml = r["rcppml", "graph"],
        lv_default = r["default", "louvain"], lv_best = max(path_lv),
        lv_nmf = r["nmf", "louvain"], lv_gnmf = r["gnmf", "louvain"], lv_pca = r["pca", "louvain"],
        time_pnmf = t_pnmf, time_nmf = t_nmf, ratio = t_pnmf / t_nmf)
    print(rows[[s]], row.names = FALSE, digits = 3)
}
res <- do.call(rbind, rows)
num <- vapply(res, is.double, TRUE)
res[num] <- lapply(res[num], round, 3)
options(width = 250)
cat("\n")
print(res, row.names = FALSE)
cat("\nmeans:\n")
print(round(colMeans(res[grep("^km_|^gr_|^lv_|ratio", names(res))]), 3))
out <- file.path(here, "results", "default.csv")
write_results(res, out, machine_line())
cat("\nwritten to", out, "\n")
