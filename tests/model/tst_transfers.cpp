// SPDX-License-Identifier: MIT
// model/transfers: the export-to-file and copy-to-store the window's jobs and the command line share, and how each
// ends (written, cancelled, output failed, same store), on a small SQLite store.
#include "fixturegenerator.h"
#include "transfers.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestTransfers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    Fixtures::GeneratedStore m_store;

    std::unique_ptr<PersistenceBackend> source()
    {
        OpenOptions o;
        o.readOnly = true;
        return openStore(u"sqlite:"_s + m_store.path, o);
    }

private Q_SLOTS:
    void initTestCase()
    {
        Fixtures::GeneratorOptions options;
        options.count = 40;
        options.anomalies = false;
        options.pendingWal = false;
        m_store = Fixtures::writeSqliteStore(m_dir.filePath(u"source.db"_s), Fixtures::SqliteLayout::Head, options);
    }

    void exportWritesTheFile()
    {
        auto store = source();
        ExportRequest request;
        request.path = m_dir.filePath(u"all.jsonl"_s);
        QString said;
        const ExportOutcome outcome = exportToFile(*store, request, {}, [&](const QString& notice) { said = notice; });
        QCOMPARE(int(outcome.end), int(ExportOutcome::End::Written));
        QCOMPARE(outcome.report.written, qint64(m_store.truth.size()));
        QVERIFY(outcome.leftAsItWas); // a regular file: replaced only once whole
        QFile file(request.path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count('\n'), m_store.truth.size());
    }

    void cancelledExportLeavesTheFile()
    {
        auto store = source();
        ExportRequest request;
        request.path = m_dir.filePath(u"kept.jsonl"_s);
        {
            QFile old(request.path);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("old\n");
        }
        const ExportOutcome outcome = exportToFile(*store, request, [](qint64, qint64) { return false; });
        QCOMPARE(int(outcome.end), int(ExportOutcome::End::Cancelled));
        QVERIFY(outcome.leftAsItWas);
        QFile file(request.path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("old\n"));
    }

    void fullDeviceIsAnOutputFailure()
    {
        auto store = source();
        ExportRequest request;
        request.path = u"/dev/full"_s; // a character device: written in place, and every write fails
        const ExportOutcome outcome = exportToFile(*store, request);
        QCOMPARE(int(outcome.end), int(ExportOutcome::End::OutputFailed));
        QCOMPARE(outcome.outputReason, u"no space left on device"_s);
        QVERIFY(!outcome.leftAsItWas);
        QVERIFY(!outcome.storeError);
    }

    void exportOntoTheStoreIsRefused()
    {
        auto store = source();
        ExportRequest request;
        request.path = m_store.path;
        QVERIFY_THROWS_EXCEPTION(StorageError, exportToFile(*store, request));
        QCOMPARE(source()->count(), qint64(m_store.truth.size())); // the store is whole
    }

    void copyIntoItselfThroughALink()
    {
        const QString link = m_dir.filePath(u"link.db"_s);
        QVERIFY(QFile::link(m_store.path, link));
        auto store = source();
        CopyRequest request;
        request.target = u"sqlite:"_s + link;
        const CopyOutcome outcome = copyToStore(*store, request);
        QCOMPARE(int(outcome.end), int(CopyOutcome::End::SameStore));
    }

    void dryRunIntoAStoreThatDoesNotExist()
    {
        auto store = source();
        CopyRequest request;
        request.target = u"sqlite:"_s + m_dir.filePath(u"missing.db"_s);
        request.dryRun = true;
        const CopyOutcome outcome = copyToStore(*store, request);
        QCOMPARE(int(outcome.end), int(CopyOutcome::End::Copied));
        QVERIFY(outcome.report.dryRun);
        QCOMPARE(outcome.report.expected, qint64(m_store.truth.size()));
        QCOMPARE(outcome.report.created, qint64(m_store.truth.size()));
        QVERIFY(!QFile::exists(m_dir.filePath(u"missing.db"_s)));
    }

    void copyCreatesTheTarget()
    {
        auto store = source();
        CopyRequest request;
        request.target = u"sqlite:"_s + m_dir.filePath(u"copy.db"_s);
        const CopyOutcome outcome = copyToStore(*store, request);
        QCOMPARE(int(outcome.end), int(CopyOutcome::End::Copied));
        QCOMPARE(outcome.report.created, qint64(m_store.truth.size()));
        QCOMPARE(openStore(request.target)->count(), qint64(m_store.truth.size()));
    }
};

QTEST_GUILESS_MAIN(TestTransfers)
#include "tst_transfers.moc"
