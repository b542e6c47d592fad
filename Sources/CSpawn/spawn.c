// Process creation with posix_spawn, for git and the project's commands.
//
// Foundation's Process on Linux reads /proc/self/fd to close descriptors in
// the child and over-reads glibc's directory buffer now and then (a crash in
// Process.run under load, fixed in later Foundation releases). posix_spawn
// with closefrom does the same job without reading anything.

#define _GNU_SOURCE
#include "spawn_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

int emb_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int emb_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
              int fd_in, int fd_out, int fd_err, int new_group, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return result;
    }
    int fds[3] = {fd_in, fd_out, fd_err};
    for (int target = 0; target < 3 && result == 0; target++) {
        result = fds[target] >= 0
            ? posix_spawn_file_actions_adddup2(&actions, fds[target], target)
            : posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0);
    }
    if (result == 0) result = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (result == 0 && directory != NULL) result = posix_spawn_file_actions_addchdir_np(&actions, directory);

    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    if (result == 0) result = posix_spawnattr_setsigmask(&attributes, &none);
    if (result == 0) result = posix_spawnattr_setsigdefault(&attributes, &all);
    // A group of its own (the child's pid) for a command that starts others: all of them end together.
    if (result == 0 && new_group) result = posix_spawnattr_setpgroup(&attributes, 0);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (new_group ? POSIX_SPAWN_SETPGROUP : 0);
    if (result == 0) result = posix_spawnattr_setflags(&attributes, flags);
    if (result == 0) result = posix_spawn(pid, path, &actions, &attributes, argv, envp);

    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}
