/* colour.c: a greedy colouring of the cells' graph, for the parallel H step.
 *
 * Cells of one colour share no edge of the graph at scale eps (a prefix of
 * every row of the edge index): the joint solver's H step, which reads the
 * neighbours of a cell at scales <= eps only, can update all cells of one
 * colour at once, and the result equals a sequential Gauss-Seidel pass in the
 * order returned here.  Greedy in cell order (each cell takes the smallest
 * colour no earlier neighbour has); the order lists the cells colour by
 * colour, increasing within a colour.  Nothing depends on the thread count.
 */
#include "pnmf.h"

/* Fills order (n) and start (ncolours + 1, at most n + 1 entries) and returns
 * the number of colours. */
int graph_colour_order(const graph_index *g, double eps, int *order, int *start)
{
    int n = g->n;
    if (n == 0) { start[0] = 0; return 0; }
    const void *vmax = vmaxget();
    int *colour = (int *) R_alloc((size_t) n, sizeof(int));
    int *mark = (int *) R_alloc((size_t) n + 1, sizeof(int));   /* colour -> last cell */
    int ncol = 0;
    for (int c = 0; c <= n; c++) mark[c] = -1;
    for (int j = 0; j < n; j++) {
        int lo = g->rowptr[j], end = graph_row_end(g, j, lo, eps);
        for (int e = lo; e < end; e++) {
            int nb = g->nbr[e];
            if (nb < j) mark[colour[nb]] = j;
        }
        int c = 0;
        while (mark[c] == j) c++;
        colour[j] = c;
        if (c + 1 > ncol) ncol = c + 1;
    }
    for (int c = 0; c <= ncol; c++) start[c] = 0;
    for (int j = 0; j < n; j++) start[colour[j] + 1]++;
    for (int c = 0; c < ncol; c++) start[c + 1] += start[c];
    for (int c = 0; c < ncol; c++) mark[c] = start[c];
    for (int j = 0; j < n; j++) order[mark[colour[j]]++] = j;
    vmaxset(vmax);
    return ncol;
}
