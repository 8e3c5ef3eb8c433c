#ifndef PATHWAYS_CFILESYSTEM_H
#define PATHWAYS_CFILESYSTEM_H

/// Renames `from` to `to` in one step, failing with EEXIST if `to` exists, where rename(2) would
/// replace it. Fails with EINVAL, ENOSYS or ENOTSUP where the file system cannot (NFS, SMB).
int pathways_rename_without_replacing(const char *from, const char *to);

#endif
