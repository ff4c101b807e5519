// SPDX-License-Identifier: MIT
// The filter bar's parser (storage/query.cpp, spec §13): any text a user types or pastes.
#include "fuzzcheck.h"
#include "lifecyclefilter.h"
#include "query.h"

#include <QRegularExpression>
#include <QTimeZone>

#include <cstdint>

using namespace Inspector;
using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size > 4096) // a filter bar's worth; longer inputs only slow the search down
        return 0;
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
    // a fixed `now`, so that a finding reproduces
    static const QDateTime now = QDateTime::fromSecsSinceEpoch(1767225600, QTimeZone::utc());
    const ParsedFilter parsed = parseFilter(text, now);

    // Tokens are split on whitespace: the same tokens separated by single spaces mean the same filter.
    static const QRegularExpression whitespace(u"\\s+"_s);
    const QStringList tokens = text.split(whitespace, Qt::SkipEmptyParts);
    const ParsedFilter normalised = parseFilter(tokens.join(u' '), now);
    FUZZ_CHECK(normalised.filter == parsed.filter);
    FUZZ_CHECK(normalised.notUnderstood == parsed.notUnderstood);
    // At most one complaint per token, and no tokens means no restriction.
    FUZZ_CHECK(parsed.notUnderstood.size() <= tokens.size());
    if (tokens.isEmpty())
        FUZZ_CHECK(parsed.filter.isEmpty() && parsed.notUnderstood.isEmpty());

    // Evaluating the filter in memory (wildcards, word tokens) must cope with whatever it holds.
    Memory m;
    m.id = text;
    m.content = text;
    m.namespaceName = u"decisions"_s;
    m.status = u"active"_s;
    m.source = text;
    m.filePath = text;
    m.tags = tokens;
    // entity: words are resolved against a knowledge graph into ids before a filter is evaluated in memory
    MemoryFilter resolved = parsed.filter;
    resolved.entities.clear();
    // and has:edges against the ids that have edges (the source lists where a store keeps no edge table)
    resolved = Lifecycle::withEdgeIds(resolved, {text});
    // every flag: name the parser accepts is one the evaluator knows
    for (const QStringList& group : parsed.filter.anomaliesAny) {
        for (const QString& name : group)
            FUZZ_CHECK(!Lifecycle::describeAnomaly(name).isEmpty());
    }
    // expired: and flag:expired-active compare with the parse time, never with a clock read later
    if (parsed.filter.expired)
        FUZZ_CHECK(parsed.filter.now == now.toSecsSinceEpoch());
    const bool matched = resolved.matches(m);
    // Free words only: a memory whose content is the typed text holds every word, so it matches.
    MemoryFilter wordsOnly;
    wordsOnly.words = parsed.filter.words;
    if (parsed.filter == wordsOnly)
        FUZZ_CHECK(matched);
    return 0;
}
