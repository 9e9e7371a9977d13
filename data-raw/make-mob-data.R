# Builds data/mob.rda, the mouse olfactory bulb Spatial Transcriptomics data
# (Stahl et al., Science 2016, replicate 8) on its 1,500 genes with the most
# counts, with the spot positions and the tissue-layer annotation.
#
# Source: data/mOB.rda of the STdeconvolve R package (GitHub
# JEFworks-Lab/STdeconvolve, commit c79bdaa; also on Bioconductor), GPL-3:
# `mOB$counts` (15,928 genes x 262 spots, UMI counts), `mOB$pos` (spot
# positions in array units) and `mOB$annot` (5 layers for 260 spots).
#
# Run from the package root:  Rscript data-raw/make-mob-data.R [path]
# (path defaults to the project's shared copy of that file).

n_genes <- 1500L

library(Matrix)
args <- commandArgs(TRUE)
path <- if (length(args)) args[1L] else "/work/shared/data/spatial/STdeconvolve_mOB.rda"
env <- new.env()
load(path, envir = env)
m <- env$mOB
counts <- m$counts
spots <- colnames(counts)
stopifnot(setequal(rownames(m$pos), spots), all(names(m$annot) %in% spots))
keep <- sort(order(-rowSums(counts))[seq_len(n_genes)])
sub <- as(counts[keep, ], "CsparseMatrix")
sub <- methods::as(sub, "dgCMatrix")
pos <- m$pos[spots, c("x", "y")]
layer <- factor(sub("^[0-9]+: ", "", as.character(m$annot[spots])),
                levels = sub("^[0-9]+: ", "", levels(m$annot)))
names(layer) <- spots
mob <- list(counts = sub, pos = pos, layer = layer, total = colSums(counts))
cat(sprintf("%d genes x %d spots, %.1f%% of the counts; %d spots labelled\n", nrow(sub),
            ncol(sub), 100 * sum(sub) / sum(counts), sum(!is.na(layer))))
save(mob, file = "data/mob.rda", compress = "xz")
cat("data/mob.rda:", file.size("data/mob.rda"), "bytes\n")
