# Argument checks: done once, in R, before any C call.  Every failure is a
# classed condition ("pnmf_input_error") that says what was wrong and what to do.

pnmf_stop <- function(..., call = sys.call(-1L)) {
    cond <- errorCondition(paste0(...), class = c("pnmf_input_error", "pnmf_error"),
                           call = call)
    stop(cond)
}

# Warnings for input that is valid but probably not what the user meant
# (raw counts given as log-expression, a transposed matrix, ...): classed, so
# they can be caught or muffled on their own.
pnmf_warn <- function(..., call = sys.call(-1L)) {
    cond <- warningCondition(paste0(...), class = c("pnmf_input_warning", "pnmf_warning"),
                             call = call)
    warning(cond)
}

# A nonnegative, finite, dense double features x cells matrix (a copy: the
# caller's object is never touched).
as_data_matrix <- function(x, arg = "x", min_cells = 1L, call = sys.call(-1L)) {
    if (is.data.frame(x))
        pnmf_stop("'", arg, "' is a data.frame: pass a numeric matrix ",
                  "(features in rows, cells in columns), e.g. as.matrix(", arg, ").",
                  call = call)
    if (inherits(x, "Matrix")) x <- as.matrix(x)
    if (!is.matrix(x) || !(is.numeric(x) || is.logical(x)))
        pnmf_stop("'", arg, "' must be a numeric matrix (features x cells), not ",
                  class(x)[1L], ".", call = call)
    if (is.logical(x))
        pnmf_stop("'", arg, "' is a logical matrix: convert it to numbers first.", call = call)
    if (nrow(x) < 1L || ncol(x) < min_cells)
        pnmf_stop("'", arg, "' has ", nrow(x), " features and ", ncol(x), " cells; ",
                  "at least 1 feature and ", min_cells, " cells are needed.", call = call)
    storage.mode(x) <- "double"
    check_values(x, arg, call)
    x
}

# Non-finite, negative and too large values, found in one pass in C; the
# details of a failure (where the first bad value is) are then worked out in
# R.  'v' is a dense matrix or a dgCMatrix (whose stored values are checked).
check_values <- function(v, arg, call) {
    vals <- if (is.matrix(v)) v else v@x
    s <- .Call(C_value_summary, vals)
    if (s[1L] > 0)
        pnmf_stop("'", arg, "' has ", s[1L], " missing or infinite value(s) (",
                  first_at(v, !is.finite(vals)), "); remove or impute them.", call = call)
    if (s[2L] > 0)
        pnmf_stop("'", arg, "' has ", s[2L], " negative value(s) (min ", signif(s[4L], 4),
                  ", ", first_at(v, !is.na(vals) & vals < 0),
                  "); NMF needs nonnegative data: use counts or log-normalised values.",
                  call = call)
    # squared distances and the objective are sums of squares of the data:
    # they must stay finite in double precision (values up to about 1e150 do)
    if (!is.finite(s[3L]) || s[3L] > 1e280)
        pnmf_stop("'", arg, "' is too large to factorise in double precision (its sum of ",
                  "squares overflows); rescale it, e.g. ", arg, " / max(", arg, ").",
                  call = call)
}

# "first at feature i, cell j" for the first TRUE of 'bad', the values of
# a dense matrix or the stored values of a dgCMatrix (column-major in both).
first_at <- function(v, bad) {
    k <- which(bad)[1L]
    if (is.matrix(v)) {
        i <- (k - 1L) %% nrow(v) + 1L
        j <- (k - 1L) %/% nrow(v) + 1L
    } else {
        i <- v@i[k] + 1L
        j <- findInterval(k - 1L, v@p)    # the column whose entries hold position k
    }
    paste0("first at feature ", i, ", cell ", j)
}

