/* SPDX-License-Identifier: MIT */
/*
 * The binary payload the evaluation's web server hands to droppers (built
 * at the start of each evaluation).  It stands in for a RAT or miner: it
 * proves it ran by writing $SP_MARK/NAME.ran (NAME is argv[1]) and by
 * sending one line to the loopback sink ($SP_SINK_PORT on 127.0.0.1).
 * Without SP_MARK and SP_TOKEN it does nothing.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void phone_home(const char *port, const char *name, const char *token)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char line[256];
	int fd, n;

	sin.sin_port = htons((unsigned short)atoi(port));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "SP-PAYLOAD-RAN %s %s pid=%d\n", name, token, (int)getpid());
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 && n > 0)
		(void)!write(fd, line, (size_t)n);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *mark = getenv("SP_MARK"), *token = getenv("SP_TOKEN");
	const char *port = getenv("SP_SINK_PORT");
	const char *name = argc > 1 ? argv[1] : "payload";
	char path[4096];
	int fd;

	if (!mark || !token || strchr(name, '/'))
		return 0;
	snprintf(path, sizeof(path), "%s/%s.ran", mark, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dprintf(fd, "payload %s ran, pid %d, argv[0] %s\n", name, (int)getpid(), argv[0]);
		close(fd);
	}
	if (port)
		phone_home(port, name, token);
	return 0;
}
