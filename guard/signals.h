/* SPDX-License-Identifier: MIT */
/*
 * What one action means, judged from its text alone: a command line, a
 * .pth file, a host name, a path.  Pure functions without session state,
 * so that the scorer's rules can be tested on recorded strings; the
 * session (guard/gscore.c) decides when to ask and what a "yes" costs.
 *
 * Every function reads at most the length it is given and writes at most
 * the size of its output, always NUL-terminated.  A "why" is one short
 * phrase for the report ("pipes a download into sh").
 */
#ifndef SAFEPIP_SIGNALS_H
#define SAFEPIP_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>

#define SIG_WHY_MAX 96
#define SIG_PTH_MAX (64 * 1024)         /* bytes of a .pth file judged */

/* The last component of path ("" for NULL). */
const char *sig_base(const char *path);

/*
 * spawn-fetch: does a program started by a build fetch, decode or pipe
 * code?  prog is the executed file (path or name), argv the NUL-separated
 * head of its argument vector (argv_len bytes, argv[0] first).  Shells are
 * judged by their -c script, interpreters (python, perl, ruby, node, php)
 * by their -c/-e code, downloaders by a URL argument, decoders (base64 -d,
 * xxd -r, openssl enc -d) by their decode flag.  Returns true and fills why.
 */
bool sig_spawn_fetch(const char *prog, const char *argv, size_t argv_len, char *why, size_t wlen);

/*
 * pth-exec: does a .pth file's text (len bytes) run code worth stopping?
 * Lines that start with "import" are executed at every interpreter start;
 * a line that only imports modules and calls into them (as setuptools'
 * distutils-precedence.pth and editable installs do) is not suspicious, a
 * line that decodes, evaluates, spawns or connects is.  Returns true and
 * fills why (with the offending token).
 */
bool sig_pth_exec(const char *text, size_t len, char *why, size_t wlen);

#define SIG_MODNAME_MAX 64

/*
 * The modules the code lines of a .pth import ("import a, b.c" gives a and
 * b; "__import__('x')" gives x), at most max of them, into names.
 * Returns how many.
 */
size_t sig_pth_imports(const char *text, size_t len, char names[][SIG_MODNAME_MAX], size_t max);

/*
 * Does the source of a module a .pth imports (len bytes) reach for the
 * network, processes, decoded code or credentials?  A shim that .pth
 * files load honestly (setuptools' _distutils_hack, editable finders)
 * does none of that.  Returns true and fills why.
 */
bool sig_module_suspicious(const char *src, size_t len, char *why, size_t wlen);

/* Does a .pth file's text execute anything at all (an "import" line)? */
bool sig_pth_has_code(const char *text, size_t len);

/*
 * dns-suspicious-host: is host (a DNS name, any case, trailing dot or not)
 * a paste, webhook, tunnel, request-catcher or chat-bot service, or under
 * one?  Returns the matched service suffix, or NULL.
 */
const char *sig_suspicious_host(const char *host);

/*
 * dns-encoded-label: does one label of host look like encoded data (long
 * hex, base32 or base64 runs, as DNS exfiltration writes them)?  Returns
 * true and fills why.
 */
bool sig_encoded_label(const char *host, char *why, size_t wlen);

/*
 * read-secret: what kind of secret the file at path (absolute) holds, as
 * a short name ("SSH private key", "cloud credentials" ...), or NULL.
 * Judged by the path's shape wherever it lies, so that another user's home
 * or a moved $HOME does not hide it.
 */
const char *sig_secret_kind(const char *path);

/*
 * Is prog (a path or a name) a compiler, assembler, linker or archiver?
 * Their outputs are executables by design: making them executable and
 * running them (configure's test programs) is what builds do.
 */
bool sig_toolchain(const char *prog);

/*
 * Does path lie in a toolchain's home under a hidden directory
 * (~/.cargo/bin, ~/.rustup, ~/.pyenv, ~/.local/bin ...), where installed
 * compilers and interpreters honestly live?
 */
bool sig_toolchain_home(const char *path);

/* Is prog (a path or a name) a downloader (curl, wget ...)? */
bool sig_downloader(const char *prog);

/* Is path a system directory's file (/usr, /bin, /sbin, /lib ...)? */
bool sig_system_path(const char *path);

/* Is path a .pth file in a site-packages or dist-packages directory? */
bool sig_pth_path(const char *path);

#endif
