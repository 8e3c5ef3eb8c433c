// renameat2, RENAME_NOREPLACE and file leases are GNU extensions, out of reach of Swift's Glibc module.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "CFileSystem.h"

int pathways_rename_without_replacing(const char *from, const char *to) {
#if defined(__linux__) && defined(RENAME_NOREPLACE)
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
#elif defined(__APPLE__)
    return renamex_np(from, to, RENAME_EXCL);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int pathways_is_open_for_writing(const char *path) {
#if defined(__linux__) && defined(F_SETLEASE)
    int descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (descriptor < 0) return -1;
    // A lease break is announced by a signal, SIGIO unless told otherwise, and SIGIO ends a
    // process that does not handle it: SIGURG is ignored unless handled.
    fcntl(descriptor, F_SETSIG, SIGURG);
    int answer;
    if (fcntl(descriptor, F_SETLEASE, F_RDLCK) == 0) {
        fcntl(descriptor, F_SETLEASE, F_UNLCK);
        answer = 0;
    } else {
        answer = errno == EAGAIN ? 1 : -1;
    }
    close(descriptor);
    return answer;
#else
    (void)path;
    return -1;
#endif
}
