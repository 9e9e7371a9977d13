# Data and option helpers of bench-fast.R, bench-nmf.R and bench-accuracy.R
# (sourced after bench-common.R).
#
# Data: the real labelled single-cell sets of the shared data directory
# (<shared>/data/scrna, see its README.md).  The shared directory is
# $PNMF_SHARED if set, else ../shared relative to the repository root
# (inst/benchmarks/../../..).  Every loader returns NULL when its file is
# missing, so that the scripts can skip the case.
#
#   resample_cells(counts, n, seed)  n cells drawn with replacement from a
#                                    genes x cells dgCMatrix of counts, each
#                                    binomially thinned (no duplicate cells)
#   pbmc_hvg(n_hvg)                  pbmc3k UMI counts restricted to the n_hvg
#                                    most variable genes, with the labels
#   labelled_set(name)               the small labelled sets of bench-accuracy.R
#
# Options: `--blas openblas|default` (and `--blas-threads N`) decide the
# environment of the child processes, see blas_env().

suppressPackageStartupMessages(library(Matrix))

# ---- where the data are ------------------------------------------------------

shared_dir <- function() {
    env <- Sys.getenv("PNMF_SHARED")
    cand <- if (nzchar(env)) env
            else file.path(dirname(dirname(dirname(normalizePath(here)))), "shared")
    normalizePath(cand, mustWork = FALSE)
}

scrna_file <- function(file) {
    s <- shared_dir()
    for (d in c(file.path(s, "data", "scrna"), file.path(s, "scrna"), s)) {
        f <- file.path(d, file)
        if (file.exists(f)) return(f)
    }
    NULL
}

load_rdata <- function(file, object) {
    f <- scrna_file(file)
    if (is.null(f)) return(NULL)
    e <- new.env()
    load(f, envir = e)
    e[[object]]
}

# ---- pbmc3k -----------------------------------------------------------------

# The 10x PBMC 3k UMI counts (13,714 genes x 2,700 cells) as a dgCMatrix and
# the Seurat-tutorial labels (62 NA).
pbmc3k_counts <- function() {
    p <- load_rdata("singlet_pbmc3k.RData", "pbmc3k")
    if (is.null(p)) return(NULL)
    x <- new("dgCMatrix", i = p$i, p = p$p, Dim = p$Dim, Dimnames = p$Dimnames,
             x = as.numeric(inverse.rle(p$x)))
    list(counts = x, labels = p$cell_type)
}

# Per-gene variance of log1p(counts per 10,000) (sparse: only the non-zeros
# are touched).
log_norm_variance <- function(counts) {
    lib <- Matrix::colSums(counts)
    lib[lib == 0] <- 1
    y <- counts
    y@x <- log1p(y@x / rep.int(lib, diff(y@p)) * 1e4)
    n <- ncol(y)
    m1 <- Matrix::rowMeans(y)
    y@x <- y@x^2
    m2 <- Matrix::rowMeans(y)
    (m2 - m1^2) * n / (n - 1)
}

# pbmc3k counts on its n_hvg most variable genes (variance of log1p
# normalised counts); list(counts = genes x cells dgCMatrix, labels).
pbmc_hvg <- function(n_hvg = 2000L) {
    p <- pbmc3k_counts()
    if (is.null(p)) return(NULL)
    v <- log_norm_variance(p$counts)
    keep <- sort(order(v, decreasing = TRUE)[seq_len(min(n_hvg, length(v)))])
    x <- p$counts[keep, , drop = FALSE]
    list(counts = x, labels = p$labels)
}

# ---- resampling -------------------------------------------------------------

