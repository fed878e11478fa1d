// SPDX-License-Identifier: MIT
/*
 * A statically linked test helper: no dynamic loader, no LD_PRELOAD, no
 * libc wrappers for what matters (raw system calls).
 *
 *   sp_static connect PORT   socket + connect to 127.0.0.1:PORT + write
 *   sp_static compat PORT    the same through the 32-bit entry point (int 0x80)
 *   sp_static write PATH     open PATH for append and write a line
 *
 * Prints what each call returned; exits 0 when everything succeeded.
 * Touches only loopback and the path it is given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int do_connect(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	long fd, r;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	printf("socket=%ld%s%s ", fd, fd < 0 ? " " : "", fd < 0 ? strerror(errno) : "");
	if (fd < 0)
		return 1;
	r = syscall(SYS_connect, fd, &sin, sizeof(sin));
	printf("connect=%ld%s%s ", r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
	if (r < 0)
		return 1;
	r = syscall(SYS_write, fd, "secret=hunter2\n", 15);
	printf("write=%ld\n", r);
	return r == 15 ? 0 : 1;
}

#if defined(__x86_64__)
/* socketcall(2) through int 0x80: the i386 system call table */
static long compat_call(long nr, long a, long b)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
	return r;
}

static int do_compat(int port)
{
	/* the arguments must be below 4 GiB for the 32-bit ABI: a static buffer */
	static unsigned int args[3];
	long r;

	args[0] = AF_INET;
	args[1] = SOCK_STREAM;
	args[2] = 0;
	r = compat_call(102, 1, (long)(unsigned long)args);     /* SYS_SOCKET */
	printf("compat-socket=%ld (port %d)\n", r, port);
	return r >= 0 ? 0 : 1;
}
#else
static int do_compat(int port)
{
	printf("compat: no 32-bit entry point on this architecture\n");
	return 2;
}
#endif

static int do_write(const char *path)
{
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	long r;

	printf("open=%ld%s%s ", fd, fd < 0 ? " " : "", fd < 0 ? strerror(errno) : "");
	if (fd < 0)
		return 1;
	r = syscall(SYS_write, fd, "echo sp_static was here\n", 24);
	printf("write=%ld\n", r);
	return r == 24 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int r = 2;

	if (argc == 3 && strcmp(argv[1], "connect") == 0)
		r = do_connect(atoi(argv[2]));
	else if (argc == 3 && strcmp(argv[1], "compat") == 0)
		r = do_compat(atoi(argv[2]));
	else if (argc == 3 && strcmp(argv[1], "write") == 0)
		r = do_write(argv[2]);
	else
		fprintf(stderr, "usage: sp_static connect PORT | compat PORT | write PATH\n");
	fflush(stdout);
	return r;
}
