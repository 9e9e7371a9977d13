# Memory plan of a fit: estimated before anything large is allocated.

memory_plan <- function(m, n, k, n_t, n_edges, keep_W, x, complete, joint = FALSE) {
    d <- 8
    # in doubles: k * n * n_t overflows an integer from about 2e9
    m <- as.numeric(m); n <- as.numeric(n); k <- as.numeric(k); n_t <- as.numeric(n_t)
    graph <- c(graph = n_edges * (16 + 24 + 8),      # edge list, index, weights
               filtration_build = if (complete) n_edges * (8 + 16) else n_edges * 24)
    if (is_streamed(x)) return(streamed_memory_plan(m, n, k, n_t, keep_W, graph))
    data <- if (inherits(x, "dgCMatrix")) 12 * length(x@x) + 4 * (n + 1) else d * m * n
    parts <- c(
        data_copy = data,
        factors = d * (m * k * n_t + 2 * k * n * n_t),       # W_t, H_t, W_t'X per scale
        result = if (keep_W) d * (m * k * n_t + k * n * n_t) else d * k * n * n_t,
        graph,
        workspace = d * (3 * m * k + 6 * k * n + 4 * n),
        stacked = if (joint) d * (2 * k * n * n_t + m * k * n_t) else 0)  # fast solver: H, W'X, X H' of all scales
    structure(parts, total = sum(parts), class = "pnmf_memory_plan")
}

# The streamed fit (R/shards.R): one column block of the data (as a dense
# block at most); the factors once: H of all
# scales stacked by cell (k N T), updated in place, beside W, X H' and the
# warm start's one-scale H and W'X; at the end the result H (k x N x T) is
# made from the stacked H (both held then), and from colour_min_cells cells
# the sweeps hold W'X of every cell (k N T, freed before the end) instead.
# The first blocks of the data are kept in memory in the room of the result
# (or of W'X of every cell) until either is made (path_streamed()).
# So the peak is two k N T copies; measured at 20,000 and 50,000 cells
# (RESULTS.md, "Streamed and sharded fits") and from 100,000 cells on
# ("End to end from a 10x HDF5 file"), where the garbage of the block reads
# is collected as it goes (streamed_data()) so that the peak follows this.
streamed_memory_plan <- function(m, n, k, n_t, keep_W, graph) {
    d <- 8
    parts <- c(
        data_copy = d * m * min(n, block_cells(m)),
        factors = d * (k * n * n_t + 4 * m * k * n_t + 6 * k * n),
        result = d * k * n * n_t + if (keep_W) d * m * k * n_t else 0,
        graph,
        workspace = d * (3 * m * k + 4 * n),
        stacked = 0)
    structure(parts, total = sum(parts), class = "pnmf_memory_plan")
}

available_memory <- function() {
    f <- "/proc/meminfo"
    if (!file.exists(f)) return(NA_real_)
    l <- grep("^MemAvailable:", readLines(f, warn = FALSE), value = TRUE)
    if (!length(l)) return(NA_real_)
    as.numeric(gsub("[^0-9]", "", l)) * 1024
}

format_bytes <- function(b) {
    u <- c("B", "KB", "MB", "GB", "TB")
    e <- pmin(pmax(floor(log(pmax(b, 1), 1024)), 0), 4)
    sprintf("%.3g %s", b / 1024^e, u[e + 1])
}

check_memory <- function(plan, max_memory = NULL, call = sys.call(-1L)) {
    limit <- if (is.null(max_memory)) available_memory() else max_memory
    need <- attr(plan, "total")
    if (is.na(limit) || need <= limit) return(invisible(TRUE))
    big <- names(sort(unclass(plan), decreasing = TRUE))[c(1L, 2L)]
    cond <- errorCondition(paste0(
        "this fit needs about ", format_bytes(need), " but ", format_bytes(limit),
        " are available (largest parts: ", paste(big, collapse = ", "), "). ",
        "Try: fewer scales (n_scales, or persistentScales(type = \"spread\")), ",
        "graph = \"knn\" instead of the complete filtration, keep_W = FALSE, ",
        "a smaller k, or sparse input (a dgCMatrix)."),
        class = c("pnmf_memory_error", "pnmf_error"), call = call)
    stop(cond)
}

#' @export
print.pnmf_memory_plan <- function(x, ...) {
    cat("Memory plan:", format_bytes(attr(x, "total")), "\n")
    v <- unclass(x)
    attr(v, "total") <- NULL
    print(vapply(v, format_bytes, ""), quote = FALSE)
    invisible(x)
}
