// SPDX-License-Identifier: MIT
#include "lineagedock.h"

#include "appearance.h"
#include "exportfile.h"
#include "lineagescene.h"
#include "storageerror.h"
#include "storeopener.h"
#include "transferdialogs.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSvgGenerator>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

LineageDock::LineageDock(MemoryTableModel* model, QWidget* parent)
    : QDockWidget(tr("Lineage"), parent)
    , m_model(model)
    , m_hops(new QSpinBox(this))
    , m_status(new QLabel(this))
    , m_scene(new QGraphicsScene(this))
    , m_view(new QGraphicsView(m_scene, this))
{
    setObjectName(u"lineageDock"_s);
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    auto* hopsLabel = new QLabel(tr("&Hops:"), body);
    hopsLabel->setBuddy(m_hops);
    m_hops->setObjectName(u"lineageHops"_s);
    m_hops->setRange(1, 3);
    m_hops->setValue(QSettings().value(u"lineage/hops"_s, 2).toInt());
    m_hops->setToolTip(tr("How many edges away from the selected memory the picture reaches"));
    bar->addWidget(hopsLabel);
    bar->addWidget(m_hops);
    m_status->setObjectName(u"lineageStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // errors and paths are data, never markup
    bar->addWidget(m_status, 1);
    for (const bool svg : {false, true}) {
        auto* button = new QToolButton(body);
        button->setObjectName(svg ? u"lineageSaveSvg"_s : u"lineageSavePng"_s);
        button->setText(svg ? tr("SVG…") : tr("PNG…"));
        button->setIcon(Appearance::icon(u"document-save-as"_s));
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setToolTip(svg ? tr("Save the picture as an SVG drawing") : tr("Save the picture as a PNG image"));
        connect(button, &QToolButton::clicked, this, [this, svg] { askExport(svg); });
        bar->addWidget(button);
    }
    layout->addLayout(bar);
    m_view->setObjectName(u"lineageView"_s);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setDragMode(QGraphicsView::ScrollHandDrag);
    m_view->viewport()->installEventFilter(this);
    m_view->setToolTip(tr("Colour: namespace · grey, dashed: tombstoned · red outline: missing memory · dashed "
                          "edge: from source_memory_ids · red edge: lost. Click a memory to select it."));
    layout->addWidget(m_view, 1);
    setWidget(body);

    connect(m_hops, &QSpinBox::valueChanged, this, [this](int hops) {
        QSettings().setValue(u"lineage/hops"_s, hops);
        reload();
    });
    connect(m_model, &MemoryTableModel::jobFinished, this, &LineageDock::onJobFinished);
    // another store, or the same one read again
    connect(m_model, &QAbstractItemModel::modelReset, this, &LineageDock::reload);
    redraw();
}

void LineageDock::setMemoryId(const QString& id)
{
    if (id == m_id)
        return;
    m_id = id;
    reload();
}

void LineageDock::setHops(int hops)
{
    m_hops->setValue(hops);
}

int LineageDock::hops() const
{
    return m_hops->value();
}

void LineageDock::reload()
{
    m_stale = true;
    if (m_job) {
        m_model->cancelFetch(m_job);
        m_job = 0;
    }
    if (isVisible())
        send();
    else
        redraw();
}

void LineageDock::showEvent(QShowEvent* event)
{
    QDockWidget::showEvent(event);
    if (m_stale)
        send();
}

void LineageDock::send()
{
    m_stale = false;
    m_error.clear();
    if (m_id.isEmpty() || !m_model->isOpen()) {
        m_lineage.reset();
        redraw();
        return;
    }
    auto result = std::make_shared<Lineage>();
    m_result = result;
    LineageOptions options;
    options.hops = hops();
    const QString id = m_id;
    m_job = m_model->runJob([result, id, options](PersistenceBackend& store, const auto&) {
        *result = readLineage(store, id, options);
        return QString();
    });
    redraw();
}

void LineageDock::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id == 0 || id != m_job)
        return;
    m_job = 0;
    if (failed)
        m_error = tr("The lineage could not be read: %1").arg(summary);
    else if (!cancelled)
        m_lineage = m_result;
    m_result.reset();
    redraw();
    Q_EMIT updated();
}

QString LineageDock::statusText() const
{
    return m_status->text();
}

void LineageDock::redraw()
{
    QString status;
    if (m_id.isEmpty())
        status = tr("No memory selected.");
    else if (!m_error.isEmpty())
        status = m_error;
    else if (m_job)
        status = tr("Reading the neighbourhood…");
    const bool current = m_lineage && m_lineage->centre == m_id;
    if (current && status.isEmpty()) {
        status = tr("%n memories", "", int(m_lineage->nodes.size())) + u", "_s
            + tr("%n relations", "", int(m_lineage->edges.size()));
        if (!m_lineage->hasEdgeTable)
            status += u" · "_s + tr("no edge table: summaries and sources from source_memory_ids");
        if (m_lineage->capped)
            status += u" · "_s + tr("more memories around it are not shown");
    }
    m_status->setText(status);
    if (m_job && current)
        return; // the old picture stays until the new one is there
    m_scene->clear();
    if (current)
        LineageDrawing::draw(*m_scene, *m_lineage, Appearance::isDark());
    else
        m_scene->setSceneRect(QRectF());
    fitPicture();
}