# Like as_data_matrix(), but a sparse Matrix stays sparse (as a dgCMatrix).
as_input_matrix <- function(x, arg = "x", min_cells = 1L, call = sys.call(-1L)) {
    if (!inherits(x, "sparseMatrix")) return(as_data_matrix(x, arg, min_cells, call))
    if (!inherits(x, "dgCMatrix"))
        x <- methods::as(methods::as(methods::as(x, "CsparseMatrix"), "generalMatrix"),
                         "dMatrix")
    if (nrow(x) < 1L || ncol(x) < min_cells)
        pnmf_stop("'", arg, "' has ", nrow(x), " features and ", ncol(x), " cells; ",
                  "at least 1 feature and ", min_cells, " cells are needed.", call = call)
    check_values(x, arg, call)
    x
}

check_count <- function(x, arg, min = 1L, max = .Machine$integer.max, call = sys.call(-1L)) {
    if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < min || x > max)
        pnmf_stop("'", arg, "' must be a whole number",
                  if (max < .Machine$integer.max) paste0(" between ", min, " and ", max)
                  else paste0(" >= ", min), ", not ", deparse1(x), ".", call = call)
    as.integer(x)
}

check_number <- function(x, arg, min = 0, call = sys.call(-1L)) {
    if (!is.numeric(x) || length(x) != 1L || !is.finite(x) || x < min)
        pnmf_stop("'", arg, "' must be one finite number >= ", min, ", not ",
                  deparse1(x), ".", call = call)
    as.double(x)
}

check_flag <- function(x, arg, call = sys.call(-1L)) {
    if (!is.logical(x) || length(x) != 1L || is.na(x))
        pnmf_stop("'", arg, "' must be TRUE or FALSE.", call = call)
    x
}

# NULL (every function's default) is default_threads().
check_threads <- function(threads, call = sys.call(-1L)) {
    if (is.null(threads)) return(default_threads())
    check_count(threads, "threads", min = 1L, call = call)
}

lambda_names <- c("geometric", "smoothness", "anchoring")

check_lambda <- function(lambda, call = sys.call(-1L)) {
    if (!is.numeric(lambda) || length(lambda) != 3L || any(!is.finite(lambda)) || any(lambda < 0))
        pnmf_stop("'lambda' must be 3 finite numbers >= 0: geometric (graph), ",
                  "smoothness (between scales) and anchoring (ridge), e.g. c(1, 1, 1).",
                  call = call)
    nm <- names(lambda)
    if (!is.null(nm) && any(nzchar(nm))) {
        if (!setequal(nm, lambda_names))
            pnmf_stop("names of 'lambda' must be ", paste(lambda_names, collapse = ", "),
                      ".", call = call)
        lambda <- lambda[lambda_names]
    }
    stats::setNames(as.double(lambda), lambda_names)
}

check_scale_values <- function(scales, call = sys.call(-1L)) {
    if (!is.numeric(scales) || length(scales) < 1L || any(!is.finite(scales)) || any(scales < 0))
        pnmf_stop("'scales' must be finite numbers >= 0 (distances), ",
                  "or a persistentScales() result.", call = call)
    if (is.unsorted(scales))
        pnmf_stop("'scales' must be sorted increasingly (finest scale first).", call = call)
    as.double(scales)
}

# match.arg() with a classed error: one of the choices in the caller's
# default for 'name' (or 'choices'), partial matching allowed.
arg_choice <- function(arg, name, choices = NULL, call = sys.call(-1L)) {
    if (is.null(choices)) {
        parent <- sys.parent()
        choices <- eval(formals(sys.function(parent))[[name]], envir = sys.frame(parent))
    }
    if (identical(arg, choices)) return(arg[1L])
    i <- if (is.character(arg) && length(arg) == 1L && !is.na(arg)) pmatch(arg, choices)
         else NA_integer_
    if (is.na(i))
        pnmf_stop("'", name, "' must be one of ", paste0("\"", choices, "\"", collapse = ", "),
                  ", not ", deparse1(arg), ".", call = call)
    choices[i]
}
