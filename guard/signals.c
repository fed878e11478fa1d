// SPDX-License-Identifier: MIT
/*
 * Judging single actions by their text.  The lists here are the scorer's
 * knowledge of what droppers write (RESEARCH.md: curl | sh, echo <base64>
 * | base64 -d | sh, exec(base64...), /dev/tcp reverse shells, paste and
 * webhook services) and of what honest builds do instead; each list says
 * why an entry is there when it is not obvious.
 */
#include "guard/signals.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char *sig_base(const char *path)
{
	const char *s;

	if (!path)
		return "";
	s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void set_why(char *why, size_t wlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t wlen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !wlen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/*
 * A program name without a version suffix: "python3.11" -> "python",
 * "perl5.36" -> "perl".  Only digits and dots are cut.
 */
static void stem(const char *name, char *out, size_t len)
{
	size_t n = strnlen(name, len - 1);

	memcpy(out, name, n);
	out[n] = '\0';
	while (n > 0 && (isdigit((unsigned char)out[n - 1]) || out[n - 1] == '.'))
		out[--n] = '\0';
}

/* ------------------------------------------------------------ programs */

static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox" };
static const char *const interpreters[] = { "python", "perl", "ruby", "node", "nodejs", "php", "lua",
					     "pwsh", "powershell" };
static const char *const downloaders[] = { "curl", "wget", "wget2", "aria2c", "axel", "fetch",
					    "lwp-download", "lwp-request", "http", "httpie" };

/* Tokens that, in a shell script, fetch code or talk to the network. */
static const char *const sh_fetch[] = { "curl ", "wget ", "wget2 ", "fetch ", "aria2c ",
					 "lwp-download", "/dev/tcp/", "/dev/udp/", "nc ", "ncat ",
					 "socat ", "telnet " };
/* Tokens that decode hidden code. */
static const char *const sh_decode[] = { "base64 -d", "base64 --decode", "base64 -D", "xxd -r",
					  "openssl enc -d", "openssl base64 -d", "uudecode",
					  "b64decode", "| rev", "printf '\\x", "printf \"\\x",
					  "echo -e '\\x", "echo -e \"\\x" };
/* Pipes into an interpreter. */
static const char *const sh_pipe[] = { "| sh", "|sh", "| bash", "|bash", "| dash", "| zsh",
					"| python", "|python", "| perl", "|perl", "| ruby", "| php",
					"| node", "| /bin/sh", "|/bin/sh", "| /bin/bash", "|/bin/bash",
					"| sudo sh", "| sudo bash", "| source /dev/stdin" };
/* Reverse shells: interactive shells wired to sockets. */
static const char *const sh_revshell[] = { "/dev/tcp/", "/dev/udp/", "nc -e", "ncat -e", "nc -c",
					    "mkfifo", "bash -i", "sh -i", "exec 5<>", "exec 3<>" };

/* Code of interpreters' -c/-e that evaluates, decodes or fetches. */
static const char *const code_tokens[] = {
	"exec(", "eval(", "compile(", "b64decode", "base64", "a85decode", "b85decode", "b32decode",
	"zlib.decompress", "marshal.loads", "codecs.decode", "bytes.fromhex", "urlopen",
	"urllib.request", "requests.get", "requests.post", "http.client", "socket.socket",
	"socket.create_connection", "pty.spawn", "os.dup2", "__import__('base64')",
	"decode_base64", "MIME::Base64", "IO::Socket", "Net::HTTP", "open-uri", "Base64.decode",
	"child_process", "require('http", "require(\"http", "Buffer.from(", "Invoke-Expression",
	"IEX", "DownloadString", "FromBase64String",
};

static const char *find_any(const char *text, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(text, list[i]))
			return list[i];
	return NULL;
}

/* The argument after the first of opts, or NULL. */
static const char *arg_after(const char *const *args, int nargs, const char *const *opts, size_t nopts)
{
	for (int i = 1; i + 1 < nargs; i++)
		if (in_list(args[i], opts, nopts))
			return args[i + 1];
	return NULL;
}

static bool judge_shell_script(const char *script, char *why, size_t wlen)
{
	const char *fetch = find_any(script, sh_fetch, ARRAY_LEN(sh_fetch));
	const char *decode = find_any(script, sh_decode, ARRAY_LEN(sh_decode));
	const char *pipe = find_any(script, sh_pipe, ARRAY_LEN(sh_pipe));
	const char *rev = find_any(script, sh_revshell, ARRAY_LEN(sh_revshell));
	bool url = strstr(script, "http://") || strstr(script, "https://") || strstr(script, "ftp://");

	if (rev && (fetch || strstr(rev, "/dev/") || strstr(rev, " -e") || strstr(rev, "<>") ||
		    strstr(script, ">&"))) {
		set_why(why, wlen, "wires a shell to the network (%s)", rev);
		return true;
	}
	if (pipe && (fetch || url)) {
		set_why(why, wlen, "pipes a download into an interpreter (%s)", pipe);
		return true;
	}
	if (decode) {
		set_why(why, wlen, "decodes hidden data (%s)", decode);
		return true;
	}
	if (pipe && (strstr(script, "echo ") || strstr(script, "printf "))) {
		set_why(why, wlen, "pipes generated text into an interpreter (%s)", pipe);
		return true;
	}
	if (fetch && url) {
		set_why(why, wlen, "downloads with %s", fetch);
		return true;
	}
	/* an interpreter's code inside the script, e.g. sh -c "python3 -c 'exec(...)'" */
	if ((strstr(script, "python") || strstr(script, "perl ") || strstr(script, "node ")) &&
	    (strstr(script, "exec(") || strstr(script, "eval(") || strstr(script, "b64decode"))) {
		set_why(why, wlen, "runs code that evaluates %s", strstr(script, "b64decode") ?
			"decoded data" : "a string");
		return true;
	}
	return false;
}

#define SIG_ARGS_MAX 64

/* Split a NUL-separated argv head into at most SIG_ARGS_MAX strings. */
static int split_args(const char *argv, size_t len, const char **args, char *buf, size_t buflen)
{
	size_t n = len < buflen - 1 ? len : buflen - 1;
	int nargs = 0;

	memcpy(buf, argv, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n && nargs < SIG_ARGS_MAX;) {
		args[nargs++] = buf + i;
		i += strnlen(buf + i, n - i) + 1;
	}
	return nargs;
}

bool sig_downloader(const char *prog)
{
	char name[64];

	stem(sig_base(prog), name, sizeof(name));
	return in_list(name, downloaders, ARRAY_LEN(downloaders)) ||
	       in_list(sig_base(prog), downloaders, ARRAY_LEN(downloaders));
}

bool sig_spawn_fetch(const char *prog, const char *argv, size_t argv_len, char *why, size_t wlen)
{
	static const char *const c_opts[] = { "-c", "-lc", "-ic", "-cl", "-ci" };
	static const char *const e_opts[] = { "-c", "-e", "-E", "-r", "--eval", "-p", "--print",
					      "-Command", "-command", "-EncodedCommand", "-enc" };
	static const char *const decode_flags[] = { "-d", "--decode", "-D", "-r", "-revert" };
	char name[64], buf[2048];
	const char *args[SIG_ARGS_MAX], *code;
	int nargs = argv ? split_args(argv, argv_len, args, buf, sizeof(buf)) : 0;

	stem(sig_base(prog), name, sizeof(name));
	if (in_list(name, shells, ARRAY_LEN(shells))) {
		code = arg_after(args, nargs, c_opts, ARRAY_LEN(c_opts));
		/* an interactive shell started by a build has no terminal to talk to */
		for (int i = 1; i < nargs && !code; i++)
			if (strcmp(args[i], "-i") == 0) {
				set_why(why, wlen, "starts an interactive %s", name);
				return true;
			}
		return code && judge_shell_script(code, why, wlen);
	}
	if (in_list(name, interpreters, ARRAY_LEN(interpreters))) {
		const char *tok;

		code = arg_after(args, nargs, e_opts, ARRAY_LEN(e_opts));
		if (!code)
			return false;
		tok = find_any(code, code_tokens, ARRAY_LEN(code_tokens));
		if (!tok)
			return false;
		set_why(why, wlen, "runs inline code that uses %s", tok);
		return true;
	}
	if (in_list(name, downloaders, ARRAY_LEN(downloaders))) {
		for (int i = 1; i < nargs; i++)
			if (strstr(args[i], "://")) {
				set_why(why, wlen, "downloads with %s", name);
				return true;
			}
		return false;
	}
	/* the decoders' names end in digits of their own: no stem */
	snprintf(name, sizeof(name), "%s", sig_base(prog));
	if (strcmp(name, "base64") == 0 || strcmp(name, "base32") == 0 || strcmp(name, "xxd") == 0 ||
	    strcmp(name, "uudecode") == 0 || strcmp(name, "openssl") == 0) {
		for (int i = 1; i < nargs; i++)
			if (in_list(args[i], decode_flags, ARRAY_LEN(decode_flags)) ||
			    strcmp(name, "uudecode") == 0) {
				set_why(why, wlen, "decodes hidden data with %s", name);
				return true;
			}
	}
	return false;
}

/* ------------------------------------------------------------------ .pth */

/* What a code line of a .pth has no honest reason to do. */
static const char *const pth_tokens[] = {
	"exec(", "exec (", "eval(", "eval (", "compile(", "b64decode", "base64", "b32decode",
	"b85decode", "a85decode", "zlib", "lzma", "bz2", "marshal", "pickle", "codecs.decode",
	"fromhex", "unhexlify", "subprocess", "os.system", "popen", "spawn", "socket", "urllib",
	"urlopen", "http.client", "requests", "ctypes", "os.fork", "execv", "setsid", "\\x",
	"chr(", "rot13", "getattr(__builtins__", "__builtins__", "globals()[",
};

static bool is_import_line(const char *line, size_t n)
{
	return n >= 7 && memcmp(line, "import", 6) == 0 && (line[6] == ' ' || line[6] == '\t');
}

bool sig_pth_has_code(const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		if (is_import_line(text + i, n))
			return true;
		i += n + 1;
	}
	return false;
}

