// SPDX-License-Identifier: MIT
#include "exporter.h"

#include "jsonl.h"

using namespace Qt::StringLiterals;

namespace Inspector {

JsonlExporter::JsonlExporter(PersistenceBackend& backend, int pageSize)
    : m_backend(backend)
    , m_pageSize(pageSize)
{
}

ExportReport JsonlExporter::run(const MemoryFilter& filter, QIODevice& out, const Progress& progress)
{
    ExportReport report;
    report.expected = m_backend.count(filter);
    MemoryQuery query;
    query.filter = filter;
    query.limit = m_pageSize;
    QByteArray buffer;
    for (;;) {
        Page page = m_backend.query(query);
        buffer.clear();
        for (const Memory& memory : std::as_const(page.memories))
            appendJsonLine(buffer, memory);
        if (out.write(buffer) != buffer.size())
            throw StorageError(StorageError::Kind::OperationFailed,
                               u"writing the export failed: "_s + out.errorString());
        report.written += page.memories.size();
        report.skipped.append(page.issues);
        if (progress && !progress(report.written, report.expected)) {
            report.cancelled = true;
            return report;
        }
        if (!page.next)
            break;
        query.after = page.next;
    }
    report.storeIssues = m_backend.storeIssues();
    return report;
}

} // namespace Inspector
