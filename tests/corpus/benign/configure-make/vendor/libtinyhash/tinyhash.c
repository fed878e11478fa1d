#include "config.h"
#include "tinyhash.h"

uint64_t tinyhash_fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ull;

	while (len--) {
		h ^= *p++;
		h *= 1099511628211ull;
	}
	return h;
}
