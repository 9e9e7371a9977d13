/* parallel.h: the one OpenMP policy of the core.
 *
 * OpenMP is optional: without it OMP() expands to nothing and every loop
 * runs serially as thread 0 of 1.  One serial cut-off: a loop opens a
 * parallel region only when its work, counted in inner-loop operations (a
 * multiply-add, a coordinate of a distance, a weight), exceeds PAR_MIN_WORK;
 * below that, waking the team costs more than it saves.  Results never depend
 * on the number of threads: each output is written by one thread and every
 * sum runs in a fixed order.  No R API inside a parallel region.
 */
#ifndef PNMF_PARALLEL_H
#define PNMF_PARALLEL_H

#ifdef _OPENMP
#include <omp.h>
#define PNMF_PRAGMA(x) _Pragma(#x)
#define OMP(...) PNMF_PRAGMA(omp __VA_ARGS__)
#else
#define OMP(...)
#endif

#define PAR_MIN_WORK 2e5

/* Threads for a loop of that much work: nthreads, or 1 below the cut-off. */
static inline int par_team(int nthreads, double work)
{
    return nthreads > 1 && work > PAR_MIN_WORK ? nthreads : 1;
}

/* Declares `const int name`, the team of a loop of that work, for the
 * num_threads() and if() clauses of OMP() (unused without OpenMP). */
#define PAR_TEAM(name, nthreads, work) \
    const int name = par_team((nthreads), (work)); (void) name

/* Index of the calling thread in its team (0 outside a region). */
static inline int par_thread_num(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Size of the calling thread's team (1 outside a region). */
static inline int par_team_size(void)
{
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

/* Processors available to this process, and the OpenMP thread limit; 1
 * without OpenMP. */
static inline int par_procs(void)
{
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

static inline int par_thread_limit(void)
{
#ifdef _OPENMP
    return omp_get_thread_limit();
#else
    return 1;
#endif
}

#endif
