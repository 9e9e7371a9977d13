# How far are the fast mode's death times (between principal components) from
# the exact ones (full feature space)?  Reported: the median ratio of the
# sorted death times (PCA distances are shorter: the discarded components
# hold variance), the relative error of the sorted death times once that
# common ratio is removed (median and 90% quantile), and the share of minimum
# spanning tree edges (the merges themselves) found in both.  Real cells: pbmc3k (2,000 HVGs) and the
# labelled sets of bench-accuracy.R, preprocessed with preprocessCounts().
#   Rscript inst/benchmarks/bench-deaths.R
# Prints a table and writes results/deaths.csv.
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))
suppressPackageStartupMessages(library(pnmf))

compare <- function(name, x, n_pcs = 50L) {
    t0 <- proc.time()[["elapsed"]]
    full <- persistentScales(x, space = "full", edges = FALSE, threads = 2L)
    t1 <- proc.time()[["elapsed"]]
    pca <- persistentScales(x, space = "pca", n_pcs = n_pcs, edges = FALSE, threads = 2L)
    t2 <- proc.time()[["elapsed"]]
    a <- full$diagram[, "death"]
    b <- pca$diagram[, "death"]
    ratio <- stats::median(b / a)                 # PCA drops variance: shorter
    rel <- abs(b / ratio - a) / pmax(a, .Machine$double.eps)
    # the same MST edges?  (pairs as unordered cell pairs)
    key <- function(p) paste(p[, 1L], p[, 2L])
    shared <- mean(key(pca$pairs) %in% key(full$pairs))
    data.frame(data = name, cells = ncol(x), genes = nrow(x), n_pcs = pca$space == "pca",
               full_s = round(t1 - t0, 2), pca_s = round(t2 - t1, 2),
               ratio_median = round(ratio, 4),
               rel_err_median = signif(stats::median(rel), 3),
               rel_err_q90 = signif(stats::quantile(rel, 0.9), 3),
               shared_mst_edges = round(shared, 3))
}

rows <- list()
p <- pbmc_hvg(2000L)
if (!is.null(p)) rows[["pbmc3k"]] <- compare("pbmc3k (2,000 HVGs)", preprocessCounts(p$counts))
for (nm in c("villani1", "buettner", "yan", "goolam", "biase", "tscan")) {
    s <- tryCatch(labelled_set(nm), error = function(e) NULL)
    if (is.null(s)) next
    rows[[nm]] <- compare(nm, s$x, n_pcs = min(50L, ncol(s$x) - 2L))
}
res <- do.call(rbind, rows)
res$n_pcs <- NULL
cat("Machine:", machine_line(), "\n\n")
print(res, row.names = FALSE)
dir.create(file.path(here, "results"), showWarnings = FALSE)
utils::write.csv(cbind(res, machine = machine_line()), file.path(here, "results", "deaths.csv"),
                 row.names = FALSE)
