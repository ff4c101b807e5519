// SPDX-License-Identifier: MIT
#include "storesession.h"

#include "transfers.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
constexpr int kDefaultChangeCheckMs = 1500;

// The summaries' texts keep the table model's translation context, where their plural forms are.
QString tr(const char* text, int n = -1)
{
    return QCoreApplication::translate("Inspector::MemoryTableModel", text, nullptr, n);
}

QString issueLines(const QList<RecordIssue>& issues, int shown)
{
    QStringList lines;
    for (const RecordIssue& issue : issues.mid(0, shown))
        lines << issue.id + u": "_s + issue.reason;
    return lines.join(u"; "_s);
}

QString exportJob(const ExportSource& source, ExportFormat format, const QString& path, PersistenceBackend& store,
                  const std::function<bool(qint64, qint64)>& progress)
{
    ExportRequest request;
    request.source = source;
    request.format = format;
    request.path = path;
    const ExportOutcome outcome = exportToFile(store, request, progress);
    const QString kept = outcome.leftAsItWas ? u"; nothing was written"_s : QString();
    switch (outcome.end) {
    case ExportOutcome::End::Cancelled:
        return tr("Export cancelled; %1 was not written.").arg(path); // stopped by Cancel: no file, no error
    case ExportOutcome::End::OutputFailed:
        throw StorageError(StorageError::Kind::OperationFailed, path + u": "_s + outcome.outputReason + kept);
    case ExportOutcome::End::StoreFailed:
        throw StorageError(StorageError::Kind::OperationFailed, path + u": "_s + outcome.storeError->message() + kept,
                           outcome.storeError->detail());
    case ExportOutcome::End::Written:
        break;
    }
    const ExportReport& report = outcome.report;
    QString summary = tr("%1 of %Ln memories written to %2.", int(qMin<qint64>(report.expected, INT_MAX)))
                          .arg(report.written)
                          .arg(path);
    if (!report.skipped.isEmpty())
        summary += u' ' + tr("Not written: %1").arg(issueLines(report.skipped, 10))
            + (report.skipped.size() > 10 ? tr(" and %1 more").arg(report.skipped.size() - 10) : QString());
    if (!report.warnings.isEmpty())
        summary += u' ' + tr("Warnings: %1").arg(issueLines(report.warnings, 10))
            + (report.warnings.size() > 10 ? tr(" and %1 more").arg(report.warnings.size() - 10) : QString());
    return summary;
}

QString copyJob(const ExportSource& source, const QString& targetSpec, OnConflict onConflict, bool dryRun,
                PersistenceBackend& store, const std::function<bool(qint64, qint64)>& progress)
{
    CopyRequest request;
    request.source = source;
    request.target = targetSpec;
    request.onConflict = onConflict;
    request.dryRun = dryRun;
    const CopyOutcome outcome
        = copyToStore(store, request, [&](const CopyReport& soFar) { return progress(soFar.read, soFar.expected); });
    if (outcome.end == CopyOutcome::End::SameStore)
        throw StorageError(StorageError::Kind::InvalidInput, tr("the target is the store that is open"));
    const CopyReport& r = outcome.report;
    QString summary = (dryRun ? tr("Dry run, nothing written: %1 of %2 read; %3 would be created, %4 overwritten")
                              : tr("%1 of %2 read; %3 created, %4 overwritten"))
                          .arg(r.read)
                          .arg(r.expected)
                          .arg(r.created)
                          .arg(r.overwritten)
        + u", "_s + tr("%1 already equal, %2 skipped, %3 failed.").arg(r.unchanged).arg(r.skipped).arg(r.failed.size());
    if (!r.stoppedAt.isEmpty())
        summary += u' ' + tr("Stopped at %1: the target holds it with other values.").arg(r.stoppedAt);
    for (const RecordIssue& issue : std::as_const(r.failed).mid(0, 5))
        summary += u' ' + issue.id + u": "_s + issue.reason + u'.';
    // what is kept around the memories: said, never dropped without a word
    const qint64 embeddingsLeft = r.embeddingsNotCarried + r.embeddingsUnreadable + r.embeddingsRefused.size();
    if (r.embeddingsCarried || embeddingsLeft)
        summary += u' ' + tr("Embeddings: %1 carried, %2 not carried.").arg(r.embeddingsCarried).arg(embeddingsLeft);
    if (r.embeddingsNotCarried)
        summary += u' ' + tr("The target cannot hold embeddings: %1.").arg(r.embeddingsNotCarriedReason);
    if (r.edgesCarried || r.edgesNotCarried || r.edgesDangling)
        summary += u' '
            + tr("Edges: %1 carried, %2 not carried (%3 with an end not copied).")
                  .arg(r.edgesCarried)
                  .arg(r.edgesNotCarried + r.edgesDangling)
                  .arg(r.edgesDangling);
    if (!r.warnings.isEmpty())
        summary += u' ' + tr("%1 warnings:").arg(r.warnings.size());
    for (const RecordIssue& issue : std::as_const(r.warnings).mid(0, 5))
        summary += u' ' + issue.id + u": "_s + issue.reason + u'.';
    return summary;
}
} // namespace

