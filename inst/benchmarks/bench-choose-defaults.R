# How the defaults of calculatePNMF()/runPNMF() were chosen: leave one set
# out.  For every labelled set of <shared>/data/scrna, built as a user would
# (bench-data.R user_set(): counts -> scuttle::logNormCounts ->
# scran::getTopHVGs(modelGeneVar, n = 2000); cells unit norm), with the rank
# of selectRank():
#   plain NMF (fitNMF) at that rank, and
#   pnmf(lambda, n_scales = 10) for each candidate lambda, clustered at every
#   scale (k-means with the true number of classes, 10 starts; bluster's
#   default graph clustering, NNGraphParam(): SNN k = 10, Walktrap).
# Candidate rules = lambda x scale rule (t = 1, t = 3, the scale closest to
# the 25% quantile or the median of the death times).  For each set, the
# rule with the largest mean (k-means ARI gain + graph ARI gain over NMF) on
# the OTHER sets is chosen and judged on the held-out set.
# Prints the candidates' means over all sets and the leave-one-set-out
# choices; writes results/choose-defaults.csv (one row per set, rule, scale).
#   Rscript inst/benchmarks/bench-choose-defaults.R [--sets a,b,...]
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))
suppressPackageStartupMessages({
    library(pnmf)
    library(SingleCellExperiment)
})
for (p in c("scuttle", "scran", "bluster"))
    if (!requireNamespace(p, quietly = TRUE)) stop("bench-choose-defaults.R needs ", p)

sets <- c("biase", "yan", "goolam", "tscan", "buettner", "villani1", "villani2", "pbmc3k")
if (!is.null(opt_value(args, "--sets"))) sets <- strsplit(opt_value(args, "--sets"), ",")[[1L]]
lambdas <- list(c(1, 1, 1), c(0.1, 1, 0.01), c(0.1, 0.1, 0.1), c(0.3, 1, 0.1), c(1, 1, 0.01),
                c(0.1, 1, 1), c(0.01, 1, 0.01))

rows <- list()
for (s in sets) {
    d <- user_set(s)
    if (is.null(d)) { message("skipping ", s, ": data not found"); next }
    sce <- d$sce
    hvgs <- scran::getTopHVGs(scran::modelGeneVar(sce), n = 2000)
    x <- as.matrix(logcounts(sce)[hvgs, ])
    keep <- colSums(x) > 0
    x <- pnmf::preprocessCounts(x[, keep], log = FALSE)
    labels <- sce$label[keep]
    k <- selectRank(x)$k
    nmf <- getEmbedding(fitNMF(x, k, threads = 2L))
    base <- c(km = kmeans_ari(nmf, labels), gr = graph_ari(nmf, labels))
    for (l in lambdas) {
        fit <- pnmf(x, k, lambda = l, n_scales = 10L, threads = 2L)
        deaths <- fit$persistence$diagram[, "death"]
        near <- function(q) which.min(abs(fit$scales - stats::quantile(deaths, q, names = FALSE)))
        rule_t <- c(t1 = 1L, t3 = 3L, q25 = near(0.25), median = near(0.5))
        for (r in names(rule_t)) {
            e <- getEmbedding(fit, rule_t[[r]])
            rows[[length(rows) + 1L]] <- data.frame(
                set = s, k = k, lambda = paste(l, collapse = ","), rule = r, t = rule_t[[r]],
                km = kmeans_ari(e, labels), gr = graph_ari(e, labels),
                km_nmf = base[["km"]], gr_nmf = base[["gr"]])
        }
    }
    message(s, " done")
}
res <- do.call(rbind, rows)
res$cand <- paste(res$lambda, res$rule)
res$gain <- ((res$km - res$km_nmf) + (res$gr - res$gr_nmf)) / 2
means <- aggregate(cbind(km - km_nmf, gr - gr_nmf, gain) ~ cand, res, mean)
names(means) <- c("candidate", "km_gain", "gr_gain", "mean_gain")
worst <- aggregate(cbind(km - km_nmf, gr - gr_nmf) ~ cand, res, min)
means$km_worst <- worst[[2L]][match(means$candidate, worst$cand)]
means$gr_worst <- worst[[3L]][match(means$candidate, worst$cand)]
options(width = 200)
cat("\nCandidates over all sets (gains over NMF at the same rank):\n")
print(means[order(-means$mean_gain), ], row.names = FALSE, digits = 3)
cat("\nLeave one set out:\n")
for (s in if (length(unique(res$set)) > 1L) unique(res$set)) {   # needs 2 sets or more
    train <- aggregate(gain ~ cand, res[res$set != s, ], mean)
    best <- train$cand[which.max(train$gain)]
    h <- res[res$set == s & res$cand == best, ]
    cat(sprintf("%-9s chose %-20s (t = %d): k-means %.3f (NMF %.3f), graph %.3f (NMF %.3f)\n",
                s, best, h$t, h$km, h$km_nmf, h$gr, h$gr_nmf))
}
out <- file.path(here, "results", "choose-defaults.csv")
write_results(res, out, machine_line())
cat("\nwritten to", out, "\n")
