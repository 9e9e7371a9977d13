#' Four noisy concentric circles (the pNMF paper's simulation)
#'
#' The synthetic data of the pNMF paper: 80 samples on four concentric
#' circles in 3-D (20 per circle) with noise, plus 97 noise features, stored
#' features x samples as pnmf expects.  The paper fits it with k = 2,
#' `lambda = c(100, 100, 1)` and no preprocessing; `tests/testthat` checks
#' pnmf against the authors' published results on it.
#'
#' @format A list with
#' \describe{
#'   \item{x}{numeric matrix, 100 features x 80 samples;}
#'   \item{labels}{factor, the circle of each sample (4 levels, 20 each).}
#' }
#' @source `datasets/Simulation/3D_concentric_circles.mat` of the authors'
#'   repository (GitHub LiminLi-xjtu/pNMF, no license stated; simulated
#'   numbers), as distributed with this project's shared test data
#'   (`circles3d/X.csv`, transposed).  Reference: J. Zhang, R. Miao, L. Li,
#'   Persistent Nonnegative Matrix Factorization via Multi-Scale Graph
#'   Regularization, arXiv:2602.22536 (2026).
#' @examples
#' data(circles)
#' dim(circles$x)
#' table(circles$labels)
"circles"

#' Simulate noisy concentric circles
#'
#' Points on `n_circles` concentric circles in a random plane of 3-D space,
#' shifted to be nonnegative, with Gaussian noise, plus `n_noise` features of
#' pure noise: a small test problem with a known multi-scale structure, in the
#' spirit of the paper's simulation (which is shipped as [circles]).
#'
#' @param n_per_circle Points per circle.
#' @param n_circles Number of circles.
#' @param n_noise Number of extra noise features.
#' @param radii Radii of the circles (length `n_circles`).
#' @param sd Noise standard deviation.
#' @param seed Optional random seed (the global RNG state is restored).
#' @return A list with `x` (features x samples, nonnegative) and `labels`.
#' @examples
#' sim <- simulateCircles(n_per_circle = 10, seed = 1)
#' dim(sim$x)
#' @export
simulateCircles <- function(n_per_circle = 20L, n_circles = 4L, n_noise = 97L,
                            radii = 5 * seq_len(n_circles), sd = 1, seed = NULL) {
    n_per_circle <- check_count(n_per_circle, "n_per_circle")
    n_circles <- check_count(n_circles, "n_circles")
    n_noise <- check_count(n_noise, "n_noise", min = 0L)
    if (!is.numeric(radii) || length(radii) != n_circles || any(!is.finite(radii)) || any(radii < 0))
        pnmf_stop("'radii' must be ", n_circles, " finite numbers >= 0.")
    sd <- check_number(sd, "sd")
    if (!is.null(seed))
        return(with_seed(seed, simulateCircles(n_per_circle, n_circles, n_noise, radii, sd)))
    n <- n_per_circle * n_circles
    theta <- stats::runif(n, 0, 2 * pi)
    lab <- rep(seq_len(n_circles), each = n_per_circle)
    r <- radii[lab]
    plane <- qr.Q(qr(matrix(stats::rnorm(9), 3)))[, c(1L, 2L)]
    xyz <- plane %*% rbind(r * cos(theta), r * sin(theta))
    xyz <- xyz + matrix(stats::rnorm(3 * n, sd = sd), 3)
    noise <- matrix(abs(stats::rnorm(n_noise * n, mean = 4.5, sd = sd)), nrow = n_noise, ncol = n)
    x <- rbind(xyz - min(xyz) + sd, noise)
    dimnames(x) <- list(paste0("feature", seq_len(nrow(x))), paste0("sample", seq_len(n)))
    list(x = x, labels = factor(lab))
}

#' Human dendritic cells (Villani et al. 2017), batch 1
#'
#' A small real single-cell data set for examples and the Bioconductor
#' vignette: 288 blood dendritic cells of three types (CD141+ DCs,
#' CD1C-/CD141- "double negative" cells and plasmacytoid DCs, 96 each) from
#' the Smart-seq2 study of Villani et al., on 859 highly variable genes, as
#' log1p(TPM).  The pNMF paper uses a 4-type version of this batch.
#'
#' @format A list with
#' \describe{
#'   \item{logtpm}{numeric matrix, 859 genes x 288 cells, `log1p(TPM)`
#'     rounded to 3 decimals (genes and cells named);}
#'   \item{cell_type}{factor, the sorted cell type of each cell
#'     (`CD141`, `DoubleNeg`, `pDC`).}
#' }
#' @source `HumanDC$exp[[1]]` and `HumanDC$metadata[[1]]$cell_type` of
#'   `data/HumanDC.rda` in the SCIBER package (GitHub RavenGan/SCIBER,
#'   commit 372e411; also on CRAN), MIT license, which prepared it from
#'   Villani et al., Science 356:eaah4573 (2017), GEO GSE94820.  Only the
#'   rounding was changed here.
#' @examples
#' dim(villani$logtpm)
#' table(villani$cell_type)
"villani"

