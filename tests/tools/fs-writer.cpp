// SPDX-License-Identifier: MIT
// Rewrites five memories of a folder store in a loop, forever, for the crash test that kills it (SIGKILL).
// Version v of memory k has a content that tells its version and is long enough to take a while to write.
#include "filesystem/filesystembackend.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace {
QString contentFor(qint64 version)
{
    return u"version "_s + QString::number(version) + u' '
        + QString(u"0123456789abcdef"_s).repeated(int(version % 40 + 1) * 150);
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    auto backend = Inspector::FilesystemBackend::open(app.arguments().value(1));
    for (qint64 version = 1;; ++version) {
        for (int k = 0; k < 5; ++k) {
            Inspector::Memory m;
            m.id = u"crash_"_s + QString::number(k);
            m.content = contentFor(version);
            m.namespaceName = u"progress"_s;
            m.domain = u"project"_s;
            m.status = u"active"_s;
            m.createdAt = 1767000000;
            m.updatedAt = 1767000000 + version;
            m.tags = {u"v"_s + QString::number(version)};
            backend->store(m);
        }
    }
}
