#ifndef EMB_AGENT_SHIM_H
#define EMB_AGENT_SHIM_H

#include <stddef.h>

/// A listening Unix socket at `path` (a stale socket there is replaced), mode
/// 0600. Returns its descriptor, or -errno.
int emb_agent_listen(const char *path);

/// Waits up to `timeout_ms` for a connection and accepts it. Returns the
/// connection's descriptor; -ETIMEDOUT when none came; -EPERM (the
/// connection closed) when its peer runs as another user; else -errno.
int emb_agent_accept(int fd, int timeout_ms);

/// Connects to the socket at `path`. Returns the descriptor, or -errno.
int emb_agent_connect(const char *path);

/// Writes all `count` bytes, retrying after interruptions. 0, or -errno.
int emb_agent_write_all(int fd, const void *bytes, size_t count);

/// Reads up to `count` bytes, waiting at most `timeout_ms` for each part.
/// Returns how many were read (fewer at the end of the stream), or -errno.
long emb_agent_read(int fd, void *bytes, size_t count, int timeout_ms);

/// Keeps `count` bytes at `address` out of swap (mlock). 0, or -errno.
int emb_agent_lock_memory(const void *address, size_t count);

/// Leaves the caller's session and terminal (setsid). 0, or -errno.
int emb_agent_detach(void);

#endif