#' PBMC 3k raw counts (10x Genomics), a labelled subset
#'
#' A small real data set of raw UMI counts for the vignette "pnmf from raw
#' counts: PBMCs" and for tests: 999 peripheral blood mononuclear cells of
#' the 10x Genomics PBMC 3k data set on 3,001 genes, with the nine cell
#' types of the Seurat guided clustering tutorial.  The cells were drawn
#' with a fixed seed from each cell type in proportion (about 37% of every
#' type, at least 5 cells), including 23 of the 62 unannotated cells, which
#' are those the tutorial's quality control removed (label `NA`).  The genes
#' are the 3,000 with the most counts in the drawn cells plus all
#' mitochondrial (`MT-`) genes (13; 12 of them are among the 3,000).
#'
#' @format A list with
#' \describe{
#'   \item{counts}{a sparse `dgCMatrix` (Matrix package), 3,001 genes x
#'     999 cells, of whole-number UMI counts; rows named by gene symbol,
#'     columns by 10x barcode;}
#'   \item{cell_type}{factor, the Seurat-tutorial cell type of each cell
#'     (`Naive CD4 T`, `Memory CD4 T`, `CD14+ Mono`, `B`, `CD8 T`,
#'     `FCGR3A+ Mono`, `NK`, `DC`, `Platelet`), `NA` for the 23 cells the
#'     tutorial removed by quality control.}
#' }
#' @source `data/pbmc3k.RData` of the singlet R package (GitHub
#'   zdebruine/singlet, commit 7ce199e), GPL (>= 2), a copy of the 10x
#'   Genomics "3k PBMCs from a healthy donor" counts (13,714 genes x 2,700
#'   cells) with the cell types of the Seurat tutorial
#'   (<https://satijalab.org/seurat/articles/pbmc3k_tutorial.html>).  The
#'   subset is made by `data-raw/make-pbmc-data.R` in the package's source
#'   repository; the counts themselves are unchanged.
#' @examples
#' dim(pbmc3k_small$counts)
#' table(pbmc3k_small$cell_type, useNA = "ifany")
"pbmc3k_small"

#' Mouse olfactory bulb, Spatial Transcriptomics (Stahl et al. 2016)
#'
#' A small real spatial transcriptomics data set for the vignette "Spatial
#' transcriptomics: scales from the tissue" and for tests: 262 spots of a
#' section of the mouse olfactory bulb (Spatial Transcriptomics, replicate
#' 8 of Stahl et al.), with UMI counts of the 1,500 genes with the most
#' counts (56% of all counts), the positions of the spots on the array and
#' the tissue layer of 260 of them.  The layers are concentric bands: each
#' layer's spots are near each other and have their own expression programs.
#'
#' @format A list with
#' \describe{
#'   \item{counts}{a sparse `dgCMatrix`, 1,500 genes x 262 spots, of
#'     whole-number UMI counts; rows named by gene symbol, columns by spot
#'     barcode;}
#'   \item{pos}{data.frame of the spot positions `x`, `y` (array units,
#'     about 8 to 28; neighbouring spots are about 1 apart), one row per
#'     spot in the order of the columns of `counts`;}
#'   \item{layer}{factor, the annotated tissue layer of each spot (`Granular
#'     Cell Layer`, `Mitral Cell Layer`, `Outer Plexiform Layer`,
#'     `Glomerular Layer`, `Olfactory Nerve Layer`), `NA` for 2 spots;}
#'   \item{total}{total counts of each spot over all 15,928 genes of the
#'     original data (for library sizes, e.g. `scuttle::logNormCounts(sce,
#'     size.factors = total / mean(total))`).}
#' }
#' @source `data/mOB.rda` of the STdeconvolve R package (GitHub
#'   JEFworks-Lab/STdeconvolve, commit c79bdaa; also on Bioconductor),
#'   GPL-3, from Stahl et al., Visualization and analysis of gene expression
#'   in tissue sections by spatial transcriptomics, Science 353:78-82
#'   (2016).  The subset of genes is made by `data-raw/make-mob-data.R` in
#'   the package's source repository; the counts, positions and layers are
#'   unchanged (the layer names lose their leading number).  The data keep
#'   their GPL-3 license, which pnmf's GPL (>= 2) allows.
#' @examples
#' dim(mob$counts)
#' table(mob$layer, useNA = "ifany")
#' plot(mob$pos, col = mob$layer, pch = 19, asp = 1)
"mob"
