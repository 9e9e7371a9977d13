# Label-free scale choice against the labels: how close does selectScale()
# come to the best scale the paper picks with the true labels?
# Sets (bench-data.R, labelled_set(); skipped when their file is missing):
# Biase, Yan, Goolam, TSCAN, Buettner, Villani DCs batch 1, 600 pbmc3k cells,
# preprocessed as in bench-accuracy.R.  Per set: pnmf(x, k = ceiling(sqrt(N)),
# lambda = c(1, 1, 1)) (default fast mode, 30 scales, 2 threads); then
#   evaluatePath(fit, labels): k-means with as many clusters as labels
#     (10 starts, seed 1) at every scale, ARI -> oracle = best scale;
#   selectScale(fit, criterion, n_clusters = NULL): no labels at all (the
#     number of clusters chosen per scale by silhouette), and with
#     n_clusters = number of labels ("_n": the label count only);
#   t = 1, the finest scale, as the simplest label-free choice.
# Also plain NMF and GNMF (fitNMF(), fitGNMF()) ARI for reference.
# Prints a table and writes results/select.csv.
#   Rscript inst/benchmarks/bench-select.R [--sets a,b,...]
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))
suppressPackageStartupMessages(library(pnmf))

sets <- c("biase", "yan", "goolam", "tscan", "buettner", "villani1", "pbmc600")
if (!is.null(opt_value(args, "--sets"))) sets <- strsplit(opt_value(args, "--sets"), ",")[[1L]]

rows <- list()
for (s in sets) {
    d <- labelled_set(s)
    if (is.null(d)) { message("skipping ", s, ": data not found"); next }
    n <- ncol(d$x)
    k <- ceiling(sqrt(n))
    nl <- length(unique(d$labels))
    fit_s <- elapsed(fit <- pnmf(d$x, k = k, lambda = c(1, 1, 1), threads = 2L))
    ev <- evaluatePath(fit, d$labels)
    sel_s <- elapsed(st <- selectScale(fit, "stability"))
    si <- selectScale(fit, "silhouette")
    st_n <- selectScale(fit, "stability", n_clusters = nl)
    si_n <- selectScale(fit, "silhouette", n_clusters = nl)
    base <- vapply(list(fitNMF(d$x, k, threads = 2L), fitGNMF(d$x, k, threads = 2L)),
                   function(f) clusterMetrics(clusterScale(f, 1, n_clusters = nl), d$labels)[["ARI"]], 0)
    rows[[s]] <- data.frame(
        set = s, cells = n, classes = nl, k = k, T = length(fit$scales),
        fit_s = round(fit_s, 1), select_s = round(sel_s, 1),
        oracle_t = which.max(ev$ARI), ari_oracle = round(max(ev$ARI), 4),
        ari_t1 = round(ev$ARI[1L], 4),
        stability_t = st$t, ari_stability = round(ev$ARI[st$t], 4),
        silhouette_t = si$t, ari_silhouette = round(ev$ARI[si$t], 4),
        stability_n_t = st_n$t, ari_stability_n = round(ev$ARI[st_n$t], 4),
        silhouette_n_t = si_n$t, ari_silhouette_n = round(ev$ARI[si_n$t], 4),
        ari_nmf = round(base[1L], 4), ari_gnmf = round(base[2L], 4))
    print(rows[[s]], row.names = FALSE)
}
res <- do.call(rbind, rows)
options(width = 250)
cat("\n")
print(res, row.names = FALSE)
out <- file.path(here, "results", "select.csv")
write_results(res, out, machine_line())
cat("\nwritten to", out, "\n")
