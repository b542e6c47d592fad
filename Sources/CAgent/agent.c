// The Unix socket of the identity agent ('embargo unlock'): only the user
// who started it may talk to it (SO_PEERCRED), the socket is mode 0600 in a
// 0700 directory, and the secret stays out of swap.

#define _GNU_SOURCE
#include "agent_shim.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int address(const char *path, struct sockaddr_un *out) {
    memset(out, 0, sizeof *out);
    out->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof out->sun_path) return -ENAMETOOLONG;
    strcpy(out->sun_path, path);
    return 0;
}

int emb_agent_listen(const char *path) {
    struct sockaddr_un addr;
    int result = address(path, &addr);
    if (result != 0) return result;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    unlink(path);
    mode_t previous = umask(0177);
    result = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(previous);
    if (result != 0 || chmod(path, 0600) != 0 || listen(fd, 8) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int emb_agent_accept(int fd, int timeout_ms) {
    struct pollfd waiting = {.fd = fd, .events = POLLIN};
    int ready = poll(&waiting, 1, timeout_ms);
    if (ready < 0) return -errno;
    if (ready == 0) return -ETIMEDOUT;
    int client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (client < 0) return -errno;
    struct ucred peer;
    socklen_t size = sizeof peer;
    if (getsockopt(client, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != geteuid()) {
        close(client);
        return -EPERM;
    }
    return client;
}

int emb_agent_connect(const char *path) {
    struct sockaddr_un addr;
    int result = address(path, &addr);
    if (result != 0) return result;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

int emb_agent_write_all(int fd, const void *bytes, size_t count) {
    const char *next = bytes;
    while (count > 0) {
        ssize_t written = send(fd, next, count, MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        next += written;
        count -= (size_t)written;
    }
    return 0;
}

long emb_agent_read(int fd, void *bytes, size_t count, int timeout_ms) {
    char *next = bytes;
    size_t done = 0;
    while (done < count) {
        struct pollfd waiting = {.fd = fd, .events = POLLIN};
        int ready = poll(&waiting, 1, timeout_ms);
        if (ready < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (ready == 0) return -ETIMEDOUT;
        ssize_t got = read(fd, next + done, count - done);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (got == 0) break;
        done += (size_t)got;
    }
    return (long)done;
}

int emb_agent_lock_memory(const void *address, size_t count) {
    return mlock(address, count) == 0 ? 0 : -errno;
}

int emb_agent_detach(void) {
    return setsid() < 0 ? -errno : 0;
}
