/* What modules/mathlib.c exports to other modules (modules/mathuser.c). */
#ifndef MODULES_MATHLIB_H
#define MODULES_MATHLIB_H

/* Greatest common divisor of @a and @b (gcd(0, 0) = 0). */
unsigned long mathlib_gcd(unsigned long a, unsigned long b);
/* The largest r with r * r <= @n. */
unsigned long mathlib_isqrt(unsigned long n);
/* Calls answered so far by this module. */
extern unsigned long mathlib_calls;

#endif /* MODULES_MATHLIB_H */
