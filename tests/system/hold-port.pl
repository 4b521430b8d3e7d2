#!/usr/bin/perl
# hold-port.pl - a process that holds a listening TCP socket, for the
# system tests of free-port and stop (t-actions.sh, t-holders.sh,
# t-pidreuse.sh).  Only perl-base modules (Socket), so it runs on a
# minimal Debian 12, where python3 may be missing.
#
#   hold-port.pl [OPTIONS] PORT [PROGRAM ARG...]
#
#   --family 4       0.0.0.0:PORT (the default)
#   --family 6only   [::]:PORT with IPV6_V6ONLY: an IPv6-only listener
#   --family dual    [::]:PORT without IPV6_V6ONLY (v4-mapped too)
#   --reuseport      set SO_REUSEPORT before bind(), so that another
#                    socket of the same user can listen on PORT too
#   --name NAME      set $0, which perl also makes the kernel's comm (the
#                    name in /proc/PID/stat), e.g. "x) R 1 1"
#   --fd N           hold the listening socket it was given as fd N (made
#                    by someone else: its owner is then another user)
#   --ignore-term    ignore SIGTERM (a holder that does not stop)
#   PROGRAM ARG...   pass the socket on: fork, and in the child make the
#                    socket fd 3 and exec PROGRAM with NGINX="3;" in the
#                    environment (nginx takes inherited sockets that way);
#                    this process keeps its copy, so both hold one socket
#
# It listens, then sleeps until it is killed (SIGTERM ends it).  Its own
# stdio is whatever it was given: the tests give it /dev/null.
use strict;
use warnings;
use Socket qw(:DEFAULT IPV6_V6ONLY IPPROTO_IPV6 IPPROTO_TCP SO_REUSEPORT
    pack_sockaddr_in6 IN6ADDR_ANY);
use Fcntl qw(F_GETFD F_SETFD FD_CLOEXEC);
use POSIX qw(dup2);

my ($family, $reuseport, $name, $fd, $ignore) = ('4', 0, undef, undef, 0);
while (@ARGV && $ARGV[0] =~ /^--/) {
	my $o = shift @ARGV;
	if ($o eq '--family') { $family = shift @ARGV; }
	elsif ($o eq '--reuseport') { $reuseport = 1; }
	elsif ($o eq '--name') { $name = shift @ARGV; }
	elsif ($o eq '--fd') { $fd = shift @ARGV; }
	elsif ($o eq '--ignore-term') { $ignore = 1; }
	else { die "hold-port.pl: unknown option $o\n"; }
}
my $port = shift @ARGV;
die "usage: hold-port.pl [--family 4|6only|dual] [--reuseport] [--name NAME] PORT [PROGRAM ARG...]\n"
    unless defined $port && $port =~ /^[0-9]+$/;

my $s;
if (defined $fd) {
	open($s, '+<&=', $fd) or die "fd $fd: $!\n";
	goto HELD;
}
if ($family eq '4') {
	socket($s, PF_INET, SOCK_STREAM, IPPROTO_TCP) or die "socket: $!\n";
} else {
	socket($s, PF_INET6, SOCK_STREAM, IPPROTO_TCP) or die "socket (IPv6): $!\n";
	setsockopt($s, IPPROTO_IPV6, IPV6_V6ONLY, $family eq '6only' ? 1 : 0)
	    or die "IPV6_V6ONLY: $!\n";
}
setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1) or die "SO_REUSEADDR: $!\n";
if ($reuseport) {
	setsockopt($s, SOL_SOCKET, SO_REUSEPORT, 1) or die "SO_REUSEPORT: $!\n";
}
my $addr = $family eq '4' ? pack_sockaddr_in($port, INADDR_ANY)
    : pack_sockaddr_in6($port, IN6ADDR_ANY);
bind($s, $addr) or die "bind port $port: $!\n";
listen($s, 16) or die "listen: $!\n";
HELD:

if (@ARGV) {
	my $pid = fork();
	die "fork: $!\n" unless defined $pid;
	if ($pid == 0) {
		my $fd = fileno($s);
		if ($fd != 3) {
			dup2($fd, 3) or die "dup2: $!\n";
		} else {
			fcntl($s, F_SETFD, fcntl($s, F_GETFD, 0) & ~FD_CLOEXEC);
		}
		$ENV{NGINX} = '3;';
		exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\n";
	}
}

$0 = $name if defined $name;
$SIG{TERM} = $ignore ? 'IGNORE' : sub { exit 0 };
sleep 3600 while 1;
