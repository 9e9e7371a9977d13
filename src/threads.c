/* threads.c: what the machine offers (for default_threads() in R) and the
 * OpenBLAS thread count.  OpenBLAS is looked up at run time (dlsym), so pnmf
 * needs no link to it: with another BLAS, or on Windows, nothing is changed. */
#include "entries.h"
#include "parallel.h"
#include <string.h>
#ifndef _WIN32
#include <dlfcn.h>
#endif

/* c(processors available to this process, OpenMP thread limit); 1, 1
 * without OpenMP (the loops then run serially anyway). */
SEXP C_thread_info(void)
{
    SEXP out = PROTECT(allocVector(INTSXP, 2));
    INTEGER(out)[0] = par_procs();
    INTEGER(out)[1] = par_thread_limit();
    UNPROTECT(1);
    return out;
}

/* Sets OpenBLAS' threads to n (when n >= 1) and returns the previous count;
 * -1 when R's BLAS is not OpenBLAS. */
SEXP C_blas_threads(SEXP n)
{
    int old = -1;
#ifndef _WIN32
    /* dlsym returns an object pointer; ISO C has no cast to a function
     * pointer, so the bits are copied (POSIX guarantees they match) */
    int (*get)(void) = NULL;
    void (*set)(int) = NULL;
    void *pget = dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
    void *pset = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    memcpy(&get, &pget, sizeof get);
    memcpy(&set, &pset, sizeof set);
    if (get != NULL && set != NULL) {
        old = get();
        int t = asInteger(n);
        if (t != NA_INTEGER && t >= 1) set(t);
    }
#endif
    return ScalarInteger(old);
}
