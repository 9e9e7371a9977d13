/* solver.c: the table of the path's solvers, looked up by name.
 *
 * Registering a solver is one line here: X(solver_NAME) for the
 * `const solver solver_NAME` defined in its own file solve_NAME.c. */
#include "solver.h"

#define SOLVERS(X)                                                          \
    X(solver_mu)    /* solve_mu.c: the authors' algorithm (exact mode) */   \
    X(solver_hals)  /* solve_hals.c + solve_joint.c: the fast mode */

#define SOLVER_DECLARE(s) extern const solver s;
#define SOLVER_ENTRY(s) &s,
SOLVERS(SOLVER_DECLARE)

static const solver *const solvers[] = {
    SOLVERS(SOLVER_ENTRY)
    NULL
};

const solver *solver_find(const char *name)
{
    for (int l = 0; solvers[l] != NULL; l++)
        if (strcmp(solvers[l]->name, name) == 0) return solvers[l];
    return NULL;
}
