// SPDX-License-Identifier: MIT
// What the folder backend's files (filesystembackend.cpp, filesystemread.cpp) share.
#pragma once

#include <QString>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace Inspector::FolderFiles {

constexpr qint64 kReadLimit = 1024 * 1024; // subcog refuses to read larger files

inline QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

inline qint64 modifiedNs(const struct stat& st)
{
    return qint64(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

inline bool isTemporaryName(const QString& name)
{
    return name.endsWith(QLatin1StringView(".tmp")) && name.contains(QLatin1StringView(".json."));
}

} // namespace Inspector::FolderFiles
