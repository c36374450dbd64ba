/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_DEVICE_H
#define _KSSPI_DEVICE_H

int ksspi_device_init(void);
void ksspi_device_exit(void);

#endif /* _KSSPI_DEVICE_H */
