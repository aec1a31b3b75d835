/* Where the lab scenario's server listens inside the guest. */
#ifndef NET_H
#define NET_H

#define SERVER_ADDR 0x7f000001	/* 127.0.0.1 */
#define SERVER_PORT 1234	/* the lab's tcp_server (rootfs/programs/lab.h) */

#endif
