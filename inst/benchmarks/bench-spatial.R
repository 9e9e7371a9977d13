# Spatial transcriptomics: scales from the tissue (issue 17).  The mouse
# olfactory bulb (Stahl et al. 2016, replicate 8: 262 spots, 15,928 genes,
# 5 annotated layers for 260 spots; shared/data/spatial, from STdeconvolve),
# run from counts as a user would (the one spot with 2 counts removed):
#   scuttle::logNormCounts(), scran::getTopHVGs(scran::modelGeneVar(sce),
#   n = 2000), then on the same genes (unit-norm spots) and the same rank k
#   (selectRank(), chosen by the default pNMF run):
#   pnmf_spatial     runPNMF(sce, subset_row = hvgs, space = c("x", "y")):
#                    scales and graphs from the spot positions, every other
#                    argument at its default (10 scales, lambda = c(0.1, 1, 1),
#                    selectScale())
#   pnmf_spatial_l1  the same with the paper's lambda = c(1, 1, 1)
#   pnmf_spatial_l10 the same with lambda = c(10, 1, 1) (a strong graph term)
#   pnmf_expression  runPNMF(sce, subset_row = hvgs): today's default,
#                    scales from the expression
#   pnmf_expression_l1  the same with lambda = c(1, 1, 1)
#   nmf              method = "nmf" (fitNMF())
#   gnmf_radius      method = "gnmf", space = c("x", "y"), radius = 1.5 (each
#                    spot joined to its array neighbours, diagonals included;
#                    spots are about 1 apart), lambda = 1
# Metrics on the 259 labelled spots: ARI of k-means with 5 clusters (10
# starts, seed 1) and of graph clustering (bluster NNGraphParam, shared
# 10-NN graph, Louvain; clusterScale(method = "graph")) of the embedding
# at the label-free default scale (selectScale()) and at the best scale
# (chosen with the labels, the oracle); Moran's I (moranI(), 6-NN spot
# graph) of each factor, mean over factors, at the default scale, the
# finest and the coarsest, and its largest value along the path (with the
# k-means ARI at that scale).  time_s: the runPNMF() call (the rank by
# selectRank() in the first run only; the others are given its k).
# Writes results/spatial.csv and prints a markdown table.
#   Rscript inst/benchmarks/bench-spatial.R [path to STdeconvolve_mOB.rda]
suppressPackageStartupMessages({
    library(pnmf)
    library(SingleCellExperiment)
})
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args)) args[1L] else file.path(here, "..", "..", "..", "shared", "data",
                                                  "spatial", "STdeconvolve_mOB.rda")
if (!file.exists(path)) path <- "/work/shared/data/spatial/STdeconvolve_mOB.rda"
env <- new.env()
load(path, envir = env)
m <- env$mOB
spots <- colnames(m$counts)
layer <- factor(as.character(m$annot[spots]))
sce <- SingleCellExperiment(list(counts = m$counts),
                            colData = data.frame(x = m$pos[spots, "x"], y = m$pos[spots, "y"],
                                                 layer = layer))
sce <- sce[, colSums(counts(sce)) > 100]     # quality control: one spot has 2 counts
layer <- sce$layer
sce <- scuttle::logNormCounts(sce)
hvgs <- scran::getTopHVGs(scran::modelGeneVar(sce), n = 2000)
pos <- cbind(sce$x, sce$y)
n_layers <- nlevels(layer)

run <- function(...) {
    t0 <- proc.time()[["elapsed"]]
    out <- runPNMF(sce, subset_row = hvgs, verbose = FALSE, ...)
    list(sce = out, time = proc.time()[["elapsed"]] - t0)
}
score <- function(name, r) {
    fit <- getPNMF(r$sce)
    t_def <- attr(reducedDim(r$sce, "PNMF"), "scale_index")
    km <- evaluatePath(fit, layer, "kmeans", n_clusters = n_layers)
    gr <- evaluatePath(fit, layer, "graph")
    mor <- vapply(seq_along(fit$scales), function(t)
        mean(moranI(getEmbedding(fit, t), pos), na.rm = TRUE), numeric(1))
    data.frame(method = name, k = fit$k, scales = length(fit$scales), t_default = t_def,
               km_default = km$ARI[t_def], km_best = max(km$ARI), t_best_km = which.max(km$ARI),
               graph_default = gr$ARI[t_def], graph_best = max(gr$ARI),
               t_best_graph = which.max(gr$ARI), moran_default = mor[t_def],
               moran_finest = mor[1L], moran_coarsest = mor[length(mor)],
               moran_max = max(mor), t_moran_max = which.max(mor),
               km_at_moran_max = km$ARI[which.max(mor)],
               time_s = r$time, machine = machine_line())
}

res <- list()
spatial <- run(space = c("x", "y"))
k <- getPNMF(spatial$sce)$k
res$pnmf_spatial <- score("pnmf_spatial", spatial)
res$pnmf_spatial_l1 <- score("pnmf_spatial_l1", run(space = c("x", "y"), ncomponents = k,
                                                     lambda = c(1, 1, 1)))
res$pnmf_spatial_l10 <- score("pnmf_spatial_l10", run(space = c("x", "y"), ncomponents = k,
                                                       lambda = c(10, 1, 1)))
res$pnmf_expression <- score("pnmf_expression", run(ncomponents = k))
res$pnmf_expression_l1 <- score("pnmf_expression_l1", run(ncomponents = k,
                                                           lambda = c(1, 1, 1)))
res$nmf <- score("nmf", run(ncomponents = k, method = "nmf", scale = 1))
res$gnmf_radius <- score("gnmf_radius", run(ncomponents = k, method = "gnmf", scale = 1,
                                             space = c("x", "y"), radius = 1.5))
tab <- do.call(rbind, res)
rownames(tab) <- NULL
out <- file.path(here, "results", "spatial.csv")
utils::write.csv(tab, out, row.names = FALSE)
cat(machine_line(), "\n", sprintf("load average: %s\n", paste(readLines("/proc/loadavg"))))
num <- vapply(tab, is.double, logical(1))
tab[num & names(tab) != "time_s"] <- lapply(tab[num & names(tab) != "time_s"], round, 3)
tab$time_s <- round(tab$time_s, 2)
cat("| ", paste(names(tab)[-ncol(tab)], collapse = " | "), " |\n", sep = "")
cat("|", strrep("---|", ncol(tab) - 1L), "\n", sep = "")
for (i in seq_len(nrow(tab)))
    cat("| ", paste(unlist(tab[i, -ncol(tab)]), collapse = " | "), " |\n", sep = "")