StoreSession::StoreSession(QObject* parent)
    : QObject(parent)
{
    m_changeTimer.setInterval(kDefaultChangeCheckMs);
    connect(&m_changeTimer, &QTimer::timeout, this, &StoreSession::checkForChanges);
}

StoreSession::~StoreSession()
{
    close();
}

void StoreSession::open(BackendClient::Factory factory)
{
    close();
    m_client = new BackendClient(std::move(factory), this);
    connect(m_client, &BackendClient::opened, this,
            [this](RequestId id, const QString& location, const QStringList& layout, bool readOnly) {
                if (!m_own.remove(id))
                    return;
                m_handlers.remove(id);
                m_location = location;
                m_layout = layout;
                m_readOnly = readOnly;
                if (m_changeTimer.interval() > 0)
                    m_changeTimer.start();
                Q_EMIT opened(location, layout, readOnly);
                Q_EMIT answered();
            });
    connect(m_client, &BackendClient::pageLoaded, this,
            [this](RequestId id, quint64 generation, const MemoryQuery&, const Page& page) {
                route(id, true, [&](const Handler& h) {
                    if (h.page)
                        h.page(id, generation, page);
                });
            });
    connect(m_client, &BackendClient::countAvailable, this, [this](RequestId id, quint64 generation, qint64 count) {
        route(id, true, [&](const Handler& h) {
            if (h.count)
                h.count(id, generation, count);
        });
    });
    connect(m_client, &BackendClient::rowFound, this,
            [this](RequestId id, quint64 generation, const QString&, qint64 row, const QMap<qint64, Cursor>& pins) {
                route(id, true, [&](const Handler& h) {
                    if (h.row)
                        h.row(id, generation, row, pins);
                });
            });
    connect(m_client, &BackendClient::anchorsFound, this,
            [this](RequestId id, quint64 generation, const QList<Cursor>& anchors, bool atEnd) {
                route(id, true, [&](const Handler& h) {
                    if (h.anchors)
                        h.anchors(id, generation, anchors, atEnd);
                });
            });
    connect(m_client, &BackendClient::writeFinished, this, [this](RequestId id, const QList<WriteResult>& results) {
        route(id, true, [&](const Handler& h) {
            if (h.written)
                h.written(id, results);
        });
    });
    connect(m_client, &BackendClient::changeTokenRead, this,
            [this](RequestId id, const QByteArray& token, bool supported) {
                if (id != m_tokenRequest)
                    return;
                m_tokenRequest = 0;
                m_own.remove(id);
                if (!supported) {
                    m_changeTimer.stop();
                } else if (!m_token || std::exchange(m_tokenIsBaseline, false)) {
                    m_token = token;
                } else if (*m_token != token) {
                    m_token = token;
                    Q_EMIT externalChange();
                }
                Q_EMIT answered();
            });
    connect(m_client, &BackendClient::batchLoaded, this,
            [this](RequestId id, const QList<Memory>& memories, qint64 done, qint64 total) {
                route(id, false, [&](const Handler& h) {
                    if (h.batch)
                        h.batch(memories, done, total);
                });
            });
    connect(m_client, &BackendClient::batchFinished, this,
            [this](RequestId id, bool cancelled, const QList<RecordIssue>& issues) {
                route(id, true, [&](const Handler& h) {
                    if (h.batchDone)
                        h.batchDone(cancelled, issues);
                });
            });
    connect(m_client, &BackendClient::jobProgress, this, [this](RequestId id, qint64 done, qint64 total) {
        route(id, false, [&](const Handler& h) {
            if (h.progress)
                h.progress(done, total);
        });
    });
    connect(m_client, &BackendClient::jobFinished, this, [this](RequestId id, bool cancelled, const QString& summary) {
        route(id, true, [&](const Handler& h) {
            if (h.jobDone)
                h.jobDone(cancelled, summary);
        });
    });
    connect(m_client, &BackendClient::failed, this,
            [this](RequestId id, quint64 generation, int kind, const QString& message, const QString& detail) {
                const StorageError error(StorageError::Kind(kind), message, detail);
                if (id == m_tokenRequest) {
                    m_tokenRequest = 0;
                    m_own.remove(id);
                    Q_EMIT answered();
                    return;
                }
                route(id, true, [&](const Handler& h) {
                    if (h.failed)
                        h.failed(id, generation, error);
                });
            });
    m_openFailed = false;
    Handler opening;
    opening.failed = [this](RequestId, quint64, const StorageError& error) {
        m_openFailed = true;
        Q_EMIT openFailed(error);
    };
    m_own.insert(track(m_client->open(), std::move(opening)));
}

