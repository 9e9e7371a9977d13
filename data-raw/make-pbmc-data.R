# Builds data/pbmc3k_small.rda, a small subset of the 10x Genomics PBMC 3k
# UMI counts with the Seurat tutorial's cell-type labels.
#
# Source: data/pbmc3k.RData of the singlet R package (GitHub zdebruine/singlet,
# commit 7ce199e; GPL (>= 2)), a run-length-encoded copy of the 10x PBMC 3k
# counts (13,714 genes x 2,700 cells) with the 9 cell types of the Seurat
# guided clustering tutorial in `cell_type` (NA for the 62 cells that the
# tutorial's quality control removed).
#
# Run from the package root:  Rscript data-raw/make-pbmc-data.R [path]
# (path defaults to the project's shared copy of that file).

n_cells <- 1000L       # cells drawn, per cell type in proportion
n_genes <- 3000L       # genes with the most counts in the drawn cells (plus all MT- genes)
seed <- 20240601L

library(Matrix)
args <- commandArgs(TRUE)
path <- if (length(args)) args[1L] else "/work/shared/data/scrna/singlet_pbmc3k.RData"
env <- new.env()
load(path, envir = env)
p <- env$pbmc3k
counts <- methods::new("dgCMatrix", i = p$i, p = p$p, Dim = p$Dim, Dimnames = p$Dimnames,
                       x = as.numeric(inverse.rle(p$x)))
cell_type <- p$cell_type
stopifnot(ncol(counts) == length(cell_type), all(counts@x == round(counts@x)))

# Cells: a stratified draw, every cell type (and the unannotated cells, the
# ones the tutorial's QC removed) in proportion, at least 5 cells each.
group <- addNA(cell_type)
frac <- n_cells / ncol(counts)
set.seed(seed)
keep <- unlist(lapply(split(seq_along(group), group), function(idx) {
    m <- min(length(idx), max(5L, round(length(idx) * frac)))
    idx[sort(sample.int(length(idx), m))]
}), use.names = FALSE)
keep <- sort(keep)

# Genes: all mitochondrial genes (for the QC) and the n_genes genes with the
# most counts in the drawn cells.
sub <- counts[, keep]
mt <- grep("^MT-", rownames(sub))
tot <- Matrix::rowSums(sub)
top <- order(tot, decreasing = TRUE)[seq_len(n_genes)]
genes <- sort(union(top, mt))
sub <- sub[genes, ]
sub <- Matrix::drop0(sub)

pbmc3k_small <- list(counts = sub, cell_type = droplevels(cell_type[keep]))
# storage as a dgCMatrix of whole numbers; the cell names are the 10x barcodes
stopifnot(methods::is(pbmc3k_small$counts, "dgCMatrix"),
          all(pbmc3k_small$counts@x == round(pbmc3k_small$counts@x)))
print(dim(pbmc3k_small$counts))
print(table(pbmc3k_small$cell_type, useNA = "ifany"))
save(pbmc3k_small, file = "data/pbmc3k_small.rda", compress = "xz", compression_level = 9)
print(file.info("data/pbmc3k_small.rda")$size)
