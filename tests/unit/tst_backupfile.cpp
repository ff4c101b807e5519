// SPDX-License-Identifier: MIT
// A repair's backup file on a disk that fills: the write must fail loudly and leave no file, since the repair
// goes on to change the store only once its backup is written.
#include "health/repairrules.h"
#include "storageerror.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

using namespace Inspector;
using namespace Qt::StringLiterals;

class TestBackupFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesWholeFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"backup.jsonl"_s);
        const QByteArray bytes(200000, 'x');
        RepairRules::writeBackupFile(path, bytes);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), bytes);
    }

    void fullDiskThrowsAndLeavesNoFile()
    {
        // the file size limit makes write() fail as a full disk does (EFBIG instead of ENOSPC)
        QTemporaryDir dir;
        const QString path = dir.filePath(u"backup.jsonl"_s);
        rlimit old {};
        QVERIFY(::getrlimit(RLIMIT_FSIZE, &old) == 0);
        const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = old;
        small.rlim_cur = 1024;
        QVERIFY(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        bool threw = false;
        try {
            RepairRules::writeBackupFile(path, QByteArray(8000, 'x')); // within Qt's write buffer
        } catch (const StorageError&) {
            threw = true;
        }
        ::setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY(threw);
        QVERIFY(!QFile::exists(path));
    }
};

QTEST_GUILESS_MAIN(TestBackupFile)
#include "tst_backupfile.moc"
