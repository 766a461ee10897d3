/*
 * limit: the bare system calls of one writebench strategy with a clock
 * around them, and nothing else. It is the limit of that kernel path on this
 * machine: a harness that does the same calls can approach it, not pass it.
 *
 *   limit MODE DIR SIZE BLOCK PASSES [FILES]
 *
 * MODE
 *   buffered  open(O_CREAT|O_EXCL|O_WRONLY), write(2) of BLOCK bytes until
 *             SIZE, close: the chunked strategy (--prealloc none)
 *   prealloc  the same with fallocate(2) of SIZE after open
 *             (--prealloc fallocate)
 *   direct    open(... | O_DIRECT), fallocate(2) of SIZE, write(2) of BLOCK
 *             bytes from an aligned buffer, close: the direct strategy with
 *             --prealloc fallocate
 *   files     FILES files of SIZE bytes one after another, each open, write
 *             of BLOCK bytes until SIZE, close: chunked with --files FILES
 *
 * Every pass writes fresh files (DIR/limit-P-N) and removes them after the
 * clock stops; a pass is timed from the first open to the last close
 * (CLOCK_MONOTONIC). One line per pass on stdout:
 *
 *   limit mode=buffered pass=1 seconds=0.123456789 bytes=1073741824 files=1 user=0.001 sys=0.120
 *
 * user and sys are the CPU seconds of the pass (getrusage).
 *
 * The buffer starts on a page boundary, or LIMIT_OFFSET bytes past one
 * (environment; 0-4095, what a buffer from malloc looks like at 16). It is
 * filled once with non-zero bytes (the content does not change
 * the cost of a write to the page cache). Exit status 0, 1 on an I/O error
 * (message on stderr), 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* cpu returns this process's user and system CPU seconds so far (the
 * kernel's io_uring worker threads are threads of the process). */
static void cpu(double *user, double *sys)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "limit: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

/* one_file writes one file of size bytes in block-byte writes. */
static void one_file(const char *path, int flags, int falloc, const char *buf, long long size, long block)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | flags, 0644);
	if (fd < 0)
		die("open", path);
	if (falloc && size > 0 && fallocate(fd, 0, 0, size) != 0)
		die("fallocate", path);
	for (long long off = 0; off < size;) {
		long n = size - off < block ? (long)(size - off) : block;
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write", path);
		}
		if (w == 0) {
			errno = EIO;
			die("write", path);
		}
		off += w;
	}
	if (close(fd) != 0)
		die("close", path);
}

int main(int argc, char **argv)
{
	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: limit buffered|prealloc|direct|files DIR SIZE BLOCK PASSES [FILES]\n");
		return 2;
	}
	const char *mode = argv[1], *dir = argv[2];
	long long size = atoll(argv[3]);
	long block = atol(argv[4]);
	int passes = atoi(argv[5]);
	long files = argc == 7 ? atol(argv[6]) : 1;
	int flags = 0, falloc = 0;
	if (!strcmp(mode, "buffered")) {
	} else if (!strcmp(mode, "prealloc")) {
		falloc = 1;
	} else if (!strcmp(mode, "direct")) {
		flags = O_DIRECT;
		falloc = 1;
	} else if (!strcmp(mode, "files")) {
	} else {
		fprintf(stderr, "limit: unknown mode %s\n", mode);
		return 2;
	}
	if (size < 0 || block <= 0 || passes <= 0 || files <= 0) {
		fprintf(stderr, "limit: SIZE >= 0, BLOCK, PASSES and FILES > 0\n");
		return 2;
	}
	if (strcmp(mode, "files") && files != 1) {
		fprintf(stderr, "limit: FILES is for mode files only\n");
		return 2;
	}
	/* LIMIT_OFFSET: the buffer starts that many bytes past a page boundary
	 * (default 0), e.g. 16 like a buffer from malloc. */
	long offset = 0;
	const char *env = getenv("LIMIT_OFFSET");
	if (env != NULL) {
		char *end;
		offset = strtol(env, &end, 10);
		if (*env == '\0' || *end != '\0' || offset < 0 || offset >= 4096) {
			fprintf(stderr, "limit: LIMIT_OFFSET must be 0 to 4095 bytes (got %s)\n", env);
			return 2;
		}
		if (flags & O_DIRECT && offset % 512) {
			fprintf(stderr, "limit: LIMIT_OFFSET %ld: O_DIRECT needs a multiple of 512\n", offset);
			return 2;
		}
	}
	char *buf;
	if (posix_memalign((void **)&buf, 4096, block + offset) != 0) {
		fprintf(stderr, "limit: no memory for a %ld-byte buffer\n", block);
		return 1;
	}
	buf += offset;
	for (long i = 0; i < block; i++)
		buf[i] = 'a' + i % 26;
	size_t plen = strlen(dir) + 64;
	char *path = malloc(plen);
	for (int p = 1; p <= passes; p++) {
		double u0, s0, u1, s1;
		cpu(&u0, &s0);
		double t0 = now();
		for (long i = 0; i < files; i++) {
			snprintf(path, plen, "%s/limit-%d-%ld", dir, p, i);
			one_file(path, flags, falloc, buf, size, block);
		}
		double t = now() - t0;
		cpu(&u1, &s1);
		for (long i = 0; i < files; i++) {
			snprintf(path, plen, "%s/limit-%d-%ld", dir, p, i);
			unlink(path);
		}
		printf("limit mode=%s pass=%d seconds=%.9f bytes=%lld files=%ld user=%.6f sys=%.6f\n", mode, p, t,
		       size * files, files, u1 - u0, s1 - s0);
		fflush(stdout);
	}
	return 0;
}
