// SPDX-License-Identifier: MIT
// The window's embeddings under the offscreen platform, on a real SQLite data folder (index.db and vectors.idx): the
// detail pane's Embedding tab, View ▸ Similar Memories (its list, selecting from it, Cancel) and File ▸ Store Info's
// coverage.
#include "detailpane.h"
#include "embeddingactions.h"
#include "embeddings.h"
#include "embeddingtab.h"
#include "mainwindow.h"
#include "memorytablemodel.h"
#include "shownastext.h"
#include "similarmemoriesdialog.h"
#include "storeinfodialog.h"
#include "storeopener.h"
#include "translations.h"
#include "vectorsfile.h"

#include <QLabel>
#include <QLocale>
#include <QRandomGenerator>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace Inspector;

namespace {
OpenOptions readOnlyOptions()
{
    OpenOptions o;
    o.readOnly = true;
    return o;
}

constexpr int kDims = 16;

QString idFor(int i)
{
    return u"w%1"_s.arg(i, 4, 10, QChar(u'0'));
}

/// A data folder of `count` memories; every third has no vector, w0001 is tombstoned, two vectors have no memory.
QHash<QString, QList<float>> writeStore(const QString& folder, int count)
{
    QDir().mkpath(folder);
    OpenOptions create;
    create.create = true;
    auto store = openStore(u"sqlite:"_s + folder + u"/index.db"_s, create);
    QRandomGenerator random(11);
    QList<Memory> memories;
    QHash<QString, QList<float>> vectors;
    for (int i = 0; i < count; ++i) {
        Memory m;
        m.id = idFor(i);
        m.content = u"Memory %1\nmore"_s.arg(i);
        m.namespaceName = u"learnings"_s;
        m.domain = u"project"_s;
        m.status = i == 1 ? u"tombstoned"_s : u"active"_s;
        m.createdAt = m.updatedAt = 1767225600 + i;
        memories << m;
        if (i % 3 == 2)
            continue;
        QList<float> v;
        for (int d = 0; d < kDims; ++d)
            v << float(random.generateDouble() - 0.5);
        vectors.insert(m.id, v);
    }
    vectors.insert(u"gone-1"_s, QList<float>(kDims, 0.5f));
    vectors.insert(u"gone-2"_s, QList<float>(kDims, -0.5f));
    store->storeBatch(memories);
    VectorsFile file;
    file.dimensions = kDims;
    file.vectors = vectors;
    writeFileAtomically(folder + u"/vectors.idx"_s, serializeVectorsFile(file));
    return vectors;
}
} // namespace

class TestEmbeddingUi : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_config;
    QString m_folder;
    QString m_bigFolder;
    QHash<QString, QList<float>> m_vectors;

    std::unique_ptr<MainWindow> openWindow(const QString& folder)
    {
        auto w = std::make_unique<MainWindow>();
        w->model()->setChangeCheckInterval(0);
        w->resize(1280, 800);
        w->show();
        [&] { QVERIFY(QTest::qWaitForWindowExposed(w.get())); }();
        w->openStore(u"sqlite:"_s + folder + u"/index.db"_s);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(w->model()->isOpen() && w->model()->rowCount() > 0, 30000); }();
        return w;
    }

    static void select(MainWindow& w, const QString& id)
    {
        w.goToId(id);
        QTRY_VERIFY_WITH_TIMEOUT(w.detailPane()->memory() && w.detailPane()->memory()->id == id, 30000);
    }

    static EmbeddingTab* showTab(MainWindow& w)
    {
        EmbeddingTab* tab = w.detailPane()->embeddingTab();
        auto* tabs = w.detailPane()->findChild<QTabWidget*>();
        tabs->setCurrentWidget(tab);
        return tab;
    }

