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
    if (!is.null(seed)) {
        if (exists(".Random.seed", envir = globalenv())) {
            old <- get(".Random.seed", envir = globalenv())
            on.exit(assign(".Random.seed", old, envir = globalenv()))
        } else on.exit(rm(".Random.seed", envir = globalenv()))
        set.seed(seed)
    }
    n <- n_per_circle * n_circles
    theta <- stats::runif(n, 0, 2 * pi)
    lab <- rep(seq_len(n_circles), each = n_per_circle)
    r <- radii[lab]
    plane <- qr.Q(qr(matrix(stats::rnorm(9), 3)))[, 1:2]
    xyz <- plane %*% rbind(r * cos(theta), r * sin(theta))
    xyz <- xyz + matrix(stats::rnorm(3 * n, sd = sd), 3)
    noise <- matrix(abs(stats::rnorm(n_noise * n, mean = 4.5, sd = sd)), nrow = n_noise, ncol = n)
    x <- rbind(xyz - min(xyz) + sd, noise)
    dimnames(x) <- list(paste0("feature", seq_len(nrow(x))), paste0("sample", seq_len(n)))
    list(x = x, labels = factor(lab))
}
