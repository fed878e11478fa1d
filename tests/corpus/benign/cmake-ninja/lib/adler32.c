/* Adler-32 (RFC 1950). */
#include <stddef.h>
#include <stdint.h>

uint32_t adler32lib_sum(const unsigned char *p, size_t n)
{
	uint32_t a = 1, b = 0;

	for (size_t i = 0; i < n; i++) {
		a = (a + p[i]) % 65521u;
		b = (b + a) % 65521u;
	}
	return (b << 16) | a;
}
