// SPDX-License-Identifier: MIT
// Every store on the machine: a fake HOME with subcog's data folder in current and legacy layouts, a folder store,
// a config.toml with [storage.project] path and a PostgreSQL URL, legacy project indexes under an added folder
// (with a symbolic link loop, a deep tree, hidden and node_modules folders), found, counted and dated.
#include "fixturegenerator.h"
#include "storefinder.h"
#include "testhelpers.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;
using Fixtures::SqliteLayout;
using Inspector::Testing::sampleMemory;

namespace {

Fixtures::GeneratedStore sqliteStore(const QString& path, SqliteLayout layout, int count, quint64 seed,
                                     bool pendingWal = true)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    Fixtures::GeneratorOptions options;
    options.seed = seed;
    options.count = count;
    options.anomalies = false;
    options.largeMemories = 0;
    options.pendingWal = pendingWal;
    return Fixtures::writeSqliteStore(path, layout, options);
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(bytes);
}

void setMtime(const QString& path, qint64 seconds)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite) || QFileInfo(path).isDir());
    const QDateTime when = QDateTime::fromSecsSinceEpoch(seconds);
    if (QFileInfo(path).isDir()) {
        QVERIFY(QProcess::execute(u"touch"_s, {u"-d"_s, u"@"_s + QString::number(seconds), path}) == 0);
        return;
    }
    QVERIFY(file.setFileTime(when, QFileDevice::FileModificationTime));
}

const FoundStore* byLocation(const QList<FoundStore>& stores, const QString& location)
{
    for (const FoundStore& s : stores) {
        if (s.location == location)
            return &s;
    }
    return nullptr;
}

} // namespace

