/*
 * Forced into a kernel source file (gcc -include) when it is compiled for a host test. The
 * kernel defines functions with the C library's names (memset, strlen, ...); renamed here to
 * k_memset, k_strlen and so on, they can be linked next to the host's C library and compared
 * with it. Every name the kernel might define is renamed, not just the tested ones, because an
 * unrenamed one would silently replace the C library's own for the whole test program.
 */
#ifndef HOST_KERNEL_NAMES_H
#define HOST_KERNEL_NAMES_H

#define memset  k_memset
#define memcpy  k_memcpy
#define memmove k_memmove
#define memcmp  k_memcmp
#define memchr  k_memchr
#define strlen  k_strlen
#define strnlen k_strnlen
#define strcmp  k_strcmp
#define strncmp k_strncmp
#define strcpy  k_strcpy
#define strncpy k_strncpy
#define strlcpy k_strlcpy
#define strcat  k_strcat
#define strchr  k_strchr
#define strrchr k_strrchr

#endif /* HOST_KERNEL_NAMES_H */
