/* threads.c: the OpenBLAS thread count (for default_threads() and the fits
 * in R; what the machine offers is par_procs() of parallel.h), and whether
 * the processor has AVX2 and FMA (for the kernels compiled twice).  OpenBLAS is
 * looked up at run time (dlsym), so pnmf needs no link to it: with another
 * BLAS, or on Windows, nothing is changed. */
#include "pnmf.h"
#include <string.h>
#ifndef _WIN32
#include <dlfcn.h>
#endif

/* Sets OpenBLAS' threads to n (when n >= 1) and returns the previous count;
 * -1 when R's BLAS is not OpenBLAS. */
int blas_threads(int n)
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
        if (n >= 1) set(n);
    }
#endif
    (void) n;
    return old;
}

/* 1 when the processor has AVX2 and FMA (GCC or clang on x86-64: the
 * kernels of spmm.c and emst_ftile.c are compiled for them too), else 0. */
int cpu_avx2_fma(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}
