/*
 * sockport.c - the port a socket is bound to (sockport.h).  Reads only.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include "helper/lib/sockport.h"

int
socket_local_port(int fd)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return -1;
}
