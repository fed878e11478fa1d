// SPDX-License-Identifier: MIT
/*
 * Record encoding and decoding shared by the shim and the supervisor.
 * Async-signal-safe by construction: only string and memory operations on
 * the caller's buffers.
 */
#include "preload/shim_enc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

SHIM_ASSERT_LAYOUT();

bool shim_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return src && *src;
	if (!src)
		src = "";
	n = strnlen(src, size);
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return true;
	}
	memcpy(dst, src, n + 1);
	return false;
}

bool shim_copy_tail(char *dst, size_t size, const char *src)
{
	size_t n;

	if (!src || size < 8)
		return shim_copy(dst, size, src);
	n = strlen(src);
	if (n < size) {
		memcpy(dst, src, n + 1);
		return false;
	}
	/* "..." and the last size - 4 bytes */
	memcpy(dst, "...", 3);
	memcpy(dst + 3, src + n - (size - 4), size - 4);
	dst[size - 1] = '\0';
	return true;
}

uint32_t shim_pack_argv(char *buf, size_t size, char *const argv[], uint32_t *argc,
			bool *trunc)
{
	size_t o = 0;
	uint32_t n = 0;

	*argc = 0;
	if (!argv || size == 0)
		return 0;
	for (; argv[n]; n++) {
		size_t l;

		if (n == UINT32_MAX - 1)
			break;
		if (o >= size) {
			*trunc = true;
			continue;       /* keep counting */
		}
		l = strnlen(argv[n], size - o);
		if (o + l >= size) {
			/* cut: keep what fits, NUL-terminated */
			memcpy(buf + o, argv[n], size - o - 1);
			buf[size - 1] = '\0';
			o = size;
			*trunc = true;
			continue;
		}
		memcpy(buf + o, argv[n], l + 1);
		o += l + 1;
	}
	*argc = n;
	return (uint32_t)o;
}

int shim_fopen_flags(const char *mode)
{
	int flags;

	if (!mode)
		return O_RDONLY;
	switch (mode[0]) {
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	case 'r':
	default:
		flags = O_RDONLY;
		break;
	}
	/* glibc reads at most 7 modifier characters after the first */
	for (int i = 1; i < 8 && mode[0] && mode[i]; i++) {
		switch (mode[i]) {
		case '+':
			flags = (flags & ~O_ACCMODE) | O_RDWR;
			break;
		case 'x':
			flags |= O_EXCL;
			break;
		case 'e':
			flags |= O_CLOEXEC;
			break;
		default:
			break;
		}
	}
	return flags;
}

bool shim_flags_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) ||
	       (flags & __O_TMPFILE) == __O_TMPFILE;
}

/* Append one component (len bytes) to out, or pop one for "..". */
static bool put_component(char *out, size_t size, size_t *o, const char *c, size_t len)
{
	if (len == 0 || (len == 1 && c[0] == '.'))
		return true;
	if (len == 2 && c[0] == '.' && c[1] == '.') {
		size_t k = *o;

		while (k > 0 && out[k - 1] != '/')
			k--;
		/* k is just past the last '/': drop it too unless it is the root */
		*o = k > 1 ? k - 1 : 1;
		return true;
	}
	if (*o + (*o > 1) + len + 1 > size)
		return false;
	if (*o > 1)
		out[(*o)++] = '/';
	memcpy(out + *o, c, len);
	*o += len;
	return true;
}

static bool put_path(char *out, size_t size, size_t *o, const char *p)
{
	while (*p) {
		const char *end = p;

		while (*end && *end != '/')
			end++;
		if (!put_component(out, size, o, p, (size_t)(end - p)))
			return false;
		p = *end ? end + 1 : end;
	}
	return true;
}

size_t shim_normalize(const char *base, const char *path, char *out, size_t size)
{
	size_t o = 1;

	if (!path || !*path || size < 2)
		return 0;
	out[0] = '/';
	if (path[0] != '/') {
		if (!base || base[0] != '/' || !put_path(out, size, &o, base))
			return 0;
	}
	if (!put_path(out, size, &o, path))
		return 0;
	out[o] = '\0';
	return o;
}

