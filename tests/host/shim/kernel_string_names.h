/*
 * lib/string.c's functions carry libc's names: a host program that
 * #includes the kernel source renames them to k_* first with this header
 * (tests/host/string_test.c, tests/fuzz/). No include guard: a test may
 * #undef the names after the source and the header stays harmless.
 */
#define memset	   k_memset
#define memcpy	   k_memcpy
#define memmove	   k_memmove
#define memcmp	   k_memcmp
#define memchr_inv k_memchr_inv
#define strlen	   k_strlen
#define strnlen	   k_strnlen
#define strcmp	   k_strcmp
#define strncmp	   k_strncmp
#define strchr	   k_strchr
#define strrchr	   k_strrchr
#define strlcpy	   k_strlcpy
#define kstrtoul   k_kstrtoul
#define kstrtol	   k_kstrtol
#define memparse   k_memparse
