/*
 * ndisdma-bench: the benchmark program (build/ndisdma-bench). The program
 * itself is bench_main (bench_main.c), shared with `ndisdma bench`.
 */
#include "bench.h"

int main(int argc, char **argv)
{
    return bench_main(argc, argv, "ndisdma-bench");
}
