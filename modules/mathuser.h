/* What modules/mathuser.c exports (the self-tests look it up by name). */
#ifndef MODULES_MATHUSER_H
#define MODULES_MATHUSER_H

/* gcd(@a, @b) * 1000 + isqrt(@a * @b), through mathlib. */
unsigned long mathuser_run(unsigned long a, unsigned long b);

#endif /* MODULES_MATHUSER_H */
