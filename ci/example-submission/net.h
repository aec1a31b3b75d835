/* Where the lab scenario's server listens inside the guest. */
#ifndef NET_H
#define NET_H

#define SERVER_ADDR 0x7f000001	/* 127.0.0.1 */
#define SERVER_PORT 8000

#endif
