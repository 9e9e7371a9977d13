# Column blocks straight from a 10x HDF5 file (issue 15).  A streamed fit
# reads its data many times (twice per warm-start iteration and per sweep),
# so the block read is on its critical path.  DelayedArray's generic
# machinery takes about 2.8 s for a 2,000 x 6,250 block of a 10x sparse
# group; when the matrix is such a group as it stands on disk (or a subset
# of its rows), the block is one contiguous range of its 'data' and
# 'indices' datasets: one read each, about 5 times faster (RESULTS.md).  A
# dense HDF5 dataset gains nothing from this (its time is HDF5's
# decompression) and, like any other DelayedArray (delayed arithmetic,
# transposition...), is read by DelayedArray.

# The columns idx of x as read_block() returns them, or NULL when x is not
# a 10x group (or a row subset of one) or idx is empty or repeats a column.
h5_read_columns <- function(x, idx) {
    src <- h5_source(x)
    if (is.null(src) || src$kind != "tenx" || !length(idx) || anyDuplicated(idx)) NULL
    else h5_tenx_block(src, idx)
}

# The columns idx from the file of h5_source(), as read_block() returns
# them.  A sharded fit's workers call this with the manager's source (its
# seed holds the path; the file is opened only here).
h5_columns <- function(src, idx) {
    x <- DelayedArray::DelayedArray(src$seed)
    if (!is.null(src$rows)) x <- x[src$rows, , drop = FALSE]
    read_block(x, idx)            # a 10x group comes back to h5_read_columns()
}

# Columns idx (distinct, any order) of a 10x group, its row subset applied.
h5_tenx_block <- function(src, idx) {
    ord <- if (is.unsorted(idx, strictly = TRUE)) order(idx)
    b <- h5_tenx_columns(src, if (is.null(ord)) idx else idx[ord])
    if (!is.null(src$rows)) b <- b[src$rows, , drop = FALSE]
    if (!is.null(ord)) b <- b[, order(ord), drop = FALSE]
    b
}

# Where the values of x are on disk: list(kind = "dense" or "tenx", the
# seed, rows = the row subset or NULL); NULL for anything else.
h5_source <- function(x) {
    if (!is_streamed(x) || !requireNamespace("HDF5Array", quietly = TRUE)) return(NULL)
    s <- x@seed
    rows <- NULL
    repeat {                      # peel row subsets and dimnames off the seed
        if (methods::is(s, "DelayedSubset")) {
            if (!is.null(s@index[[2L]])) return(NULL)
            r <- s@index[[1L]]
            if (!is.null(r)) rows <- if (is.null(rows)) r else r[rows]
        } else if (!methods::is(s, "DelayedSetDimnames")) break
        s <- s@seed
    }
    kind <- if (methods::is(s, "HDF5ArraySeed") && length(s@dim) == 2L) "dense"
            else if (methods::is(s, "TENxMatrixSeed") && is.null(s@subdata)) "tenx"
    if (is.null(kind)) return(NULL)
    list(kind = kind, seed = s, rows = rows)
}

# A dense block as a dgCMatrix when less than a quarter of its values are
# non-zero (the sparse products then do fewer flops), else as it is.  A NaN
# counts as a non-zero, so the argument checks still find it.
sparse_if_sparse <- function(b, max_density = 0.25) {
    s <- .Call(C_dense_to_csc, b, max_density)
    if (is.null(s)) b else csc_matrix(s$p, s$i, s$x, nrow(b), ncol(b))
}

# Columns cols (increasing) of a 10x sparse group: each run of consecutive
# columns is one contiguous range of its 'data' and 'indices' datasets,
# all read in one call per dataset.
h5_tenx_columns <- function(src, cols) {
    b <- h5_tenx_csc(src, cols)
    csc_matrix(b$p, plain_vector(b$i), plain_vector(b$x), b$dim[1L],
               b$dim[2L])
}

# The same columns in the C core's form, list(p, i, x, dim) (c_data()), with
# h5mread()'s 1-d arrays as they are (the core ignores the dim): no wrapper
# and no dgCMatrix made per block.
h5_tenx_csc <- function(src, cols) {
    s <- src$seed
    rng <- s@indptr_ranges
    width <- rng$width[cols]
    run <- cumsum(c(TRUE, diff(cols) != 1L))
    first <- cols[!duplicated(run)]
    starts <- rng$start[first]
    counts <- vapply(split(width, run), sum, 0)
    keep <- counts > 0
    read <- function(what, type) {
        if (!any(keep)) return(vector(type))
        v <- HDF5Array::h5mread(s@filepath, paste0(s@group, "/", what),
                                starts = list(starts[keep]), counts = list(counts[keep]))
        if (typeof(v) != type) methods::as(as.vector(v), type) else v
    }
    list(p = c(0L, cumsum(as.integer(width))), i = read("indices", "integer"),
         x = read("data", "double"), dim = c(as.integer(s@dim[1L]), length(cols)))
}

# h5mread()'s 1-d array (of the right type: h5_tenx_csc()) as a plain
# vector: dropping the dim of the shared array makes an ALTREP wrapper,
# which the C core reads in place (data_from_sexp()).
plain_vector <- function(v) {
    dim(v) <- NULL
    v
}

# Columns idx of x in the C core's form (c_data()): from a 10x group
# directly (h5_tenx_csc()) when its columns are read as they stand, else
# through read_block().
read_c_block <- function(x, idx) {
    src <- h5_source(x)
    if (!is.null(src) && src$kind == "tenx" && is.null(src$rows) && length(idx) &&
        !is.unsorted(idx, strictly = TRUE))
        return(h5_tenx_csc(src, idx))
    c_data(read_block(x, idx))
}

# A dgCMatrix from its slots (already valid: no validity check).
csc_matrix <- function(p, i, x, m, n) {
    b <- methods::new("dgCMatrix")
    b@Dim <- c(as.integer(m), as.integer(n))
    b@p <- p
    b@i <- i
    b@x <- x
    b
}
