// SPDX-License-Identifier: MIT
#include "storeinfodialog.h"

#include "memorytablemodel.h"
#include "secrets.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTextDocumentFragment>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Inspector {

StoreInfoDialog::StoreInfoDialog(MemoryTableModel* model, QWidget* parent)
    : QDialog(parent)
    , m_model(model)
    , m_text(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(u"storeInfoDialog"_s);
    setWindowTitle(tr("Store Info"));
    m_text->setObjectName(u"storeInfoText"_s);
    m_text->setTextFormat(Qt::RichText);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setMinimumWidth(520);
    m_progress->setTextVisible(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(m_cancel, &QPushButton::clicked, this, &StoreInfoDialog::cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_text, 1);
    auto* row = new QHBoxLayout;
    row->addWidget(m_progress, 1);
    row->addWidget(m_cancel);
    row->addWidget(buttons);
    layout->addLayout(row);
    m_progress->hide();
    m_cancel->hide();
    connect(m_model, &MemoryTableModel::jobFinished, this, &StoreInfoDialog::onJobFinished);
    connect(m_model, &MemoryTableModel::jobProgress, this, [this](RequestId id, qint64 done, qint64 total) {
        if (id != m_job)
            return;
        if (total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(1000 * double(done) / double(total)));
        }
    });
    connect(m_model, &MemoryTableModel::storeOpened, this, [this] {
        m_job = 0; // the job was the store's before: it will not answer
        if (isVisible())
            refresh();
    });
}

void StoreInfoDialog::refresh()
{
    cancel();
    m_coverageHtml.clear();
    if (!m_model->isOpen()) {
        render();
        return;
    }
    auto result = std::make_shared<std::optional<EmbeddingCoverage>>();
    auto reason = std::make_shared<QString>();
    m_result = result;
    m_reason = reason;
    m_job = m_model->runJob([result, reason](PersistenceBackend& store, const auto& progress) -> QString {
        *result = embeddingCoverage(store, progress, reason.get());
        return {};
    });
    m_coverageHtml = tr("Counting embeddings…").toHtmlEscaped();
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancel->show();
    render();
}

void StoreInfoDialog::cancel()
{
    if (m_job) {
        m_model->cancelFetch(m_job);
        m_coverageHtml = tr("Stopped before the embeddings were counted.").toHtmlEscaped();
        render();
    }
    m_job = 0;
    m_progress->hide();
    m_cancel->hide();
}

QString StoreInfoDialog::text() const
{
    return QTextDocumentFragment::fromHtml(m_text->text()).toPlainText();
}

void StoreInfoDialog::onJobFinished(RequestId id, bool cancelled, bool failed, const QString& summary)
{
    if (id != m_job || id == 0)
        return;
    m_job = 0;
    m_progress->hide();
    m_cancel->hide();
    const QLocale locale;
    if (cancelled) {
        m_coverageHtml = tr("Stopped before the embeddings were counted.").toHtmlEscaped();
    } else if (failed) {
        m_coverageHtml = tr("The embeddings could not be counted: %1").arg(summary).toHtmlEscaped();
    } else if (!*m_result) {
        m_coverageHtml = tr("None: %1").arg(*m_reason).toHtmlEscaped();
    } else {
        const EmbeddingCoverage& c = **m_result;
        QString html = u"<table cellspacing=\"4\">"_s;
        const auto row = [&](const QString& name, const QString& value) {
            html += u"<tr><td>%1</td><td>%2</td></tr>"_s.arg(name.toHtmlEscaped(), value.toHtmlEscaped());
        };
        row(tr("Kept in:"), c.where);
        row(tr("Memories with an embedding:"),
            tr("%1 of %2").arg(locale.toString(c.withEmbedding), locale.toString(c.memories)));
        row(tr("Live memories without one:"), locale.toString(c.liveWithout));
        row(tr("Vectors without a memory:"),
            c.orphans ? locale.toString(*c.orphans) : tr("none can exist (the vector is in the memory's record)"));
        html += u"</table>"_s;
        if (!c.problem.isEmpty())
            html += u"<p>"_s + tr("Not read to the end: %1").arg(c.problem).toHtmlEscaped() + u"</p>"_s;
        m_coverageHtml = html;
    }
    m_result.reset();
    render();
    Q_EMIT coverageFinished();
}

void StoreInfoDialog::render()
{
    if (!m_model->isOpen()) {
        m_text->setText(tr("No store is open.").toHtmlEscaped());
        return;
    }
    QString html = u"<p><b>%1</b></p>"_s.arg(withoutPasswords(m_model->location()).toHtmlEscaped());
    const QStringList layout = m_model->layout();
    if (!layout.isEmpty()) {
        html += u"<ul>"_s;
        for (const QString& line : layout)
            html += u"<li>%1</li>"_s.arg(line.toHtmlEscaped());
        html += u"</ul>"_s;
    }
    html += u"<p><b>%1</b></p>"_s.arg(tr("Embeddings").toHtmlEscaped()) + m_coverageHtml;
    m_text->setText(html);
}

} // namespace Inspector