# n cells drawn with replacement from a genes x cells count dgCMatrix; each
# drawn cell is binomially thinned, every count c becoming Binomial(c, p)
# with one p ~ U(p_min, 1) per drawn cell (a new sequencing depth), so that
# cells drawn twice are not duplicates.  A cell thinned to nothing keeps its
# original counts.  Vectorised over all non-zeros: 100,000 cells of 2,000
# genes take a few seconds.  The drawn columns are in attr(, "source").
resample_cells <- function(counts, n, seed = 1L, p_min = 0.7, chunk = 100000L) {
    counts <- methods::as(counts, "CsparseMatrix")
    if (!is.double(counts@x)) counts@x <- as.double(counts@x)
    set.seed(seed)
    src <- sample.int(ncol(counts), n, replace = TRUE)
    prob <- stats::runif(n, p_min, 1)
    # in chunks of cells (the same random stream, so the same cells as in
    # one piece): the per-non-zero vectors of 10^6 cells took over 24 GB
    parts <- lapply(seq(1L, n, by = chunk), function(c0) {
        cells <- c0:min(n, c0 + chunk - 1L)
        nc <- length(cells)
        s <- src[cells]
        len <- diff(counts@p)[s]
        pos <- sequence(len, from = counts@p[s] + 1L)    # non-zeros of the drawn cells
        orig <- counts@x[pos]
        thin <- stats::rbinom(length(pos), size = orig, prob = rep.int(prob[cells], len))
        col <- rep.int(seq_len(nc), len)
        # a cell thinned to nothing keeps its counts
        empty <- which(tabulate(col[thin > 0], nbins = nc) == 0L & len > 0L)
        if (length(empty)) {
            back <- col %in% empty
            thin[back] <- orig[back]
        }
        keep <- thin > 0
        list(i = counts@i[pos][keep], x = as.double(thin[keep]),
             nnz = tabulate(col[keep], nbins = nc))
    })
    x <- new("dgCMatrix", i = unlist(lapply(parts, `[[`, "i")),
             p = c(0L, cumsum(unlist(lapply(parts, `[[`, "nnz")))),
             x = unlist(lapply(parts, `[[`, "x")), Dim = c(nrow(counts), as.integer(n)),
             Dimnames = list(rownames(counts), paste0("r", seq_len(n))))
    attr(x, "source") <- src
    x
}

# ---- small labelled sets (bench-accuracy.R) ---------------------------------

# n_top most variable genes of a genes x cells matrix on a linear scale
# (variance of log1p(x)); genes never expressed are dropped first.
top_variable <- function(x, n_top) {
    x <- x[rowSums(x) > 0, , drop = FALSE]
    if (nrow(x) <= n_top) return(x)
    v <- apply(log1p(x), 1L, stats::var)
    x[sort(order(v, decreasing = TRUE)[seq_len(n_top)]), , drop = FALSE]
}

# One labelled set as stored: list(x = genes x cells, labels) with x on a
# linear scale (counts, TPM, FPKM, RPKM; Villani's log1p(TPM) taken back to
# TPM), except Buettner, stored on a log scale of unknown base (list(log =,
# labels)); NULL if its file is missing.  pbmc3k: the 2,638 annotated cells.
raw_set <- function(name) {
    switch(name,
        villani1 = , villani2 = {
            d <- load_rdata("villani_dc_SCIBER_HumanDC.rda", "HumanDC")
            if (is.null(d)) return(NULL)
            b <- if (name == "villani1") 1L else 2L
            list(x = expm1(d$exp[[b]]), labels = d$metadata[[b]]$cell_type)
        },
        buettner = {
            d <- load_rdata("SIMLR_Test_1_mECS.RData", "Test_1_mECS")
            if (is.null(d)) return(NULL)
            list(log = d$in_X, labels = as.character(d$true_labs[[1L]]))
        },
        yan = {
            f <- scrna_file("SC3_yan.rda")
            if (is.null(f)) return(NULL)
            e <- new.env()
            load(f, envir = e)
            list(x = as.matrix(e$yan), labels = e$ann$cell_type1)
        },
        goolam = {
            d <- load_rdata("scDHA_Goolam.rda", "Goolam")
            if (is.null(d)) return(NULL)
            list(x = d$data, labels = d$label)
        },
        biase = {
            f <- scrna_file(file.path("biase_GSE57249", "GSE57249_fpkm.txt.gz"))
            fm <- scrna_file(file.path("biase_GSE57249", "GSE57249_meta.csv"))
            if (is.null(f) || is.null(fm)) return(NULL)
            x <- utils::read.delim(f, row.names = 1L, check.names = FALSE)
            meta <- utils::read.csv(fm, check.names = FALSE)
            stage <- meta$Developmental_stage[match(colnames(x), meta[["GEO_Accession (exp)"]])]
            keep <- stage %in% c("zygote", "Two-cell Embryo Blastomere",
                                 "Four-cell Embryo Blastomere")
            list(x = as.matrix(x[, keep]), labels = stage[keep])
        },
        tscan = {
            x <- load_rdata("TSCAN_lpsdata.rda", "lpsdata")
            if (is.null(x)) return(NULL)
            list(x = x, labels = sub("_S[0-9]+$", "", colnames(x)))
        },
        pbmc3k = {
            p <- pbmc3k_counts()
            if (is.null(p)) return(NULL)
            ok <- !is.na(p$labels)
            list(x = p$counts[, ok], labels = p$labels[ok])
        },
        stop("unknown set ", name))
}

