/* solver.c: the table of the path's solvers, looked up by name. */
#include "solver.h"

static const solver *const solvers[] = {
    &solver_mu,
    &solver_hals,
    NULL
};

const solver *solver_find(const char *name)
{
    for (int l = 0; solvers[l] != NULL; l++)
        if (strcmp(solvers[l]->name, name) == 0) return solvers[l];
    return NULL;
}
