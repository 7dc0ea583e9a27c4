/* PAGEMAP_SCAN (Linux 6.7 and later), for headers older than the kernel:
 * the ioctl that skips the empty ranges of /proc/PID/pagemap (the page
 * walk of pages.c and of recharge). */
#ifndef MEMCG_PAGEMAP_SCAN_H
#define MEMCG_PAGEMAP_SCAN_H

#include <stdint.h>
#include <sys/ioctl.h>

#ifndef PAGEMAP_SCAN
/* include/uapi/linux/fs.h, Linux 6.7 and later */
struct page_region {
	uint64_t start, end, categories;
};

struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT	(1 << 3)
#define PAGE_IS_SWAPPED	(1 << 4)
#define PAGE_IS_HUGE	(1 << 6)
#endif

#endif
