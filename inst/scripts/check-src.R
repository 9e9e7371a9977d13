#!/usr/bin/env Rscript
# check-src.R: two structural checks of the C core (src/), run from the
# repository root:  Rscript inst/scripts/check-src.R [src-dir]
#  1. no function runs over 80 lines (from its opening to its closing brace
#     at column 0);
#  2. the calls between the files of src/ form no loop: file a depends on
#     file b when a uses a function or object defined (non-static) in b; the
#     dependency graph must be acyclic (the order printed is bottom-up);
#  3. only the boundary files (entries_*.c, init.c) mention SEXP.
# Exit status 1 when a check fails.

args <- commandArgs(trailingOnly = TRUE)
src <- if (length(args)) args[1L] else "src"
files <- sort(list.files(src, pattern = "\\.c$", full.names = TRUE))
strip_comments <- function(txt) {
    one <- paste(txt, collapse = "\n")
    one <- gsub("(?s)/\\*.*?\\*/", " ", one, perl = TRUE)
    one <- gsub("\"(\\\\.|[^\"\\\\])*\"", "\"\"", one, perl = TRUE)
    strsplit(one, "\n", fixed = TRUE)[[1L]]
}
code <- lapply(setNames(files, basename(files)), function(f) strip_comments(readLines(f)))
fail <- FALSE

# 1. function lengths
long <- character()
for (f in names(code)) {
    l <- code[[f]]
    open <- which(l == "{")
    for (o in open) {
        close <- which(l == "}" & seq_along(l) > o)[1L]
        len <- close - o + 1L
        # the signature may span lines: name = first line above '{' with '('
        head <- rev(l[max(1L, o - 4L):(o - 1L)])
        nm <- sub("^.*?([A-Za-z_][A-Za-z0-9_]*)\\(.*$", "\\1",
                  head[grep("(", head, fixed = TRUE)[1L]])
        if (len > 80L) long <- c(long, sprintf("%s:%s %d lines", f, nm, len))
    }
}
if (length(long)) { fail <- TRUE; cat("functions over 80 lines:\n", paste0("  ", long, "\n")) } else
    cat("no function over 80 lines\n")

# 2. file dependency graph
ident_def <- "^(?!static)[A-Za-z_][A-Za-z0-9_ \\*]*?\\b([A-Za-z_][A-Za-z0-9_]*)\\s*(\\(|=|\\[)"
defs <- lapply(code, function(l) {
    top <- l[grepl("^[A-Za-z]", l) & !grepl("^(static|typedef|struct|#)", l)]
    m <- regmatches(top, regexec(ident_def, top, perl = TRUE))
    unique(vapply(Filter(length, m), `[`, "", 2L))
})
owner <- stack(defs)
owner <- setNames(as.character(owner$ind), owner$values)
deps <- lapply(names(code), function(f) {
    ids <- unique(regmatches(code[[f]], gregexpr("[A-Za-z_][A-Za-z0-9_]*", code[[f]])))
    ids <- unique(unlist(ids))
    d <- unique(owner[intersect(ids, names(owner))])
    setdiff(d, f)
})
names(deps) <- names(code)
# Kahn's topological sort
left <- deps
order <- character()
repeat {
    ready <- names(left)[vapply(left, function(d) all(d %in% order), TRUE)]
    if (!length(ready)) break
    order <- c(order, ready)
    left <- left[setdiff(names(left), ready)]
}
if (length(left)) {
    fail <- TRUE
    cat("the calls between files form a loop among:", paste(names(left), collapse = ", "), "\n")
} else cat("no loop in the calls between files; bottom-up order:\n ", paste(order, collapse = " "), "\n")
for (f in names(deps)) if (length(deps[[f]]))
    cat(sprintf("  %-18s -> %s\n", f, paste(sort(deps[[f]]), collapse = " ")))

# 3. SEXP only at the boundary
sx <- names(code)[vapply(code, function(l) any(grepl("\\bSEXP\\b", l)), TRUE)]
bad <- setdiff(sx, c(grep("^entries_", sx, value = TRUE), "init.c"))
if (length(bad)) { fail <- TRUE; cat("kernels that see a SEXP:", bad, "\n") } else
    cat("SEXP only in:", sx, "\n")
if (fail) quit(status = 1L)
