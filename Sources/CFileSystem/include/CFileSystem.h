#ifndef PATHWAYS_CFILESYSTEM_H
#define PATHWAYS_CFILESYSTEM_H

/// Renames `from` to `to` in one step, failing with EEXIST if `to` exists, where rename(2) would
/// replace it. Fails with EINVAL, ENOSYS or ENOTSUP where the file system cannot (NFS, SMB).
int pathways_rename_without_replacing(const char *from, const char *to);

/// Whether some process has the file open for writing (a copy still going on): 1 yes, 0 no, -1 when
/// this cannot be told (not Linux, a network share without leases, a file owned by another user).
/// Linux tells through a read lease, which it refuses while any writer has the file open.
int pathways_is_open_for_writing(const char *path);

#endif
