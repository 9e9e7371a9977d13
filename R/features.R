# Feature selection for calculatePNMF()/runPNMF(): the genes whose variance
# exceeds what their mean predicts (as scran::modelGeneVar() and
# getTopHVGs() choose them), computed block by block so that a DelayedArray
# is never loaded whole.

# Per-feature mean and variance (divisor n), over blocks of columns for
# anything that is not an in-memory matrix.
row_moments <- function(x) {
    if (is.matrix(x) || inherits(x, "dgCMatrix")) {
        mu <- if (is.matrix(x)) rowMeans(x) else Matrix::rowMeans(x)
        m2 <- if (is.matrix(x)) rowMeans(x^2) else Matrix::rowMeans(x^2)
        return(list(mean = mu, var = pmax(m2 - mu^2, 0)))
    }
    n <- ncol(x)
    step <- max(1L, floor(1e7 / max(1, nrow(x))))
    s1 <- s2 <- numeric(nrow(x))
    for (start in seq(1L, n, by = step)) {
        b <- as.matrix(x[, seq.int(start, min(n, start + step - 1L)), drop = FALSE])
        s1 <- s1 + rowSums(b)
        s2 <- s2 + rowSums(b^2)
    }
    mu <- s1 / n
    list(mean = mu, var = pmax(s2 / n - mu^2, 0))
}

row_variances <- function(x) row_moments(x)$var

# Mean-variance trend of log-expression: a robust local-linear (loess) fit
# of the variance against the mean over the features with mean >= min_mean;
# below that the trend goes linearly to zero at mean zero (as scran's
# fitTrendVar does), above the largest fitted mean it stays flat.
variance_trend <- function(mu, v, min_mean = 0.1, span = 0.3) {
    fit_on <- which(mu >= min_mean & is.finite(mu) & is.finite(v))
    flat <- rep(stats::median(v[is.finite(v)]), length(v))
    if (length(fit_on) < 20L || length(unique(mu[fit_on])) < 5L) return(flat)
    # degenerate means (ties, a few distinct values) make loess fail or warn:
    # then the trend is flat
    fit <- tryCatch(suppressWarnings(
        stats::loess(v ~ mu, data = data.frame(mu = mu[fit_on], v = v[fit_on]),
                     span = span, degree = 1L, family = "symmetric")),
        error = function(e) NULL)
    if (is.null(fit)) return(flat)
    trend <- numeric(length(mu))
    lo <- min(mu[fit_on])
    hi <- max(mu[fit_on])
    at <- pmin(pmax(mu, lo), hi)
    trend[] <- stats::predict(fit, data.frame(mu = at))
    trend[!is.finite(trend)] <- flat[1L]
    low <- mu < lo
    trend[low] <- trend[low] * mu[low] / lo
    pmax(trend, 0)
}

#' Model the variance of features against their mean
#'
#' The default feature selection of [calculatePNMF()] and [runPNMF()]: for
#' log-expression values (such as `scuttle::logNormCounts()` makes), the
#' variance of a gene has a technical part that depends on its mean.  A
#' robust local-linear trend of variance against mean is fitted over the
#' genes with mean at least `min_mean`, and each gene's biological
#' component is its variance minus the trend.  This is the decomposition of
#' `scran::modelGeneVar()` (with a simpler trend), computed block by block so
#' that a DelayedArray / HDF5-backed matrix is read in blocks.
#' `modelFeatureVar()` returns the table; the genes kept by the default
#' `ntop` of [calculatePNMF()] are the `ntop` largest positive `bio` values,
#' as `scran::getTopHVGs()` chooses them.
#'
#' Ribosomal (RPL/RPS), mitochondrial (MT-) and MALAT1 genes are not removed:
#' with raw variance they are among the most variable genes of UMI data and
#' dominate many factors, but their variance is close to the trend, so this
#' selection keeps few of them (on pbmc3k, 2 of the 2,000 genes against 91
#' with raw variance; see `inst/benchmarks/RESULTS.md`).  Remove them
#' yourself (`subset_row`) if your analysis should ignore them.
#'
#' @param x Log-expression, features x cells: a matrix, a sparse `Matrix`
#'   or a DelayedArray.
#' @param min_mean Smallest mean of the genes the trend is fitted to.
#' @param span Span of the loess trend.
#' @return A data.frame, one row per feature (row names the feature names):
#'   `mean`, `total` (variance), `tech` (the trend) and `bio` (`total -
#'   tech`).
#' @seealso [calculatePNMF()]
#' @examples
#' v <- modelFeatureVar(villani$logtpm)
#' head(v[order(v$bio, decreasing = TRUE), ])
#' @export
modelFeatureVar <- function(x, min_mean = 0.1, span = 0.3) {
    if (is.null(dim(x)) || length(dim(x)) != 2L || nrow(x) < 1L || ncol(x) < 2L)
        pnmf_stop("'x' must be a features x cells matrix-like object with at least 2 cells.")
    if (is.data.frame(x)) x <- as.matrix(x)
    if ((is.matrix(x) || is.array(x)) && !is.numeric(x))
        pnmf_stop("'x' must be numeric, not ", typeof(x), " values.")
    min_mean <- check_number(min_mean, "min_mean")
    span <- check_number(span, "span")
    mo <- row_moments(x)
    v <- mo$var * ncol(x) / (ncol(x) - 1)           # unbiased, as scran reports
    tech <- variance_trend(mo$mean, v, min_mean, span)
    data.frame(mean = mo$mean, total = v, tech = tech, bio = v - tech,
               row.names = rownames(x))
}

# Indices of the ntop features with the largest positive biological
# variance (all features with positive bio when fewer; at least 2).
top_features_by_bio <- function(x, ntop) {
    if (ntop >= nrow(x)) return(seq_len(nrow(x)))
    bio <- modelFeatureVar(x)$bio
    bio[is.na(bio)] <- -Inf         # bad values are refused later, with the data check
    o <- order(bio, decreasing = TRUE)
    keep <- o[seq_len(min(ntop, max(2L, sum(bio > 0))))]
    sort(keep)
}
