/* What modules/faulty.c exports (the self-tests look it up by name). */
#ifndef MODULES_FAULTY_H
#define MODULES_FAULTY_H

/* Store a byte into this function's own (read-only) code: always faults. */
void faulty_write_text(void);

#endif /* MODULES_FAULTY_H */
