// SPDX-License-Identifier: MIT
#include "startuptrace.h"

#include <QAbstractItemModel>
#include <QElapsedTimer>
#include <QEvent>
#include <QWidget>

#include <time.h>

namespace Inspector {

Q_LOGGING_CATEGORY(lcStartup, "inspector.startup", QtWarningMsg)

void startupMark(const char* what)
{
    static const QElapsedTimer since = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    if (!lcStartup().isDebugEnabled())
        return;
    timespec cpu {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    qCDebug(lcStartup, "%7.1f ms (GUI thread CPU %6.1f ms) %s", double(since.nsecsElapsed()) / 1e6,
            double(cpu.tv_sec) * 1e3 + double(cpu.tv_nsec) / 1e6, what);
}

namespace {

class PaintTracer : public QObject
{
public:
    PaintTracer(QAbstractItemModel* model, QWidget* viewport)
        : QObject(viewport)
        , m_model(model)
    {
        viewport->installEventFilter(this);
    }
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() != QEvent::Paint)
            return false;
        const bool rows = m_model->rowCount() > 0;
        if (m_first || rows)
            startupMark(rows ? "table painted with rows" : "table painted without rows");
        m_first = false;
        if (rows)
            deleteLater();
        return false;
    }

private:
    QAbstractItemModel* m_model;
    bool m_first = true;
};

} // namespace

void traceFirstPaints(QWidget* viewport, QAbstractItemModel* model)
{
    if (lcStartup().isDebugEnabled())
        new PaintTracer(model, viewport);
}

} // namespace Inspector