# One labelled set, preprocessed for pnmf: list(x = genes x cells, labels,
# note = what was done), or NULL if its file is missing.  Unless said
# otherwise: values on a linear scale (counts, TPM, FPKM, RPKM), genes never
# expressed dropped, the n_top most variable genes (variance of log1p) kept,
# then preprocessCounts(): log10(1 + x) and unit-norm cells (the paper's
# preprocessing).
labelled_set <- function(name, n_top = 2000L) {
    prep <- function(x, labels, note, log = TRUE) {
        x <- as.matrix(x)
        storage.mode(x) <- "double"
        x <- top_variable(x, n_top)
        ok <- colSums(x) > 0
        list(x = pnmf::preprocessCounts(x[, ok, drop = FALSE], log = log),
             labels = as.character(labels)[ok], note = note)
    }
    if (name == "pbmc600") {
        p <- pbmc3k_counts()
        if (is.null(p)) return(NULL)
        # 600 labelled cells, drawn per type in proportion (seed 1); HVGs
        # by variance of log1p(counts per 10,000) on these cells
        set.seed(1)
        lab <- as.character(p$labels)
        ok <- which(!is.na(lab))
        pick <- sort(sample(ok, 600L))
        x <- p$counts[, pick]
        v <- log_norm_variance(x)
        x <- x[sort(order(v, decreasing = TRUE)[seq_len(n_top)]), ]
        ok <- Matrix::colSums(x) > 0
        return(list(x = as.matrix(pnmf::preprocessCounts(x[, ok])), labels = lab[pick][ok],
                    note = paste("UMI counts, 600 labelled cells (seed 1), HVG by log CP10k:",
                                 "log10(1+x), unit norm")))
    }
    notes <- c(villani1 = "log1p(TPM) stored: expm1 back to TPM, then log10(1+x), unit norm",
               yan = "RPKM: log10(1+x), unit norm",
               goolam = "read counts: log10(1+x), unit norm",
               biase = "FPKM, zygote/2-cell/4-cell: log10(1+x), unit norm",
               tscan = "expression (linear): log10(1+x), unit norm")
    if (!name %in% c(names(notes), "buettner")) stop("unknown set ", name)
    r <- raw_set(name)
    if (is.null(r)) return(NULL)
    if (name != "buettner") return(prep(r$x, r$labels, notes[[name]]))
    # already log-scale (base not documented): no second log, the top genes
    # by variance of the stored values, unit norm only
    x <- r$log[rowSums(r$log) > 0, , drop = FALSE]
    v <- apply(x, 1L, stats::var)
    x <- x[sort(order(v, decreasing = TRUE)[seq_len(min(n_top, nrow(x)))]), ]
    list(x = pnmf::preprocessCounts(x, log = FALSE), labels = r$labels,
         note = "log-scale stored (base unknown): top variance of stored values, unit norm only")
}

labelled_set_files <- list(
    villani1 = "villani_dc_SCIBER_HumanDC.rda", buettner = "SIMLR_Test_1_mECS.RData",
    yan = "SC3_yan.rda", goolam = "scDHA_Goolam.rda",
    biase = file.path("biase_GSE57249", "GSE57249_fpkm.txt.gz"),
    tscan = "TSCAN_lpsdata.rda", pbmc600 = "singlet_pbmc3k.RData")

has_data <- function(file) !is.null(scrna_file(file))

# ---- evaluation --------------------------------------------------------------

# Adjusted Rand index (Hubert & Arabie) of two labellings.
ari <- function(a, b) {
    tab <- table(a, b)
    c2 <- function(v) sum(v * (v - 1) / 2)
    sij <- c2(tab)
    sa <- c2(rowSums(tab))
    sb <- c2(colSums(tab))
    expected <- sa * sb / c2(length(a))
    (sij - expected) / ((sa + sb) / 2 - expected)
}

# k-means ARI of an embedding (cells x k) with as many clusters as labels,
# 10 starts, set.seed(1) before each call.
kmeans_ari <- function(emb, labels) {
    set.seed(1)
    cl <- stats::kmeans(emb, centers = length(unique(labels)), nstart = 10L,
                        iter.max = 100L)$cluster
    ari(cl, labels)
}

# ARI of bluster's graph clustering of an embedding (shared 10-nearest-
# neighbour graph; bluster's default Walktrap, or fun = "louvain"), seed 1.
graph_ari <- function(emb, labels, fun = "walktrap") {
    set.seed(1)
    cl <- bluster::clusterRows(emb, bluster::NNGraphParam(k = 10, cluster.fun = fun))
    ari(cl, labels)
}

# ---- options, BLAS, timing ---------------------------------------------------

opt_value <- function(args, name, default = NULL) {
    i <- match(name, args)
    if (is.na(i) || i == length(args)) default else args[i + 1L]
}

