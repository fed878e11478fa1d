#ifndef SKETCH_H
#define SKETCH_H
#include <math.h>
static inline double sketch_log2(double x) { return log2(x); }
#endif
