// Bounds the connections a server or relay holds, and keeps it accepting when descriptors run
// out. gRPC 1.51 has no connection limit, and when accept4() fails with EMFILE its listener
// stops for good (grpc/grpc#16058, #20418): one flood of connects would close the intake until
// a restart. So the process interposes accept4() and close(), which gRPC core calls through the
// dynamic linker: a connection over the caps, or one that arrives with no descriptor left, is
// accepted and closed at once (with a spare descriptor kept for that), and gRPC is told to wait
// for the next one. docs/ARCHITECTURE.md says why this and not a proxy in front.
#pragma once

#include <cstddef>

namespace gavah::server {

struct ConnectionCaps {
  size_t max_connections = 1024;  // in all; kept 128 below the descriptor limit
  size_t per_source = 64;         // from one address other than loopback (Tor is loopback)
};

// Raises the soft descriptor limit to the hard one and turns the caps on for this process.
// Answers the cap on connections in force. Call once, before the gRPC server starts.
size_t GuardConnections(const ConnectionCaps& caps);
// Connections accepted and not yet closed.
size_t OpenConnections();
// Connections refused since the start: over a cap, or for want of a descriptor.
size_t RefusedConnections();

}  // namespace gavah::server