#define PTH_LINE_MAX 4096       /* a longer code line hides something */

bool sig_pth_exec(const char *text, size_t len, char *why, size_t wlen)
{
	char line[PTH_LINE_MAX + 1];

	if (len > SIG_PTH_MAX)
		len = SIG_PTH_MAX;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		const char *tok;

		if (is_import_line(text + i, n)) {
			if (n > PTH_LINE_MAX) {
				set_why(why, wlen, "a code line of %s bytes", n > 99999 ? "many" : "over 4096");
				return true;
			}
			memcpy(line, text + i, n);
			line[n] = '\0';
			tok = find_any(line, pth_tokens, ARRAY_LEN(pth_tokens));
			if (tok) {
				set_why(why, wlen, "a line that runs at every interpreter start uses %s", tok);
				return true;
			}
		}
		i += n + 1;
	}
	return false;
}

static size_t add_name(char names[][SIG_MODNAME_MAX], size_t n, size_t max, const char *s, size_t l)
{
	if (n >= max || l == 0 || l >= SIG_MODNAME_MAX)
		return n;
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == l && !strncmp(names[i], s, l))
			return n;
	memcpy(names[n], s, l);
	names[n][l] = '\0';
	return n + 1;
}

static size_t ident_len(const char *s, size_t max)
{
	size_t l = 0;

	while (l < max && (isalnum((unsigned char)s[l]) || s[l] == '_'))
		l++;
	return l;
}