void LineageDock::fitPicture()
{
    // all of a small neighbourhood at once; a large one no smaller than half size (then it scrolls)
    m_view->resetTransform();
    const QRectF scene = m_scene->sceneRect();
    const QSizeF room = m_view->maximumViewportSize();
    if (scene.isEmpty() || (scene.width() <= room.width() && scene.height() <= room.height()))
        return;
    const qreal scale = qMax<qreal>(0.5, qMin(room.width() / scene.width(), room.height() / scene.height()));
    m_view->scale(scale, scale);
}

bool LineageDock::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        fitPicture();
    if (watched == m_view->viewport() && event->type() == QEvent::MouseButtonPress)
        m_pressAt = static_cast<QMouseEvent*>(event)->position().toPoint();
    if (watched == m_view->viewport() && event->type() == QEvent::MouseButtonRelease) {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() == Qt::LeftButton && (mouse->position().toPoint() - m_pressAt).manhattanLength() < 5) {
            bool exists = false;
            const QString id = LineageDrawing::nodeId(m_view->itemAt(mouse->position().toPoint()), &exists);
            if (!id.isEmpty() && exists && id != m_id)
                Q_EMIT memoryActivated(id);
        }
    }
    return QDockWidget::eventFilter(watched, event);
}

namespace {
/// Why a picture must not be written to `path`: it is the open store or one of its files (-wal, -shm, through
/// links or hard links); empty when it may.
QString storeFileRefusal(const QString& path, const QString& storeLocation)
{
    if (storeLocation.isEmpty())
        return {};
    try {
        refuseExportOntoStore(path, StoreSpec::parse(storeLocation));
    } catch (const StorageError& e) {
        return e.message();
    }
    return {};
}
} // namespace

namespace {
/// The checks and the atomic write both picture formats share: `draw` writes the picture into the file.
template<typename Draw>
bool saveScene(const QString& path, const QString& storeLocation, const QRectF& source, QString* error, Draw draw)
{
    const auto fail = [&](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    if (const QString refused = storeFileRefusal(path, storeLocation); !refused.isEmpty())
        return fail(refused);
    if (source.isEmpty())
        return fail(LineageDock::tr("There is no picture to save."));
    QSaveFile file(path); // renamed over the target: a failed save leaves the old file as it was
    // unbuffered: a buffered QSaveFile's failed flush (a full disk) is not reported by commit()
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered) || !draw(file) || file.error() != QFileDevice::NoError
        || !file.commit())
        return fail(LineageDock::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return true;
}
} // namespace

bool LineageDock::exportPng(const QString& path, QString* error) const
{
    const QRectF source = m_scene->sceneRect();
    return saveScene(path, m_model->location(), source, error, [&](QSaveFile& file) {
        const qreal scale = qMax<qreal>(2, m_view->devicePixelRatioF());
        QImage image((source.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
        image.fill(m_scene->backgroundBrush().color());
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            m_scene->render(&painter, QRectF(QPointF(0, 0), image.size()), source);
        }
        return image.save(&file, "PNG");
    });
}

bool LineageDock::exportSvg(const QString& path, QString* error) const
{
    const QRectF source = m_scene->sceneRect();
    return saveScene(path, m_model->location(), source, error, [&](QSaveFile& file) {
        const QSize size = source.size().toSize();
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(tr("Lineage of %1").arg(m_lineage ? m_lineage->centre : m_id));
        svg.setDescription(tr("Subcog Inspector: the neighbourhood of a memory"));
        QPainter painter;
        if (!painter.begin(&svg))
            return false;
        painter.setRenderHint(QPainter::Antialiasing);
        m_scene->render(&painter, QRectF(QPointF(0, 0), size), source);
        return painter.end();
    });
}

void LineageDock::askExport(bool svg)
{
    if (m_scene->sceneRect().isEmpty()) {
        m_status->setText(tr("There is no picture to save."));
        return;
    }
    QSettings settings;
    const QString suffix = svg ? u"svg"_s : u"png"_s;
    const QString folder = settings.value(u"lineage/folder"_s, QDir::homePath()).toString();
    QString base = u"lineage-"_s + m_id;
    base.replace(QRegularExpression(u"[^A-Za-z0-9._-]"_s), u"_"_s);
    QFileDialog dialog(this, tr("Save Lineage"), QDir(folder).filePath(base + u'.' + suffix));
    dialog.setObjectName(u"lineageSaveDialog"_s);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(suffix);
    dialog.setNameFilter(svg ? tr("SVG drawings (*.svg)") : tr("PNG pictures (*.png)"));
    // the question about replacing a file is asked below, in the words the export dialog uses
    dialog.setOption(QFileDialog::DontConfirmOverwrite);
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return;
    const QString path = dialog.selectedFiles().first();
    const QFileInfo target(path);
    if (target.exists() && target.isDir()) {
        m_status->setText(tr("%1 is a folder; choose a file name.").arg(path));
        return;
    }
    // never the store itself or its -wal/-shm (a SQLite file chosen by mistake), before asking to replace it
    if (const QString refused = storeFileRefusal(path, m_model->location()); !refused.isEmpty()) {
        m_status->setText(refused);
        return;
    }
    if (target.exists()
        && !confirmReplace(this, target.fileName(), tr("Replace it with the picture? Its contents are lost.")))
        return;
    settings.setValue(u"lineage/folder"_s, target.absolutePath());
    QString error;
    if (svg ? exportSvg(path, &error) : exportPng(path, &error))
        m_status->setText(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    else
        m_status->setText(error);
}

} // namespace Inspector
