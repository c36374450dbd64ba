/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSSPI_KAPI_H
#define _KSSPI_KAPI_H

void ksspi_kapi_init(void);
void ksspi_kapi_exit(void);

#endif /* _KSSPI_KAPI_H */