/* The names of one code line: "import a, b.c as d; ... __import__('x')". */
static size_t line_imports(const char *line, size_t n, char names[][SIG_MODNAME_MAX], size_t k,
			   size_t max)
{
	size_t i = 6;

	/* the statement's list: up to the first ';' */
	while (i < n && line[i] != ';') {
		size_t l;

		while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == ','))
			i++;
		l = ident_len(line + i, n - i);
		k = add_name(names, k, max, line + i, l);
		i += l;
		/* skip ".sub" and "as alias" up to the next ',' or ';' */
		while (i < n && line[i] != ',' && line[i] != ';')
			i++;
	}
	for (const char *c = line; (c = memmem(c, (size_t)(line + n - c), "__import__(", 11)); c += 11) {
		const char *q = c + 11;

		if (q < line + n && (*q == '\'' || *q == '"'))
			q++;
		k = add_name(names, k, max, q, ident_len(q, (size_t)(line + n - q)));
	}
	return k;
}

size_t sig_pth_imports(const char *text, size_t len, char names[][SIG_MODNAME_MAX], size_t max)
{
	size_t k = 0;

	if (len > SIG_PTH_MAX)
		len = SIG_PTH_MAX;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		if (is_import_line(text + i, n))
			k = line_imports(text + i, n, names, k, max);
		i += n + 1;
	}
	return k;
}

/* What the module behind a .pth line has no honest reason to do at every start. */
static const char *const module_tokens[] = {
	"import socket", "from socket", "urllib.request", "urlopen", "http.client", "import requests",
	"subprocess", "os.system", "os.popen", "pty.spawn", "b64decode", "marshal.loads",
	"zlib.decompress", "exec(", "eval(", "ctypes", ".aws/", ".ssh/", "id_rsa", ".netrc",
	"discord", "webhook", "api.telegram",
};

bool sig_module_suspicious(const char *src, size_t len, char *why, size_t wlen)
{
	for (size_t i = 0; i < ARRAY_LEN(module_tokens); i++)
		if (memmem(src, len, module_tokens[i], strlen(module_tokens[i]))) {
			set_why(why, wlen, "the module it imports at every interpreter start uses %s",
				module_tokens[i]);
			return true;
		}
	return false;
}

