// SPDX-License-Identifier: MIT
// The STORE argument and PostgreSQL connection strings (storage/storeopener.cpp, the password scrubber,
// storelocator's expandPath; spec §5.4): from the command line, the recent-stores list and subcog's config.toml.
#include "fuzzcheck.h"
#include "secrets.h"
#include "storelocator.h"
#include "storeopener.h"

#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <cstdint>

using namespace Inspector;
using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // QFileInfo warns about every path with a NUL byte; thousands of lines a second only slow the fuzzer down
    static const bool quiet
        = (qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString&) {}), true);
    Q_UNUSED(quiet);
    if (size > 4096)
        return 0;
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));

    const StoreSpec spec = StoreSpec::parse(text);
    const bool postgres = text.startsWith("postgresql://"_L1) || text.startsWith("postgres://"_L1);
    FUZZ_CHECK((spec.kind == StoreSpec::Kind::Postgres) == postgres);
    if (postgres)
        FUZZ_CHECK(spec.location == text);
    if (text.startsWith("sqlite:"_L1))
        FUZZ_CHECK(spec.kind == StoreSpec::Kind::Sqlite && u"sqlite:"_s + spec.location == text);
    if (text.startsWith("fs:"_L1))
        FUZZ_CHECK(spec.kind == StoreSpec::Kind::Filesystem && u"fs:"_s + spec.location == text);
    if (text.startsWith("jsonl:"_L1))
        FUZZ_CHECK(spec.kind == StoreSpec::Kind::Jsonl && u"jsonl:"_s + spec.location == text);

    // The redacted URL is what the window title, logs and errors show: no password may survive it, neither in
    // the user info nor as a query parameter (libpq decodes percent-escapes in both keys and values).
    // Only text that starts as a URL with a scheme is a connection string; `//u:pw@h` is a relative path.
    const QString shown = withoutPasswords(text);
    const QUrl shownUrl(shown);
    static const QRegularExpression urlStart(u"^[A-Za-z][A-Za-z0-9+.-]*://"_s);
    if (shownUrl.isValid() && urlStart.match(text).hasMatch()) {
        FUZZ_CHECK(shownUrl.password(QUrl::FullyDecoded).isEmpty());
        const auto items = QUrlQuery(shownUrl).queryItems(QUrl::FullyDecoded);
        for (const auto& item : items)
            FUZZ_CHECK(item.first != "password"_L1 || item.second.isEmpty()); // `?password&…` holds no secret
    }

    (void)expandPath(text);
    return 0;
}