openblas_lib <- "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"

# Environment of the child processes for `--blas openblas|default`
# (`--blas-threads N`, default 2, sets OPENBLAS_NUM_THREADS).  pnmf calls
# the BLAS outside its own OpenMP regions, so both may use the two cores.
blas_env <- function(args) {
    blas <- opt_value(args, "--blas", "default")
    if (!blas %in% c("openblas", "default")) stop("--blas must be openblas or default")
    if (blas == "default") return(list(name = "default", env = character()))
    if (!file.exists(openblas_lib)) stop("OpenBLAS not found at ", openblas_lib)
    bt <- opt_value(args, "--blas-threads", "2")
    list(name = "openblas",
         env = c(paste0("LD_PRELOAD=", openblas_lib), paste0("OPENBLAS_NUM_THREADS=", bt)))
}

elapsed <- function(expr) {
    t0 <- proc.time()[["elapsed"]]
    force(expr)
    proc.time()[["elapsed"]] - t0
}

# run_case() that does not stop the whole benchmark when one case fails.
try_case <- function(script, case, extra_env = character()) {
    t0 <- proc.time()[["elapsed"]]
    r <- tryCatch(run_case(script, case, extra_env), error = function(e) {
        message("case ", case, " failed: ", conditionMessage(e))
        data.frame(case = case, status = "failed")
    })
    message(sprintf("  %-22s %7.1f s", case, proc.time()[["elapsed"]] - t0))
    r
}

# rbind of data frames whose columns differ (missing ones become NA).
rbind_fill <- function(dfs) {
    cols <- unique(unlist(lapply(dfs, names)))
    do.call(rbind, lapply(dfs, function(d) {
        for (cc in setdiff(cols, names(d))) d[[cc]] <- NA
        d[cols]
    }))
}

# Write the results table; with merge = TRUE (a run of some cases only) the
# rows of other cases already in the file are kept and those of the cases
# run are replaced.
# Run the cases in child processes; prints the machine and BLAS line.
run_cases <- function(script, label, cases, blas) {
    message(label, ", BLAS ", blas$name, ": ", length(cases), " cases")
    res <- rbind_fill(lapply(cases, function(cs) try_case(script, cs, blas$env)))
    cat("Machine:", machine_line(), "; children:", blas$name,
        if (length(blas$env)) paste0("(", paste(blas$env, collapse = " "), ")"), "\n")
    res
}

# Print the table and write results/<stem>-<blas>.csv (merged when a subset ran).
report_results <- function(res, stem, blas, merge) {
    options(width = 250)
    print(res, row.names = FALSE)
    out <- file.path(here, "results", sprintf("%s-%s.csv", stem, blas$name))
    write_results(res, out, machine_line(), merge = merge)
    cat("\nwritten to", out, "\n")
}

write_results <- function(res, out, machine, merge = FALSE) {
    new <- cbind(res, machine = machine)
    if (merge && file.exists(out)) {
        old <- utils::read.csv(out, colClasses = "character", check.names = FALSE)
        all <- rbind_fill(list(old, new))
        first <- match(all$case, all$case)              # keep the file's order
        last <- !duplicated(all$case, fromLast = TRUE)  # and the newest row of a case
        new <- all[last, , drop = FALSE][order(first[last]), , drop = FALSE]
    }
    dir.create(dirname(out), showWarnings = FALSE)
    utils::write.csv(new, out, row.names = FALSE)
    invisible(out)
}

# ---- sets as a user starts from them (bench-default.R) -----------------------

# One labelled set as a SingleCellExperiment with "counts" (linear values:
# UMI or read counts, TPM, FPKM, RPKM; what the set stores) and "logcounts"
# from scuttle::logNormCounts(), features expressed in no cell dropped, and
# the labels in colData(sce)$label; NULL if the file is missing.  Buettner is
# stored on a log scale (base unknown): its values are the logcounts.
user_set <- function(name) {
    r <- raw_set(name)
    if (is.null(r)) return(NULL)
    if (!is.null(r$log)) {
        lc <- r$log[rowSums(r$log > 0) > 0, ]
        dimnames(lc) <- list(paste0("g", seq_len(nrow(lc))), paste0("c", seq_len(ncol(lc))))
        sce <- SingleCellExperiment::SingleCellExperiment(list(logcounts = lc))
    } else {
        counts <- r$x[Matrix::rowSums(r$x > 0) > 0, , drop = FALSE]
        sce <- scuttle::logNormCounts(
            SingleCellExperiment::SingleCellExperiment(list(counts = counts)))
    }
    sce$label <- as.character(r$labels)
    list(sce = sce)
}