class TestStoreFinder : public QObject
{
    Q_OBJECT
    QTemporaryDir m_root;
    QString m_home;
    QString m_data;
    QString m_code;
    QHash<QString, qint64> m_counts; ///< location → memories written

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_root.isValid());
        m_home = m_root.filePath(u"home"_s);
        m_data = m_home + u"/.local/share/subcog"_s;
        m_code = m_root.filePath(u"code"_s);
        qputenv("HOME", m_home.toUtf8());
        qunsetenv("XDG_DATA_HOME");
        qunsetenv("SUBCOG_CONFIG_PATH");
        qunsetenv("SUBCOG_STORAGE_BACKEND");
        qunsetenv("SUBCOG_STORAGE_CONNECTION_STRING");

        // the data folder: HEAD's index, a consolidation store, an org index, two legacy per-repo indexes
        m_counts[m_data + u"/index.db"_s] = sqliteStore(m_data + u"/index.db"_s, SqliteLayout::Head, 12, 1).rowCount;
        m_counts[m_data + u"/memories.db"_s]
            = sqliteStore(m_data + u"/memories.db"_s, SqliteLayout::V0_6, 3, 2).rowCount;
        m_counts[m_data + u"/org/index.db"_s]
            = sqliteStore(m_data + u"/org/index.db"_s, SqliteLayout::HeadFromV0_1, 4, 3).rowCount;
        const QString repoA = m_data + u"/repos/0123456789abcdef/index.db"_s;
        const QString repoB = m_data + u"/repos/fedcba9876543210/index.db"_s;
        m_counts[repoA] = sqliteStore(repoA, SqliteLayout::V0_5, 7, 4, false).rowCount;
        m_counts[repoB] = sqliteStore(repoB, SqliteLayout::V0_3, 5, 5).rowCount;
        QDir().mkpath(m_data + u"/repos/not-a-store"_s); // no index.db: not listed

        // subcog gc's folder store: three memory files with known times
        for (int i = 0; i < 3; ++i) {
            const QString id = u"f0000000000"_s + QString::number(i);
            writeFile(m_data + u"/memories/"_s + id + u".json"_s, Fixtures::subcogFileBytes(sampleMemory(id)));
            setMtime(m_data + u"/memories/"_s + id + u".json"_s, 1760000000 + i * 1000);
        }
        m_counts[m_data + u"/memories"_s] = 3;
        setMtime(m_data + u"/memories"_s, 1750000000);

        // config.toml: [storage.project] path (a v0.2 file), and a PostgreSQL user store with a password
        const QString projectStore = m_root.filePath(u"elsewhere/project.db"_s);
        m_counts[projectStore] = sqliteStore(projectStore, SqliteLayout::V0_2, 6, 6).rowCount;
        writeFile(m_home + u"/.config/subcog/config.toml"_s,
                  "[storage.user]\nbackend = \"postgresql\"\n"
                  "connection_string = \"postgresql://alice:s3cretpw@127.0.0.1:1/subcog\"\n\n"
                  "[storage.project]\npath = \""
                      + projectStore.toUtf8() + "\"\n");

        // an added folder with legacy project indexes: two repositories, one of them nested, one store that is no
        // database, and what must not be found or must not hang the search
        const QString alpha = m_code + u"/alpha/.subcog/index.db"_s;
        const QString gamma = m_code + u"/beta/sub/gamma/.subcog/index.db"_s;
        m_counts[alpha] = sqliteStore(alpha, SqliteLayout::V0_5, 4, 7).rowCount;
        m_counts[gamma] = sqliteStore(gamma, SqliteLayout::V0_1, 2, 8).rowCount;
        writeFile(m_code + u"/broken/.subcog/index.db"_s, QByteArray(4096, 'x'));
        QString deep = m_code + u"/deep"_s;
        for (int i = 1; i <= 9; ++i)
            deep += u"/d"_s + QString::number(i);
        sqliteStore(deep + u"/.subcog/index.db"_s, SqliteLayout::V0_5, 1, 9); // depth 10: past the limit
        sqliteStore(m_code + u"/node_modules/pkg/.subcog/index.db"_s, SqliteLayout::V0_5, 1, 10);
        sqliteStore(m_code + u"/.cache/repo/.subcog/index.db"_s, SqliteLayout::V0_5, 1, 11);
        // links: one back to the added folder (a loop), one to itself, one to a repository outside (followed)
        QVERIFY(QFile::link(m_code, m_code + u"/alpha/loop"_s));
        QVERIFY(QFile::link(m_code + u"/beta"_s, m_code + u"/beta/sub/self"_s));
        const QString outside = m_root.filePath(u"outside/repo/.subcog/index.db"_s);
        m_counts[outside] = sqliteStore(outside, SqliteLayout::V0_5, 3, 12).rowCount;
        QVERIFY(QFile::link(m_root.filePath(u"outside"_s), m_code + u"/linked"_s));
    }

    void findsEveryStore()
    {
        const FoundStores found = findAllStores(readSubcogConfig(), {m_code});
        QStringList locations;
        for (const FoundStore& s : found.stores)
            locations << s.location;
        const QString url = u"postgresql://alice@127.0.0.1:1/subcog"_s;
        const QString outsideViaLink = m_code + u"/linked/repo/.subcog/index.db"_s;
        const QStringList expected {url,
                                    m_data + u"/index.db"_s,
                                    m_root.filePath(u"elsewhere/project.db"_s),
                                    m_data + u"/memories.db"_s,
                                    m_data + u"/org/index.db"_s,
                                    m_data + u"/memories"_s,
                                    m_data + u"/repos/0123456789abcdef/index.db"_s,
                                    m_data + u"/repos/fedcba9876543210/index.db"_s,
                                    m_code + u"/alpha/.subcog/index.db"_s,
                                    m_code + u"/beta/sub/gamma/.subcog/index.db"_s,
                                    m_code + u"/broken/.subcog/index.db"_s,
                                    outsideViaLink};
        QCOMPARE(locations, expected);
        // the password is in the spec the store opens with, never in what is shown
        QVERIFY(found.stores.first().spec.contains(u"s3cretpw"_s));
        for (const FoundStore& s : found.stores)
            QVERIFY(!s.location.contains(u"s3cretpw"_s));

        const auto use = [&](const QString& location) { return byLocation(found.stores, location)->use; };
        const auto kind = [&](const QString& location) { return byLocation(found.stores, location)->kind; };
        QCOMPARE(use(url), StoreUse::Now);
        QCOMPARE(kind(url), FoundStoreKind::Postgres);
        QCOMPARE(use(m_data + u"/index.db"_s), StoreUse::Now); // inside repositories: [storage.project] is SQLite
        QCOMPARE(kind(m_root.filePath(u"elsewhere/project.db"_s)), FoundStoreKind::Consolidation);
        QCOMPARE(byLocation(found.stores, m_root.filePath(u"elsewhere/project.db"_s))->foundBy,
                 u"[storage.project] path"_s);
        QCOMPARE(kind(m_data + u"/org/index.db"_s), FoundStoreKind::OrgIndex);
        QCOMPARE(kind(m_data + u"/memories"_s), FoundStoreKind::Folder);
        QCOMPARE(kind(m_data + u"/repos/0123456789abcdef/index.db"_s), FoundStoreKind::LegacyRepoIndex);
        QCOMPARE(use(m_data + u"/repos/0123456789abcdef/index.db"_s), StoreUse::Forgotten);
        QCOMPARE(kind(outsideViaLink), FoundStoreKind::LegacyProjectIndex);
        QCOMPARE(byLocation(found.stores, outsideViaLink)->foundBy, m_code);

        // the deep tree is named in a note; raising the limit finds it
        QCOMPARE(found.notes.size(), 1);
        QVERIFY2(found.notes.first().contains(u"levels down"_s), qPrintable(found.notes.first()));
        ScanLimits deeper;
        deeper.maxDepth = 12;
        const QStringList all = findProjectIndexes(m_code, deeper);
        QCOMPARE(all.size(), 5);
        QVERIFY(all.contains(m_code + u"/deep/d1/d2/d3/d4/d5/d6/d7/d8/d9/.subcog/index.db"_s));
        // a folder limit ends the search with a note instead of walking on
        ScanLimits few;
        few.maxFolders = 3;
        QStringList notes;
        QVERIFY(findProjectIndexes(m_code, few, &notes).size() < 5);
        QVERIFY(notes.first().contains(u"stopped after 3 folders"_s));
    }

    void countsAndLastChange()
    {
        // WAL layouts keep their last rows in -wal: its time is the store's last change
        const QString index = m_data + u"/index.db"_s;
        QVERIFY(QFileInfo::exists(index + u"-wal"_s));
        setMtime(index, 1700000000);
        setMtime(index + u"-wal"_s, 1700000500);
        const QString legacy = m_data + u"/repos/0123456789abcdef/index.db"_s;
        QCOMPARE(QFileInfo(legacy + u"-wal"_s).size(), 0); // checkpointed: the file's own time
        setMtime(legacy + u"-wal"_s, 1500000000);
        setMtime(legacy, 1600000000);

        const FoundStores found = findAllStores(readSubcogConfig(), {m_code});
        for (const FoundStore& store : found.stores) {
            const StoreMeasurement m = measureStore(store);
            if (store.kind == FoundStoreKind::Postgres) {
                QVERIFY(!m.error.isEmpty()); // nothing listens on port 1
                QVERIFY2(!m.error.contains(u"s3cretpw"_s), qPrintable(m.error));
                QVERIFY(!m.count);
                QVERIFY(!m.lastChange);
                continue;
            }
            if (store.location.contains(u"/broken/"_s)) {
                QVERIFY(!m.error.isEmpty());
                QVERIFY(!m.count);
                QVERIFY(m.lastChange); // the file's time is known even when it cannot be read
                continue;
            }
            QVERIFY2(m.error.isEmpty(), qPrintable(store.location + u": "_s + m.error));
            const QString key = store.location.contains(u"/linked/"_s)
                ? m_root.filePath(u"outside/repo/.subcog/index.db"_s)
                : store.location;
            QVERIFY2(m_counts.contains(key), qPrintable(key));
            QCOMPARE(m.count.value_or(-1), m_counts.value(key));
            QVERIFY(m.lastChange);
        }
        const auto measured = [&](const QString& location) {
            for (const FoundStore& s : found.stores) {
                if (s.location == location)
                    return measureStore(s);
            }
            return StoreMeasurement {};
        };
        QCOMPARE(measured(index).lastChange->toSecsSinceEpoch(), 1700000500);
        QCOMPARE(measured(legacy).lastChange->toSecsSinceEpoch(), 1600000000);
        QCOMPARE(measured(m_data + u"/memories"_s).lastChange->toSecsSinceEpoch(), 1760002000);

        QCOMPARE(measured(index).era, StoreMeasurement::Era::Current);
        QCOMPARE(measured(legacy).era, StoreMeasurement::Era::Legacy);
        QCOMPARE(measured(legacy).releases, u"v0.5"_s);
        QCOMPARE(measured(m_data + u"/repos/fedcba9876543210/index.db"_s).releases, u"v0.3–v0.4"_s);
        QCOMPARE(measured(m_code + u"/beta/sub/gamma/.subcog/index.db"_s).releases, u"v0.1–v0.2"_s);
        QCOMPARE(measured(m_data + u"/org/index.db"_s).era, StoreMeasurement::Era::Current); // upgraded by HEAD
    }

    void erasOfEveryLayout_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<bool>("current");
        QTest::addColumn<QString>("releases");
        const QList<std::tuple<SqliteLayout, bool, QString>> rows {
            {SqliteLayout::PreRelease, false, u"pre-release"_s},
            {SqliteLayout::V0_1, false, u"v0.1–v0.2"_s},
            {SqliteLayout::V0_2, false, u"v0.1–v0.2"_s},
            {SqliteLayout::V0_3, false, u"v0.3–v0.4"_s},
            {SqliteLayout::V0_5, false, u"v0.5"_s},
            {SqliteLayout::V0_6, true, u"v0.6+"_s},
            {SqliteLayout::Head, true, u"v0.6+"_s},
            {SqliteLayout::HeadFromV0_1, true, u"v0.6+"_s},
            {SqliteLayout::HeadFromV0_3, true, u"v0.6+"_s},
            {SqliteLayout::HeadGroupScope, true, u"v0.6+"_s},
            {SqliteLayout::SplitB41a806, false, u"b41a806 (unreleased)"_s},
        };
        for (const auto& [layout, current, releases] : rows)
            QTest::newRow(qPrintable(Fixtures::layoutName(layout))) << int(layout) << current << releases;
    }
    void erasOfEveryLayout()
    {
        QFETCH(int, layout);
        QFETCH(bool, current);
        QFETCH(QString, releases);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"index.db"_s);
        sqliteStore(path, SqliteLayout(layout), 5, 20);
        const StoreMeasurement m
            = measureStore(FoundStore {FoundStoreKind::LegacyProjectIndex, u"sqlite:"_s + path, path, {}, {}});
        QVERIFY2(m.error.isEmpty(), qPrintable(m.error));
        QCOMPARE(m.era, current ? StoreMeasurement::Era::Current : StoreMeasurement::Era::Legacy);
        QCOMPARE(m.releases, releases);
        QCOMPARE(m.count.value_or(-1), 5);
    }

    void commandLine()
    {
        const QString binary = qEnvironmentVariable("INSPECTOR_BINARY");
        QVERIFY(!binary.isEmpty());
        QProcess process;
        process.start(binary, {u"stores"_s, u"--scan"_s, m_code, u"--json"_s});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 3); // the PostgreSQL store and the broken file cannot be read
        const QByteArray output = process.readAllStandardOutput();
        QVERIFY(!output.contains("s3cretpw"));
        QVERIFY(!process.readAllStandardError().contains("s3cretpw"));
        QHash<QString, QJsonObject> rows;
        for (const QByteArray& line : output.split('\n')) {
            if (!line.isEmpty()) {
                const QJsonObject o = QJsonDocument::fromJson(line).object();
                rows.insert(o.value(u"location"_s).toString(), o);
            }
        }
        QCOMPARE(rows.size(), 12);
        const QJsonObject alpha = rows.value(m_code + u"/alpha/.subcog/index.db"_s);
        QCOMPARE(alpha.value(u"kind"_s).toString(), u"legacy-project-index"_s);
        QCOMPARE(alpha.value(u"memories"_s).toInteger(), m_counts.value(m_code + u"/alpha/.subcog/index.db"_s));
        QCOMPARE(alpha.value(u"era"_s).toString(), u"legacy"_s);
        QCOMPARE(alpha.value(u"use"_s).toString(), u"legacy"_s);
        QVERIFY(!rows.value(m_code + u"/broken/.subcog/index.db"_s).value(u"error"_s).toString().isEmpty());
        QCOMPARE(rows.value(m_data + u"/index.db"_s).value(u"use"_s).toString(), u"now"_s);

        // the table: a header and one line a store
        process.start(binary, {u"stores"_s});
        QVERIFY(process.waitForFinished(60000));
        const QStringList lines = QString::fromUtf8(process.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 8); // without --scan: no project indexes
        QVERIFY2(lines.at(2).startsWith(u"index\t"_s + QString::number(m_counts.value(m_data + u"/index.db"_s))
                                        + u"\t2023-11-14 22:21:40\tcurrent v0.6+\tnow\t"_s),
                 qPrintable(lines.at(2)));
    }
};

QTEST_GUILESS_MAIN(TestStoreFinder)
#include "tst_storefinder.moc"
