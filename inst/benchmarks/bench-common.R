# Shared helpers of the benchmark scripts: run a case in a fresh R process
# (so the peak RSS belongs to that case alone) and collect one-line results.

peak_rss_mb <- function() {
    st <- readLines("/proc/self/status")
    kb <- as.numeric(gsub("[^0-9]", "", grep("^VmHWM", st, value = TRUE)))
    kb / 1024
}

# The BLAS really mapped into this process (an LD_PRELOADed OpenBLAS included;
# sessionInfo() only knows the one R was linked against).
blas_name <- function() {
    pre <- Sys.getenv("LD_PRELOAD")    # a preloaded BLAS wins over R's own
    if (grepl("openblas", pre, ignore.case = TRUE)) return("OpenBLAS")
    if (grepl("blas", pre)) return(basename(normalizePath(strsplit(pre, "[: ]")[[1L]][1L])))
    maps <- readLines("/proc/self/maps")
    if (any(grepl("openblas", maps, ignore.case = TRUE))) return("OpenBLAS")
    if (any(grepl("libmkl", maps))) return("MKL")
    if (any(grepl("libblis", maps))) return("BLIS")
    si <- utils::sessionInfo()
    b <- if (!is.null(si$BLAS)) si$BLAS else ""
    if (nzchar(b)) basename(b) else "unknown"
}

# The machine, R, the BLAS in use (as mapped; then the library R is linked
# to and LAPACK, as R reports them) and the BLAS threads: every table names
# what it ran with.
machine_line <- function() {
    cpu <- grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)
    bt <- Sys.getenv("OPENBLAS_NUM_THREADS")
    blas <- blas_name()
    threads <- if (nzchar(bt)) paste0(bt, " thread", if (bt != "1") "s")
               else if (blas == "OpenBLAS") paste(length(cpu), "threads (OpenBLAS default)")
               else "1 thread"
    sprintf("%s, %d cores, R %s, BLAS %s (%s; library %s), LAPACK %s",
            sub(".*: ", "", cpu[1L]), length(cpu), getRversion(), blas, threads,
            extSoftVersion()[["BLAS"]], La_library())
}

# Run `Rscript <script> --case <name>` in a child process; the child prints
# one line "RESULT <json-ish key=value;...>".
run_case <- function(script, case, extra_env = character()) {
    out <- system2(file.path(R.home("bin"), "Rscript"), c(script, "--case", case),
                   stdout = TRUE, stderr = TRUE, env = extra_env)
    line <- grep("^RESULT ", out, value = TRUE)
    if (!length(line)) {
        cat(out, sep = "\n")
        stop("case ", case, " failed")
    }
    kv <- strsplit(strsplit(sub("^RESULT ", "", line[length(line)]), ";")[[1L]], "=")
    as.data.frame(stats::setNames(lapply(kv, `[`, 2L), vapply(kv, `[`, "", 1L)))
}

emit_result <- function(...) {
    v <- list(...)
    cat("RESULT ", paste(names(v), vapply(v, as.character, ""), sep = "=", collapse = ";"),
        "\n", sep = "")
}

# Counts of a few cell types: negative binomial around type-specific means.
simulate_counts <- function(n_genes, n_cells, n_types = 5L, seed = 1L) {
    set.seed(seed)
    base <- stats::rgamma(n_genes, shape = 0.6, rate = 0.3)
    types <- sample.int(n_types, n_cells, replace = TRUE)
    fold <- matrix(exp(stats::rnorm(n_genes * n_types, sd = 0.8)), n_genes)
    mu <- base * fold[, types] * rep(stats::rlnorm(n_cells, sdlog = 0.3), each = n_genes)
    x <- matrix(stats::rnbinom(n_genes * n_cells, mu = mu, size = 2), n_genes)
    dimnames(x) <- list(paste0("g", seq_len(n_genes)), paste0("c", seq_len(n_cells)))
    list(x = x, types = types)
}

# ||X - W H||_F^2 without forming W H: ||X||^2 - 2 <W'X, H> + <W'W, H H'>.
nmf_loss <- function(x, W, H) {
    sum(x@x^2) - 2 * sum(as.matrix(Matrix::crossprod(W, x)) * H) +
        sum(crossprod(W) * tcrossprod(H))
}

# min over `reps` runs of the elapsed time of fun(); list(time, value of the last run)
timed <- function(fun, reps) {
    tm <- numeric(reps)
    for (r in seq_len(reps)) {
        invisible(gc())
        t0 <- proc.time()[["elapsed"]]
        v <- fun()
        tm[r] <- proc.time()[["elapsed"]] - t0
    }
    list(time = min(tm), value = v)
}
