#ifndef EMB_SPAWN_SHIM_H
#define EMB_SPAWN_SHIM_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL-terminated) in `directory`
/// (NULL: the current one), its standard input, output and error on the
/// given descriptors (-1: /dev/null), every other descriptor closed, the
/// default signal mask and actions. Returns 0 and the child's pid, or an
/// errno value.
int emb_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
              int fd_in, int fd_out, int fd_err, int new_group, pid_t *pid);

/// pipe2(fds, O_CLOEXEC): a pipe whose ends no other child inherits.
int emb_pipe(int fds[2]);

#endif
