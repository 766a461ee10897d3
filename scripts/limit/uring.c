/*
 * uring: the io_uring system calls of writebench's uring strategy with a
 * clock around them, through liburing: one file of SIZE bytes written in
 * BLOCK-byte IORING_OP_WRITE_FIXED writes from DEPTH registered buffers, up
 * to DEPTH in flight at explicit offsets. Each turn fills every idle slot,
 * submits them and waits for WAIT completions (or what is in flight, if
 * less) in one io_uring_enter(2) (io_uring_submit_and_wait), then reaps
 * every completion there is from the completion ring without a system call.
 *
 *   uring DIR SIZE BLOCK DEPTH PASSES [plain] [batch=WAIT]
 *
 * WAIT is half of DEPTH by default (rounded up), as writebench waits;
 * batch=1 waits for one completion per turn; batch=0 is fio's way: submit
 * and flush completions without waiting, wait for one only when nothing
 * is left to submit. The ring is set up as fio's io_uring engine sets its
 * up: IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
 * IORING_SETUP_DEFER_TASKRUN (falling back as fio does on EINVAL); "plain"
 * sets none of them. The ring and its buffers are set up once, before the
 * first pass; each pass is timed from open(2) to close(2) of a fresh file
 * (CLOCK_MONOTONIC), which is removed after the clock stops. One line per
 * pass on stdout:
 *
 *   limit mode=uring depth=32 wait=16 pass=1 seconds=0.123456789 bytes=1073741824 files=1 user=0.01 sys=0.5 setup=0x3100 enters=1234
 *
 * user and sys are the pass's CPU seconds (getrusage, io-wq workers
 * included), setup the IORING_SETUP_* flags the kernel accepted, enters the
 * io_uring_enter(2) calls.
 *
 * Exit status 0, 1 on an I/O error, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
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

static void fail(const char *what, int err)
{
	fprintf(stderr, "limit uring: %s: %s\n", what, strerror(err));
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: uring DIR SIZE BLOCK DEPTH PASSES [plain] [batch=N]\n");
		return 2;
	}
	const char *dir = argv[1];
	long long size = atoll(argv[2]);
	long block = atol(argv[3]);
	int depth = atoi(argv[4]), passes = atoi(argv[5]);
	int plain = 0, batch = -1;
	for (int a = 6; a < argc; a++) {
		if (!strcmp(argv[a], "plain"))
			plain = 1;
		else if (!strncmp(argv[a], "batch=", 6))
			batch = atoi(argv[a] + 6);
		else {
			fprintf(stderr, "limit uring: unknown option %s\n", argv[a]);
			return 2;
		}
	}
	if (size <= 0 || block <= 0 || depth <= 0 || depth > 4096 || passes <= 0) {
		fprintf(stderr, "limit uring: SIZE, BLOCK, PASSES > 0, 0 < DEPTH <= 4096\n");
		return 2;
	}

	if (batch < 0)
		batch = (depth + 1) / 2;
	struct io_uring ring;
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	if (!plain)
		p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	int ret;
	for (;;) {
		ret = io_uring_queue_init_params(depth, &ring, &p);
		if (ret == -EINVAL && (p.flags & IORING_SETUP_DEFER_TASKRUN)) {
			p.flags &= ~(IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER);
			continue;
		}
		if (ret == -EINVAL && (p.flags & IORING_SETUP_COOP_TASKRUN)) {
			p.flags &= ~IORING_SETUP_COOP_TASKRUN;
			continue;
		}
		break;
	}
	if (ret < 0)
		fail("io_uring_queue_init", -ret);
	struct iovec *iov = calloc(depth, sizeof *iov);
	for (int k = 0; k < depth; k++) {
		if (posix_memalign(&iov[k].iov_base, 4096, block))
			fail("posix_memalign", ENOMEM);
		memset(iov[k].iov_base, 'a' + k % 26, block);
		iov[k].iov_len = block;
	}
	if ((ret = io_uring_register_buffers(&ring, iov, depth)) < 0)
		fail("io_uring_register_buffers", -ret);
	int *freeslots = calloc(depth, sizeof *freeslots);
	long long *slotoff = calloc(depth, sizeof *slotoff);
	long *slotdone = calloc(depth, sizeof *slotdone);
	long *slotlen = calloc(depth, sizeof *slotlen);
	size_t plen = strlen(dir) + 64;
	char *path = malloc(plen);

	for (int pass = 1; pass <= passes; pass++) {
		snprintf(path, plen, "%s/limit-uring-%d", dir, pass);
		long long enters = 0;
		double u0, s0, u1, s1;
		cpu(&u0, &s0);
		double t0 = now();
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			fail("open", errno);
		int nfree = 0, inflight = 0;
		for (int k = 0; k < depth; k++)
			freeslots[nfree++] = k;
		long long next = 0;
		while (next < size || inflight > 0) {
			while (nfree > 0 && next < size) {
				int k = freeslots[--nfree];
				long n = size - next < block ? (long)(size - next) : block;
				slotoff[k] = next, slotdone[k] = 0, slotlen[k] = n;
				next += n;
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
				io_uring_prep_write_fixed(sqe, fd, iov[k].iov_base, n, slotoff[k], k);
				io_uring_sqe_set_data64(sqe, k);
				inflight++;
			}
			enters++;
			if (batch == 0 && io_uring_sq_ready(&ring) > 0) {
				/* fio's way: submit, flush completions, no wait */
				ret = io_uring_submit_and_get_events(&ring);
			} else {
				unsigned want = batch == 0 ? 1 : inflight > batch ? batch : inflight;
				ret = io_uring_submit_and_wait(&ring, want < 1 ? 1 : want);
			}
			if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
				fail("io_uring_submit_and_wait", -ret);
			struct io_uring_cqe *cqe;
			while (io_uring_peek_cqe(&ring, &cqe) == 0) {
				int k = (int)io_uring_cqe_get_data64(cqe);
				int res = cqe->res;
				io_uring_cqe_seen(&ring, cqe);
				inflight--;
				if (res < 0 && res != -EAGAIN && res != -EINTR)
					fail("write", -res);
				if (res > 0)
					slotdone[k] += res;
				if (slotdone[k] >= slotlen[k]) {
					freeslots[nfree++] = k;
					continue;
				}
				/* short or retried write: the rest again */
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
				io_uring_prep_write_fixed(sqe, fd, (char *)iov[k].iov_base + slotdone[k],
							  slotlen[k] - slotdone[k], slotoff[k] + slotdone[k], k);
				io_uring_sqe_set_data64(sqe, k);
				inflight++;
			}
		}
		if (close(fd) != 0)
			fail("close", errno);
		double t = now() - t0;
		cpu(&u1, &s1);
		unlink(path);
		printf("limit mode=uring depth=%d wait=%d pass=%d seconds=%.9f bytes=%lld files=1 user=%.6f sys=%.6f setup=%#x enters=%lld\n",
		       depth, batch, pass, t, size, u1 - u0, s1 - s0, p.flags, enters);
		fflush(stdout);
	}
	io_uring_queue_exit(&ring);
	return 0;
}