static inline char fold(char c, bool icase)
{
	return icase && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool shim_glob(const char *p, const char *s, bool icase)
{
	const char *star = NULL, *retry = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			retry = s;
		} else if (*p && fold(*p, icase) == fold(*s, icase)) {
			p++;
			s++;
		} else if (star) {
			/* let the last '*' swallow one more byte */
			p = star + 1;
			s = ++retry;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

uint32_t shim_glob_prefix(const char *pat)
{
	uint32_t n = 0;

	while (pat[n] && pat[n] != '*')
		n++;
	return n;
}

static const char *base_name(const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			b = p + 1;
	return b;
}

bool shim_cfg_wants_exec(const struct shim_cfg *cfg, const char *path)
{
	const char *b;
	size_t bl;

	if (!cfg || (cfg->flags & (SHIM_CFG_ASK_ALL | SHIM_CFG_ASK_EXEC)))
		return true;
	if (!path)
		return false;
	b = base_name(path);
	bl = strcspn(b, "/");
	for (uint32_t i = 0; i < cfg->nexec; i++)
		if (strlen(cfg->exec[i]) == bl && memcmp(cfg->exec[i], b, bl) == 0)
			return true;
	return false;
}

bool shim_cfg_wants_host(const struct shim_cfg *cfg, const char *host)
{
	char h[SHIM_HOST_MAX];
	size_t n;

	if (!cfg || (cfg->flags & (SHIM_CFG_ASK_ALL | SHIM_CFG_ASK_HOST)))
		return true;
	if (!host || !*host)
		return false;
	if (shim_copy(h, sizeof(h), host))
		return cfg->nhost > 0;  /* too long to judge: ask */
	n = strlen(h);
	while (n > 0 && h[n - 1] == '.')
		h[--n] = '\0';
	for (uint32_t i = 0; i < cfg->nhost; i++) {
		const char *g = cfg->host[i];

		if (shim_glob(g, h, true))
			return true;
		/* "*.example.com" covers "example.com" too */
		if (g[0] == '*' && g[1] == '.' && shim_glob(g + 2, h, true))
			return true;
	}
	return false;
}

bool shim_cfg_wants_path(const struct shim_cfg *cfg, const char *abspath, uint32_t access)
{
	if (!cfg || (cfg->flags & (SHIM_CFG_ASK_ALL | SHIM_CFG_ASK_PATH)))
		return true;
	if (!abspath)
		return false;
	for (uint32_t i = 0; i < cfg->npath; i++) {
		const struct shim_cfg_path *p = &cfg->path[i];

		if (!(p->access & access))
			continue;
		if (strncmp(abspath, p->glob, p->prefix) != 0)
			continue;
		if (shim_glob(p->glob, abspath, false))
			return true;
	}
	return false;
}

bool shim_cfg_has_paths(const struct shim_cfg *cfg, uint32_t access)
{
	if (!cfg || (cfg->flags & (SHIM_CFG_ASK_ALL | SHIM_CFG_ASK_PATH)))
		return true;
	for (uint32_t i = 0; i < cfg->npath; i++)
		if (cfg->path[i].access & access)
			return true;
	return false;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int shim_cfg_check(const struct shim_cfg *cfg, size_t size, uint64_t token)
{
	if (size != sizeof(*cfg) || cfg->magic != SHIM_CFG_MAGIC ||
	    cfg->version != SHIM_PROTO_VERSION || cfg->size != sizeof(*cfg) ||
	    cfg->token != token)
		return -EINVAL;
	if (cfg->nexec > SHIM_CFG_EXEC_MAX || cfg->nhost > SHIM_CFG_HOST_MAX ||
	    cfg->npath > SHIM_CFG_PATH_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < cfg->nexec; i++)
		if (!terminated(cfg->exec[i], SHIM_CFG_EXEC_LEN))
			return -EINVAL;
	for (uint32_t i = 0; i < cfg->nhost; i++)
		if (!terminated(cfg->host[i], SHIM_CFG_HOST_LEN))
			return -EINVAL;
	for (uint32_t i = 0; i < cfg->npath; i++) {
		const struct shim_cfg_path *p = &cfg->path[i];

		if (!terminated(p->glob, SHIM_CFG_PATH_LEN) || p->prefix != shim_glob_prefix(p->glob))
			return -EINVAL;
	}
	return 0;
}

enum shim_env_state shim_env_preload(char *const envp[], const char *self, size_t self_len)
{
	if (!envp)
		return SHIM_ENV_UNKNOWN;
	for (size_t i = 0; envp[i]; i++) {
		const char *v;

		if (strncmp(envp[i], "LD_PRELOAD=", 11) != 0)
			continue;
		v = envp[i] + 11;
		if (self_len > 0 && strncmp(v, self, self_len) == 0 &&
		    (v[self_len] == '\0' || v[self_len] == ':' || v[self_len] == ' '))
			return SHIM_ENV_OK;
		return SHIM_ENV_OTHER;
	}
	return SHIM_ENV_MISSING;
}

int shim_parse_fd(const char *s)
{
	long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 1 << 20)
			return -1;
	}
	return (int)v;
}

bool shim_parse_token(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	if (!s)
		return false;
	for (; *s; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return false;
		if (n == 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (n != 16)
		return false;
	*out = v;
	return true;
}

#define TERM(field) ((field)[sizeof(field) - 1] = '\0')

static void terminate_payload(struct shim_rec *r)
{
	switch (r->h.kind) {
	case SHIM_EV_HELLO:
		TERM(r->hello.exe);
		TERM(r->hello.missing);
		break;
	case SHIM_EV_EXEC:
		TERM(r->exec.path);
		TERM(r->exec.argv);
		if (r->exec.argv_len > SHIM_ARGV_MAX)
			r->exec.argv_len = SHIM_ARGV_MAX;
		break;
	case SHIM_EV_CONNECT:
		TERM(r->connect.path);
		break;
	case SHIM_EV_DNS:
		TERM(r->dns.host);
		if (r->dns.naddr > SHIM_DNS_ADDRS)
			r->dns.naddr = SHIM_DNS_ADDRS;
		break;
	case SHIM_EV_FILE:
		TERM(r->file.path);
		TERM(r->file.abspath);
		TERM(r->file.path2);
		break;
	case SHIM_EV_MEM:
		TERM(r->mem.name);
		break;
	case SHIM_EV_ENV:
		TERM(r->env.name);
		TERM(r->env.value);
		break;
	default:
		break;
	}
}

int shim_rec_check(struct shim_rec *r, size_t len, uint64_t token)
{
	if (len != sizeof(*r))
		return -EBADMSG;
	if (r->h.magic != SHIM_MAGIC || r->h.version != SHIM_PROTO_VERSION)
		return -EPROTO;
	if (r->h.token != token)
		return -EACCES;
	if (r->h.kind == 0 || r->h.kind >= SHIM_EV_KIND_MAX || r->h.call >= SHIM_CALL_MAX)
		return -EPROTO;
	TERM(r->py.event);
	if (r->py.nframes > SHIM_PYFRAMES)
		r->py.nframes = SHIM_PYFRAMES;
	for (int i = 0; i < SHIM_PYFRAMES; i++) {
		TERM(r->py.f[i].file);
		TERM(r->py.f[i].func);
	}
	if (r->native.nframes > SHIM_NATIVE_FRAMES)
		r->native.nframes = SHIM_NATIVE_FRAMES;
	for (int i = 0; i < SHIM_NATIVE_FRAMES; i++)
		TERM(r->native.frame[i]);
	terminate_payload(r);
	return 0;
}

static const char *const call_names[SHIM_CALL_MAX] = {
	[SHIM_CALL_NONE] = "?",
	[SHIM_CALL_EXECVE] = "execve", [SHIM_CALL_EXECV] = "execv",
	[SHIM_CALL_EXECVP] = "execvp", [SHIM_CALL_EXECVPE] = "execvpe",
	[SHIM_CALL_EXECL] = "execl", [SHIM_CALL_EXECLP] = "execlp",
	[SHIM_CALL_EXECLE] = "execle", [SHIM_CALL_FEXECVE] = "fexecve",
	[SHIM_CALL_EXECVEAT] = "execveat", [SHIM_CALL_POSIX_SPAWN] = "posix_spawn",
	[SHIM_CALL_POSIX_SPAWNP] = "posix_spawnp", [SHIM_CALL_SYSTEM] = "system",
	[SHIM_CALL_POPEN] = "popen",
	[SHIM_CALL_CONNECT] = "connect", [SHIM_CALL_SENDTO] = "sendto",
	[SHIM_CALL_SENDMSG] = "sendmsg",
	[SHIM_CALL_GETADDRINFO] = "getaddrinfo", [SHIM_CALL_GETHOSTBYNAME] = "gethostbyname",
	[SHIM_CALL_GETHOSTBYNAME2] = "gethostbyname2",
	[SHIM_CALL_GETHOSTBYNAME_R] = "gethostbyname_r",
	[SHIM_CALL_GETHOSTBYNAME2_R] = "gethostbyname2_r",
	[SHIM_CALL_GETHOSTBYADDR] = "gethostbyaddr", [SHIM_CALL_GETNAMEINFO] = "getnameinfo",
	[SHIM_CALL_OPEN] = "open", [SHIM_CALL_OPENAT] = "openat", [SHIM_CALL_CREAT] = "creat",
	[SHIM_CALL_FOPEN] = "fopen", [SHIM_CALL_FREOPEN] = "freopen",
	[SHIM_CALL_MKSTEMP] = "mkstemp", [SHIM_CALL_TMPFILE] = "tmpfile",
	[SHIM_CALL_SHM_OPEN] = "shm_open", [SHIM_CALL_SEM_OPEN] = "sem_open",
	[SHIM_CALL_UNLINK] = "unlink", [SHIM_CALL_UNLINKAT] = "unlinkat",
	[SHIM_CALL_RENAME] = "rename", [SHIM_CALL_RENAMEAT] = "renameat",
	[SHIM_CALL_CHMOD] = "chmod", [SHIM_CALL_FCHMODAT] = "fchmodat",
	[SHIM_CALL_DLOPEN] = "dlopen",
	[SHIM_CALL_MEMFD_CREATE] = "memfd_create", [SHIM_CALL_MPROTECT] = "mprotect",
	[SHIM_CALL_PTRACE] = "ptrace",
	[SHIM_CALL_SETENV] = "setenv", [SHIM_CALL_UNSETENV] = "unsetenv",
	[SHIM_CALL_PUTENV] = "putenv", [SHIM_CALL_CLEARENV] = "clearenv",
	[SHIM_CALL_CLOSE] = "close", [SHIM_CALL_CLOSE_RANGE] = "close_range",
	[SHIM_CALL_CLOSEFROM] = "closefrom", [SHIM_CALL_DUP2] = "dup2", [SHIM_CALL_DUP3] = "dup3",
	[SHIM_CALL_CTOR] = "start",
};

static const char *const kind_names[SHIM_EV_KIND_MAX] = {
	[SHIM_EV_HELLO] = "hello", [SHIM_EV_EXEC] = "exec", [SHIM_EV_CONNECT] = "connect",
	[SHIM_EV_DNS] = "dns", [SHIM_EV_FILE] = "file", [SHIM_EV_MEM] = "mem",
	[SHIM_EV_PTRACE] = "ptrace", [SHIM_EV_ENV] = "env", [SHIM_EV_FD] = "fd",
};

const char *shim_call_name(uint32_t call)
{
	return call < SHIM_CALL_MAX && call_names[call] ? call_names[call] : "?";
}

const char *shim_kind_name(uint32_t kind)
{
	return kind < SHIM_EV_KIND_MAX && kind_names[kind] ? kind_names[kind] : "?";
}