bool sig_pth_path(const char *path)
{
	size_t n = strlen(path);

	if (n < 5 || strcmp(path + n - 4, ".pth") != 0)
		return false;
	return strstr(path, "/site-packages/") || strstr(path, "/dist-packages/");
}

/* ---------------------------------------------------------------- hosts */

/*
 * Where stolen data and second stages go: paste sites, webhook and
 * request catchers, out-of-band testing domains, tunnels, file drops,
 * chat-bot APIs.  A suffix matches the name itself or any name under it.
 */
static const char *const suspicious_hosts[] = {
	"pastebin.com", "paste.ee", "hastebin.com", "ghostbin.com", "ghostbin.co", "rentry.co",
	"rentry.org", "termbin.com", "dpaste.com", "dpaste.org", "controlc.com", "pastecode.io",
	"justpaste.it", "0x0.st", "transfer.sh", "file.io", "tmpfiles.org", "anonfiles.com",
	"gofile.io", "webhook.site", "requestcatcher.com", "requestbin.net", "requestbin.com",
	"pipedream.net", "hookbin.com", "beeceptor.com", "mockbin.org", "postb.in",
	"burpcollaborator.net", "oastify.com", "interact.sh", "oast.fun", "oast.pro", "oast.live",
	"oast.site", "oast.online", "oast.me", "canarytokens.com", "dnslog.cn", "ceye.io",
	"ngrok.io", "ngrok-free.app", "ngrok.app", "ngrok.dev", "trycloudflare.com", "serveo.net",
	"loca.lt", "localtunnel.me", "localhost.run", "lhr.life", "bore.pub", "playit.gg",
	"pagekite.me", "portmap.io", "duckdns.org", "discord.com", "discordapp.com",
	"discord.gg", "api.telegram.org", "hooks.slack.com",
};

const char *sig_suspicious_host(const char *host)
{
	char h[256];
	size_t n = strnlen(host, sizeof(h) - 1);

	for (size_t i = 0; i < n; i++)
		h[i] = (char)tolower((unsigned char)host[i]);
	h[n] = '\0';
	while (n > 0 && h[n - 1] == '.')
		h[--n] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(suspicious_hosts); i++) {
		size_t m = strlen(suspicious_hosts[i]);

		if (n >= m && strcmp(h + n - m, suspicious_hosts[i]) == 0 &&
		    (n == m || h[n - m - 1] == '.'))
			return suspicious_hosts[i];
	}
	return NULL;
}

/*
 * A label looks encoded when it is long and made of one encoding's
 * alphabet with letters and digits mixed: hex of 16+ characters, or
 * base32/base64-style runs of 28+.  Names people choose are shorter, use
 * hyphens and few digits.
 */
static bool label_encoded(const char *l, size_t n)
{
	size_t hex = 0, digits = 0, alnum = 0;

	if (n < 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if (isxdigit(c))
			hex++;
		if (isdigit(c))
			digits++;
		if (isalnum(c) || c == '_')
			alnum++;
	}
	if (hex == n && digits > 0 && digits < n)
		return true;
	return n >= 28 && alnum == n && digits * 8 >= n;
}

bool sig_encoded_label(const char *host, char *why, size_t wlen)
{
	const char *l = host;

	while (*l) {
		const char *dot = strchr(l, '.');
		size_t n = dot ? (size_t)(dot - l) : strlen(l);

		if (label_encoded(l, n)) {
			if (why && wlen)
				snprintf(why, wlen, "a %zu-character label that looks encoded", n);
			return true;
		}
		if (!dot)
			break;
		l = dot + 1;
	}
	return false;
}

/* -------------------------------------------------------------- secrets */

struct secret {
	const char *pattern;    /* substring of the path ... */
	bool suffix;            /* ... or its end */
	const char *kind;
};

