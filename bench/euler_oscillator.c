/* Forward Euler on the driven damped oscillator m y'' + eta y' + k y = F0 cos(omega x),
 * written by hand as the reference loop for bench/bench_euler.py.
 *
 * usage: euler_oscillator STEPS REPEATS
 * prints: the best time of one run in seconds, then y and y' at the end
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + 1e-9 * now.tv_nsec;
}

int main(int argc, char **argv)
{
    const long steps = argc > 1 ? atol(argv[1]) : 1000000;
    const int repeats = argc > 2 ? atoi(argv[2]) : 5;
    const double m = 1.0, eta = 0.2, k = 1.0, F0 = 1.0, omega = 0.8;
    const double x0 = 0.0, x1 = 20.0, dx = (x1 - x0) / steps;
    double best = INFINITY;
    double *y = NULL, *v = NULL;
    for (int repeat = 0; repeat < repeats; ++repeat) {
        free(y);
        free(v);
        const double start = seconds();
        y = malloc((steps + 1) * sizeof *y);
        v = malloc((steps + 1) * sizeof *v);
        y[0] = 1.0;
        v[0] = 0.0;
        for (long i = 0; i < steps; ++i) {
            const double x = x0 + (double)i * dx;
            const double a = (F0 * cos(omega * x) - eta * v[i] - k * y[i]) / m;
            y[i + 1] = y[i] + dx * v[i];
            v[i + 1] = v[i] + dx * a;
        }
        const double elapsed = seconds() - start;
        if (elapsed < best)
            best = elapsed;
    }
    printf("%.9f\n%.17g\n%.17g\n", best, y[steps], v[steps]);
    free(y);
    free(v);
    return 0;
}
