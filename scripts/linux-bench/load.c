/*
 * The initramfs's module loader for `make bench-linux`: one finit_module()
 * of argv[1] with the parameters argv[2..] (joined by spaces). busybox's
 * insmod is not used because it retries with init_module() whenever
 * finit_module() fails, and contig_bench fails on purpose, so it would run
 * the whole benchmark twice. Exit 0 when the module refused to stay
 * (ECANCELED: it ran), 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char params[512] = "";
	int fd;
	long rc;

	if (argc < 2) {
		fprintf(stderr, "usage: load MODULE.ko [param=value ...]\n");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		if (strlen(params) + strlen(argv[i]) + 2 > sizeof(params)) {
			fprintf(stderr, "load: parameters too long\n");
			return 1;
		}
		strcat(params, argv[i]);
		strcat(params, " ");
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "load: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	rc = syscall(SYS_finit_module, fd, params, 0);
	if (rc == 0) {
		fprintf(stderr, "load: %s stayed loaded\n", argv[1]);
		return 1;
	}
	printf("load: %s: %s%s\n", argv[1], strerror(errno),
	       errno == ECANCELED ? " (as it should: it ran and refused to stay)" : "");
	return errno == ECANCELED ? 0 : 1;
}