void StoreSession::close()
{
    m_changeTimer.stop();
    if (!m_client)
        return;
    // deleted from the event loop, since this may run inside one of the client's own signals; its destructor
    // does not wait for a request the store is still answering, whose reply then goes nowhere
    m_client->disconnect(this);
    m_client->deleteLater();
    m_client = nullptr;
    m_handlers.clear();
    m_own.clear();
    m_location.clear();
    m_layout.clear();
    m_readOnly = true;
    m_openFailed = false;
    m_token.reset();
    m_tokenRequest = 0;
    m_tokenIsBaseline = false;
    m_summaries = {};
}

bool StoreSession::isBusy() const
{
    return !m_own.isEmpty();
}

RequestId StoreSession::track(RequestId id, Handler handler)
{
    if (id)
        m_handlers.insert(id, std::move(handler));
    return id;
}

void StoreSession::route(RequestId id, bool final, const std::function<void(const Handler&)>& call)
{
    const auto it = m_handlers.find(id);
    if (it == m_handlers.end())
        return;
    const Handler handler = final ? m_handlers.take(id) : *it;
    call(handler);
    if (final)
        settle(id);
}

void StoreSession::settle(RequestId id)
{
    if (m_own.remove(id))
        Q_EMIT answered();
}

RequestId StoreSession::page(quint64 generation, const MemoryQuery& query, Handler handler)
{
    return m_client ? track(m_client->requestPage(generation, query), std::move(handler)) : 0;
}

RequestId StoreSession::count(quint64 generation, const MemoryFilter& filter, Handler handler)
{
    return m_client ? track(m_client->requestCount(generation, filter), std::move(handler)) : 0;
}

RequestId StoreSession::rowOf(quint64 generation, const MemoryQuery& query, const QString& id, Handler handler)
{
    return m_client ? track(m_client->requestRowOf(generation, query, id), std::move(handler)) : 0;
}

RequestId StoreSession::anchors(quint64 generation, const MemoryQuery& query, int step, int count, Handler handler)
{
    return m_client ? track(m_client->requestAnchors(generation, query, step, count), std::move(handler)) : 0;
}

RequestId StoreSession::write(const QList<WriteOp>& ops, Handler handler)
{
    return m_client ? track(m_client->requestWrite(ops), std::move(handler)) : 0;
}

void StoreSession::cancel(RequestId id)
{
    if (m_client && id)
        m_client->cancel(id);
}

void StoreSession::forget(RequestId id)
{
    cancel(id);
    m_handlers.remove(id);
    settle(id);
}

RequestId StoreSession::fetchRows(const MemoryQuery& query, const QList<std::pair<qint64, qint64>>& ranges,
                                  int batchSize)
{
    if (!m_client)
        return 0;
    const RequestId id = m_client->requestRangeBatch(query, ranges, batchSize);
    Handler h;
    h.batch = [this, id](const QList<Memory>& memories, qint64 done, qint64 total) {
        Q_EMIT fetchProgress(id, memories, done, total);
    };
    h.batchDone
        = [this, id](bool cancelled, const QList<RecordIssue>& issues) { Q_EMIT fetchFinished(id, cancelled, issues); };
    h.failed = [this, id](RequestId, quint64, const StorageError& error) {
        if (m_openFailed)
            return; // openFailed said it
        Q_EMIT fetchFailed(error);
        Q_EMIT fetchFinished(id, false, {RecordIssue {QString(), error.message(), true}});
    };
    m_own.insert(track(id, std::move(h)));
    return id;
}

RequestId StoreSession::fetchIds(const QStringList& ids, int batchSize)
{
    if (!m_client)
        return 0;
    const RequestId id = m_client->requestBatch(ids, batchSize);
    Handler h;
    h.batch = [this, id](const QList<Memory>& memories, qint64 done, qint64 total) {
        Q_EMIT fetchProgress(id, memories, done, total);
    };
    h.batchDone
        = [this, id](bool cancelled, const QList<RecordIssue>& issues) { Q_EMIT fetchFinished(id, cancelled, issues); };
    h.failed = [this, id](RequestId, quint64, const StorageError& error) {
        if (m_openFailed)
            return;
        Q_EMIT fetchFailed(error);
        Q_EMIT fetchFinished(id, false, {RecordIssue {QString(), error.message(), true}});
    };
    m_own.insert(track(id, std::move(h)));
    return id;
}

void StoreSession::cancelFetch(RequestId id)
{
    // only what streams: a look-up, an opening or a change check is not the caller's to stop
    const auto it = m_handlers.constFind(id);
    if (it != m_handlers.constEnd() && (it->batchDone || it->jobDone))
        cancel(id);
}

