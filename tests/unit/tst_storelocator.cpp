// SPDX-License-Identifier: MIT
#include "demostore.h"
#include "sqlite/sqlitebackend.h"
#include "storelocator.h"
#include "storeopener.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Inspector;

class TestStoreLocator : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_home.isValid());
        qputenv("HOME", m_home.path().toUtf8());
        qunsetenv("XDG_DATA_HOME");
        qunsetenv("SUBCOG_CONFIG_PATH");
        qunsetenv("SUBCOG_STORAGE_BACKEND");
        qunsetenv("SUBCOG_STORAGE_CONNECTION_STRING");
    }
    void defaults()
    {
        const SubcogConfig config = readSubcogConfig();
        QCOMPARE(config.configPath, m_home.path() + u"/.config/subcog/config.toml"_s);
        QVERIFY(!config.configExists);
        QCOMPARE(config.dataDir, m_home.path() + u"/.local/share/subcog"_s);
        QCOMPARE(config.backend, u"sqlite"_s);
        QVERIFY(findSubcogStores(config).isEmpty());
        qputenv("XDG_DATA_HOME", (m_home.path() + u"/xdg"_s).toUtf8());
        QCOMPARE(readSubcogConfig().dataDir, m_home.path() + u"/xdg/subcog"_s);
        qputenv("XDG_DATA_HOME", "relative/ignored");
        QCOMPARE(readSubcogConfig().dataDir, m_home.path() + u"/.local/share/subcog"_s);
    }
    void configFile()
    {
        QDir().mkpath(m_home.path() + u"/.config/subcog"_s);
        QFile file(m_home.path() + u"/.config/subcog/config.toml"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# subcog\ndata_dir = \"${MY_ROOT}/memories\"\n\n[storage.user]\nbackend = \"PG\"\n"
                   "connection_string = \"postgresql://u:secret@localhost/subcog\"\n");
        file.close();
        qputenv("MY_ROOT", "/srv/data");
        SubcogConfig config = readSubcogConfig();
        QVERIFY(config.configExists);
        QVERIFY(config.configError.isEmpty());
        QCOMPARE(config.dataDir, u"/srv/data/memories"_s);
        QCOMPARE(config.backend, u"postgresql"_s);
        QVERIFY(config.hasConnectionString);
        const auto stores = findSubcogStores(config);
        QVERIFY(!stores.isEmpty());
        QCOMPARE(stores.first().spec, u"postgresql://u:secret@localhost/subcog"_s);
        qputenv("SUBCOG_STORAGE_CONNECTION_STRING", "postgres://other/db");
        QCOMPARE(findSubcogStores(readSubcogConfig()).first().spec, u"postgres://other/db"_s);
        qunsetenv("SUBCOG_STORAGE_CONNECTION_STRING");
        qputenv("SUBCOG_STORAGE_BACKEND", "filesystem");
        QCOMPARE(readSubcogConfig().backend, u"filesystem"_s);
        QCOMPARE(expandPath(u"~/x"_s), m_home.path() + u"/x"_s);
        QFile::remove(file.fileName());
        qunsetenv("MY_ROOT");
    }
    void brokenConfigIsReported()
    {
        const QString path = m_home.path() + u"/broken.toml"_s;
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("data_dir = [unclosed\n");
        file.close();
        qputenv("SUBCOG_CONFIG_PATH", path.toUtf8());
        const SubcogConfig config = readSubcogConfig();
        QCOMPARE(config.configPath, path);
        QVERIFY(!config.configError.isEmpty());
        QCOMPARE(config.dataDir, m_home.path() + u"/.local/share/subcog"_s);
    }
    void findsIndexAndDemo()
    {
        const SubcogConfig config = readSubcogConfig();
        QDir().mkpath(config.dataDir);
        SqliteBackend::create(config.dataDir + u"/index.db"_s);
        const auto stores = findSubcogStores(config);
        QCOMPARE(stores.size(), 1);
        QCOMPARE(stores.first().spec, config.dataDir + u"/index.db"_s);

        const QString demo = demoStorePath();
        QVERIFY(demo.startsWith(m_home.path()));
        QVERIFY(ensureDemoStore(demo));
        QVERIFY(!ensureDemoStore(demo));
        auto backend = openStore(demo);
        QVERIFY(backend->count() > 100);
        QVERIFY(!backend->getBatch(backend->listIds().mid(0, 5)).isEmpty());
    }
    void storeSpecs()
    {
        QCOMPARE(StoreSpec::parse(u"sqlite:/a/b.db"_s).location, u"/a/b.db"_s);
        QCOMPARE(StoreSpec::parse(u"/a/b.db"_s).kind, StoreSpec::Kind::Sqlite);
        QCOMPARE(StoreSpec::parse(u"fs:/a"_s).kind, StoreSpec::Kind::Filesystem);
        QCOMPARE(StoreSpec::parse(m_home.path()).kind, StoreSpec::Kind::Filesystem);
        QCOMPARE(StoreSpec::parse(u"postgres://h/db"_s).kind, StoreSpec::Kind::Postgres);
        QCOMPARE(StoreSpec::parse(u"postgresql://h/db"_s).kind, StoreSpec::Kind::Postgres);
    }
};

QTEST_GUILESS_MAIN(TestStoreLocator)
#include "tst_storelocator.moc"