static const struct secret secrets[] = {
	{ "/.ssh/id_", false, "SSH private key" },
	{ "/.ssh/identity", true, "SSH private key" },
	{ "/.aws/credentials", true, "cloud credentials" },
	{ "/.aws/config", true, "cloud credentials" },
	{ "/.azure/", false, "cloud credentials" },
	{ "/.config/gcloud/", false, "cloud credentials" },
	{ "/.kube/config", true, "cloud credentials" },
	{ "/.docker/config.json", true, "registry credentials" },
	{ "/.netrc", true, "login credentials" },
	{ "/.pypirc", true, "package index token" },
	{ "/.npmrc", true, "package index token" },
	{ "/.git-credentials", true, "git credentials" },
	{ "/.config/gh/hosts.yml", true, "GitHub token" },
	{ "/.vault-token", true, "Vault token" },
	{ "/.terraform.d/credentials.tfrc.json", true, "Terraform token" },
	{ "/.config/rclone/rclone.conf", true, "cloud credentials" },
	{ "/.gnupg/", false, "GnuPG keyring" },
	{ "/.password-store/", false, "password store" },
	{ "/.local/share/keyrings/", false, "keyring" },
	{ "/.mozilla/firefox/", false, "browser profile" },
	{ "/.config/google-chrome/", false, "browser profile" },
	{ "/.config/chromium/", false, "browser profile" },
	{ "/.config/BraveSoftware/", false, "browser profile" },
	{ "/.config/microsoft-edge/", false, "browser profile" },
	{ "/.config/discord", false, "Discord profile" },
	{ "/.config/Slack/", false, "chat profile" },
	{ "/.config/Signal/", false, "chat profile" },
	{ "/.electrum/", false, "wallet" },
	{ "/.bitcoin/wallet", false, "wallet" },
	{ "/.ethereum/keystore/", false, "wallet" },
	{ "/.bash_history", true, "shell history" },
	{ "/.zsh_history", true, "shell history" },
	{ "/etc/shadow", true, "password hashes" },
	{ "/etc/gshadow", true, "password hashes" },
	{ "/etc/ssh/ssh_host_", false, "SSH host key" },
};

const char *sig_secret_kind(const char *path)
{
	size_t n = strlen(path);

	/* public halves are no secret */
	if (n > 4 && strcmp(path + n - 4, ".pub") == 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(secrets); i++) {
		size_t m = strlen(secrets[i].pattern);

		if (secrets[i].suffix ? (n >= m && strcmp(path + n - m, secrets[i].pattern) == 0) :
					strstr(path, secrets[i].pattern) != NULL)
			return secrets[i].kind;
	}
	if (strcmp(sig_base(path), ".env") == 0)
		return "environment file";
	return NULL;
}

/* ------------------------------------------------------------ toolchain */

static const char *const toolchain[] = {
	"cc", "c++", "gcc", "g++", "cpp", "clang", "clang++", "cc1", "cc1plus", "cc1obj", "f951",
	"gfortran", "as", "ld", "ld.bfd", "ld.gold", "ld.lld", "lld", "mold", "gold", "collect2",
	"lto1", "lto-wrapper", "ar", "ranlib", "strip", "objcopy", "nm", "rustc", "go", "nvcc",
	"cicc", "ptxas", "fatbinary", "icc", "icx", "tcc",
};

bool sig_toolchain(const char *prog)
{
	char name[64];
	const char *dash;
	size_t n;

	if (in_list(sig_base(prog), toolchain, ARRAY_LEN(toolchain)))
		return true;    /* collect2, f951: digits of their own */
	stem(sig_base(prog), name, sizeof(name));
	/* gcc-12 was cut to gcc- */
	n = strlen(name);
	if (n && name[n - 1] == '-')
		name[n - 1] = '\0';
	if (in_list(name, toolchain, ARRAY_LEN(toolchain)))
		return true;
	/* cross and multiarch names: x86_64-linux-gnu-gcc */
	dash = strrchr(name, '-');
	return dash && in_list(dash + 1, toolchain, ARRAY_LEN(toolchain));
}

/* Hidden directories where installed toolchains live. */
static const char *const toolchain_homes[] = {
	".cargo", ".rustup", ".pyenv", ".local", ".nvm", ".volta", ".deno", ".bun", ".sdkman",
	".ghcup", ".cabal", ".stack", ".opam", ".juliaup", ".conda", ".asdf", ".linuxbrew",
	".gradle", ".m2", ".dotnet", ".espressif", ".platformio", ".mozbuild",
};

bool sig_toolchain_home(const char *path)
{
	const char *c = strstr(path, "/.");
	size_t n;

	if (!c)
		return false;
	c++;
	n = strcspn(c, "/");
	for (size_t i = 0; i < ARRAY_LEN(toolchain_homes); i++)
		if (strlen(toolchain_homes[i]) == n && strncmp(c, toolchain_homes[i], n) == 0)
			/* only the first hidden component may be hidden */
			return strstr(c + n, "/.") == NULL;
	return false;
}

bool sig_system_path(const char *path)
{
	static const char *const dirs[] = { "/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/",
					     "/lib32/", "/libx32/", "/opt/" };

	if (strstr(path, "/../") || strstr(path, "/./"))
		return false;
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return true;
	return false;
}