RequestId StoreSession::runJob(BackendClient::Job job)
{
    if (!m_client)
        return 0;
    const RequestId id = m_client->requestJob(std::move(job));
    Handler h;
    h.progress = [this, id](qint64 done, qint64 total) { Q_EMIT jobProgress(id, done, total); };
    h.jobDone
        = [this, id](bool cancelled, const QString& summary) { Q_EMIT jobFinished(id, cancelled, false, summary); };
    h.failed = [this, id](RequestId, quint64, const StorageError& error) {
        if (!m_openFailed)
            Q_EMIT jobFinished(id, false, true, error.message());
    };
    m_own.insert(track(id, std::move(h)));
    return id;
}

RequestId StoreSession::exportTo(const ExportSource& source, ExportFormat format, const QString& path)
{
    return runJob([source, format, path](PersistenceBackend& store, const auto& progress) {
        return exportJob(source, format, path, store, progress);
    });
}

RequestId StoreSession::copyTo(const ExportSource& source, const QString& targetSpec, OnConflict onConflict,
                               bool dryRun)
{
    return runJob([source, targetSpec, onConflict, dryRun](PersistenceBackend& store, const auto& progress) {
        return copyJob(source, targetSpec, onConflict, dryRun, store, progress);
    });
}

void StoreSession::findSummariesOf(const QString& id)
{
    if (!m_client || id.isEmpty())
        return;
    m_summaries.wanted = id;
    if (m_summaries.request && m_summaries.running != id) {
        m_client->cancel(m_summaries.request); // only the newest selection's links matter
        m_summaries.request = 0;
    }
    sendSummaryLookup();
}

void StoreSession::holdLookups(bool hold)
{
    const bool changed = hold != m_summaries.held;
    m_summaries.held = hold;
    if (hold && m_summaries.request && m_client) {
        m_client->cancel(m_summaries.request); // still wanted: asked again when the view has its rows
        m_summaries.request = 0;
    }
    sendSummaryLookup();
    if (changed)
        Q_EMIT lookupsHeld(hold);
}

void StoreSession::sendSummaryLookup()
{
    if (!m_client || m_summaries.held || m_summaries.request || m_summaries.wanted.isEmpty())
        return;
    const QString id = m_summaries.wanted;
    MemoryQuery q;
    q.filter.summarizing = {id};
    q.withContent = false;
    q.limit = 100;
    Handler h;
    h.page = [this, id](RequestId request, quint64, const Page& page) {
        if (request != m_summaries.request)
            return;
        m_summaries.request = 0;
        if (m_summaries.wanted == id)
            m_summaries.wanted.clear();
        QStringList ids;
        for (const Memory& m : page.memories)
            ids << m.id;
        Q_EMIT summariesFound(id, ids);
        sendSummaryLookup();
    };
    // the links back are a convenience: on failure the pane simply shows none
    h.failed = [this, id](RequestId request, quint64, const StorageError& error) {
        if (request != m_summaries.request)
            return; // stopped by holdLookups() or a newer selection
        m_summaries.request = 0;
        if (m_summaries.wanted == id && error.kind() != StorageError::Kind::Cancelled)
            m_summaries.wanted.clear();
        sendSummaryLookup();
    };
    m_summaries.running = id;
    // not waited for by isBusy(): nothing depends on it
    m_summaries.request = track(m_client->requestPage(0, q), std::move(h));
}

RequestId StoreSession::lookUp(const MemoryQuery& query)
{
    if (!m_client)
        return 0;
    const RequestId id = m_client->requestPage(0, query);
    Handler h;
    h.page = [this, id](RequestId, quint64, const Page& page) { Q_EMIT lookedUp(id, page.memories); };
    h.failed = [this, id](RequestId, quint64, const StorageError&) { Q_EMIT lookedUp(id, {}); };
    m_own.insert(track(id, std::move(h)));
    return id;
}

void StoreSession::setChangeCheckInterval(int milliseconds)
{
    if (milliseconds <= 0) {
        m_changeTimer.stop();
        m_changeTimer.setInterval(0);
        return;
    }
    m_changeTimer.setInterval(milliseconds);
    if (m_client && !m_location.isEmpty())
        m_changeTimer.start();
}

void StoreSession::checkForChanges()
{
    if (m_client && !m_tokenRequest)
        requestToken(false);
}

void StoreSession::rebaseline()
{
    if (m_client && !m_tokenRequest)
        requestToken(true);
}

void StoreSession::requestToken(bool baseline)
{
    m_tokenRequest = m_client->requestChangeToken();
    m_tokenIsBaseline = baseline;
    m_own.insert(m_tokenRequest);
}

} // namespace Inspector
