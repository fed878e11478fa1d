// SPDX-License-Identifier: MIT
/*
 * A stand-in supervisor for testing the shim on its own: it makes the
 * channel and the configuration exactly as safe-pip does, runs a command
 * with the shim (SAFE_PIP_PRELOAD), writes one line per record it gets, and
 * answers questions as told, including not at all, to exercise the
 * shim's bounded wait and its failing closed.
 *
 * usage: shimdriver [OPTIONS] -- COMMAND [ARGS...]
 *   --answer allow|deny|none   what to answer questions (default allow)
 *   --errno N                  the errno of a deny (default EACCES)
 *   --timeout MS               the shim's wait for an answer (default 5000)
 *   --host GLOB, --exec NAME, --read GLOB, --write GLOB
 *                              what the configuration asks about
 *   --no-config                give the shim no configuration
 *   --gone                     close the channel before the command asks
 *   --records FILE             where the record lines go (default stderr)
 * Lines: "KIND CALL SUBJECT[ ask]" (SUBJECT: path, host, fd...).
 * Exit status: the command's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload/shim_enc.h"

static struct shim_cfg cfg;
static const char *answer = "allow";
static int deny_errno = EACCES;
static bool no_config, gone;
static FILE *records;
static int held[256], nheld;

static int usage(void)
{
	fprintf(stderr, "usage: shimdriver [OPTIONS] -- COMMAND [ARGS...]\n");
	return 2;
}

static void add_path(const char *glob, uint32_t access)
{
	struct shim_cfg_path *p = &cfg.path[cfg.npath++];

	p->access = access;
	snprintf(p->glob, sizeof(p->glob), "%s", glob);
	p->prefix = shim_glob_prefix(p->glob);
}

static int parse(int argc, char **argv)
{
	int i;

	cfg.ask_timeout_ms = 5000;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-config") || !strcmp(a, "--gone")) {
			*(a[2] == 'n' ? &no_config : &gone) = true;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(a, "--answer"))
			answer = v;
		else if (!strcmp(a, "--errno"))
			deny_errno = atoi(v);
		else if (!strcmp(a, "--timeout"))
			cfg.ask_timeout_ms = (uint32_t)atoi(v);
		else if (!strcmp(a, "--host") && cfg.nhost < SHIM_CFG_HOST_MAX)
			snprintf(cfg.host[cfg.nhost++], SHIM_CFG_HOST_LEN, "%s", v);
		else if (!strcmp(a, "--exec") && cfg.nexec < SHIM_CFG_EXEC_MAX)
			snprintf(cfg.exec[cfg.nexec++], SHIM_CFG_EXEC_LEN, "%s", v);
		else if (!strcmp(a, "--read") && cfg.npath < SHIM_CFG_PATH_MAX)
			add_path(v, SHIM_ACC_READ);
		else if (!strcmp(a, "--write") && cfg.npath < SHIM_CFG_PATH_MAX)
			add_path(v, SHIM_ACC_WRITE);
		else if (!strcmp(a, "--records"))
			records = fopen(v, "w");
		else
			return -1;
	}
	return i + 1 < argc ? i + 1 : -1;
}

static int make_config(void)
{
	int fd = memfd_create("shimdriver", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || write(fd, &cfg, sizeof(cfg)) != (ssize_t)sizeof(cfg) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		return -1;
	return fd;
}

static void print(const struct shim_rec *r, int fd)
{
	const char *subject = "";
	char num[32];

	switch (r->h.kind) {
	case SHIM_EV_EXEC: subject = r->exec.path; break;
	case SHIM_EV_DNS: subject = r->dns.host; break;
	case SHIM_EV_FILE: subject = r->file.abspath[0] ? r->file.abspath : r->file.path; break;
	case SHIM_EV_ENV: subject = r->env.name; break;
	case SHIM_EV_HELLO: subject = r->hello.exe; break;
	case SHIM_EV_FD:
		snprintf(num, sizeof(num), "%d", r->fd.fd);
		subject = num;
		break;
	default: break;
	}
	fprintf(records, "%s %s %s%s\n", shim_kind_name(r->h.kind), shim_call_name(r->h.call),
		subject, fd >= 0 ? " ask" : "");
	fflush(records);
}

static void reply(int fd, const struct shim_rec *r)
{
	struct shim_reply rep = { .magic = SHIM_REPLY_MAGIC, .version = SHIM_PROTO_VERSION,
				  .seq = r->h.seq };

	if (!strcmp(answer, "none")) {
		/* keep it open: the shim must give up on its own */
		if (nheld < (int)(sizeof(held) / sizeof(held[0])))
			held[nheld++] = fd;
		else
			close(fd);
		return;
	}
	rep.verdict = !strcmp(answer, "allow") ? SHIM_ALLOW : SHIM_DENY;
	rep.error = deny_errno;
	(void)send(fd, &rep, sizeof(rep), MSG_NOSIGNAL);
	close(fd);
}

/* Read one message; false when nothing is queued. */
static bool recv_one(int sock, uint64_t token)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct shim_rec r;
	struct iovec iov = { &r, sizeof(r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	int fd = -1;

	if (n <= 0)
		return false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (shim_rec_check(&r, (size_t)n, token) < 0) {
		fprintf(records, "bad record\n");
		if (fd >= 0)
			close(fd);
		return true;
	}
	print(&r, fd);
	if (fd >= 0)
		reply(fd, &r);
	return true;
}

int main(int argc, char **argv)
{
	const char *shim = getenv("SAFE_PIP_PRELOAD");
	int sv[2], cfd = -1, status, cmd;
	uint64_t token = 0x5afe5afe12345678ull;
	char num[32];
	pid_t pid;

	records = stderr;
	cmd = parse(argc, argv);
	if (cmd < 0 || !shim || !records)
		return usage();
	cfg.magic = SHIM_CFG_MAGIC;
	cfg.version = SHIM_PROTO_VERSION;
	cfg.token = token;
	cfg.size = sizeof(cfg);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    (!no_config && (cfd = make_config()) < 0)) {
		perror("shimdriver");
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		if (dup2(sv[1], 1000) < 0 || (cfd >= 0 && dup2(cfd, 999) < 0))
			_exit(127);
		snprintf(num, sizeof(num), "%016llx", (unsigned long long)token);
		setenv(SHIM_ENV_TOKEN, num, 1);
		setenv(SHIM_ENV_FD, "1000", 1);
		if (cfd >= 0)
			setenv(SHIM_ENV_CFG, "999", 1);
		setenv("LD_PRELOAD", shim, 1);
		execvp(argv[cmd], argv + cmd);
		_exit(127);
	}
	close(sv[1]);
	if (gone)
		close(sv[0]);
	while (!gone) {
		struct pollfd p = { .fd = sv[0], .events = POLLIN };

		if (waitpid(pid, &status, WNOHANG) == pid) {
			while (recv_one(sv[0], token))
				;
			goto done;
		}
		if (poll(&p, 1, 50) > 0)
			while (recv_one(sv[0], token))
				;
	}
	if (waitpid(pid, &status, 0) != pid)
		return 2;
done:
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