private Q_SLOTS:
    void initTestCase()
    {
        installTranslations();
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        qputenv("HOME", m_config.path().toUtf8());
        m_folder = m_dir.filePath(u"data"_s);
        m_vectors = writeStore(m_folder, 120);
    }

    void embeddingTab()
    {
        auto w = openWindow(m_folder);
        select(*w, idFor(4));
        EmbeddingTab* tab = showTab(*w);
        QTRY_VERIFY_WITH_TIMEOUT(!tab->isBusy() && tab->text().contains(u"Has an embedding"_s), 30000);
        const QList<float> v = m_vectors.value(idFor(4));
        double squares = 0;
        for (float x : v)
            squares += double(x) * double(x);
        const QLocale locale;
        const QString text = tab->text();
        QVERIFY2(text.contains(u"vectors.idx"_s), qPrintable(text));
        QVERIFY2(text.contains(u"Dimensions:"_s) && text.contains(u"16"_s), qPrintable(text));
        QVERIFY2(text.contains(locale.toString(std::sqrt(squares), 'f', 6)), qPrintable(text));
        for (int i = 0; i < EmbeddingTab::kShownValues; ++i)
            QVERIFY2(text.contains(locale.toString(double(v[i]), 'g', 7)), qPrintable(text));
        QVERIFY(!text.contains(locale.toString(double(v[EmbeddingTab::kShownValues]), 'g', 7)));

        // a memory without one: said, with where the store keeps them
        select(*w, idFor(5));
        QTRY_VERIFY_WITH_TIMEOUT(!tab->isBusy() && tab->text().contains(u"No embedding"_s), 30000);
        QVERIFY(tab->text().contains(u"vectors.idx"_s));

        // with another tab shown, nothing is read: a memory chosen meanwhile is read once the tab is shown
        auto* tabs = w->detailPane()->findChild<QTabWidget*>();
        tabs->setCurrentIndex(0);
        select(*w, idFor(7));
        QVERIFY(!tab->isBusy());
        tabs->setCurrentWidget(tab);
        QTRY_VERIFY_WITH_TIMEOUT(!tab->isBusy() && tab->text().contains(u"Has an embedding"_s), 30000);
    }

    void storeWithoutEmbeddings()
    {
        const QString folder = m_dir.filePath(u"plain"_s);
        QDir().mkpath(folder);
        OpenOptions create;
        create.create = true;
        Memory m;
        m.id = u"plain1"_s;
        m.content = u"no vectors here"_s;
        m.namespaceName = u"decisions"_s;
        m.domain = u"project"_s;
        m.status = u"active"_s;
        m.createdAt = m.updatedAt = 1767225600;
        openStore(u"sqlite:"_s + folder + u"/index.db"_s, create)->store(m);
        auto w = openWindow(folder);
        select(*w, m.id);
        EmbeddingTab* tab = showTab(*w);
        QTRY_VERIFY_WITH_TIMEOUT(!tab->isBusy() && tab->text().startsWith(u"None."_s), 30000);
        QVERIFY2(tab->text().contains(u"vectors.idx"_s), qPrintable(tab->text()));
    }

    void similarMemoriesList()
    {
        auto w = openWindow(m_folder);
        select(*w, idFor(0));
        w->embeddingActions()->similarAction()->trigger();
        SimilarMemoriesDialog* dialog = w->embeddingActions()->similarDialog();
        QVERIFY(dialog && dialog->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 30000);
        // the same answer as the storage layer's (whose order tst_embeddings checks against a brute force)
        auto store = openStore(u"sqlite:"_s + m_folder + u"/index.db"_s, readOnlyOptions());
        const SimilarMemories expected = similarMemories(*store, idFor(0), 10);
        const QList<QStringList> rows = dialog->rows();
        QCOMPARE(rows.size(), 10);
        const QLocale locale;
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(rows[i].at(1), expected.nearest[i].id);
            QCOMPARE(rows[i].at(0), locale.toString(expected.nearest[i].similarity, 'f', 4));
            QCOMPARE(rows[i].at(2), u"learnings"_s);
            QCOMPARE(rows[i].at(3), u"Memory %1"_s.arg(expected.nearest[i].id.mid(1).toInt()));
            QVERIFY(rows[i].at(1) != idFor(1)); // tombstoned
        }
        QVERIFY2(dialog->statusText().contains(u"vectors.idx"_s), qPrintable(dialog->statusText()));
        // activating a row selects that memory in the table and the detail pane
        auto* list = dialog->findChild<QTreeWidget*>(u"similarList"_s);
        QTreeWidgetItem* third = list->topLevelItem(2);
        Q_EMIT list->itemActivated(third, 0);
        QTRY_VERIFY_WITH_TIMEOUT(w->detailPane()->memory() && w->detailPane()->memory()->id == third->text(1), 30000);
        // an id is data: `<b>x</b>` shows in the status as written, not as a bold x
        dialog->search(u"<b>x</b>"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 30000);
        const QString status = Testing::shownText(dialog->findChild<QLabel*>(u"similarStatus"_s));
        QVERIFY2(status.contains(u"<b>x</b>"_s), qPrintable(status));
    }

    void similarMemoriesCancel()
    {
        // enough vectors that the scan takes a while: Cancel stops it, and the next search runs
        const QString folder = m_dir.filePath(u"big"_s);
        writeStore(folder, 40000);
        auto w = openWindow(folder);
        select(*w, idFor(0));
        w->embeddingActions()->showSimilar(idFor(0));
        SimilarMemoriesDialog* dialog = w->embeddingActions()->similarDialog();
        QVERIFY(dialog->isBusy());
        dialog->cancel();
        QVERIFY(!dialog->isBusy());
        QVERIFY(dialog->rows().isEmpty());
        QVERIFY2(dialog->statusText().startsWith(u"Stopped"_s), qPrintable(dialog->statusText()));
        dialog->search(idFor(0));
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 60000);
        QCOMPARE(dialog->rows().size(), 10);
        // the cancelled job did not leave the worker busy: the table still answers
        QVERIFY(!w->model()->isBusy() || QTest::qWaitFor([&] { return !w->model()->isBusy(); }, 30000));
    }

    void storeInfoCoverage()
    {
        auto w = openWindow(m_folder);
        w->embeddingActions()->storeInfoAction()->trigger();
        StoreInfoDialog* dialog = w->embeddingActions()->storeInfoDialog();
        QVERIFY(dialog && dialog->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 30000);
        const QString text = dialog->text().simplified(); // the table's cells on lines of their own
        // 120 memories, 80 with a vector (every third has none); 40 without, all live; two vectors of no memory
        QVERIFY2(text.contains(u"Kept in: vectors.idx"_s), qPrintable(text));
        QVERIFY2(text.contains(u"Memories with an embedding: 80 of 120"_s), qPrintable(text));
        QVERIFY2(text.contains(u"Live memories without one: 40"_s), qPrintable(text));
        QVERIFY2(text.contains(u"Vectors without a memory: 2"_s), qPrintable(text));
    }
};

QTEST_MAIN(TestEmbeddingUi)
#include "tst_embeddingui.moc"
