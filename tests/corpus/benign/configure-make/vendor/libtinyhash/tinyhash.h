#ifndef TINYHASH_H
#define TINYHASH_H
#include <stddef.h>
#include <stdint.h>
uint64_t tinyhash_fnv1a(const void *data, size_t len);
#endif
