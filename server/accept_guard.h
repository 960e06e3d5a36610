// Bounds the connections a server or relay holds, and keeps it accepting when descriptors run
// out. gRPC 1.51 has no connection limit, and when accept4() fails with EMFILE its listener
// stops for good (grpc/grpc#16058, #20418): one flood of connects would close the intake until
// a restart. So the process interposes accept4() and close(), which gRPC core calls through the
// dynamic linker: a connection over the caps, or one that arrives with no descriptor left, is
// accepted and closed at once (with a spare descriptor kept for that), and gRPC is told to wait
// for the next one. docs/ARCHITECTURE.md says why this and not a proxy in front.
//
// It also interposes recvmsg() on those connections, to bound what gRPC buffers for a peer out
// of the application's sight: gRPC grants a stream waiting for a message up to 1 MiB of window
// at a time towards the length the message announces, again and again until it is complete,
// so a peer announcing 4 GiB messages could fill memory before any byte reached the server's
// code. Every byte read from a connection must therefore show up, soon, in a message or call the
// application was handed (CreditConnection); a connection too far behind is shut down.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace gavah::server {

struct ConnectionCaps {
  size_t max_connections = 1024;  // in all; kept 128 below the descriptor limit
  size_t per_source = 64;         // from one address other than loopback (Tor is loopback)
  // Bytes read and not (yet) handed to the application:
  uint64_t unseen_per_connection = 16 << 20;  // beyond this, the connection is shut down
  // Beyond this in all, so is one holding over 2 MiB, unless its uploads are moving and it
  // holds no more than 6 MiB.
  uint64_t unseen_in_all = 96 << 20;
};

// Raises the soft descriptor limit to the hard one and turns the caps on for this process.
// Answers the cap on connections in force. Call once, before the gRPC server starts.
size_t GuardConnections(const ConnectionCaps& caps);
// Connections accepted and not yet closed.
size_t OpenConnections();
// Connections refused since the start: over a cap, or for want of a descriptor.
size_t RefusedConnections();
// Counts `bytes` read on the connection of `peer` (gRPC's peer string, "ipv4:ADDR:PORT" or
// "ipv6:[ADDR]:PORT", percent-encoded or not) as handed to the application; `upload` when they
// are upload data, which marks the connection as moving. Credit never exceeds what was read.
void CreditConnection(const std::string& peer, uint64_t bytes, bool upload);
// The keys by which a gRPC peer string and an accepted address are matched, for tests.
std::string PeerKeyForTest(const std::string& peer);
std::string SockKeyForTest(const sockaddr_storage& ss);
// Connections shut down since the start for sending what the application never saw.
size_t UnseenCuts();

}  // namespace gavah::server
