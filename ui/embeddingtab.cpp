// SPDX-License-Identifier: MIT
#include "embeddingtab.h"

#include "memorytablemodel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QTextDocumentFragment>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Inspector {

EmbeddingTab::EmbeddingTab(QWidget* parent)
    : QWidget(parent)
    , m_text(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_similar(new QPushButton(tr("Similar Memories"), this))
{
    setObjectName(u"embeddingTab"_s);
    m_text->setObjectName(u"embeddingText"_s);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_text);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(scroll, 1);
    auto* row = new QHBoxLayout;
    row->addWidget(m_progress, 1);
    row->addWidget(m_cancel);
    row->addStretch();
    row->addWidget(m_similar);
    layout->addLayout(row);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancel->hide();
    m_similar->setObjectName(u"embeddingSimilar"_s);
    m_similar->setToolTip(tr("The 10 memories nearest to this one by cosine similarity of their embeddings"));
    m_similar->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, &EmbeddingTab::cancelJob);
    connect(m_similar, &QPushButton::clicked, this, [this] {
        if (!m_id.isEmpty())
            Q_EMIT similarRequested(m_id);
    });
    m_text->setText(tr("No memory selected"));
}

void EmbeddingTab::setModel(MemoryTableModel* model)
{
    m_model = model;
    connect(m_model, &MemoryTableModel::jobFinished, this, &EmbeddingTab::onJobFinished);
    connect(m_model, &MemoryTableModel::jobProgress, this, [this](RequestId id, qint64 done, qint64 total) {
        if (id != m_job || total <= 0)
            return;
        // per mille: a file of gigabytes does not fit an int's range
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(1000 * double(done) / double(total)));
    });
    // another store, or the same one reopened: its jobs will not answer, and the answer would be another's
    connect(m_model, &MemoryTableModel::storeOpened, this, [this] {
        m_job = 0;
        m_stale = true;
    });
}

void EmbeddingTab::setMemoryId(const QString& id)
{
    if (id == m_id && !m_stale)
        return;
    cancelJob();
    m_id = id;
    m_stale = true;
    m_similar->setEnabled(false);
    if (isVisible())
        fetch();
}

QString EmbeddingTab::text() const
{
    return QTextDocumentFragment::fromHtml(m_text->text()).toPlainText();
}

void EmbeddingTab::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        fetch();
}

void EmbeddingTab::cancelJob()
{
    if (m_job && m_model) {
        m_model->cancelFetch(m_job);
        m_stale = true; // shown again, it reads again
        m_text->setText(tr("Stopped before the embedding was found.").toHtmlEscaped());
    }
    m_job = 0;
    m_result.reset();
    m_progress->hide();
    m_cancel->hide();
}

void EmbeddingTab::fetch()
{
    m_stale = false;
    if (m_id.isEmpty() || !m_model || !m_model->isOpen()) {
        m_text->setText(m_id.isEmpty() ? tr("No memory selected") : tr("No store is open."));
        return;
    }
    auto result = std::make_shared<EmbeddingInfo>();
    m_result = result;
    const QString id = m_id;
    m_job = m_model->runJob([result, id](PersistenceBackend& store, const auto& progress) -> QString {
        *result = embeddingInfo(store, id, progress);
        return {};
    });
    m_text->setText(tr("Reading the embedding of %1…").arg(id.toHtmlEscaped()));
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancel->show();
}

void EmbeddingTab::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id != m_job || id == 0)
        return;
    m_job = 0;
    m_progress->hide();
    m_cancel->hide();
    const auto result = std::move(m_result);
    if (cancelled) {
        m_stale = true; // shown again, it reads again
        m_text->setText(tr("Stopped before the embedding was found."));
        return;
    }
    if (failed || !result) {
        m_text->setText(tr("The embedding could not be read: %1").arg(summary.toHtmlEscaped()));
        return;
    }
    showInfo(*result);
}

void EmbeddingTab::showInfo(const EmbeddingInfo& info)
{
    const QLocale locale;
    QString html;
    switch (info.state) {
    case EmbeddingInfo::State::NotKept:
        html = tr("<b>None.</b> This store keeps no embeddings: %1.").arg(info.reason.toHtmlEscaped());
        break;
    case EmbeddingInfo::State::Missing:
        html = tr("<b>No embedding.</b> The store keeps embeddings in %1, but none for this memory (subcog's "
                  "<code>migrate embeddings</code> re-embeds memories).")
                   .arg(info.where.toHtmlEscaped());
        break;
    case EmbeddingInfo::State::Opaque:
        html = tr("<b>Has an embedding</b>, as usearch's vectors.meta.json lists it. Its values are in the binary "
                  "index vectors.usearch, which the inspector cannot read without the usearch library.");
        break;
    case EmbeddingInfo::State::Present: {
        double squares = 0;
        for (float v : info.values)
            squares += double(v) * double(v);
        html = tr("<b>Has an embedding</b> in %1.").arg(info.where.toHtmlEscaped());
        html += u"<table cellspacing=\"4\">"_s;
        const auto row = [&](const QString& name, const QString& value) {
            html += u"<tr><td>%1</td><td>%2</td></tr>"_s.arg(name.toHtmlEscaped(), value);
        };
        QString dims = locale.toString(info.values.size());
        if (info.storeDimensions > 0 && info.storeDimensions != info.values.size())
            dims += u" "_s + tr("(the file declares %1)").arg(info.storeDimensions).toHtmlEscaped();
        row(tr("Dimensions:"), dims);
        row(tr("L2 norm:"), locale.toString(std::sqrt(squares), 'f', 6));
        QStringList first;
        for (qsizetype i = 0; i < qMin<qsizetype>(kShownValues, info.values.size()); ++i)
            first << locale.toString(double(info.values[i]), 'g', 7);
        if (info.values.size() > kShownValues)
            first << u"…"_s;
        row(tr("First values:"), u"<code>"_s + first.join(u", "_s).toHtmlEscaped() + u"</code>"_s);
        html += u"</table>"_s;
        m_similar->setEnabled(true);
        break;
    }
    }
    m_text->setText(html);
}

} // namespace Inspector
