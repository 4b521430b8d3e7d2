/*
 * sockport.h - the port a socket is bound to (sockport.c): how the
 * transaction tells which of a site's ports a handed socket is for, and
 * how a started service's LISTEN_FDNAMES names them.
 */
#ifndef CUTOVER_LIB_SOCKPORT_H
#define CUTOVER_LIB_SOCKPORT_H

/* The local port of socket FD (IPv4 or IPv6), or -1. */
int socket_local_port(int fd);

#endif
